/**
 * What `startEmulator` takes: where to listen, the credentials and users the services accept, the scenario knobs
 * (delays, latency, batch limits, clock skew, the vendors' unverified choices), and their checks.
 */
import type { MissingJobAnswer } from "./huawei-dli-flink";
import type { IamUser } from "./huawei-iam";
import type { MrsDetailStatus } from "./huawei-mrs";
import type { MrsErrorSpelling } from "./huawei-mrs-errors";
import type { HuaweiCredential } from "./huawei-signature";
import type { QingCloudCredential } from "./qingcloud-signature";

/** Time a stopping Flink job takes to reach job_cancel_success, in ms. */
export const DEFAULT_STOP_DELAY_MS = 50;

export interface EmulatorOptions {
  /** Default 0 (any free port). */
  port?: number;
  /**
   * Default 127.0.0.1. "localhost": listens on 127.0.0.1 AND ::1 on the same port (two sockets, loopback only), so
   * `http://127.0.0.1:<port>` and `http://localhost:<port>` reach this emulator whichever address localhost resolves
   * to (`urlFor`). Where the machine has no IPv6 loopback, only 127.0.0.1.
   */
  host?: string;
  /** AK/SK pairs the gateway accepts. Default: one pair, DEFAULT_ACCESS_KEY / DEFAULT_SECRET_KEY. */
  credentials?: HuaweiCredential[];
  /** Users IAM issues tokens to. Default: DEFAULT_IAM_DOMAIN / DEFAULT_IAM_USER / DEFAULT_IAM_PASSWORD. */
  iamUsers?: IamUser[];
  /** Ready-made tokens accepted as X-Auth-Token (like HW_AUTH_TOKEN); recorded as `token:preset`. */
  tokens?: string[];
  /** Lifetime of tokens IAM issues, in ms. Default 24 h. */
  tokenTtlMs?: number;
  /** Time a stopping Flink job takes to reach job_cancel_success, in ms. Default 50. */
  stopDelayMs?: number;
  /** Added to every API answer, in ms. Default 0. */
  latencyMs?: number;
  /**
   * Batch endpoints refuse more IDs than this: Flink 400 DLI.0001, MRS batch delete 400 0202, EHPC ret_code 1100.
   * Default: no limit for Flink and EHPC (none is documented), 200 for MRS (DEFAULT_MRS_MAX_BATCH_SIZE).
   */
  maxBatchSize?: number;
  /** The emulator clock's offset from the machine's, in ms (to test X-Sdk-Date expiry). Default 0. */
  clockSkewMs?: number;
  /** What batch stop/delete answer for IDs that don't exist (unverified on the real service). Default "element". */
  missingJobAnswer?: MissingJobAnswer;
  /**
   * The Flink detail's `savepoint_path` once a stop with trigger_savepoint=true completes; null leaves it null (whether
   * DLI fills it is unverified). Default: `obs://jobsets-emulator-savepoints/flink/<jobId>/savepoint-1`.
   */
  flinkSavepointPath?: (jobId: string) => string | null;

  /** Time a cancelled DLI Spark batch takes to reach `dead`, in ms. Default 50. */
  sparkCancelDelayMs?: number;

  /** Time a killed MRS job takes to reach KILLED, in ms. Default 50. */
  mrsKillDelayMs?: number;
  /** MRS error field spelling: "snake", "camel", or "mixed" (default: camelCase for batch delete's own errors). */
  mrsErrorSpelling?: MrsErrorSpelling;
  /** HTTP status of a successful MRS job detail: 200, 202, or "alternate" (default: 200, 202, 200, …). */
  mrsDetailStatus?: MrsDetailStatus;

  /** Key pairs EHPC accepts. Default: one pair, DEFAULT_QINGCLOUD_ACCESS_KEY_ID / DEFAULT_QINGCLOUD_SECRET_ACCESS_KEY. */
  qingcloudCredentials?: QingCloudCredential[];
  /** Time a stopped EHPC job takes to show `stopped`, in ms. Default 50. */
  ehpcStopDelayMs?: number;
  /** Signed EHPC calls allowed per rolling hour (emulator clock); past it, ret_code 2500. Default: no quota. */
  ehpcQuotaPerHour?: number;
}

/** The options, or a RangeError naming the first one that is out of range. */
export function validateOptions(options: EmulatorOptions): EmulatorOptions {
  const nonNegative = ["stopDelayMs", "latencyMs", "tokenTtlMs", "sparkCancelDelayMs", "mrsKillDelayMs", "ehpcStopDelayMs"] as const;
  for (const name of nonNegative) {
    const value = options[name];
    if (value !== undefined && !(Number.isFinite(value) && value >= 0)) throw new RangeError(`${name} must be a number ≥ 0, got ${value}`);
  }
  if (options.maxBatchSize !== undefined && !(Number.isInteger(options.maxBatchSize) && options.maxBatchSize >= 1)) {
    throw new RangeError(`maxBatchSize must be an integer ≥ 1, got ${options.maxBatchSize}`);
  }
  if (options.clockSkewMs !== undefined && !Number.isFinite(options.clockSkewMs)) throw new RangeError(`clockSkewMs must be finite`);
  if (options.missingJobAnswer !== undefined && !["element", "error"].includes(options.missingJobAnswer)) {
    throw new RangeError(`missingJobAnswer must be "element" or "error", got ${String(options.missingJobAnswer)}`);
  }
  if (options.mrsErrorSpelling !== undefined && !["snake", "camel", "mixed"].includes(options.mrsErrorSpelling)) {
    throw new RangeError(`mrsErrorSpelling must be "snake", "camel" or "mixed", got ${String(options.mrsErrorSpelling)}`);
  }
  if (options.mrsDetailStatus !== undefined && !([200, 202, "alternate"] as unknown[]).includes(options.mrsDetailStatus)) {
    throw new RangeError(`mrsDetailStatus must be 200, 202 or "alternate", got ${String(options.mrsDetailStatus)}`);
  }
  if (options.flinkSavepointPath !== undefined && typeof options.flinkSavepointPath !== "function") {
    throw new RangeError(`flinkSavepointPath must be a function (jobId) => string | null`);
  }
  if (options.ehpcQuotaPerHour !== undefined && !(Number.isInteger(options.ehpcQuotaPerHour) && options.ehpcQuotaPerHour >= 0)) {
    throw new RangeError(`ehpcQuotaPerHour must be an integer ≥ 0, got ${options.ehpcQuotaPerHour}`);
  }
  for (const credential of options.qingcloudCredentials ?? []) {
    if (!credential.accessKeyId || !credential.secretAccessKey) throw new RangeError("qingcloudCredentials need an accessKeyId and a secretAccessKey");
  }
  return options;
}
