/**
 * DLI Flink and IAM calls for the emulator's own tests: the signed client of emulator-clients with the project header
 * real clients send, the Flink paths, batch stop and delete, and IAM's password-auth body.
 */
import {
  DEFAULT_ACCESS_KEY,
  DEFAULT_IAM_DOMAIN,
  DEFAULT_IAM_PASSWORD,
  DEFAULT_IAM_USER,
  DEFAULT_PROJECT_ID,
  DEFAULT_SECRET_KEY,
  type Emulator,
  type HuaweiCredential,
} from "../../emulator";
import { type HuaweiCall, huaweiApi } from "./emulator-clients";

/** A valid project ID other than the default, to show that projects are isolated. */
export const OTHER_PROJECT_ID = "fedcba9876543210fedcba9876543210";
export const DEFAULT_CREDENTIAL: HuaweiCredential = { accessKey: DEFAULT_ACCESS_KEY, secretKey: DEFAULT_SECRET_KEY };

/** A DLI or gateway error answer. */
export interface DliError {
  error_code?: string;
  error_msg?: string;
  request_id?: string;
}
/** A batch stop or delete answer: one result per job, or an error. */
export type FlinkBatchAnswer = { is_success: string; message: string }[] & DliError;
/** A list answer when it succeeds (the fields these tests read by name). */
export interface FlinkList extends DliError {
  job_list: { total_count: number; jobs: { job_id: bigint | number; status: string }[] };
}

/** A signed Huawei call carrying the `x-project-id` header real clients send. */
export const callApi = <T = DliError>(emulator: Emulator, call: HuaweiCall) =>
  huaweiApi<T>(emulator, { ...call, headers: { "x-project-id": DEFAULT_PROJECT_ID, ...call.headers } });

export const flinkPath = (suffix = "", projectId = DEFAULT_PROJECT_ID) => `/v1.0/${projectId}/streaming/jobs${suffix}`;
export const stopJobs = (emulator: Emulator, jobIds: readonly (string | bigint)[], triggerSavepoint?: boolean, projectId?: string) =>
  callApi<FlinkBatchAnswer>(emulator, {
    method: "POST",
    path: flinkPath("/stop", projectId),
    body: { job_ids: jobIds.map((id) => BigInt(id)), ...(triggerSavepoint === undefined ? {} : { trigger_savepoint: triggerSavepoint }) },
  });
export const deleteJobs = (emulator: Emulator, jobIds: readonly (string | bigint)[], projectId?: string) =>
  callApi<FlinkBatchAnswer>(emulator, { method: "POST", path: flinkPath("/delete", projectId), body: { job_ids: jobIds.map((id) => BigInt(id)) } });
export const statusOf = (emulator: Emulator, jobId: string, projectId = DEFAULT_PROJECT_ID) =>
  emulator.flinkJobs(projectId).find((job) => job.jobId === jobId)?.status;
/** IAM's password-auth request body for the emulator's default user (a different password to be refused). */
export const passwordAuthBody = (password = DEFAULT_IAM_PASSWORD) => ({
  auth: {
    identity: { methods: ["password"], password: { user: { name: DEFAULT_IAM_USER, password, domain: { name: DEFAULT_IAM_DOMAIN } } } },
    scope: { project: { id: DEFAULT_PROJECT_ID } },
  },
});
