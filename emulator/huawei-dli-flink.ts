/**
 * DLI Flink streaming jobs (`/v1.0/{project_id}/streaming/...`), per /work/shared/reference/huawei-cloud.md and
 * the batch stop/delete API documents (https://support.huaweicloud.com/api-dli/dli_02_0241.html, _0242).
 *
 * Quirks reproduced on purpose: `is_success` is the STRING "true"/"false"; job IDs are Longs written as exact JSON
 * numbers (auto IDs start above 2^53); batch answers are arrays in request order; a missing job is DLI.16001/400.
 */
import { z } from "zod";
import { parseJsonExact } from "./exact-json";
import { dliError, dliFaultBody, dliParameterError as parameterError, projectIdOf } from "./huawei-dli";
import { type HuaweiGateway, invalidProjectIdReason } from "./huawei-gateway";
import { JobStore, type Place, seedText } from "./job-store";
import { type ApiAnswer, type ApiRequest, type JobLocation, type ListCollection, type ServiceModule, jobAdminRoutes, readIntegerParam, seedStopDelay } from "./service";

export const FLINK_STATUSES = [
  "job_init",
  "job_submitting",
  "job_submit_fail",
  "job_running",
  "job_running_exception",
  "job_downloading",
  "job_idle",
  "job_canceling",
  "job_cancel_success",
  "job_cancel_fail",
  "job_savepointing",
  "job_arrearage_stopped",
  "job_arrearage_recovering",
  "job_finish",
] as const;
export type FlinkStatus = (typeof FLINK_STATUSES)[number];
const KNOWN_STATUSES: ReadonlySet<string> = new Set(FLINK_STATUSES);

/**
 * Known states a stop applies to; stopping another known state answers is_success "false" and changes nothing. A
 * status outside FLINK_STATUSES (DLI adds states over time) is stoppable too: it may be running and billed.
 */
const STOPPABLE_STATUSES: ReadonlySet<string> = new Set([
  "job_running",
  "job_submitting",
  "job_running_exception",
  "job_idle",
  "job_downloading",
  "job_arrearage_recovering",
]);
/** States that reach job_cancel_success on their own once the stop delay has passed. */
const STOPPING_STATUSES: ReadonlySet<string> = new Set(["job_canceling", "job_savepointing"]);
const isStoppable = (status: string) => STOPPABLE_STATUSES.has(status) || !KNOWN_STATUSES.has(status);

/** 2^53 + 1: the first ID a double cannot hold, so a client that loses Long precision is caught at once. */
export const FIRST_AUTO_FLINK_JOB_ID = 9007199254740993n;
const MAX_LONG = 2n ** 63n - 1n;
/** DLI's list limit (https://support.huaweicloud.com/api-dli/dli_02_0234.html): 1-100, default 10. */
export const FLINK_LIST_MAX_LIMIT = 100;
export const FLINK_LIST_DEFAULT_LIMIT = 10;

/** What batch stop/delete answer for IDs that do not exist (unverified on the real service). */
export type MissingJobAnswer = "element" | "error";

export interface FlinkJobSeed {
  /** Decimal string, bigint, or a safe-integer number. Auto-assigned above 2^53 when absent. */
  jobId?: string | bigint | number;
  name?: string;
  /** `queue_name` in the list and the detail. Default "default". */
  queue?: string;
  /**
   * Default job_running. Any non-empty string: one outside FLINK_STATUSES behaves as running (a stop moves it to
   * job_canceling, then job_cancel_success). A seeded job_canceling/job_savepointing completes after its stop delay.
   */
  status?: FlinkStatus | (string & {});
  /** Overrides the emulator's stopDelayMs for this job; `null` = its stop never completes (stuck canceling). */
  stopDelayMs?: number | null;
}

export interface FlinkJobView {
  projectId: string;
  /** Decimal string: exact for IDs above 2^53. */
  jobId: string;
  name: string;
  queue: string;
  status: string;
  /** Whether a stop with trigger_savepoint=true was applied to this job. */
  savepoint: boolean;
  /** The detail's `savepoint_path`: null until a stop with a savepoint completes (and then `flinkSavepointPath`'s). */
  savepointPath: string | null;
  createTime: number;
}

