/**
 * Every setting the provider reads, in one table: each is a stack config key (`jobsets:<name>`) and an
 * environment variable; the config wins when both are set. The table feeds check (an unknown `jobsets:` key
 * fails with a likely-typo hint; an invalid value fails naming the setting), the plugin's package schema
 * (its config variables) and the README's settings table (`settingsTable`, kept equal by a test).
 *
 * A value that does not parse is an error naming the setting and where it came from, never a silent default:
 * a mistyped `JOBSETS_CONCURRENCY=1O` or `jobsets:httpTimeoutMs=-1` would otherwise change a destroy's
 * behaviour with nothing said.
 */
import { HTTP_DEFAULTS } from "./clients/http";
import { DEFAULT_RATE_LIMITS, formatRateLimit, parseRateLimit, RATE_LIMITED_SERVICES, rateLimitVariable, type RateLimitedService } from "./clients/rate-limit";
import { RETRY_DEFAULTS } from "./wait/retry";

export const CONFIG_NAMESPACE = "jobsets";

/**
 * Default number of batch calls, per-job calls or list pages in flight per set. 16: half the connections an
 * endpoint gets (`HTTP_DEFAULTS.connectionsPerOrigin`), so one large set (1,000 Spark cancels, one call each)
 * keeps a busy share of them and two fill them; at 4, a 10,000-job teardown left most connections idle and took
 * twice as long (README "Performance").
 */
export const DEFAULT_CONCURRENCY = 16;
/** More calls in flight per set than connections per endpoint would only queue inside the HTTP pool. */
const MAX_CONCURRENCY = 1_000;
/**
 * 1,000 jobs per set: the policy pack's default ceiling per set, and ten times the size at which it asks
 * for `protect`; a destroy that takes out more than that from one set at once deserves a second look.
 */
export const DEFAULT_MAX_JOBS_PER_TEARDOWN = 1_000;
/** 10,000 jobs per destroy: the policy pack's default stack budget. */
export const DEFAULT_MAX_JOBS_PER_DESTROY = 10_000;
/**
 * The default ceiling on IDs per set: one resource's state stays well under the engine's gRPC message limit
 * (4 MiB by default), even with statuses recorded.
 */
export const DEFAULT_MAX_JOBS_PER_SET = 50_000;
/** What no setting can raise: 200,000 IDs of up to 36 characters are about 8 MB of state. */
export const ABSOLUTE_MAX_JOBS_PER_SET = 200_000;

/** How a setting's value is read and checked. */
export type SettingType =
  | { type: "string" }
  | { type: "integer"; min: number; max: number }
  | { type: "flag" }
  | { type: "rate" }
  | { type: "url" };

export interface SettingSpec {
  /** Environment variables, in the order they are consulted; the first is the documented one. */
  env: readonly [string, ...string[]];
  value: SettingType;
  /** Whether the value must be set with `pulumi config set --secret` (and is never echoed). */
  secret?: boolean;
  /** Credentials have their own README section (several sources, in order); the rest share one table. */
  credential?: boolean;
  /** The default as a user reads it, when there is one. */
  default?: string;
  description: string;
}

const STRING: SettingType = { type: "string" };
const URL_VALUE: SettingType = { type: "url" };
const count = (n: number) => n.toLocaleString("en-US");
const whole = (min: number, max: number): SettingType => ({ type: "integer", min, max });

function rateLimitSetting(service: RateLimitedService, why: string): SettingSpec {
  const limit = DEFAULT_RATE_LIMITS[service];
  return {
    env: [rateLimitVariable(service)],
    value: { type: "rate" },
    default: `\`${limit ? formatRateLimit(limit) : "off"}\``,
    description: `request-rate ceiling for ${service.toUpperCase()} (\`50/s\`, \`300/min\`, \`2000/h\` or \`off\`); ${why}`,
  };
}

