/**
 * MRS job executions (`/v2/{project_id}/clusters/{cluster_id}/job-executions...`), per
 * /work/shared/reference/huawei-cloud.md ("MRS job executions"), the batch-delete API document
 * (https://support.huaweicloud.com/api-mrs/mrs_02_0110.html) and the list/detail/kill documents (mrs_02_0087, _0086).
 *
 * Quirks reproduced on purpose: the list answers HTTP 202; the detail answers 200 or 202 (alternating by default);
 * kill answers 202 with no body; batch delete answers 200 with an EMPTY body; `offset` is a page number from 1;
 * errors come as `error_code`/`error_msg` or as `errorCode`/`errorMsg` (see MrsErrorSpelling).
 *
 * Choices where the reference says "unverified" (see README.md):
 * - batch delete of a job that has not ended (NEW … RUNNING, or killed but not yet KILLED) → 400 0183 "The job is
 *   running.", and nothing is deleted; unknown IDs → 400 0176 "The job does not exist.", nothing deleted;
 * - more than `maxBatchSize` IDs (default 200) → 400 0202;
 * - detail and kill of an unknown job → 400 0201 "The job does not exist.";
 * - killing a job that has ended → 400 0175 "Failed to kill the job.";
 * - during the kill delay the job keeps its state, then becomes KILLED / KILLED;
 * - parameter errors (offset < 1, limit outside 1-100, a malformed body) → 400 "0002" "Invalid parameter: …".
 */
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { parseJsonExact } from "./exact-json";
import { type HuaweiGateway, invalidProjectIdReason, throttledBody } from "./huawei-gateway";
import { JobStore, type Place, seedText } from "./job-store";
import { type ApiAnswer, type ApiRequest, type JobLocation, type ListCollection, type ServiceModule, clusterAdminRoute, isAnswer, jobAdminRoutes, readIntegerParam, seedStopDelay } from "./service";

export const MRS_JOB_STATES = ["NEW", "NEW_SAVING", "SUBMITTED", "ACCEPTED", "RUNNING", "FINISHED", "FAILED", "KILLED"] as const;
export type MrsJobState = (typeof MRS_JOB_STATES)[number];
export const MRS_JOB_RESULTS = ["UNDEFINED", "SUCCEEDED", "FAILED", "KILLED"] as const;
export type MrsJobResult = (typeof MRS_JOB_RESULTS)[number];

/** Time a killed job takes to reach KILLED, in ms. */
export const DEFAULT_MRS_KILL_DELAY_MS = 50;
/** Batch delete refuses more IDs than this (0202) unless `maxBatchSize` says otherwise. */
export const DEFAULT_MRS_MAX_BATCH_SIZE = 200;
/** MRS's list: limit default 10 (the emulator refuses above 100), offset a page number from 1. */
export const MRS_LIST_DEFAULT_LIMIT = 10;
export const MRS_LIST_MAX_LIMIT = 100;
/** The emulator's code for parameter errors (no public source names MRS's). */
export const MRS_PARAMETER_ERROR_CODE = "0002";

/**
 * Which error-field spelling MRS answers with. "mixed" (default): `errorCode`/`errorMsg` for batch delete's own
 * errors, `error_code`/`error_msg` for everything else (including injected faults, as the seed document shows).
 */
export type MrsErrorSpelling = "snake" | "camel" | "mixed";
/** The HTTP status of a successful detail: always 200, always 202, or alternating 200, 202, 200, … (default). */
export type MrsDetailStatus = 200 | 202 | "alternate";

const ACTIVE_STATES: ReadonlySet<string> = new Set(["NEW", "NEW_SAVING", "SUBMITTED", "ACCEPTED", "RUNNING"]);
const KNOWN_STATES: ReadonlySet<string> = new Set(MRS_JOB_STATES);
/** A state outside MRS_JOB_STATES counts as active: a kill applies to it and batch delete refuses it (0183). */
const isActive = (state: string) => ACTIVE_STATES.has(state) || !KNOWN_STATES.has(state);
const JOB_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
const CLUSTER_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

