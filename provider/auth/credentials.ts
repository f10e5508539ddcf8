/**
 * Where credentials come from. They are never resource inputs and never reach state: the provider reads
 * them at run time, first from the stack config Pulumi hands to `configure` (secret config
 * `jobsets:accessKey` …), then from the environment the Huawei Terraform provider already uses
 * (`HW_ACCESS_KEY` …), so existing shells and CI jobs work unchanged.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { CredentialsError } from "../errors";

export type HuaweiAuth =
  | { kind: "aksk"; accessKey: string; secretKey: string; securityToken?: string; source: string }
  | { kind: "token"; token: string; source: string }
  | { kind: "password"; userName: string; password: string; domainName: string; iamEndpoint: string; source: string };

/** Reads one stack config key (namespaced: `jobsets:accessKey`). */
export type ConfigReader = (key: string) => string | undefined;
export type Env = Record<string, string | undefined>;

/** Default IAM endpoint (global); `HW_AUTH_URL` or `JOBSETS_IAM_ENDPOINT` override it. */
export const DEFAULT_IAM_ENDPOINT = "https://iam.myhuaweicloud.com";

export const HUAWEI_CREDENTIAL_HELP =
  "set the secret config jobsets:accessKey and jobsets:secretKey (`pulumi config set --secret jobsets:secretKey …`), " +
  "or jobsets:authToken; or the environment variables HW_ACCESS_KEY and HW_SECRET_KEY (plus HW_SECURITY_TOKEN for " +
  "temporary credentials), HW_AUTH_TOKEN, or HW_USER_NAME, HW_USER_PASSWORD and HW_DOMAIN_NAME";

function value(v: string | undefined): string | undefined {
  return v !== undefined && v.trim() !== "" ? v.trim() : undefined;
}

/**
 * Picks the first complete way to authenticate, in this order: config AK/SK, config token, env AK/SK
 * (`OS_*` as older aliases), env token, env user/password. A half-set pair is an error rather than a
 * silent fall-through, so a typo in one variable does not quietly select other credentials.
 */
export function resolveHuaweiAuth(config: ConfigReader, env: Env): HuaweiAuth {
  const configAk = value(config("jobsets:accessKey"));
  const configSk = value(config("jobsets:secretKey"));
  if (configAk || configSk) {
    if (!configAk || !configSk) {
      throw new CredentialsError(
        `Huawei Cloud credentials: ${configAk ? "jobsets:secretKey" : "jobsets:accessKey"} is not set, but ${configAk ? "jobsets:accessKey" : "jobsets:secretKey"} is; set both`,
        { property: configAk ? "jobsets:secretKey" : "jobsets:accessKey" },
      );
    }
    const securityToken = value(config("jobsets:securityToken"));
    return { kind: "aksk", accessKey: configAk, secretKey: configSk, ...(securityToken ? { securityToken } : {}), source: "stack config" };
  }
  const configToken = value(config("jobsets:authToken"));
  if (configToken) return { kind: "token", token: configToken, source: "stack config" };

  const envAk = value(env.HW_ACCESS_KEY) ?? value(env.OS_ACCESS_KEY);
  const envSk = value(env.HW_SECRET_KEY) ?? value(env.OS_SECRET_KEY);
  if (envAk || envSk) {
    if (!envAk || !envSk) {
      const missing = envAk ? "HW_SECRET_KEY" : "HW_ACCESS_KEY";
      throw new CredentialsError(`Huawei Cloud credentials: ${missing} is not set, but its pair is; set both`, { property: missing });
    }
    const securityToken = value(env.HW_SECURITY_TOKEN);
    return { kind: "aksk", accessKey: envAk, secretKey: envSk, ...(securityToken ? { securityToken } : {}), source: "environment" };
  }
  const envToken = value(env.HW_AUTH_TOKEN);
  if (envToken) return { kind: "token", token: envToken, source: "environment" };

  const userName = value(env.HW_USER_NAME);
  const password = value(env.HW_USER_PASSWORD);
  const domainName = value(env.HW_DOMAIN_NAME);
  if (userName || password) {
    const missing = [!userName && "HW_USER_NAME", !password && "HW_USER_PASSWORD", !domainName && "HW_DOMAIN_NAME"].filter(Boolean);
    if (missing.length) {
      throw new CredentialsError(`Huawei Cloud password login: ${missing.join(" and ")} not set`, { property: String(missing[0]) });
    }
    const iamEndpoint = value(env.JOBSETS_IAM_ENDPOINT) ?? value(env.HW_AUTH_URL) ?? DEFAULT_IAM_ENDPOINT;
    return { kind: "password", userName: userName!, password: password!, domainName: domainName!, iamEndpoint, source: "environment" };
  }
  throw new CredentialsError(`No Huawei Cloud credentials found: ${HUAWEI_CREDENTIAL_HELP}.`);
}

