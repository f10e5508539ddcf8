/**
 * MRS job executions (`/v2/{project_id}/clusters/{cluster_id}/job-executions...`) as docs/apis.md ("MRS job
 * executions") describes them, after the batch-delete API document
 * (https://support.huaweicloud.com/api-mrs/mrs_02_0110.html) and the list/detail/kill documents (mrs_02_0087, _0086):
 * the routes and their answers. The jobs themselves (states, kills, clusters, seeding) are in huawei-mrs-jobs.ts,
 * the error bodies in huawei-mrs-errors.ts.
 *
 * Quirks reproduced on purpose: the list answers HTTP 202; the detail answers 200 or 202 (alternating by default);
 * kill answers 202 with no body; batch delete answers 200 with an EMPTY body; `offset` is a page number from 1;
 * errors come as `error_code`/`error_msg` or as `errorCode`/`errorMsg` (see MrsErrorSpelling).
 *
 * Choices where no public source settles the behaviour (docs/apis.md calls such behaviour "unverified"):
 * - batch delete of a job that has not ended (NEW … RUNNING, or killed but not yet KILLED) → 400 0183 "The job is
 *   running.", and nothing is deleted; unknown IDs → 400 0176 "The job does not exist.", nothing deleted;
 * - more than `maxBatchSize` IDs (default 200) → 400 0202;
 * - detail and kill of an unknown job → 400 0201 "The job does not exist.";
 * - killing a job that has ended → 400 0175 "Failed to kill the job.";
 * - during the kill delay the job keeps its state, then becomes KILLED / KILLED;
 * - parameter errors (offset < 1, limit outside 1-100, a malformed body) → 400 "0002" "Invalid parameter: …".
 */
import { z } from "zod";
import type { HuaweiGateway } from "./huawei-gateway";
import { MRS_MESSAGES as MESSAGES, MRS_PARAMETER_ERROR_CODE, type MrsErrorSpelling, mrsError, mrsFaultBody } from "./huawei-mrs-errors";
import { MRS_JOB_RESULTS, MRS_JOB_STATES, type MrsJob, type MrsJobSeed, type MrsJobView, MrsJobs, isActive } from "./huawei-mrs-jobs";
import type { Place } from "./job-store";
import { type ApiAnswer, type ApiRequest, type ServiceModule, clusterAdminRoute, isAnswer, jobAdminRoutes, jsonObjectBody, readIntegerParam } from "./service";

/** Batch delete refuses more IDs than this (0202) unless `maxBatchSize` says otherwise. */
export const DEFAULT_MRS_MAX_BATCH_SIZE = 200;
/** MRS's list: limit default 10 (the emulator refuses above 100), offset a page number from 1. */
export const MRS_LIST_DEFAULT_LIMIT = 10;
export const MRS_LIST_MAX_LIMIT = 100;

/** The HTTP status of a successful detail: always 200, always 202, or alternating 200, 202, 200, … (default). */
export type MrsDetailStatus = 200 | 202 | "alternate";

export interface MrsModule extends ServiceModule {
  addCluster(projectId: string, clusterId: string): void;
  seed(projectId: string, clusterId: string, jobs: readonly MrsJobSeed[]): string[];
  list(projectId?: string, clusterId?: string): MrsJobView[];
}

export interface MrsOptions {
  gateway: HuaweiGateway;
  now: () => number;
  killDelayMs: number;
  maxBatchSize: number;
  errorSpelling: MrsErrorSpelling;
  detailStatus: MrsDetailStatus;
  jobFailure: (op: string, jobId: string) => string | undefined;
  /** Whether this delete answers success and leaves the job (lieOnDelete); uses up one of its times. */
  lieOnDelete: (op: string, jobId: string) => boolean;
}

