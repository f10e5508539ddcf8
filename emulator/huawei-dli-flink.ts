/**
 * DLI Flink streaming jobs (`/v1.0/{project_id}/streaming/...`) as docs/apis.md ("DLI Flink jobs") describes them,
 * after the batch stop/delete API documents (https://support.huaweicloud.com/api-dli/dli_02_0241.html, _0242): the
 * routes and their answers. The jobs themselves (statuses, stops, seeding) are in huawei-dli-flink-jobs.ts.
 *
 * Quirks reproduced on purpose: `is_success` is the STRING "true"/"false"; job IDs are Longs written as exact JSON
 * numbers (auto IDs start above 2^53); batch answers are arrays in request order; a missing job is DLI.16001/400.
 */
import { z } from "zod";
import { dliError, dliFaultBody, dliParameterError as parameterError, projectIdOf } from "./huawei-dli";
import { describeJson, parseJobIdsBody, parsePathJobId } from "./huawei-dli-flink-job-ids";
import { type FlinkJob, type FlinkJobSeed, type FlinkJobView, FlinkJobs, isStoppable } from "./huawei-dli-flink-jobs";
import type { HuaweiGateway } from "./huawei-gateway";
import { type ApiAnswer, type ApiRequest, type ServiceModule, jobAdminRoutes, readIntegerParam } from "./service";

/** DLI's list limit (https://support.huaweicloud.com/api-dli/dli_02_0234.html): 1-100, default 10. */
export const FLINK_LIST_MAX_LIMIT = 100;
export const FLINK_LIST_DEFAULT_LIMIT = 10;

/** What batch stop/delete answer for IDs that do not exist (unverified on the real service). */
export type MissingJobAnswer = "element" | "error";

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
  const jobs = new FlinkJobs(options);
  const admit = (request: ApiRequest) => gateway.admitProject(request, parameterError);

  function listJobs(request: ApiRequest): ApiAnswer {
    const offset = readIntegerParam(request.query, "offset", 0);
    const limit = readIntegerParam(request.query, "limit", FLINK_LIST_DEFAULT_LIMIT, 1, FLINK_LIST_MAX_LIMIT);
    if (offset === undefined) return parameterError(`offset must be an integer ≥ 0, got '${request.query.get("offset")}'`);
    if (limit === undefined) return parameterError(`limit must be an integer from 1 to ${FLINK_LIST_MAX_LIMIT}, got '${request.query.get("limit")}'`);
    // Descending job_id gives a stable order across pages (IDs never change).
    // `name` is a fuzzy filter (a substring match, as docs/apis.md says); `queue_name` an exact one.
    const nameFilter = request.query.get("name") || undefined;
    const queueFilter = request.query.get("queue_name") || undefined;
    const all = jobs
      .settled(projectIdOf(request))
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
    const job = jobs.find(projectIdOf(request), jobId);
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
      const missing = jobIds.find((jobId) => !jobs.find(projectId, jobId));
      if (missing !== undefined) return missingJobError(missing);
    }
    const answers = jobIds.map((jobId) => {
      const job = jobs.find(projectId, jobId);
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
        jobs.stop(job, body.trigger_savepoint === true);
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
      if (!options.lieOnDelete("flink.delete", job.jobId.toString())) jobs.delete(job.projectId, job.jobId);
      return element(true, MESSAGES.deleted);
    });
  }

  function deleteOne(request: ApiRequest): ApiAnswer {
    const jobId = parsePathJobId(request.params.jobId);
    if (typeof jobId === "string") return parameterError(jobId);
    const projectId = projectIdOf(request);
    if (!jobs.find(projectId, jobId)) return missingJobError(jobId);
    const injected = options.jobFailure("flink.deleteOne", jobId.toString());
    if (injected !== undefined) return { status: 200, body: element(false, injected) };
    if (!options.lieOnDelete("flink.deleteOne", jobId.toString())) jobs.delete(projectId, jobId);
    return { status: 200, body: element(true, MESSAGES.deleted) };
  }

  const seed = (projectId: string, seeds: readonly FlinkJobSeed[]) => jobs.seed(projectId, seeds);
  const list = (projectId?: string) => jobs.views(projectId);
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
      { schema: adminSeedSchema, run: ({ projectId, jobs: seeds }) => ({ jobIds: seed(projectId, seeds) }) },
      (query) => ({ jobs: list(query.get("projectId") ?? undefined) }),
    ),
    jobFaultOps: ["flink.stop", "flink.delete", "flink.deleteOne"],
    lyingDeleteOps: ["flink.delete", "flink.deleteOne"],
    // The project a successful list answer read, for list churn.
    listCollection: (_op, request, answer) => (answer.status === 200 ? jobs.collection(projectIdOf(request)) : undefined),
    setJobStatus: (jobId, status, where) => jobs.setJobStatus(jobId, status, where),
    faultBody: (status, requestId) => dliFaultBody(status, requestId),
    reset: () => jobs.reset(),
    seed,
    list,
  };
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