export const SETTINGS = {
  accessKey: { env: ["HW_ACCESS_KEY"], value: STRING, secret: true, credential: true, description: "Huawei Cloud access key (AK), with `jobsets:secretKey`." },
  secretKey: { env: ["HW_SECRET_KEY"], value: STRING, secret: true, credential: true, description: "Huawei Cloud secret key (SK), with `jobsets:accessKey`." },
  securityToken: { env: ["HW_SECURITY_TOKEN"], value: STRING, secret: true, credential: true, description: "Security token of temporary Huawei Cloud credentials." },
  authToken: { env: ["HW_AUTH_TOKEN"], value: STRING, secret: true, credential: true, description: "A ready Huawei Cloud IAM token, instead of an AK/SK pair." },
  qingcloudAccessKeyId: { env: ["QY_ACCESS_KEY_ID"], value: STRING, secret: true, credential: true, description: "QingCloud access key ID, with `jobsets:qingcloudSecretAccessKey`." },
  qingcloudSecretAccessKey: { env: ["QY_SECRET_ACCESS_KEY"], value: STRING, secret: true, credential: true, description: "QingCloud secret access key, with `jobsets:qingcloudAccessKeyId`." },

  projectId: { env: ["HW_PROJECT_ID"], value: STRING, description: "the Huawei Cloud project of sets that name none." },
  region: { env: ["HW_REGION_NAME", "OS_REGION_NAME"], value: STRING, description: "the Huawei Cloud region of sets that name none; it gives the default endpoints." },
  cloud: {
    env: ["HW_CLOUD"],
    value: STRING,
    default: "by region",
    description: "the Huawei Cloud domain of the default endpoints; unset: `myhuaweicloud.com` (`.eu` for eu-west-101, `.cn` for MRS in ap-southeast-1, ru-northwest-2 and ap-southeast-4).",
  },
  dliEndpoint: { env: ["JOBSETS_DLI_ENDPOINT"], value: URL_VALUE, default: "`https://dli.{region}.{cloud}`", description: "the DLI endpoint of sets that name none (Flink and Spark)." },
  mrsEndpoint: { env: ["JOBSETS_MRS_ENDPOINT"], value: URL_VALUE, default: "`https://mrs.{region}.{cloud}`", description: "the MRS endpoint of sets that name none." },
  ehpcEndpoint: { env: ["JOBSETS_EHPC_ENDPOINT"], value: URL_VALUE, default: "`https://hpc.api.qingcloud.com`", description: "the EHPC endpoint of sets that name none." },

  maxJobsPerSet: {
    env: ["JOBSETS_MAX_JOBS_PER_SET"],
    value: whole(1, ABSOLUTE_MAX_JOBS_PER_SET),
    default: `\`${DEFAULT_MAX_JOBS_PER_SET}\``,
    description: `most IDs one set may hold (check fails above it; at most ${count(ABSOLUTE_MAX_JOBS_PER_SET)}).`,
  },
  maxJobsPerTeardown: {
    env: ["JOBSETS_MAX_JOBS_PER_TEARDOWN"],
    value: whole(0, Number.MAX_SAFE_INTEGER),
    default: `\`${DEFAULT_MAX_JOBS_PER_TEARDOWN}\``,
    description: 'most jobs one set may tear down at once (see "Guarding mass deletions").',
  },
  maxJobsPerDestroy: {
    env: ["JOBSETS_MAX_JOBS_PER_DESTROY"],
    value: whole(0, Number.MAX_SAFE_INTEGER),
    default: `\`${DEFAULT_MAX_JOBS_PER_DESTROY}\``,
    description: "most jobs all sets together may tear down in one provider process (one `pulumi destroy`).",
  },
  allowMassTeardown: {
    env: ["JOBSETS_ALLOW_MASS_TEARDOWN"],
    value: { type: "flag" },
    default: "`false`",
    description: "`true` (or `1`) lifts the two limits above.",
  },

  concurrency: {
    env: ["JOBSETS_CONCURRENCY"],
    value: whole(1, MAX_CONCURRENCY),
    default: `\`${DEFAULT_CONCURRENCY}\``,
    description: `batch calls (or list pages) in flight at once per set (${HTTP_DEFAULTS.connectionsPerOrigin} connections per endpoint).`,
  },
  rateLimitDli: rateLimitSetting("dli", "no documented rate: a guard against a runaway, just above what the connections send."),
  rateLimitMrs: rateLimitSetting("mrs", "as DLI."),
  rateLimitEhpc: rateLimitSetting("ehpc", "QingCloud's documented initial quota is 2,000 calls an hour."),
  rateLimitIam: rateLimitSetting("iam", "one password token per project and credential is reused for 12 hours."),
  maxRetries: {
    env: ["JOBSETS_MAX_RETRIES", "HW_MAX_RETRIES"],
    value: whole(0, 100),
    default: `\`${RETRY_DEFAULTS.maxAttempts - 1}\``,
    description: "retries of a throttled (429 / `APIG.0308` / EHPC 2500), failed (5xx, EHPC 5000-5300) or dropped request.",
  },
  retryMinDelayMs: {
    env: ["JOBSETS_RETRY_MIN_DELAY_MS"],
    value: whole(0, RETRY_DEFAULTS.maxDelayMs),
    default: `\`${RETRY_DEFAULTS.minDelayMs}\``,
    description: `first backoff delay, in ms; it doubles per attempt with jitter, up to ${RETRY_DEFAULTS.maxDelayMs / 1000} s; \`Retry-After\` is honoured up to ${RETRY_DEFAULTS.maxRetryAfterMs / 1000} s.`,
  },
  httpTimeoutMs: {
    env: ["JOBSETS_HTTP_TIMEOUT_MS"],
    value: whole(1, 60 * 60_000),
    default: `\`${HTTP_DEFAULTS.headersTimeoutMs}\``,
    description: "how long to wait for an answer's headers, then between chunks of its body, in ms; a request that times out is retried like a dropped connection.",
  },
} as const satisfies Record<string, SettingSpec>;

