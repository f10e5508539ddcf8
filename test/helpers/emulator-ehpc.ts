/**
 * QingCloud EHPC calls for the emulator's own tests: the zone and cluster they use, list, stop and delete signed with
 * the emulator's default key, and the answers of a successful stop and delete.
 */
import { DEFAULT_QINGCLOUD_ACCESS_KEY_ID, DEFAULT_QINGCLOUD_SECRET_ACCESS_KEY, type Emulator, type QingCloudCredential } from "../../emulator";
import { type EhpcAnswer, ehpcApi } from "./emulator-clients";

export const ZONE = "jn1a";
export const CLUSTER = "ehpc-8jqdq0mz";
export const DEFAULT_CREDENTIAL: QingCloudCredential = { accessKeyId: DEFAULT_QINGCLOUD_ACCESS_KEY_ID, secretAccessKey: DEFAULT_QINGCLOUD_SECRET_ACCESS_KEY };

/** A job in a list answer (the fields these tests read). */
export interface EhpcListedJob {
  hpcjob_uuid: string;
  job_name: string;
  job_status: string;
  start_time: string;
  end_time: string;
}
/** The list answer when it succeeds; a refusal has only ret_code and message. */
export interface EhpcList extends EhpcAnswer {
  total_count: number;
  hpc_job_set: EhpcListedJob[];
}

export const listJobs = (emulator: Emulator, parameters: Record<string, string | number> = {}) =>
  ehpcApi<EhpcList>(emulator, { method: "GET", path: "/api/job/list", parameters: { cluster_id: CLUSTER, zone: ZONE, ...parameters } });
export const stopJobs = (emulator: Emulator, jobIds: readonly string[], cluster = CLUSTER, zone = ZONE) =>
  ehpcApi(emulator, { method: "POST", path: "/api/job/stopJobs", body: { cluster_id: cluster, job_ids: jobIds, zone } });
export const deleteJobs = (emulator: Emulator, jobIds: readonly string[], cluster = CLUSTER, zone = ZONE) =>
  ehpcApi(emulator, { method: "POST", path: "/api/job/deleteJobs", body: { cluster_id: cluster, job_ids: jobIds, zone } });
export const statusOf = (emulator: Emulator, jobId: string) => emulator.ehpcJobs().find((job) => job.jobId === jobId)?.status;
export const OK_STOP = { action: "HpcJobStopJobsResponse", ret_code: 0 };
export const OK_DELETE = { action: "HpcJobDeleteJobsResponse", ret_code: 0 };
