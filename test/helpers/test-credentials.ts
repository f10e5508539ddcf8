// Credentials made up for one test file, and where they go: the emulator that accepts exactly them, the provider
// host's environment that holds exactly them, and a scan for them where they must never appear (state, logs, errors).
import { randomBytes } from "node:crypto";
import type { EmulatorOptions } from "../../emulator";

/** Credentials made up for one test file, so a leak is found by exact match and never confused with defaults. */
export interface TestCredentials {
  accessKey: string;
  secretKey: string;
  /** Temporary credentials: sent as X-Security-Token, signed. */
  securityToken: string;
  iamDomain: string;
  iamUser: string;
  iamPassword: string;
  qingcloudAccessKeyId: string;
  qingcloudSecretAccessKey: string;
}

export function makeCredentials(): TestCredentials {
  const hex = (bytes: number) => randomBytes(bytes).toString("hex");
  return {
    accessKey: `RELAK${hex(8).toUpperCase()}`,
    secretKey: `relsk${hex(18)}`,
    securityToken: `relst${randomBytes(48).toString("base64url")}`,
    iamDomain: "jobsets-reliability",
    iamUser: "jobsets-reliability-user",
    iamPassword: `relpw-${hex(12)}`,
    qingcloudAccessKeyId: `RELQY${hex(8).toUpperCase()}`,
    qingcloudSecretAccessKey: `relqysk${hex(18)}`,
  };
}

/** The secret values of `creds`, by name, for leak scans (the IAM user and domain names are not secret). */
export function secretValues(creds: TestCredentials): Record<string, string> {
  return {
    "AK (HW_ACCESS_KEY)": creds.accessKey,
    "SK (HW_SECRET_KEY)": creds.secretKey,
    "security token (HW_SECURITY_TOKEN)": creds.securityToken,
    "IAM password (HW_USER_PASSWORD)": creds.iamPassword,
    "QingCloud access key ID": creds.qingcloudAccessKeyId,
    "QingCloud secret access key": creds.qingcloudSecretAccessKey,
  };
}

/** Emulator options that accept exactly `creds` (AK/SK with a security token, the IAM user, the QingCloud pair). */
export function emulatorCredentials(creds: TestCredentials): EmulatorOptions {
  return {
    credentials: [{ accessKey: creds.accessKey, secretKey: creds.secretKey, securityToken: creds.securityToken }],
    iamUsers: [{ domain: creds.iamDomain, name: creds.iamUser, password: creds.iamPassword }],
    qingcloudCredentials: [{ accessKeyId: creds.qingcloudAccessKeyId, secretAccessKey: creds.qingcloudSecretAccessKey }],
  };
}

/**
 * A provider host's environment with `creds`: temporary AK/SK for Huawei (`auth: "password"`: an IAM password
 * login through `iamEndpoint` instead), the QingCloud pair, fast retries, no endpoint defaults (every set names
 * its endpoint, so one host serves many emulators), and a HOME with no ~/.qingcloud.
 */
export function hostEnv(creds: TestCredentials, opts: { auth?: "aksk" | "password"; iamEndpoint?: string; extra?: Record<string, string> } = {}): Record<string, string> {
  const huawei: Record<string, string> =
    opts.auth === "password"
      ? {
          HW_ACCESS_KEY: "",
          HW_SECRET_KEY: "",
          HW_SECURITY_TOKEN: "",
          HW_USER_NAME: creds.iamUser,
          HW_USER_PASSWORD: creds.iamPassword,
          HW_DOMAIN_NAME: creds.iamDomain,
          JOBSETS_IAM_ENDPOINT: opts.iamEndpoint ?? "",
        }
      : {
          HW_ACCESS_KEY: creds.accessKey,
          HW_SECRET_KEY: creds.secretKey,
          HW_SECURITY_TOKEN: creds.securityToken,
          HW_USER_NAME: "",
          HW_USER_PASSWORD: "",
        };
  return {
    ...huawei,
    HW_AUTH_TOKEN: "",
    OS_ACCESS_KEY: "",
    OS_SECRET_KEY: "",
    HW_PROJECT_ID: "",
    QY_ACCESS_KEY_ID: creds.qingcloudAccessKeyId,
    QY_SECRET_ACCESS_KEY: creds.qingcloudSecretAccessKey,
    QINGCLOUD_ACCESS_KEY_ID: "",
    QINGCLOUD_SECRET_ACCESS_KEY: "",
    HOME: "/nonexistent-jobsets-test-home",
    JOBSETS_DLI_ENDPOINT: "",
    JOBSETS_MRS_ENDPOINT: "",
    JOBSETS_EHPC_ENDPOINT: "",
    // Fast backoff, and few enough attempts that a fault that never clears gives up in well under a second.
    JOBSETS_RETRY_MIN_DELAY_MS: "20",
    JOBSETS_MAX_RETRIES: "5",
    ...opts.extra,
  };
}

/** Every place `needle` occurs in the named haystacks, as "haystack" labels. */
export function leaks(haystacks: Record<string, string>, needles: Record<string, string>): string[] {
  const found: string[] = [];
  for (const [needleName, needle] of Object.entries(needles)) {
    for (const [haystackName, haystack] of Object.entries(haystacks)) {
      if (needle !== "" && haystack.includes(needle)) found.push(`${needleName} in ${haystackName}`);
    }
  }
  return found;
}