export interface MrsJobSeed {
  /** Any `[A-Za-z0-9._-]{1,64}`; a random v4 UUID (as MRS assigns) when absent. */
  jobId?: string;
  /** Default RUNNING. Any non-empty string: one outside MRS_JOB_STATES behaves as RUNNING (a kill ends it KILLED). */
  state?: MrsJobState | (string & {});
  /** Default: UNDEFINED while active, SUCCEEDED for FINISHED, FAILED for FAILED, KILLED for KILLED. Any non-empty string. */
  result?: MrsJobResult | (string & {});
  name?: string;
  /** `queue` in the list and the detail. Default "default". */
  queue?: string;
  /** Overrides the emulator's mrsKillDelayMs for this job; `null` = its kill never completes. */
  killDelayMs?: number | null;
  /** The same as `killDelayMs` (the name every kind's seed accepts); give one of the two. */
  stopDelayMs?: number | null;
}

export interface MrsJobView {
  projectId: string;
  clusterId: string;
  jobId: string;
  name: string;
  queue: string;
  state: string;
  result: string;
  /** Whether a kill was accepted for this job. */
  killRequested: boolean;
  submittedTime: number;
}

interface MrsJob extends MrsJobView {
  finishedTime: number;
  killDelayMs?: number;
  killCompletesAt?: number;
  /** Seeding order, to keep pages stable when submitted times tie. */
  order: number;
}

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

const MESSAGES = {
  clusterMissing: "The cluster does not exist.",
  jobMissing: "The job does not exist.",
  jobRunning: "The job is running.",
  killFailed: "Failed to kill the job.",
  batchDeleteFailed: "Failed to delete jobs in batches.",
  queryFailed: "Failed to query the job.",
};

function defaultResult(state: string): MrsJobResult {
  switch (state) {
    case "FINISHED":
      return "SUCCEEDED";
    case "FAILED":
      return "FAILED";
    case "KILLED":
      return "KILLED";
    default:
      return "UNDEFINED";
  }
}

