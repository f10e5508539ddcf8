/**
 * How MRS answers errors: `error_code`/`error_msg` or `errorCode`/`errorMsg` depending on the call (docs/apis.md, "MRS
 * job executions"), the emulator's parameter error, and the bodies injected faults carry.
 */
import { throttledBody } from "./huawei-gateway";
import type { ApiAnswer } from "./service";

/** The emulator's code for parameter errors (no public source names MRS's). */
export const MRS_PARAMETER_ERROR_CODE = "0002";

/**
 * Which error-field spelling MRS answers with. "mixed" (default): `errorCode`/`errorMsg` for batch delete's own
 * errors, `error_code`/`error_msg` for everything else (including injected faults, as the seed document shows).
 */
export type MrsErrorSpelling = "snake" | "camel" | "mixed";

export const MRS_MESSAGES = {
  clusterMissing: "The cluster does not exist.",
  jobMissing: "The job does not exist.",
  jobRunning: "The job is running.",
  killFailed: "Failed to kill the job.",
  batchDeleteFailed: "Failed to delete jobs in batches.",
  queryFailed: "Failed to query the job.",
};

/** An op's own error, in the spelling that op answers with. */
export function mrsError(spelling: MrsErrorSpelling, status: number, op: string, code: string, message: string): ApiAnswer {
  const camel = spelling === "camel" || (spelling === "mixed" && op === "mrs.batchDelete");
  return { status, body: camel ? { errorCode: code, errorMsg: message } : { error_code: code, error_msg: message } };
}

/** The body of an injected fault with this HTTP status when the test gives none: the gateway's for 401 and 429. */
export function mrsFaultBody(status: number, requestId: string, op: string, spelling: MrsErrorSpelling): unknown {
  if (status === 429) return throttledBody(requestId);
  if (status === 401) return { error_code: "APIG.0307", error_msg: "The token must be updated.", request_id: requestId };
  let code: string;
  let message: string;
  if (status === 400) [code, message] = [MRS_PARAMETER_ERROR_CODE, "Invalid parameter"];
  else if (status === 404) [code, message] = ["0201", MRS_MESSAGES.jobMissing];
  else if (op === "mrs.batchDelete") [code, message] = ["0161", MRS_MESSAGES.batchDeleteFailed];
  else if (op === "mrs.kill") [code, message] = ["0175", MRS_MESSAGES.killFailed];
  else [code, message] = ["0162", MRS_MESSAGES.queryFailed];
  // Injected faults are the seed document's 500 shape: snake_case unless everything is camelCase.
  return spelling === "camel" ? { errorCode: code, errorMsg: message } : { error_code: code, error_msg: message };
}