// ---------------------------------------------------------------------------------------------------
// QingCloud (EHPC)

export interface QingCloudAuth {
  accessKeyId: string;
  secretAccessKey: string;
  /** Where they came from, for messages ("stack config", "environment (QY_*)", the file's path). */
  source: string;
}

/** The config file of QingCloud's CLI and SDKs, relative to HOME (docs/apis.md, "QingCloud EHPC"). */
export const QINGCLOUD_CONFIG_FILE = ".qingcloud/config.yaml";

export const QINGCLOUD_CREDENTIAL_HELP =
  "set the secret config jobsets:qingcloudAccessKeyId and jobsets:qingcloudSecretAccessKey " +
  "(`pulumi config set --secret jobsets:qingcloudSecretAccessKey …`); or the environment variables " +
  "QY_ACCESS_KEY_ID and QY_SECRET_ACCESS_KEY, or QINGCLOUD_ACCESS_KEY_ID and QINGCLOUD_SECRET_ACCESS_KEY; " +
  `or qy_access_key_id and qy_secret_access_key in ~/${QINGCLOUD_CONFIG_FILE}`;

/** One `key: value` pair's value in a simple YAML file, unquoted; undefined when the key is absent or empty. */
function yamlScalar(text: string, key: string): string | undefined {
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*([A-Za-z0-9_]+)\s*:\s*(.*)$/.exec(line);
    if (!match || match[1] !== key) continue;
    let raw = match[2]!.trim();
    const quoted = /^(["'])(.*)\1$/.exec(raw);
    if (quoted) raw = quoted[2]!;
    else raw = raw.replace(/\s+#.*$/, "").trim();
    return value(raw);
  }
  return undefined;
}

/** A half-set pair is refused, naming the half that is missing. */
function pairOrNothing(
  accessKeyId: string | undefined,
  secretAccessKey: string | undefined,
  names: [string, string],
  source: string,
): QingCloudAuth | undefined {
  if (!accessKeyId && !secretAccessKey) return undefined;
  if (!accessKeyId || !secretAccessKey) {
    const [missing, present] = accessKeyId ? [names[1], names[0]] : [names[0], names[1]];
    throw new CredentialsError(`QingCloud credentials: ${missing} is not set, but ${present} is (${source}); set both`, {
      service: "ehpc",
      property: missing,
    });
  }
  return { accessKeyId, secretAccessKey, source };
}

/**
 * Picks QingCloud credentials in the order users expect (docs/apis.md, "QingCloud EHPC"):
 * stack config, then `QY_*` environment variables, then `QINGCLOUD_*`, then `~/.qingcloud/config.yaml`
 * (HOME read from `env`, so tests can point it elsewhere). Only the two key lines of the file are read:
 * its other keys (`zone`, `host`, …) describe the IaaS endpoint, not EHPC's.
 */
export function resolveQingCloudAuth(config: ConfigReader, env: Env): QingCloudAuth {
  const fromConfig = pairOrNothing(
    value(config("jobsets:qingcloudAccessKeyId")),
    value(config("jobsets:qingcloudSecretAccessKey")),
    ["jobsets:qingcloudAccessKeyId", "jobsets:qingcloudSecretAccessKey"],
    "stack config",
  );
  if (fromConfig) return fromConfig;
  const fromQy = pairOrNothing(value(env.QY_ACCESS_KEY_ID), value(env.QY_SECRET_ACCESS_KEY), ["QY_ACCESS_KEY_ID", "QY_SECRET_ACCESS_KEY"], "environment");
  if (fromQy) return fromQy;
  const fromQingcloud = pairOrNothing(
    value(env.QINGCLOUD_ACCESS_KEY_ID),
    value(env.QINGCLOUD_SECRET_ACCESS_KEY),
    ["QINGCLOUD_ACCESS_KEY_ID", "QINGCLOUD_SECRET_ACCESS_KEY"],
    "environment",
  );
  if (fromQingcloud) return fromQingcloud;

  const home = value(env.HOME) ?? value(env.USERPROFILE);
  if (home) {
    const file = path.join(home, QINGCLOUD_CONFIG_FILE);
    let text: string | undefined;
    try {
      text = readFileSync(file, "utf8");
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code !== "ENOENT" && code !== "ENOTDIR") {
        throw new CredentialsError(`QingCloud credentials: cannot read ${file} (${code ?? "unknown error"})`, { service: "ehpc" });
      }
    }
    if (text !== undefined) {
      const fromFile = pairOrNothing(
        yamlScalar(text, "qy_access_key_id"),
        yamlScalar(text, "qy_secret_access_key"),
        ["qy_access_key_id", "qy_secret_access_key"],
        file,
      );
      if (fromFile) return fromFile;
    }
  }
  throw new CredentialsError(`No QingCloud credentials found: ${QINGCLOUD_CREDENTIAL_HELP}.`, { service: "ehpc" });
}
