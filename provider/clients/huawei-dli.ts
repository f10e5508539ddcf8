/**
 * DLI Flink streaming job API (`/v1.0/{project_id}/streaming/...`), one function per operation.
 * https://support.huaweicloud.com/api-dli/dli_02_0244.html (batch delete),
 * https://support.huaweicloud.com/api-dli/dli_02_0241.html (batch stop).
 *
 * Job IDs travel as decimal strings inside this package and as exact JSON numbers on the wire: they are
 * Longs, and a double would round IDs above 2^53 to a neighbouring job.
 */
import { z } from "zod";
import { listField } from "./list-field";
import { classifyHuawei, firstError, huaweiApiError, isSuccessFlag, parseBody } from "./huawei";
import type { Authorizer, BatchOutcome, HttpClient } from "./http";
import type { RequestBudget } from "./rate-limit";

export const SERVICE = "dli-flink";

/** The list endpoint's largest page (the API documents limit ≤ 100). */
export const FLINK_LIST_PAGE_SIZE = 100;

/** Error codes that mean "this job does not exist" (huawei-cloud.md: DLI.16001 in practice, DLI.0002 documented). */
export const FLINK_GONE_CODES = new Set(["DLI.16001", "DLI.0002"]);

/**
 * Where a stop ends: nothing of the job runs or is billed (huawei-cloud.md, "Status values"): a draft never
 * submitted (job_init), a submission that failed, a stop that succeeded, a job that finished, one stopped for
 * arrears. Listed one by one on purpose: DLI adds statuses over time, and a status not listed here is treated as
 * possibly running (sent a stop and waited for), never as stopped.
 */
export const FLINK_STOPPED_STATUSES = new Set(["job_init", "job_submit_fail", "job_cancel_success", "job_finish", "job_arrearage_stopped"]);
/** A stop under way: wait, send nothing. */
export const FLINK_STOPPING_STATUSES = new Set(["job_canceling", "job_savepointing"]);
/** The stop failed: the job may well still run. After our own stop (and one more), a failure to report. */
export const FLINK_STOP_FAILED_STATUSES = new Set(["job_cancel_fail"]);

/** Whether a job in `status` may be running: anything not known to be stopped or stopping. */
export function flinkMayRun(status: string): boolean {
  return !FLINK_STOPPED_STATUSES.has(status) && !FLINK_STOPPING_STATUSES.has(status);
}

export interface DliContext {
  http: HttpClient;
  endpoint: string;
  projectId: string;
  authorizer: Authorizer;
  /** How long this operation may wait for request-rate tokens (a set's waitTimeoutSeconds); none: no limit. */
  budget?: RequestBudget;
}

/** One call to the DLI API of `ctx` (Flink's or Spark's): JSON, to its endpoint, signed by its authorizer, within its request budget. */
export function sendDli(ctx: DliContext, request: Omit<Parameters<HttpClient["send"]>[0], "origin" | "headers">) {
  return ctx.http.send(
    { ...request, origin: ctx.endpoint, headers: { "content-type": "application/json" } },
    { authorizer: ctx.authorizer, classify: classifyHuawei, budget: ctx.budget },
  );
}

export interface FlinkJob {
  jobId: string;
  name?: string;
  /** `queue_name`, as the list reports it (a selector reads it). */
  queue?: string;
  status: string;
  /**
   * Where the job's last savepoint went (the detail's `savepoint_path`; the list does not carry it). Only from
   * `getFlinkJob`: null when the detail names none. Whether DLI fills it after a stop with `trigger_savepoint` is
   * not documented, so a caller must expect null there too.
   */
  savepointPath?: string | null;
}

const jobIdField = z.union([z.string().regex(/^\d+$/), z.number().int()]).transform(String);

const listResponse = z.object({
  job_list: z.object({
    total_count: z.coerce.number().int().nonnegative(),
    jobs: listField(z.object({ job_id: jobIdField, name: z.string().nullish(), queue_name: z.string().nullish(), status: z.string() }).loose()),
  }),
});

function path(ctx: DliContext, suffix: string): string {
  return `/v1.0/${encodeURIComponent(ctx.projectId)}/streaming/${suffix}`;
}

/**
 * One page of the project's Flink jobs. `offset` counts records. `filters` are the list's own (`name`, a substring
 * match, and `queue_name`): they only narrow what is read; a caller that selects by them checks each job itself.
 */
export async function listFlinkJobs(ctx: DliContext, offset: number, limit = FLINK_LIST_PAGE_SIZE, filters: { name?: string; queue_name?: string } = {}): Promise<{ totalCount: number; jobs: FlinkJob[] }> {
  const response = await sendDli(ctx, {
    service: SERVICE,
    op: "listFlinkJobs",
    method: "GET",
    path: path(ctx, "jobs"),
    query: { offset, limit, ...filters },
  });
  if (response.statusCode !== 200) throw huaweiApiError(SERVICE, "listing jobs failed", response);
  const body = parseBody(listResponse, response, SERVICE, "list jobs");
  return {
    totalCount: body.job_list.total_count,
    jobs: body.job_list.jobs.map((j) => ({
      jobId: j.job_id,
      ...(typeof j.name === "string" ? { name: j.name } : {}),
      ...(typeof j.queue_name === "string" ? { queue: j.queue_name } : {}),
      status: j.status.toLowerCase(),
    })),
  };
}