interface FlinkJob {
  projectId: string;
  jobId: bigint;
  name: string;
  queue: string;
  status: string;
  createTime: number;
  savepoint: boolean;
  savepointPath: string | null;
  /** Per-job stop delay in ms; Infinity = never completes. Undefined = the emulator default. */
  stopDelayMs?: number;
  /** When a stopping job reaches job_cancel_success (emulator clock); Infinity = never. */
  stopCompletesAt?: number;
}

export interface DliFlinkModule extends ServiceModule {
  seed(projectId: string, jobs: readonly FlinkJobSeed[]): string[];
  list(projectId?: string): FlinkJobView[];
}

export interface DliFlinkOptions {
  gateway: HuaweiGateway;
  now: () => number;
  stopDelayMs: number;
  maxBatchSize?: number;
  missingJobAnswer: MissingJobAnswer;
  /** The failJobs() message for this op and job, if the test injected one. */
  jobFailure: (op: string, jobId: string) => string | undefined;
  /** Whether this delete answers success and leaves the job (lieOnDelete); uses up one of its times. */
  lieOnDelete: (op: string, jobId: string) => boolean;
  /** The `savepoint_path` a stop with a savepoint leaves on the job once it completes; null = none. */
  savepointPath: (jobId: string) => string | null;
}

/** Where a completed savepoint lands by default: a per-job OBS path (DLI's real layout is unverified). */
export function defaultFlinkSavepointPath(jobId: string): string {
  return `obs://jobsets-emulator-savepoints/flink/${jobId}/savepoint-1`;
}

const MESSAGES = {
  stopDelivered: "The request for stopping the job is delivered successfully.",
  deleted: "The job is deleted.",
  missing: (jobId: bigint) => `The job ${jobId} does not exist.`,
  notRunning: (jobId: bigint, status: string) => `The job ${jobId} cannot be stopped because it is not running (status: ${status}).`,
};

const missingJobError = (jobId: bigint): ApiAnswer => dliError(400, "DLI.16001", MESSAGES.missing(jobId));
const element = (success: boolean, message: string) => ({ is_success: success ? "true" : "false", message });

