/**
 * pulumi-jobsets' cloud emulator: Huawei Cloud IAM, DLI Flink, DLI Spark and MRS, and QingCloud EHPC on one
 * loopback HTTP server, with real signature checks, job state machines, the APIs' quirks and injectable faults. Tests, the demo and the
 * benchmarks run against it; users can run their stacks offline against it too (`npm run emulator`).
 */
export {
  BOTH_LOOPBACKS_HOST,
  DEFAULT_HOST,
  DEFAULT_STOP_DELAY_MS,
  type Emulator,
  type EmulatorOptions,
  type LoopbackSpelling,
  startEmulator,
} from "./emulator";
export { LIST_OPS, type ListChurn, type ListOp } from "./churn";
export type { JobLocation, JobService } from "./service";
export type { CallFilter, RecordedCall } from "./calls";
export type { Fault } from "./faults";
export {
  DEFAULT_ACCESS_KEY,
  DEFAULT_PROJECT_ID,
  DEFAULT_SECRET_KEY,
  DEFAULT_TOKEN_TTL_MS,
  PRESET_TOKEN_USER,
} from "./huawei-gateway";
export { DEFAULT_IAM_DOMAIN, DEFAULT_IAM_PASSWORD, DEFAULT_IAM_USER, type IamUser } from "./huawei-iam";
export { FLINK_LIST_DEFAULT_LIMIT, FLINK_LIST_MAX_LIMIT, type MissingJobAnswer } from "./huawei-dli-flink";
export {
  FIRST_AUTO_FLINK_JOB_ID,
  FLINK_STATUSES,
  defaultFlinkSavepointPath,
  type FlinkJobSeed,
  type FlinkJobView,
  type FlinkStatus,
} from "./huawei-dli-flink-jobs";
export {
  type HuaweiCredential,
  MAX_SIGNATURE_CLOCK_SKEW_MS,
  type ReceivedRequest,
  type SignatureVerdict,
  canonicalRequest,
  formatSdkDate,
  signHuaweiRequest,
  verifyHuaweiSignature,
} from "./huawei-signature";
export { SPARK_LIST_DEFAULT_SIZE, SPARK_LIST_MAX_SIZE } from "./huawei-dli-spark";
export {
  DEFAULT_SPARK_CANCEL_DELAY_MS,
  SPARK_STATES,
  type SparkBatchSeed,
  type SparkBatchView,
  type SparkState,
} from "./huawei-dli-spark-batches";
export { DEFAULT_MRS_MAX_BATCH_SIZE, MRS_LIST_DEFAULT_LIMIT, MRS_LIST_MAX_LIMIT, type MrsDetailStatus } from "./huawei-mrs";
export { MRS_PARAMETER_ERROR_CODE, type MrsErrorSpelling } from "./huawei-mrs-errors";
export {
  DEFAULT_MRS_KILL_DELAY_MS,
  MRS_JOB_RESULTS,
  MRS_JOB_STATES,
  type MrsJobResult,
  type MrsJobSeed,
  type MrsJobState,
  type MrsJobView,
} from "./huawei-mrs-jobs";
export { EHPC_LIST_DEFAULT_LIMIT, EHPC_LIST_MAX_LIMIT } from "./qingcloud-ehpc";
export { EHPC_ERROR_NAMES } from "./qingcloud-ehpc-errors";
export { DEFAULT_QINGCLOUD_ACCESS_KEY_ID, DEFAULT_QINGCLOUD_SECRET_ACCESS_KEY } from "./qingcloud-ehpc-gateway";
export {
  DEFAULT_EHPC_STOP_DELAY_MS,
  EHPC_JOB_ID_PATTERN,
  EHPC_JOB_STATUSES,
  FIRST_EHPC_SCHEDULER_JOB_ID,
  type EhpcJobSeed,
  type EhpcJobStatus,
  type EhpcJobView,
} from "./qingcloud-ehpc-jobs";
export {
  EHPC_SIGNATURE_METHOD,
  MAX_EHPC_TIMESTAMP_SKEW_MS,
  type EhpcSignatureVerdict,
  type EhpcTestRequest,
  type QingCloudCredential,
  type ReceivedEhpcRequest,
  ehpcCanonicalQuery,
  ehpcCanonicalUri,
  ehpcFormEncode,
  ehpcQuote,
  ehpcSignature,
  ehpcStringToSign,
  formatEhpcTimestamp,
  signEhpcTestRequest,
  verifyEhpcSignature,
} from "./qingcloud-signature";
export { parseJsonExact, stringifyJsonExact } from "./exact-json";