export function createMrsModule(options: MrsOptions): MrsModule {
  const { gateway, now } = options;
  const jobs = new MrsJobs(options);
  let detailCalls = 0;

  const error = (status: number, op: string, code: string, message: string) => mrsError(options.errorSpelling, status, op, code, message);
  const parameterError = (op: string, detail: string) => error(400, op, MRS_PARAMETER_ERROR_CODE, `Invalid parameter: ${detail}`);
  const placeOf = (request: ApiRequest): Place => [request.params.projectId ?? "", request.params.clusterId ?? ""];
  const admitFor = (op: string) => (request: ApiRequest) => gateway.admitProject(request, (reason) => parameterError(op, reason));

  /** The path's cluster's jobs, or the 12000003 answer. */
  function requestCluster(request: ApiRequest, op: string): Map<string, MrsJob> | ApiAnswer {
    return jobs.store.jobs(placeOf(request)) ?? error(400, op, "12000003", MESSAGES.clusterMissing);
  }

  function listJobs(request: ApiRequest): ApiAnswer {
    const op = "mrs.list";
    const cluster = requestCluster(request, op);
    if (isAnswer(cluster)) return cluster;
    const { query } = request;
    const offset = readIntegerParam(query, "offset", 1, 1);
    const limit = readIntegerParam(query, "limit", MRS_LIST_DEFAULT_LIMIT, 1, MRS_LIST_MAX_LIMIT);
    if (offset === undefined) return parameterError(op, `offset is a page number from 1, got '${query.get("offset")}'`);
    if (limit === undefined) return parameterError(op, `limit must be an integer from 1 to ${MRS_LIST_MAX_LIMIT}, got '${query.get("limit")}'`);
    const sortBy = (query.get("sort_by") || "desc").toLowerCase();
    if (sortBy !== "desc" && sortBy !== "asc") return parameterError(op, `sort_by must be asc or desc, got '${query.get("sort_by")}'`);
    const stateFilter = query.get("job_state")?.toUpperCase() || undefined;
    if (stateFilter !== undefined && !(MRS_JOB_STATES as readonly string[]).includes(stateFilter)) {
      return parameterError(op, `job_state '${query.get("job_state")}' is not a job state`);
    }
    const resultFilter = query.get("job_result")?.toUpperCase() || undefined;
    if (resultFilter !== undefined && !(MRS_JOB_RESULTS as readonly string[]).includes(resultFilter)) {
      return parameterError(op, `job_result '${query.get("job_result")}' is not a job result`);
    }
    const nameFilter = query.get("job_name") || undefined;
    const matching = jobs
      .store.settled(cluster)
      .filter((job) => (stateFilter === undefined || job.state === stateFilter) && (resultFilter === undefined || job.result === resultFilter))
      .filter((job) => nameFilter === undefined || job.name.includes(nameFilter))
      .sort((a, b) => a.submittedTime - b.submittedTime || a.order - b.order);
    if (sortBy === "desc") matching.reverse();
    const page = matching.slice((offset - 1) * limit, offset * limit);
    return { status: 202, body: { total_record: matching.length, job_list: page.map(jobEntry) } };
  }

  function jobEntry(job: MrsJob): Record<string, unknown> {
    const ended = !isActive(job.state);
    const end = ended ? job.finishedTime : now();
    return {
      job_id: job.jobId,
      user: "emulator",
      job_name: job.name,
      job_result: job.result,
      job_state: job.state,
      job_progress: ended ? 100 : 50,
      job_type: "SparkSubmit",
      started_time: job.submittedTime,
      submitted_time: job.submittedTime,
      finished_time: ended ? job.finishedTime : 0,
      elapsed_time: Math.max(0, end - job.submittedTime),
      arguments: "[]",
      properties: "{}",
      launcher_id: `application_${job.submittedTime}_${String(job.order).padStart(4, "0")}`,
      app_id: `application_${job.submittedTime}_${String(job.order + 1).padStart(4, "0")}`,
      tracking_url: "",
      queue: job.queue,
    };
  }

  function pathJob(request: ApiRequest, op: string): MrsJob | ApiAnswer {
    const cluster = requestCluster(request, op);
    if (isAnswer(cluster)) return cluster;
    const job = cluster.get(request.params.jobId ?? "");
    return job ? jobs.store.settle(job) : error(400, op, "0201", MESSAGES.jobMissing);
  }

  function jobDetail(request: ApiRequest): ApiAnswer {
    const job = pathJob(request, "mrs.detail");
    if (isAnswer(job)) return job;
    const status = options.detailStatus === "alternate" ? (detailCalls++ % 2 === 0 ? 200 : 202) : options.detailStatus;
    return { status, body: { job_detail: jobEntry(job) } };
  }

  function killJob(request: ApiRequest): ApiAnswer {
    const op = "mrs.kill";
    const job = pathJob(request, op);
    if (isAnswer(job)) return job;
    if (!isActive(job.state)) return error(400, op, "0175", MESSAGES.killFailed);
    const injected = options.jobFailure(op, job.jobId);
    if (injected !== undefined) return error(500, op, "0175", injected);
    // A second kill while the first is under way is accepted again.
    jobs.kill(job);
    return { status: 202 };
  }

  function batchDelete(request: ApiRequest): ApiAnswer {
    const op = "mrs.batchDelete";
    const cluster = requestCluster(request, op);
    if (isAnswer(cluster)) return cluster;
    const parsed = parseJobIdList(request.bodyText);
    if (typeof parsed === "string") return parameterError(op, parsed);
    const jobIds = [...new Set(parsed)];
    if (jobIds.length > options.maxBatchSize) {
      return error(400, op, "0202", `The number of jobs to delete (${jobIds.length}) exceeds the upper limit ${options.maxBatchSize}. Try again later.`);
    }
    // All checks before any change: one unknown or running job refuses the whole call.
    if (jobIds.some((jobId) => !cluster.has(jobId))) return error(400, op, "0176", MESSAGES.jobMissing);
    if (jobIds.some((jobId) => isActive(jobs.store.settle(cluster.get(jobId)!).state))) return error(400, op, "0183", MESSAGES.jobRunning);
    const failed: string[] = [];
    for (const jobId of jobIds) {
      const injected = options.jobFailure(op, jobId);
      if (injected !== undefined) failed.push(`${jobId}: ${injected}`);
      else if (!options.lieOnDelete(op, jobId)) cluster.delete(jobId);
    }
    // The others ARE deleted; the call still fails as a whole (MRS batch answers carry no per-job elements).
    if (failed.length > 0) return error(500, op, "0161", `${MESSAGES.batchDeleteFailed} ${failed.join("; ")}`);
    return { status: 200 };
  }

  const addCluster = (projectId: string, clusterId: string) => jobs.addCluster(projectId, clusterId);
  const seed = (projectId: string, clusterId: string, seeds: readonly MrsJobSeed[]) => jobs.seed(projectId, clusterId, seeds);
  const list = (projectId?: string, clusterId?: string) => jobs.views(projectId, clusterId);
  const executionsPath = "^/v2/(?<projectId>[^/]+)/clusters/(?<clusterId>[^/]+)/job-executions";
  const route = (op: string, method: string, suffix: string, handle: (request: ApiRequest) => ApiAnswer) => ({
    op,
    method,
    path: new RegExp(`${executionsPath}${suffix}$`),
    admit: admitFor(op),
    handle,
  });
  return {
    service: "mrs",
    routes: [
      route("mrs.list", "GET", "", listJobs),
      // Before the detail route's pattern could claim "batch-delete" as a job ID (they differ in method anyway).
      route("mrs.batchDelete", "POST", "/batch-delete", batchDelete),
      route("mrs.kill", "POST", "/(?<jobId>[^/]+)/kill", killJob),
      route("mrs.detail", "GET", "/(?<jobId>[^/]+)", jobDetail),
    ],
    adminRoutes: [
      ...jobAdminRoutes(
        "/__admin/mrs/jobs",
        { schema: adminSeedSchema, run: ({ projectId, clusterId, jobs: seeds }) => ({ jobIds: seed(projectId, clusterId, seeds) }) },
        (query) => ({ jobs: list(query.get("projectId") ?? undefined, query.get("clusterId") ?? undefined) }),
      ),
      clusterAdminRoute("/__admin/mrs/clusters", z.object({ projectId: z.string(), clusterId: z.string() }), ({ projectId, clusterId }) => addCluster(projectId, clusterId)),
    ],
    jobFaultOps: ["mrs.kill", "mrs.batchDelete"],
    lyingDeleteOps: ["mrs.batchDelete"],
    // The cluster a successful list answer read, for list churn.
    listCollection: (_op, request, answer) => (answer.status === 202 ? jobs.collection(placeOf(request)) : undefined),
    setJobStatus: (jobId, state, where) => jobs.setJobStatus(jobId, state, where),
    faultBody: (status, requestId, op) => mrsFaultBody(status, requestId, op, options.errorSpelling),
    reset: () => {
      jobs.reset();
      detailCalls = 0;
    },
    addCluster,
    seed,
    list,
  };
}

/** `{"job_id_list":[string...]}` (non-empty), or why not. */
function parseJobIdList(text: string): string[] | string {
  const body = jsonObjectBody(text);
  if (typeof body === "string") return body;
  const list = body.job_id_list;
  if (!Array.isArray(list)) return "job_id_list is required and must be an array of strings";
  if (list.length === 0) return "job_id_list must not be empty";
  const bad = list.findIndex((value) => typeof value !== "string" || value === "");
  if (bad !== -1) return `job_id_list[${bad}] must be a non-empty string, got ${JSON.stringify(list[bad]) ?? String(list[bad])}`;
  return list as string[];
}

const adminSeedSchema = z.object({
  projectId: z.string(),
  clusterId: z.string(),
  jobs: z
    .array(
      z.object({
        jobId: z.string().optional(),
        state: z.string().min(1).optional(),
        result: z.string().min(1).optional(),
        name: z.string().optional(),
        queue: z.string().optional(),
        killDelayMs: z.number().nonnegative().nullable().optional(),
        stopDelayMs: z.number().nonnegative().nullable().optional(),
      }),
    )
    .default([]),
});