export function createDliFlinkModule(options: DliFlinkOptions): DliFlinkModule {
  const { gateway, now } = options;
  /** One collection per project, jobs keyed by their decimal ID: no call sees another project's jobs. */
  const store = new JobStore<FlinkJob>({ idOf: (job) => job.jobId.toString(), settle });
  let nextAutoJobId = FIRST_AUTO_FLINK_JOB_ID;
  const placeOf = (projectId: string): Place => [projectId, ""];
  const jobsOf = (projectId: string) => store.jobs(placeOf(projectId), true);

  /** Applies the passage of time: a stopping job whose delay is over is now job_cancel_success. */
  function settle(job: FlinkJob): FlinkJob {
    if (job.stopCompletesAt !== undefined && STOPPING_STATUSES.has(job.status) && now() >= job.stopCompletesAt) {
      job.status = "job_cancel_success";
      if (job.savepoint) job.savepointPath = options.savepointPath(job.jobId.toString());
      delete job.stopCompletesAt;
    }
    return job;
  }

  function findJob(projectId: string, jobId: bigint): FlinkJob | undefined {
    return store.find(placeOf(projectId), jobId.toString());
  }

  function beginStop(job: FlinkJob, triggerSavepoint: boolean): void {
    job.status = triggerSavepoint ? "job_savepointing" : "job_canceling";
    if (triggerSavepoint) job.savepoint = true;
    job.stopCompletesAt = now() + (job.stopDelayMs ?? options.stopDelayMs);
  }

  const admit = (request: ApiRequest) => gateway.admitProject(request, parameterError);

  function listJobs(request: ApiRequest): ApiAnswer {
    const offset = readIntegerParam(request.query, "offset", 0);
    const limit = readIntegerParam(request.query, "limit", FLINK_LIST_DEFAULT_LIMIT);
    if (offset === undefined || offset < 0) return parameterError(`offset must be an integer ≥ 0, got '${request.query.get("offset")}'`);
    if (limit === undefined || limit < 1 || limit > FLINK_LIST_MAX_LIMIT) {
      return parameterError(`limit must be an integer from 1 to ${FLINK_LIST_MAX_LIMIT}, got '${request.query.get("limit")}'`);
    }
    // Descending job_id gives a stable order across pages (IDs never change).
    // `name` is a fuzzy filter (a substring match, as the reference says); `queue_name` an exact one.
    const nameFilter = request.query.get("name") || undefined;
    const queueFilter = request.query.get("queue_name") || undefined;
    const all = store
      .settled(jobsOf(projectIdOf(request)))
      .filter((job) => (nameFilter === undefined || job.name.includes(nameFilter)) && (queueFilter === undefined || job.queue === queueFilter))
      .sort((a, b) => (a.jobId < b.jobId ? 1 : a.jobId > b.jobId ? -1 : 0));
    return {
      status: 200,
      body: {
        is_success: "true",
        message: "",
        job_list: { total_count: all.length, jobs: all.slice(offset, offset + limit).map(listEntry) },
      },
    };
  }

  function listEntry(job: FlinkJob): Record<string, unknown> {
    return {
      job_id: job.jobId,
      name: job.name,
      queue_name: job.queue,
      desc: "",
      user_name: "emulator",
      job_type: "flink_sql_job",
      status: job.status,
      status_desc: "",
      create_time: job.createTime,
      start_time: job.createTime,
      duration: Math.max(0, now() - job.createTime),
      root_id: -1,
    };
  }

  function jobDetail(request: ApiRequest): ApiAnswer {
    const jobId = parsePathJobId(request.params.jobId);
    if (typeof jobId === "string") return parameterError(jobId);
    const job = findJob(projectIdOf(request), jobId);
    if (!job) return missingJobError(jobId);
    return {
      status: 200,
      body: {
        is_success: "true",
        message: "",
        job_detail: {
          ...listEntry(job),
          project_id: job.projectId,
          savepoint_path: job.savepointPath,
          run_mode: "shared_cluster",
          job_config: {},
        },
      },
    };
  }

  /** Shared by batch stop and batch delete: validation, batch limit, the missing-ID policy, per-job answers in order. */
  function batch(
    request: ApiRequest,
    op: string,
    act: (job: FlinkJob, body: Record<string, unknown>) => { is_success: string; message: string },
    checkOtherFields: (body: Record<string, unknown>) => string | undefined = () => undefined,
  ): ApiAnswer {
    const parsed = parseJobIdsBody(request.bodyText);
    if ("error" in parsed) return parameterError(parsed.error);
    const { jobIds, body } = parsed;
    const problem = checkOtherFields(body);
    if (problem !== undefined) return parameterError(problem);
    if (options.maxBatchSize !== undefined && jobIds.length > options.maxBatchSize) {
      return parameterError(`job_ids has ${jobIds.length} IDs, more than the ${options.maxBatchSize} allowed in one call`);
    }
    const projectId = projectIdOf(request);
    if (options.missingJobAnswer === "error") {
      // All or nothing: one unknown ID fails the whole call before anything changes.
      const missing = jobIds.find((jobId) => !findJob(projectId, jobId));
      if (missing !== undefined) return missingJobError(missing);
    }
    const answers = jobIds.map((jobId) => {
      const job = findJob(projectId, jobId);
      if (!job) return element(false, MESSAGES.missing(jobId));
      const injected = options.jobFailure(op, jobId.toString());
      return injected !== undefined ? element(false, injected) : act(job, body);
    });
    return { status: 200, body: answers };
  }

  function batchStop(request: ApiRequest): ApiAnswer {
    return batch(
      request,
      "flink.stop",
      (job, body) => {
        if (!isStoppable(job.status)) return element(false, MESSAGES.notRunning(job.jobId, job.status));
        beginStop(job, body.trigger_savepoint === true);
        return element(true, MESSAGES.stopDelivered);
      },
      (body) => {
        const value = body.trigger_savepoint;
        if (value === undefined || value === null || typeof value === "boolean") return undefined;
        return `trigger_savepoint must be a Boolean, got ${describeJson(value)}`;
      },
    );
  }

  function batchDelete(request: ApiRequest): ApiAnswer {
    return batch(request, "flink.delete", (job) => {
      if (!options.lieOnDelete("flink.delete", job.jobId.toString())) jobsOf(job.projectId).delete(job.jobId.toString());
      return element(true, MESSAGES.deleted);
    });
  }

  function deleteOne(request: ApiRequest): ApiAnswer {
    const jobId = parsePathJobId(request.params.jobId);
    if (typeof jobId === "string") return parameterError(jobId);
    const projectId = projectIdOf(request);
    if (!findJob(projectId, jobId)) return missingJobError(jobId);
    const injected = options.jobFailure("flink.deleteOne", jobId.toString());
    if (injected !== undefined) return { status: 200, body: element(false, injected) };
    if (!options.lieOnDelete("flink.deleteOne", jobId.toString())) jobsOf(projectId).delete(jobId.toString());
    return { status: 200, body: element(true, MESSAGES.deleted) };
  }

  function seed(projectId: string, seeds: readonly FlinkJobSeed[]): string[] {
    const reason = invalidProjectIdReason(projectId);
    if (reason !== undefined) throw new RangeError(`seedFlinkJobs: ${reason}`);
    return store.seed(placeOf(projectId), seeds, {
      id: (jobSeed, index, taken) => (jobSeed.jobId === undefined ? nextFreeJobId(taken) : seedJobId(jobSeed.jobId, index)).toString(),
      duplicate: (key) => `seedFlinkJobs: job ${key} already exists in project ${projectId}`,
      job: (jobSeed, index, key) => {
        const status = seedText(jobSeed.status, "job_running", `seedFlinkJobs: jobs[${index}].status`);
        const job: FlinkJob = {
          projectId,
          jobId: BigInt(key),
          name: jobSeed.name ?? `flink-job-${key}`,
          queue: jobSeed.queue ?? "default",
          status,
          createTime: now(),
          savepoint: false,
          savepointPath: null,
        };
        const stopDelayMs = seedStopDelay(jobSeed, "stopDelayMs", `seedFlinkJobs: jobs[${index}]`);
        if (stopDelayMs !== undefined) job.stopDelayMs = stopDelayMs ?? Number.POSITIVE_INFINITY;
        enterStatus(job, status);
        return job;
      },
    });
  }

  /** Puts the job in `status`; a stopping status completes after the job's stop delay, as a stop's would. */
  function enterStatus(job: FlinkJob, status: string): void {
    job.status = status;
    delete job.stopCompletesAt;
    if (STOPPING_STATUSES.has(status)) job.stopCompletesAt = now() + (job.stopDelayMs ?? options.stopDelayMs);
  }

  function setJobStatus(jobId: string, status: string, where: JobLocation): void {
    enterStatus(store.only("dli-flink", jobId, where.projectId, undefined, (job) => `project ${job.projectId}`), status);
  }

  /** The project a successful list answer read, for list churn. */
  function listCollection(_op: string, request: ApiRequest, answer: ApiAnswer): ListCollection | undefined {
    if (answer.status !== 200) return undefined;
    const projectId = projectIdOf(request);
    const jobs = jobsOf(projectId);
    // Newest = the highest job_id (the list is in descending job_id order), whatever IDs the test seeded.
    return store.listCollection(`dli-flink project ${projectId}`, placeOf(projectId), (names) =>
      names.map((name) => {
        let highest = nextAutoJobId - 1n;
        for (const job of jobs.values()) if (job.jobId > highest) highest = job.jobId;
        return seed(projectId, [{ jobId: highest + 1n, name }])[0]!;
      }),
    );
  }

  /** Skips IDs a test seeded explicitly in this project, or earlier in the same seed call. */
  function nextFreeJobId(taken: (id: string) => boolean): bigint {
    while (taken(nextAutoJobId.toString())) nextAutoJobId++;
    return nextAutoJobId++;
  }

  function list(projectId?: string): FlinkJobView[] {
    return store.views(
      ({ jobId, name, queue, status, savepoint, savepointPath, createTime }, [jobsProjectId]) => ({
        projectId: jobsProjectId,
        jobId: jobId.toString(),
        name,
        queue,
        status,
        savepoint,
        savepointPath,
        createTime,
      }),
      projectId,
    );
  }

  const projectPath = String.raw`^/v1\.0/(?<projectId>[^/]+)/streaming/jobs`;
  return {
    service: "dli-flink",
    routes: [
      { op: "flink.list", method: "GET", path: new RegExp(`${projectPath}$`), admit, handle: listJobs },
      { op: "flink.stop", method: "POST", path: new RegExp(`${projectPath}/stop$`), admit, handle: batchStop },
      { op: "flink.delete", method: "POST", path: new RegExp(`${projectPath}/delete$`), admit, handle: batchDelete },
      { op: "flink.detail", method: "GET", path: new RegExp(`${projectPath}/(?<jobId>[^/]+)$`), admit, handle: jobDetail },
      { op: "flink.deleteOne", method: "DELETE", path: new RegExp(`${projectPath}/(?<jobId>[^/]+)$`), admit, handle: deleteOne },
    ],
    adminRoutes: jobAdminRoutes(
      "/__admin/flink/jobs",
      { schema: adminSeedSchema, run: ({ projectId, jobs }) => ({ jobIds: seed(projectId, jobs) }) },
      (query) => ({ jobs: list(query.get("projectId") ?? undefined) }),
    ),
    jobFaultOps: ["flink.stop", "flink.delete", "flink.deleteOne"],
    lyingDeleteOps: ["flink.delete", "flink.deleteOne"],
    listCollection,
    setJobStatus,
    faultBody: (status, requestId) => dliFaultBody(status, requestId),
    reset: () => {
      store.clear();
      nextAutoJobId = FIRST_AUTO_FLINK_JOB_ID;
    },
    seed,
    list,
  };
}