export function createMrsModule(options: MrsOptions): MrsModule {
  const { gateway, now } = options;
  /** One collection per cluster of a project; a cluster exists once added, with or without jobs. */
  const store = new JobStore<MrsJob>({ idOf: (job) => job.jobId, settle });
  let seedOrder = 0;
  let detailCalls = 0;

  /** An error in the spelling this op answers with (`handler`: the op's own error, not an injected fault). */
  function mrsError(status: number, op: string, code: string, message: string, handler = true): ApiAnswer {
    const camel = options.errorSpelling === "camel" || (options.errorSpelling === "mixed" && handler && op === "mrs.batchDelete");
    return { status, body: camel ? { errorCode: code, errorMsg: message } : { error_code: code, error_msg: message } };
  }
  const parameterError = (op: string, detail: string) => mrsError(400, op, MRS_PARAMETER_ERROR_CODE, `Invalid parameter: ${detail}`);

  const placeOf = (request: ApiRequest): Place => [request.params.projectId ?? "", request.params.clusterId ?? ""];

  function settle(job: MrsJob): MrsJob {
    if (job.killCompletesAt !== undefined && now() >= job.killCompletesAt) {
      if (isActive(job.state)) {
        job.state = "KILLED";
        job.result = "KILLED";
        job.finishedTime = job.killCompletesAt;
      }
      delete job.killCompletesAt;
    }
    return job;
  }

  const admitFor = (op: string) => (request: ApiRequest) => gateway.admitProject(request, (reason) => parameterError(op, reason));

  /** The path's cluster's jobs, or the 12000003 answer. */
  function requestCluster(request: ApiRequest, op: string): Map<string, MrsJob> | ApiAnswer {
    return store.jobs(placeOf(request)) ?? mrsError(400, op, "12000003", MESSAGES.clusterMissing);
  }

  function listJobs(request: ApiRequest): ApiAnswer {
    const op = "mrs.list";
    const jobs = requestCluster(request, op);
    if (isAnswer(jobs)) return jobs;
    const { query } = request;
    const offset = readIntegerParam(query, "offset", 1);
    const limit = readIntegerParam(query, "limit", MRS_LIST_DEFAULT_LIMIT);
    if (offset === undefined || offset < 1) return parameterError(op, `offset is a page number from 1, got '${query.get("offset")}'`);
    if (limit === undefined || limit < 1 || limit > MRS_LIST_MAX_LIMIT) {
      return parameterError(op, `limit must be an integer from 1 to ${MRS_LIST_MAX_LIMIT}, got '${query.get("limit")}'`);
    }
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
    const matching = store
      .settled(jobs)
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
    const jobs = requestCluster(request, op);
    if (isAnswer(jobs)) return jobs;
    const job = jobs.get(request.params.jobId ?? "");
    return job ? settle(job) : mrsError(400, op, "0201", MESSAGES.jobMissing);
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
    if (!isActive(job.state)) return mrsError(400, op, "0175", MESSAGES.killFailed);
    const injected = options.jobFailure(op, job.jobId);
    if (injected !== undefined) return mrsError(500, op, "0175", injected);
    job.killRequested = true;
    // A second kill while the first is under way is accepted again and does not push the completion back.
    job.killCompletesAt ??= now() + (job.killDelayMs ?? options.killDelayMs);
    return { status: 202 };
  }

  function batchDelete(request: ApiRequest): ApiAnswer {
    const op = "mrs.batchDelete";
    const jobs = requestCluster(request, op);
    if (isAnswer(jobs)) return jobs;
    const parsed = parseJobIdList(request.bodyText);
    if (typeof parsed === "string") return parameterError(op, parsed);
    const jobIds = [...new Set(parsed)];
    if (jobIds.length > options.maxBatchSize) {
      return mrsError(400, op, "0202", `The number of jobs to delete (${jobIds.length}) exceeds the upper limit ${options.maxBatchSize}. Try again later.`);
    }
    // All checks before any change: one unknown or running job refuses the whole call.
    if (jobIds.some((jobId) => !jobs.has(jobId))) return mrsError(400, op, "0176", MESSAGES.jobMissing);
    if (jobIds.some((jobId) => isActive(settle(jobs.get(jobId)!).state))) return mrsError(400, op, "0183", MESSAGES.jobRunning);
    const failed: string[] = [];
    for (const jobId of jobIds) {
      const injected = options.jobFailure(op, jobId);
      if (injected !== undefined) failed.push(`${jobId}: ${injected}`);
      else if (!options.lieOnDelete(op, jobId)) jobs.delete(jobId);
    }
    // The others ARE deleted; the call still fails as a whole (MRS batch answers carry no per-job elements).
    if (failed.length > 0) return mrsError(500, op, "0161", `${MESSAGES.batchDeleteFailed} ${failed.join("; ")}`);
    return { status: 200 };
  }

  function addCluster(projectId: string, clusterId: string): void {
    const reason = invalidProjectIdReason(projectId);
    if (reason !== undefined) throw new RangeError(`addMrsCluster: ${reason}`);
    if (!CLUSTER_ID_PATTERN.test(clusterId)) throw new RangeError(`addMrsCluster: cluster ID '${clusterId}' must match ${CLUSTER_ID_PATTERN}`);
    store.jobs([projectId, clusterId], true);
  }

  function seed(projectId: string, clusterId: string, seeds: readonly MrsJobSeed[]): string[] {
    addCluster(projectId, clusterId);
    return store.seed([projectId, clusterId], seeds, {
      id: (jobSeed, index, taken) => {
        let jobId = jobSeed.jobId;
        if (jobId === undefined) {
          do jobId = randomUUID();
          while (taken(jobId));
        } else if (typeof jobId !== "string" || !JOB_ID_PATTERN.test(jobId)) {
          throw new RangeError(`seedMrsJobs: jobs[${index}].jobId '${String(jobId)}' must match ${JOB_ID_PATTERN}`);
        }
        return jobId;
      },
      duplicate: (jobId) => `seedMrsJobs: job ${jobId} already exists in cluster ${clusterId}`,
      job: (jobSeed, index, jobId) => jobFrom(projectId, clusterId, jobId, jobSeed, index),
    });
  }

  function jobFrom(projectId: string, clusterId: string, jobId: string, jobSeed: MrsJobSeed, index: number): MrsJob {
    const state = seedText(jobSeed.state, "RUNNING", `seedMrsJobs: jobs[${index}].state`);
    const result = seedText(jobSeed.result, defaultResult(state), `seedMrsJobs: jobs[${index}].result`);
    const killDelayMs = seedStopDelay(jobSeed, "killDelayMs", `seedMrsJobs: jobs[${index}]`);
    const submittedTime = now();
    const job: MrsJob = {
      projectId,
      clusterId,
      jobId,
      name: jobSeed.name ?? `mrs-job-${jobId.slice(0, 8)}`,
      queue: jobSeed.queue ?? "default",
      state,
      result,
      submittedTime,
      finishedTime: isActive(state) ? 0 : submittedTime,
      killRequested: false,
      order: ++seedOrder,
    };
    if (killDelayMs !== undefined) job.killDelayMs = killDelayMs ?? Number.POSITIVE_INFINITY;
    return job;
  }

  function setJobStatus(jobId: string, state: string, where: JobLocation): void {
    const job = store.only("mrs", jobId, where.projectId, where.clusterId, (match) => `cluster ${match.clusterId} of project ${match.projectId}`);
    job.state = state;
    job.result = defaultResult(state);
    job.finishedTime = isActive(state) ? 0 : now();
    delete job.killCompletesAt;
  }

  /** The cluster a successful list answer read, for list churn. */
  function listCollection(_op: string, request: ApiRequest, answer: ApiAnswer): ListCollection | undefined {
    if (answer.status !== 202) return undefined;
    const place = placeOf(request);
    const [projectId, clusterId] = place;
    // Submitted now, so newest: the head of the default (desc) order, the tail of sort_by=asc.
    return store.listCollection(`mrs cluster ${clusterId} of project ${projectId}`, place, (names) => seed(projectId, clusterId, names.map((name) => ({ name }))));
  }

  function list(projectId?: string, clusterId?: string): MrsJobView[] {
    return store.views(
      ({ jobId, name, queue, state, result, killRequested, submittedTime }, [jobsProjectId, jobsClusterId]) => ({
        projectId: jobsProjectId,
        clusterId: jobsClusterId,
        jobId,
        name,
        queue,
        state,
        result,
        killRequested,
        submittedTime,
      }),
      projectId,
      clusterId,
    );
  }

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
        { schema: adminSeedSchema, run: ({ projectId, clusterId, jobs }) => ({ jobIds: seed(projectId, clusterId, jobs) }) },
        (query) => ({ jobs: list(query.get("projectId") ?? undefined, query.get("clusterId") ?? undefined) }),
      ),
      clusterAdminRoute("/__admin/mrs/clusters", z.object({ projectId: z.string(), clusterId: z.string() }), ({ projectId, clusterId }) => addCluster(projectId, clusterId)),
    ],
    jobFaultOps: ["mrs.kill", "mrs.batchDelete"],
    lyingDeleteOps: ["mrs.batchDelete"],
    listCollection,
    setJobStatus,
    faultBody: (status, requestId, op) => mrsFaultBody(status, requestId, op, options.errorSpelling),
    reset: () => {
      store.clear();
      seedOrder = 0;
      detailCalls = 0;
    },
    addCluster,
    seed,
    list,
  };
}

