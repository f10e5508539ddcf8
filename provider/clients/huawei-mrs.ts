/**
 * MRS job execution API (`/v2/{project_id}/clusters/{cluster_id}/job-executions...`), one function per
 * operation. https://support.huaweicloud.com/intl/en-us/api-mrs/mrs_02_0089.html (batch delete), and
 * huawei-cloud.md ("MRS job executions").
 *
 * Quirks: the list answers 202 and counts `offset` in pages from 1; kill answers 202 with no body; batch
 * delete answers 200 with an EMPTY body on success, and `0161` with HTTP 500 on failure (the seed
 * document's "500 … success" is a slip). Errors come as `error_code`/`error_msg` or `errorCode`/`errorMsg`
 * (`huawei.ts` reads both).
 */
import { z } from "zod";
import { listField } from "./list-field";
import { classifyHuawei, firstError, huaweiApiError, parseBody } from "./huawei";
import type { ApiResponse, Authorizer, BatchOutcome, HttpClient, Verdict } from "./http";
import type { RequestBudget } from "./rate-limit";

export const SERVICE = "mrs";

/**
 * Executions per list page. MRS documents the default (10) but no maximum (unknown:
 * https://support.huaweicloud.com/intl/en-us/api-mrs/mrs_02_0087.html); 100 is DLI's documented maximum
 * and keeps a page's answer small.
 */
export const MRS_LIST_PAGE_SIZE = 100;

/** "The job does not exist" (huawei-cloud.md): by code, whatever the HTTP status. */
export const MRS_GONE_CODES = new Set(["0176", "0201"]);
/**
 * "The cluster does not exist". On an execution's own detail call it is the API's word that the execution does not
 * exist either (it lived in that cluster). On the list it is confirmed execution by execution with that detail call
 * before anything counts as gone (`snapshotPaged`), so one odd answer cannot empty a set.
 */
export const MRS_CLUSTER_GONE_CODE = "12000003";
/** "Too many jobs, retry later". */
export const MRS_RETRY_LATER_CODE = "0202";

/** Where an execution ends; any other `job_state` (NEW, NEW_SAVING, SUBMITTED, ACCEPTED, RUNNING) has not. States are uppercased first: the docs also spell `New`. */
export const MRS_FINAL_STATES = new Set(["FINISHED", "FAILED", "KILLED"]);

export interface MrsContext {
  http: HttpClient;
  endpoint: string;
  projectId: string;
  clusterId: string;
  authorizer: Authorizer;
  /** How long this operation may wait for request-rate tokens (a set's waitTimeoutSeconds); none: no limit. */
  budget?: RequestBudget;
}

export interface MrsExecution {
  /** Lowercase, as the set stores it. */
  jobId: string;
  /** Uppercase `job_state`. */
  state: string;
  result?: string;
  /** `job_name` and `queue`, as the list reports them (a selector reads them). */
  name?: string;
  queue?: string;
}

/** Huawei's gateway verdicts, plus MRS's "too many jobs, retry later" (`0202`), whatever its HTTP status. */
export function classifyMrs(response: ApiResponse): Verdict {
  const verdict = classifyHuawei(response);
  if (verdict !== "ok" || response.statusCode < 400) return verdict;
  return firstError(response).code === MRS_RETRY_LATER_CODE ? "retry" : "ok";
}

function path(ctx: MrsContext, suffix = ""): string {
  return `/v2/${encodeURIComponent(ctx.projectId)}/clusters/${encodeURIComponent(ctx.clusterId)}/job-executions${suffix}`;
}

function send(ctx: MrsContext, op: string, method: "GET" | "POST", suffix: string, extra: { query?: Record<string, number | string>; body?: string } = {}) {
  return ctx.http.send(
    {
      service: SERVICE,
      op,
      method,
      origin: ctx.endpoint,
      path: path(ctx, suffix),
      headers: { "content-type": "application/json;charset=UTF-8" },
      ...extra,
    },
    { authorizer: ctx.authorizer, classify: classifyMrs, budget: ctx.budget },
  );
}

const isOk = (response: ApiResponse) => response.statusCode >= 200 && response.statusCode < 300;
const clusterGone = (response: ApiResponse) => response.statusCode >= 400 && firstError(response).code === MRS_CLUSTER_GONE_CODE;

const listResponse = z.object({
  total_record: z.coerce.number().int().nonnegative(),
  job_list: listField(z.object({ job_id: z.string(), job_state: z.string(), job_result: z.string().nullish(), job_name: z.string().nullish(), queue: z.string().nullish() }).loose()),
});

/**
 * One page of the cluster's executions; `page` counts from 1. A cluster that does not exist lists nothing. `filters`
 * (`job_name`, a substring match) only narrow what is read: a selector checks each execution itself.
 */