export type SettingName = keyof typeof SETTINGS;
/** Earlier name of the table, for readers of the stack config keys. */
export const CONFIG_KEYS: Readonly<Record<SettingName, SettingSpec>> = SETTINGS;
export type ConfigKeyName = SettingName;

/** The rate-limit settings, by the service they limit. */
export const RATE_LIMIT_SETTINGS: Readonly<Record<RateLimitedService, SettingName>> = {
  dli: "rateLimitDli",
  mrs: "rateLimitMrs",
  ehpc: "rateLimitEhpc",
  iam: "rateLimitIam",
};

/** Where settings come from: the stack config (namespaced keys) and the provider process's environment. */
export interface SettingsSource {
  config: (key: string) => string | undefined;
  env: Record<string, string | undefined>;
}

/** A setting's name in messages: both ways to set it. */
export function settingLabel(name: SettingName): string {
  return `${CONFIG_NAMESPACE}:${name} (${SETTINGS[name].env.join(" or ")})`;
}

/** A value given for a setting, and where it came from (`jobsets:concurrency` or `JOBSETS_CONCURRENCY`). */
interface Given {
  raw: string;
  from: string;
}

function given(name: SettingName, source: SettingsSource): Given | undefined {
  const key = `${CONFIG_NAMESPACE}:${name}`;
  const fromConfig = source.config(key);
  // A blank value counts as unset, as it does for every environment variable here.
  if (fromConfig !== undefined && fromConfig.trim() !== "") return { raw: fromConfig.trim(), from: key };
  for (const variable of SETTINGS[name].env) {
    const fromEnv = source.env[variable];
    if (fromEnv !== undefined && fromEnv.trim() !== "") return { raw: fromEnv.trim(), from: variable };
  }
  return undefined;
}

/** Where a setting's value comes from (`jobsets:dliEndpoint` or `JOBSETS_DLI_ENDPOINT`), for messages; undefined when unset. */
export function settingSource(name: SettingName, config: SettingsSource["config"], env: SettingsSource["env"]): string | undefined {
  return given(name, { config, env })?.from;
}

/** A setting's value as given (trimmed), unchecked: for strings, and for URLs that the input schema checks. */
export function setting(name: SettingName, config: SettingsSource["config"], env: SettingsSource["env"]): string | undefined {
  return given(name, { config, env })?.raw;
}

/** An invalid setting: `property` is the config key, the message names where the value came from. */
export class SettingError extends RangeError {
  override readonly name = "SettingError";
  constructor(
    readonly property: string,
    message: string,
  ) {
    super(message);
  }
}

const FLAG_VALUES: Record<string, boolean> = { true: true, "1": true, yes: true, false: false, "0": false, no: false };