const detailResponse = z.object({
  job_detail: z
    .object({
      job_id: jobIdField,
      name: z.string().optional(),
      queue_name: z.string().nullish(),
      status: z.string(),
      // An empty string names no place either.
      savepoint_path: z
        .string()
        .nullish()
        .transform((path) => (path ? path : null)),
    })
    .loose(),
});

/**
 * `GET .../streaming/jobs/{job_id}`: one job, or undefined when DLI says it does not exist: `DLI.16001` or
 * `DLI.0002`, and nothing else. A bare 404 is not that word: the gateway answers it (`APIG.0101`) for a wrong path
 * or endpoint, which says nothing about the job. The snapshot uses it for members a listing did not show.
 */
export async function getFlinkJob(ctx: DliContext, jobId: string): Promise<FlinkJob | undefined> {
  const response = await sendDli(ctx, {
    service: SERVICE,
    op: "getFlinkJob",
    method: "GET",
    path: path(ctx, `jobs/${jobId}`),
  });
  const { code } = firstError(response);
  if (response.statusCode >= 400 && code && FLINK_GONE_CODES.has(code)) return undefined;
  if (response.statusCode !== 200) throw huaweiApiError(SERVICE, "reading the job failed", response, jobId);
  const job = parseBody(detailResponse, response, SERVICE, "job detail").job_detail;
  return {
    jobId: job.job_id,
    ...(job.name !== undefined ? { name: job.name } : {}),
    ...(typeof job.queue_name === "string" ? { queue: job.queue_name } : {}),
    status: job.status.toLowerCase(),
    savepointPath: job.savepoint_path,
  };
}

/** What one batch call said about one job (shared by every client). */
export type { BatchOutcome };

const batchElement = z.object({ is_success: isSuccessFlag.optional(), message: z.string().nullish() }).loose();
const batchResponse = z.union([z.array(batchElement), batchElement]);

const GONE_MESSAGE = /not exist|doesn't exist|not found|不存在/i;
const NOT_RUNNING_MESSAGE = /not running|not in running|no need to stop|already stopped|未运行|非运行|状态/i;

/** The body DLI wants: `{"job_ids":[Long…]}`, IDs written exactly (they are validated digit strings). */
function jobIdsJson(ids: readonly string[]): string {
  return `[${ids.join(",")}]`;
}

/** Reads a batch answer element by element (elements come in `job_ids` order; they carry no ID). */
function batchOutcomes(ids: readonly string[], elements: z.infer<typeof batchElement>[], stopping: boolean): BatchOutcome[] {
  const matched = elements.length === ids.length;
  return ids.map((jobId, index): BatchOutcome => {
    // One element for many IDs, or a count that does not match: only an all-success answer is usable.
    const element = matched ? elements[index]! : elements.every((e) => e.is_success !== false) ? { is_success: true } : undefined;
    if (!element) return { jobId, outcome: "unknown", message: "the answer's elements do not match the job IDs sent" };
    if (element.is_success !== false) return { jobId, outcome: "done" };
    const message = element.message ?? "is_success is false, with no message";
    if (GONE_MESSAGE.test(message)) return { jobId, outcome: "gone", message };
    if (stopping && NOT_RUNNING_MESSAGE.test(message)) return { jobId, outcome: "not-running", message };
    return { jobId, outcome: "failed", message };
  });
}

async function batchCall(ctx: DliContext, op: "batchStopFlinkJobs" | "batchDeleteFlinkJobs", ids: readonly string[], body: string): Promise<BatchOutcome[]> {
  const stopping = op === "batchStopFlinkJobs";
  const response = await sendDli(ctx, {
    service: SERVICE,
    op,
    method: "POST",
    path: path(ctx, stopping ? "jobs/stop" : "jobs/delete"),
    body,
  });
  if (response.statusCode === 200) {
    const parsed = parseBody(batchResponse, response, SERVICE, stopping ? "batch stop" : "batch delete");
    return batchOutcomes(ids, Array.isArray(parsed) ? parsed : [parsed], stopping);
  }
  const { code, message } = firstError(response);
  if (code && FLINK_GONE_CODES.has(code)) {
    // The whole call was refused because some job does not exist; which one(s) the caller finds out by listing.
    const why = `${message ?? "a job does not exist"} (HTTP ${response.statusCode} ${code})`;
    return ids.map((jobId) => ({ jobId, outcome: "unknown", message: why }));
  }
  throw huaweiApiError(SERVICE, stopping ? "batch stop failed" : "batch delete failed", response);
}

/** `POST .../streaming/jobs/stop`: asynchronous; jobs pass through job_canceling or job_savepointing. */
export function batchStopFlinkJobs(ctx: DliContext, ids: readonly string[], triggerSavepoint: boolean): Promise<BatchOutcome[]> {
  return batchCall(ctx, "batchStopFlinkJobs", ids, `{"job_ids":${jobIdsJson(ids)},"trigger_savepoint":${triggerSavepoint}}`);
}

/** `POST .../streaming/jobs/delete`: deletes jobs in any state. */
export function batchDeleteFlinkJobs(ctx: DliContext, ids: readonly string[]): Promise<BatchOutcome[]> {
  return batchCall(ctx, "batchDeleteFlinkJobs", ids, `{"job_ids":${jobIdsJson(ids)}}`);
}
