/**
 * The stack config keys the provider reads (all under the `jobsets:` namespace), with what each means.
 * One table for the lifecycle (unknown keys with a likely typo fail check), the plugin's package schema
 * and the README. Each key also has an environment variable; the config wins when both are set.
 */

export interface ConfigKey {
  /** Whether the value must be set with `pulumi config set --secret`. */
  secret?: boolean;
  env: string;
  description: string;
}

export const CONFIG_KEYS = {
  accessKey: { secret: true, env: "HW_ACCESS_KEY", description: "Huawei Cloud access key (AK), with `jobsets:secretKey`." },
  secretKey: { secret: true, env: "HW_SECRET_KEY", description: "Huawei Cloud secret key (SK), with `jobsets:accessKey`." },
  securityToken: { secret: true, env: "HW_SECURITY_TOKEN", description: "Security token of temporary Huawei Cloud credentials." },
  authToken: { secret: true, env: "HW_AUTH_TOKEN", description: "A ready Huawei Cloud IAM token, instead of an AK/SK pair." },
  projectId: { env: "HW_PROJECT_ID", description: "Default Huawei Cloud project ID of the sets." },
  region: { env: "HW_REGION_NAME", description: "Default Huawei Cloud region of the sets." },
  qingcloudAccessKeyId: { secret: true, env: "QY_ACCESS_KEY_ID", description: "QingCloud access key ID, with `jobsets:qingcloudSecretAccessKey`." },
  qingcloudSecretAccessKey: { secret: true, env: "QY_SECRET_ACCESS_KEY", description: "QingCloud secret access key, with `jobsets:qingcloudAccessKeyId`." },
  maxJobsPerSet: { env: "JOBSETS_MAX_JOBS_PER_SET", description: "Most job IDs one set may hold (check fails above it). Default 50,000." },
  maxJobsPerTeardown: {
    env: "JOBSETS_MAX_JOBS_PER_TEARDOWN",
    description: "Most jobs one set may tear down at once without `allowMassTeardown`; a larger teardown is refused before any request. Default 1,000.",
  },
  maxJobsPerDestroy: {
    env: "JOBSETS_MAX_JOBS_PER_DESTROY",
    description: "Most jobs all sets together may tear down in one provider process (one `pulumi destroy`) without `allowMassTeardown`. Default 10,000.",
  },
  allowMassTeardown: {
    env: "JOBSETS_ALLOW_MASS_TEARDOWN",
    description: "`true` (env: `1` or `true`) lets teardowns above `maxJobsPerTeardown` and `maxJobsPerDestroy` go ahead.",
  },
} as const satisfies Record<string, ConfigKey>;

export type ConfigKeyName = keyof typeof CONFIG_KEYS;
export const CONFIG_NAMESPACE = "jobsets";

/** A setting: the stack config key if set, else its environment variable. */
export function setting(name: ConfigKeyName, config: (key: string) => string | undefined, env: Record<string, string | undefined>): string | undefined {
  const fromConfig = config(`${CONFIG_NAMESPACE}:${name}`);
  if (fromConfig !== undefined && fromConfig.trim() !== "") return fromConfig.trim();
  const fromEnv = env[CONFIG_KEYS[name].env];
  return fromEnv !== undefined && fromEnv.trim() !== "" ? fromEnv.trim() : undefined;
}

/** A whole-number setting; a value that is not one is an error naming the key, not a silent default. */
export function numberSetting(name: ConfigKeyName, fallback: number, config: (key: string) => string | undefined, env: Record<string, string | undefined>): number {
  const raw = setting(name, config, env);
  if (raw === undefined) return fallback;
  const value = Number(raw.replace(/[_,]/g, ""));
  if (!Number.isInteger(value) || value < 0) {
    throw new RangeError(`${CONFIG_NAMESPACE}:${name} (or ${CONFIG_KEYS[name].env}) must be a whole number, received "${raw}"`);
  }
  return value;
}

export function flagSetting(name: ConfigKeyName, config: (key: string) => string | undefined, env: Record<string, string | undefined>): boolean {
  const raw = setting(name, config, env)?.toLowerCase();
  return raw === "true" || raw === "1" || raw === "yes";
}