/** Parses one given value; throws SettingError naming the setting and its source. */
function parse(name: SettingName, value: Given): string | number | boolean | undefined {
  const spec: SettingSpec = SETTINGS[name];
  const received = spec.secret ? "" : `, received "${value.raw}"`;
  const key = `${CONFIG_NAMESPACE}:${name}`;
  const otherWays = [key, ...spec.env].filter((way) => way !== value.from).join(" or ");
  const fail = (expected: string) => new SettingError(key, `${value.from} (or ${otherWays}) must be ${expected}${received}`);
  switch (spec.value.type) {
    case "integer": {
      const n = /^[+]?\d[\d_,]*$/.test(value.raw) ? Number(value.raw.replace(/[_,+]/g, "")) : NaN;
      if (!Number.isSafeInteger(n) || n < spec.value.min || n > spec.value.max) {
        const range = spec.value.max === Number.MAX_SAFE_INTEGER ? `of at least ${count(spec.value.min)}` : `from ${count(spec.value.min)} to ${count(spec.value.max)}`;
        throw fail(`a whole number ${range}`);
      }
      return n;
    }
    case "flag": {
      const flag = FLAG_VALUES[value.raw.toLowerCase()];
      if (flag === undefined) throw fail("true or false (or 1 or 0)");
      return flag;
    }
    case "rate":
      try {
        parseRateLimit(value.raw);
      } catch {
        throw fail('a request count per window, like "2000/h", "50/s", "300/min", or "off"');
      }
      return value.raw;
    case "url":
    case "string":
      return value.raw;
  }
}

/** A whole-number setting, or `fallback` when unset; an invalid value throws SettingError. */
export function numberSetting(name: SettingName, fallback: number, config: SettingsSource["config"], env: SettingsSource["env"]): number {
  const value = given(name, { config, env });
  return value === undefined ? fallback : (parse(name, value) as number);
}

/** A true/false setting (false when unset); an invalid value throws SettingError. */
export function flagSetting(name: SettingName, config: SettingsSource["config"], env: SettingsSource["env"]): boolean {
  const value = given(name, { config, env });
  return value === undefined ? false : (parse(name, value) as boolean);
}

/** Every setting that is set but invalid: check reports them all at once, before anything else is judged. */
export function settingErrors(source: SettingsSource): SettingError[] {
  const errors: SettingError[] = [];
  for (const name of Object.keys(SETTINGS) as SettingName[]) {
    const value = given(name, source);
    if (value === undefined) continue;
    try {
      parse(name, value);
    } catch (error) {
      if (!(error instanceof SettingError)) throw error;
      errors.push(error);
    }
  }
  return errors;
}

/** What the HTTP layer and the teardowns are built with, once per provider process. */
export interface RequestSettings {
  concurrency: number;
  httpTimeoutMs?: number;
  maxRetries?: number;
  retryMinDelayMs?: number;
  /** Each service's ceiling as given (`2000/h`, `off`), checked; absent: the default. */
  rateLimits: Partial<Record<RateLimitedService, string>>;
}

/** The request settings, checked: an invalid one throws SettingError before anything is built or sent. */
export function requestSettings(source: SettingsSource): RequestSettings {
  const optional = (name: SettingName) => {
    const value = given(name, source);
    return value === undefined ? undefined : (parse(name, value) as number);
  };
  const rateLimits: Partial<Record<RateLimitedService, string>> = {};
  for (const service of RATE_LIMITED_SERVICES) {
    const value = given(RATE_LIMIT_SETTINGS[service], source);
    if (value !== undefined) rateLimits[service] = parse(RATE_LIMIT_SETTINGS[service], value) as string;
  }
  return {
    concurrency: optional("concurrency") ?? DEFAULT_CONCURRENCY,
    httpTimeoutMs: optional("httpTimeoutMs"),
    maxRetries: optional("maxRetries"),
    retryMinDelayMs: optional("retryMinDelayMs"),
    rateLimits,
  };
}

/** The README's table of the settings that are not credentials (a test keeps the README equal to it). */
export function settingsTable(): string {
  const rows = (Object.entries(SETTINGS) as [SettingName, SettingSpec][])
    .filter(([, spec]) => !spec.credential)
    .map(([name, spec]) => `| \`${CONFIG_NAMESPACE}:${name}\` | ${spec.env.map((v) => `\`${v}\``).join(" or ")} | ${spec.default ?? "none"} | ${spec.description} |`);
  return ["| config key | environment | default | meaning |", "|---|---|---|---|", ...rows].join("\n");
}