/** A job ID from the path, or a description of why it is not a Long. */
function parsePathJobId(text: string | undefined): bigint | string {
  const value = text !== undefined && /^\d{1,19}$/.test(text) ? BigInt(text) : undefined;
  return value !== undefined && value <= MAX_LONG ? value : `job_id '${text ?? ""}' is not a Long`;
}

/**
 * Reads `{"job_ids":[Long...]}` keeping every digit. The docs type job_ids as [Long], so a string or fraction is a
 * parameter error even if it looks numeric: clients that send IDs as strings should learn it here, not in production.
 */
function parseJobIdsBody(text: string): { jobIds: bigint[]; body: Record<string, unknown> } | { error: string } {
  let body: unknown;
  try {
    body = parseJsonExact(text);
  } catch {
    return { error: "the request body is not valid JSON" };
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) return { error: "the request body must be a JSON object" };
  const jobIds = (body as Record<string, unknown>).job_ids;
  if (!Array.isArray(jobIds)) return { error: "job_ids is required and must be an array of Long" };
  if (jobIds.length === 0) return { error: "job_ids must not be empty" };
  const parsed: bigint[] = [];
  for (const [index, value] of jobIds.entries()) {
    const asBigint = typeof value === "bigint" ? value : typeof value === "number" && Number.isSafeInteger(value) ? BigInt(value) : undefined;
    if (asBigint === undefined || asBigint < -MAX_LONG - 1n || asBigint > MAX_LONG) {
      return { error: `job_ids[${index}] must be a Long (a JSON integer), got ${describeJson(value)}` };
    }
    parsed.push(asBigint);
  }
  return { jobIds: parsed, body: body as Record<string, unknown> };
}

