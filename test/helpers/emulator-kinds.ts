/**
 * The four kinds of job as the emulator's scenario tests drive them over its APIs: seed, list a page, read, stop, and
 * where each kind keeps its status, name and queue. Tests that run one scenario on every kind iterate `KINDS`.
 */
import { expect } from "vitest";
import { DEFAULT_PROJECT_ID, DEFAULT_STOP_DELAY_MS, type Emulator, type JobService, type ListOp } from "../../emulator";
import { type ApiResult, type EhpcAnswer, ehpcApi, huaweiApi } from "./emulator-clients";
import { OTHER_PROJECT_ID, flinkPath } from "./emulator-flink";

export const MRS_CLUSTER = "cid-1234";
export const EHPC_ZONE = "jn1a";
export const EHPC_CLUSTER = "ehpc-8jqdq0mz";
/** Every kind's default stop/cancel/kill delay is 50 ms; waiting three of them leaves a stop time to complete. */
export const SETTLE_MS = 3 * DEFAULT_STOP_DELAY_MS;

interface JobSeed {
  status?: string;
  name?: string;
  queue?: string;
  stopDelayMs?: number | null;
}

/** A list entry: the vendor's JSON object for one job. */
type Entry = Record<string, unknown>;

interface Page {
  total: number;
  ids: string[];
  entries: Entry[];
}

/** One kind of job as the tests drive it: its main collection (and another one, for isolation), list, reads, stop. */
export interface Kind {
  service: JobService;
  listOp: ListOp;
  /** What a running job shows, and what a stop/cancel/kill ends it as. */
  running: string;
  stopped: string;
  /** The list entry's name and queue fields. */
  nameField: string;
  queueField: string;
  seed(emulator: Emulator, jobs: readonly JobSeed[], other?: boolean): string[];
  /** Current status of the job per the emulator's view (undefined once gone). */
  statusOf(emulator: Emulator, jobId: string): string | undefined;
  count(emulator: Emulator, other?: boolean): number;
  page(emulator: Emulator, index: number, size: number, baseUrl?: string): Promise<Page>;
  /** The read ops (besides the list) and a call of each. */
  reads: Record<string, (emulator: Emulator, jobId: string) => Promise<ApiResult>>;
  stop(emulator: Emulator, jobIds: readonly string[]): Promise<unknown>;
}

export const sparkPath = (suffix = "") => `/v2.0/${DEFAULT_PROJECT_ID}/batches${suffix}`;
export const mrsPath = (suffix = "") => `/v2/${DEFAULT_PROJECT_ID}/clusters/${MRS_CLUSTER}/job-executions${suffix}`;
export const ehpcCluster = { cluster_id: EHPC_CLUSTER, zone: EHPC_ZONE };
const statusIn = <T extends { status?: string; state?: string }>(views: readonly T[], id: (view: T) => string, jobId: string) => {
  const view = views.find((candidate) => id(candidate) === jobId);
  return view?.status ?? view?.state;
};

export const flinkDetail = (emulator: Emulator, jobId: string) =>
  huaweiApi<{ job_detail: { savepoint_path: string | null } }>(emulator, { method: "GET", path: flinkPath(`/${jobId}`) });

export const flink: Kind = {
  service: "dli-flink",
  listOp: "flink.list",
  running: "job_running",
  stopped: "job_cancel_success",
  nameField: "name",
  queueField: "queue_name",
  seed: (emulator, jobs, other) => emulator.seedFlinkJobs(other ? OTHER_PROJECT_ID : DEFAULT_PROJECT_ID, jobs),
  statusOf: (emulator, jobId) => statusIn(emulator.flinkJobs(DEFAULT_PROJECT_ID), (job) => job.jobId, jobId),
  count: (emulator, other) => emulator.flinkJobs(other ? OTHER_PROJECT_ID : DEFAULT_PROJECT_ID).length,
  page: async (emulator, index, size, baseUrl) => {
    const answer = await huaweiApi<{ job_list: { total_count: number; jobs: (Entry & { job_id: bigint | number })[] } }>(emulator, {
      method: "GET",
      path: flinkPath(`?offset=${index * size}&limit=${size}`),
      ...(baseUrl ? { baseUrl } : {}),
    });
    expect(answer.status).toBe(200);
    const entries = answer.json.job_list.jobs;
    return { total: answer.json.job_list.total_count, ids: entries.map((entry) => String(entry.job_id)), entries };
  },
  reads: { "flink.detail": (emulator, jobId) => flinkDetail(emulator, jobId) },
  stop: (emulator, jobIds) => huaweiApi(emulator, { method: "POST", path: flinkPath("/stop"), body: { job_ids: jobIds.map(BigInt) } }),
};