function mrsFaultBody(status: number, requestId: string, op: string, spelling: MrsErrorSpelling): unknown {
  if (status === 429) return throttledBody(requestId);
  if (status === 401) return { error_code: "APIG.0307", error_msg: "The token must be updated.", request_id: requestId };
  let code: string;
  let message: string;
  if (status === 400) [code, message] = [MRS_PARAMETER_ERROR_CODE, "Invalid parameter"];
  else if (status === 404) [code, message] = ["0201", MESSAGES.jobMissing];
  else if (op === "mrs.batchDelete") [code, message] = ["0161", MESSAGES.batchDeleteFailed];
  else if (op === "mrs.kill") [code, message] = ["0175", MESSAGES.killFailed];
  else [code, message] = ["0162", MESSAGES.queryFailed];
  // Injected faults are the seed document's 500 shape: snake_case unless everything is camelCase.
  return spelling === "camel" ? { errorCode: code, errorMsg: message } : { error_code: code, error_msg: message };
}

/** `{"job_id_list":[string...]}` (non-empty), or why not. */
function parseJobIdList(text: string): string[] | string {
  let body: unknown;
  try {
    body = parseJsonExact(text);
  } catch {
    return "the request body is not valid JSON";
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) return "the request body must be a JSON object";
  const list = (body as Record<string, unknown>).job_id_list;
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