function describeJson(value: unknown): string {
  if (typeof value === "string") return `the string ${JSON.stringify(value)}`;
  if (typeof value === "bigint") return `${value}`;
  return `${JSON.stringify(value) ?? String(value)}`;
}

const adminSeedSchema = z.object({
  projectId: z.string(),
  jobs: z.array(
    z.object({
      jobId: z.union([z.string(), z.number(), z.bigint()]).optional(),
      name: z.string().optional(),
      queue: z.string().optional(),
      status: z.string().min(1).optional(),
      stopDelayMs: z.number().nonnegative().nullable().optional(),
    }),
  ),
});

/** A seed's job ID as a non-negative Long. */
function seedJobId(value: string | bigint | number, index: number): bigint {
  let jobId: bigint | undefined;
  if (typeof value === "bigint") jobId = value;
  else if (typeof value === "string" && /^\d{1,19}$/.test(value)) jobId = BigInt(value);
  // A number above 2^53 has already lost digits: insist on a string or bigint for those.
  else if (typeof value === "number" && Number.isSafeInteger(value)) jobId = BigInt(value);
  if (jobId === undefined || jobId < 0n || jobId > MAX_LONG) {
    throw new RangeError(`seedFlinkJobs: jobs[${index}].jobId ${String(value)} is not a non-negative Long (give IDs above 2^53 as strings or bigints)`);
  }
  return jobId;
}