export async function listJobExecutions(ctx: MrsContext, page: number, limit = MRS_LIST_PAGE_SIZE, filters: { job_name?: string } = {}): Promise<{ totalRecord: number; jobs: MrsExecution[]; clusterGone: boolean }> {
  const response = await send(ctx, "listJobExecutions", "GET", "", { query: { offset: page, limit, ...filters } });
  if (clusterGone(response)) return { totalRecord: 0, jobs: [], clusterGone: true };
  if (!isOk(response)) throw huaweiApiError(SERVICE, `listing the executions of cluster ${ctx.clusterId} failed`, response);
  const body = parseBody(listResponse, response, SERVICE, "list job executions");
  return {
    totalRecord: body.total_record,
    jobs: body.job_list.map((j) => ({
      jobId: j.job_id.toLowerCase(),
      state: j.job_state.trim().toUpperCase(),
      ...(j.job_result ? { result: j.job_result } : {}),
      ...(typeof j.job_name === "string" ? { name: j.job_name } : {}),
      ...(typeof j.queue === "string" ? { queue: j.queue } : {}),
    })),
    clusterGone: false,
  };
}

const detailResponse = z.object({
  job_detail: z.object({ job_id: z.string(), job_state: z.string(), job_result: z.string().nullish() }).loose(),
});

/**
 * `GET .../job-executions/{id}` (answers 200 or 202): one execution, or undefined when MRS says it does not
 * exist (`0176`/`0201`, or the cluster is gone). The snapshot uses it only for members a listing that moved
 * under it did not show.
 */
export async function getJobExecution(ctx: MrsContext, jobId: string): Promise<MrsExecution | undefined> {
  const response = await send(ctx, "getJobExecution", "GET", `/${encodeURIComponent(jobId)}`);
  const { code } = firstError(response);
  if (clusterGone(response) || (response.statusCode >= 400 && code && MRS_GONE_CODES.has(code))) return undefined;
  if (!isOk(response)) throw huaweiApiError(SERVICE, "reading the execution failed", response, jobId);
  const job = parseBody(detailResponse, response, SERVICE, "job execution detail").job_detail;
  return { jobId: job.job_id.toLowerCase(), state: job.job_state.trim().toUpperCase(), ...(job.job_result ? { result: job.job_result } : {}) };
}

/** What a kill said. "refused": an error that is not "gone" (0175 kill failed, or already ended): the wait decides. */
export type KillOutcome = { outcome: "killing" } | { outcome: "gone"; message: string } | { outcome: "refused"; message: string };

function why(response: ApiResponse): string {
  const { code, message } = firstError(response);
  return `${message ?? "no message"} (HTTP ${response.statusCode}${code ? ` ${code}` : ""})`;
}

/** `POST .../job-executions/{id}/kill`: 202, no body. */
export async function killJobExecution(ctx: MrsContext, jobId: string): Promise<KillOutcome> {
  const response = await send(ctx, "killJobExecution", "POST", `/${encodeURIComponent(jobId)}/kill`);
  if (isOk(response)) return { outcome: "killing" };
  const { code } = firstError(response);
  if (code && MRS_GONE_CODES.has(code)) return { outcome: "gone", message: why(response) };
  if (clusterGone(response)) return { outcome: "gone", message: `the cluster is gone: ${why(response)}` };
  if (response.statusCode >= 400 && response.statusCode < 500 && response.statusCode !== 401 && response.statusCode !== 403) {
    return { outcome: "refused", message: `the kill was refused: ${why(response)}` };
  }
  throw huaweiApiError(SERVICE, "kill failed", response, jobId);
}

/**
 * `POST .../job-executions/batch-delete` `{"job_id_list":[…]}`. Success is a 2xx (200 with an empty body
 * in practice). `0176`/`0201` refuse the whole call over some execution that does not exist, without saying
 * which: "unknown", so the caller lists again. `12000003`: the cluster and all its executions are gone.
 */
export async function batchDeleteJobExecutions(ctx: MrsContext, ids: readonly string[]): Promise<BatchOutcome[]> {
  const response = await send(ctx, "batchDeleteJobExecutions", "POST", "/batch-delete", { body: JSON.stringify({ job_id_list: ids }) });
  if (isOk(response)) return ids.map((jobId) => ({ jobId, outcome: "done" }));
  const { code } = firstError(response);
  if (clusterGone(response)) return ids.map((jobId) => ({ jobId, outcome: "gone", message: `the cluster is gone: ${why(response)}` }));
  if (code && MRS_GONE_CODES.has(code)) return ids.map((jobId) => ({ jobId, outcome: "unknown", message: why(response) }));
  throw huaweiApiError(SERVICE, "batch delete failed", response);
}