export const spark: Kind = {
  service: "dli-spark",
  listOp: "spark.list",
  running: "running",
  stopped: "dead",
  nameField: "name",
  queueField: "queue",
  seed: (emulator, jobs, other) => emulator.seedSparkBatches(other ? OTHER_PROJECT_ID : DEFAULT_PROJECT_ID, jobs.map(({ status, ...rest }) => ({ ...rest, ...(status ? { state: status } : {}) }))),
  statusOf: (emulator, jobId) => statusIn(emulator.sparkBatches(DEFAULT_PROJECT_ID), (batch) => batch.id, jobId),
  count: (emulator, other) => emulator.sparkBatches(other ? OTHER_PROJECT_ID : DEFAULT_PROJECT_ID).length,
  page: async (emulator, index, size, baseUrl) => {
    const answer = await huaweiApi<{ total: number; sessions: (Entry & { id: string })[] }>(emulator, {
      method: "GET",
      path: sparkPath(`?from=${index * size}&size=${size}`),
      ...(baseUrl ? { baseUrl } : {}),
    });
    expect(answer.status).toBe(200);
    const entries = answer.json.sessions;
    return { total: answer.json.total, ids: entries.map((entry) => entry.id), entries };
  },
  reads: {
    "spark.detail": (emulator, jobId) => huaweiApi(emulator, { method: "GET", path: sparkPath(`/${jobId}`) }),
    "spark.state": (emulator, jobId) => huaweiApi(emulator, { method: "GET", path: sparkPath(`/${jobId}/state`) }),
  },
  stop: async (emulator, jobIds) => {
    for (const jobId of jobIds) await huaweiApi(emulator, { method: "DELETE", path: sparkPath(`/${jobId}`) });
  },
};

export const mrs: Kind = {
  service: "mrs",
  listOp: "mrs.list",
  running: "RUNNING",
  stopped: "KILLED",
  nameField: "job_name",
  queueField: "queue",
  seed: (emulator, jobs, other) =>
    emulator.seedMrsJobs(DEFAULT_PROJECT_ID, other ? "cid-other" : MRS_CLUSTER, jobs.map(({ status, ...rest }) => ({ ...rest, ...(status ? { state: status } : {}) }))),
  statusOf: (emulator, jobId) => statusIn(emulator.mrsJobs(DEFAULT_PROJECT_ID, MRS_CLUSTER), (job) => job.jobId, jobId),
  count: (emulator, other) => emulator.mrsJobs(DEFAULT_PROJECT_ID, other ? "cid-other" : MRS_CLUSTER).length,
  page: async (emulator, index, size, baseUrl) => {
    // MRS's offset is a page number from 1.
    const answer = await huaweiApi<{ total_record: number; job_list: (Entry & { job_id: string })[] }>(emulator, {
      method: "GET",
      path: mrsPath(`?offset=${index + 1}&limit=${size}`),
      ...(baseUrl ? { baseUrl } : {}),
    });
    expect(answer.status).toBe(202);
    const entries = answer.json.job_list;
    return { total: answer.json.total_record, ids: entries.map((entry) => entry.job_id), entries };
  },
  reads: { "mrs.detail": (emulator, jobId) => huaweiApi(emulator, { method: "GET", path: mrsPath(`/${jobId}`) }) },
  stop: async (emulator, jobIds) => {
    for (const jobId of jobIds) await huaweiApi(emulator, { method: "POST", path: mrsPath(`/${jobId}/kill`) });
  },
};

export const ehpc: Kind = {
  service: "ehpc",
  listOp: "ehpc.list",
  running: "running",
  stopped: "stopped",
  nameField: "job_name",
  queueField: "queue_name",
  seed: (emulator, jobs, other) => emulator.seedEhpcJobs(EHPC_ZONE, other ? "ehpc-other000" : EHPC_CLUSTER, jobs),
  statusOf: (emulator, jobId) => statusIn(emulator.ehpcJobs(EHPC_ZONE, EHPC_CLUSTER), (job) => job.jobId, jobId),
  count: (emulator, other) => emulator.ehpcJobs(EHPC_ZONE, other ? "ehpc-other000" : EHPC_CLUSTER).length,
  page: async (emulator, index, size, baseUrl) => {
    const parameters = { ...ehpcCluster, offset: index * size, limit: size };
    type EhpcList = EhpcAnswer & { total_count: number; hpc_job_set: (Entry & { hpcjob_uuid: string })[] };
    const answer = await ehpcApi<EhpcList>(emulator, { method: "GET", path: "/api/job/list", parameters, ...(baseUrl ? { baseUrl } : {}) });
    expect(answer.json.ret_code).toBe(0);
    const entries = answer.json.hpc_job_set;
    return { total: answer.json.total_count, ids: entries.map((entry) => entry.hpcjob_uuid), entries };
  },
  reads: {
    "ehpc.detail": (emulator, jobId) => ehpcApi(emulator, { method: "GET", path: `/api/job/jobdetail/${jobId}`, parameters: ehpcCluster }),
  },
  stop: (emulator, jobIds) => ehpcApi(emulator, { method: "POST", path: "/api/job/stopJobs", body: { ...ehpcCluster, job_ids: jobIds } }),
};

export const KINDS = [flink, spark, mrs, ehpc];
