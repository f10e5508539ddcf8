/**
 * QingCloud EHPC job API (`https://hpc.api.qingcloud.com/api/job/...`), one function per operation.
 * yunify/qingcloud-docs, content/compute/hpc/api/jobs/{listjobs,stopjobs,deletejobs}.md, and
 * qingcloud-ehpc.md.
 *
 * Every request is signed in its query string (`auth/qingcloud-signer.ts`), afresh for every attempt:
 * the signature covers a timestamp the server rejects once it is 60 s old. A POST's body is written by
 * `ehpcJsonBody` (Python's `json.dumps(sort_keys=True)`, as QingCloud's SDK sends it) and those exact bytes
 * are both hashed and sent.
 *
 * The answer is `{"ret_code": N, "message": "..."}` whatever the HTTP status, so the JSON is read first.
 */
import { z } from "zod";
import { listField } from "./list-field";
import { ehpcJsonBody, signEhpcRequest, type QingCloudCredentials } from "../auth/qingcloud-signer";
import { ApiError, AuthError, ResponseFormatError } from "../errors";
import { tryParseJson } from "./json";
import type { ApiResponse, Authorizer, BatchOutcome, HttpClient, UrlAuthorizer, Verdict } from "./http";
import type { RequestBudget } from "./rate-limit";

export const SERVICE = "ehpc";

/** The list's largest page (listjobs.md: limit defaults to 10, at most 100). */
export const EHPC_LIST_PAGE_SIZE = 100;

/** Where a job ends (qingcloud-ehpc.md); any other status (pending, running, unknown ones) has not. */
export const EHPC_FINAL_STATUSES = new Set(["finished", "exited", "cancelled", "stopped"]);

/** `ret_code` values (qingcloud-ehpc.md, Errors). */
export const EHPC_RET = {
  ok: 0,
  /** The access key is unknown or the signature does not match. */
  authFailed: 1200,
  /** The request's timestamp is more than 60 s off: sign again with a fresh one. */
  expired: 1300,
  /**
   * Resource not found. On a job's own detail call (`/api/job/jobdetail/<hpcjob_uuid>`) it is the API's word that
   * this job does not exist (its cluster gone included): the job is gone. On a cluster-scoped call (the list, which
   * names no job) it says only that something the call named was not found, and answers carry no field saying what:
   * a cluster deleted, a zone mistyped in the stack, a passing fault. So a 2100 on the list never counts a job gone:
   * each member is then asked for by its detail call, and only a 2100 there confirms that job (and so its cluster)
   * is gone. On stopJobs/deleteJobs, which name many jobs, it is ambiguous and settled the same way.
   */
  notFound: 2100,
  /** Quota exceeded, including too many API calls (2000 an hour at first): back off longer. */
  quota: 2500,
} as const;
/** Internal error, server busy, no resources, updating: QingCloud's own SDKs retry these. */
export const EHPC_RETRY_CODES = new Set([5000, 5100, 5200, 5300]);

export interface EhpcContext {
  http: HttpClient;
  endpoint: string;
  zone: string;
  clusterId: string;
  authorizer: Authorizer & UrlAuthorizer;
  /** How long this operation may wait for request-rate tokens (a set's waitTimeoutSeconds); none: no limit. */
  budget?: RequestBudget;
}

export interface EhpcJob {
  jobId: string;
  /** Lowercase `job_status`. */
  status: string;
  /** `job_name` and `queue_name`, as the list reports them (a selector reads them). */
  name?: string;
  queue?: string;
}

/** Signs each attempt's URL with the HttpClient's clock (which a 1300 answer may correct from `Date`). */
export function ehpcAuthorizer(http: HttpClient, credentials: QingCloudCredentials): Authorizer & UrlAuthorizer {
  return {
    authorize: async ({ headers }) => headers,
    async authorizeUrl({ method, url, body }) {
      const signed = signEhpcRequest(
        {
          method: method as "GET" | "POST",
          baseUrl: url.origin,
          path: url.pathname,
          query: Object.fromEntries(url.searchParams),
          ...(method === "POST" ? { body } : {}),
        },
        credentials,
        http.clock.now(),
      );
      return new URL(signed.url);
    },
  };
}

const retBody = z.object({ ret_code: z.coerce.number().int(), message: z.string().nullish() }).loose();

/** `ret_code` and `message` of an answer, whatever its HTTP status; undefined when the body carries none. */
export function ehpcRet(response: ApiResponse): { code: number; message?: string } | undefined {
  const parsed = retBody.safeParse(tryParseJson(response.text));
  if (!parsed.success) return undefined;
  return { code: parsed.data.ret_code, ...(parsed.data.message ? { message: parsed.data.message } : {}) };
}

export function classifyEhpc(response: ApiResponse): Verdict {
  const ret = ehpcRet(response);
  if (!ret) return "ok";
  if (EHPC_RETRY_CODES.has(ret.code)) return "retry";
  if (ret.code === EHPC_RET.quota) return "throttled";
  if (ret.code === EHPC_RET.expired) return "resign";
  return "ok";
}

function describe(what: string, response: ApiResponse): string {
  const ret = ehpcRet(response);
  const detail = ret?.message ? `: ${ret.message}` : "";
  return `${SERVICE}: ${what}${detail} (HTTP ${response.statusCode}${ret ? ` ret_code ${ret.code}` : ""})`;
}

/** The error for an answer we will not retry or reinterpret: 1200 (and HTTP 401/403) are AuthError. */
export function ehpcApiError(what: string, response: ApiResponse): ApiError | AuthError {
  const ret = ehpcRet(response);
  const context = {
    service: SERVICE,
    statusCode: response.statusCode,
    ...(ret ? { vendorCode: String(ret.code) } : {}),
    body: tryParseJson(response.text) ?? response.text.slice(0, 500),
  };
  const message = describe(what, response);
  if (ret?.code === EHPC_RET.authFailed || (!ret && (response.statusCode === 401 || response.statusCode === 403))) {
    return new AuthError(`${message}. Check the QingCloud access key ID and secret access key (and the clock).`, context);
  }
  return new ApiError(message, context);
}

/** Succeeded: ret_code 0 (or, with no ret_code at all, a 2xx). */
function succeeded(response: ApiResponse): boolean {
  const ret = ehpcRet(response);
  return ret ? ret.code === EHPC_RET.ok : response.statusCode >= 200 && response.statusCode < 300;
}

const listResponse = z.object({
  total_count: z.coerce.number().int().nonnegative(),
  hpc_job_set: listField(z.object({ hpcjob_uuid: z.string(), job_status: z.string(), job_name: z.string().nullish(), queue_name: z.string().nullish() }).loose()),
});

/**
 * One page of the cluster's jobs; `offset` counts records. A 2100 is reported as `clusterGone`, to be confirmed job by
 * job. `filters` (`queue_name`; `search_word`, a substring search) only narrow what is read: a selector checks each job.
 */
export async function listEhpcJobs(
  ctx: EhpcContext,
  offset: number,
  limit = EHPC_LIST_PAGE_SIZE,
  filters: { queue_name?: string; search_word?: string } = {},
): Promise<{ totalCount: number; jobs: EhpcJob[]; clusterGone: boolean }> {
  const response = await ctx.http.send(
    {
      service: SERVICE,
      op: "listJobs",
      method: "GET",
      origin: ctx.endpoint,
      path: "/api/job/list",
      query: { cluster_id: ctx.clusterId, zone: ctx.zone, limit, offset, ...filters },
    },
    { authorizer: ctx.authorizer, classify: classifyEhpc, budget: ctx.budget },
  );
  if (ehpcRet(response)?.code === EHPC_RET.notFound) return { totalCount: 0, jobs: [], clusterGone: true };
  if (!succeeded(response)) throw ehpcApiError(`listing the jobs of cluster ${ctx.clusterId} failed`, response);
  const parsed = listResponse.safeParse(tryParseJson(response.text));
  if (!parsed.success) {
    throw new ResponseFormatError(
      `${SERVICE}: unexpected answer to list jobs (HTTP ${response.statusCode}): ${z.prettifyError(parsed.error).replace(/\n/g, " ")}`,
      { service: SERVICE, statusCode: response.statusCode, body: response.text.slice(0, 500) },
    );
  }
  return {
    totalCount: parsed.data.total_count,
    jobs: parsed.data.hpc_job_set.map((j) => ({
      jobId: j.hpcjob_uuid,
      status: j.job_status.trim().toLowerCase(),
      ...(typeof j.job_name === "string" ? { name: j.job_name } : {}),
      ...(typeof j.queue_name === "string" ? { queue: j.queue_name } : {}),
    })),
    clusterGone: false,
  };
}

/**
 * `GET /api/job/jobdetail/{hpcjob_uuid}`: one job, or undefined when EHPC says it (or its cluster) does not
 * exist (2100). The snapshot uses it only for members a listing that moved under it did not show.
 */
export async function getEhpcJob(ctx: EhpcContext, jobId: string): Promise<EhpcJob | undefined> {
  const response = await ctx.http.send(
    {
      service: SERVICE,
      op: "jobDetail",
      method: "GET",
      origin: ctx.endpoint,
      path: `/api/job/jobdetail/${encodeURIComponent(jobId)}`,
      query: { cluster_id: ctx.clusterId, zone: ctx.zone },
    },
    { authorizer: ctx.authorizer, classify: classifyEhpc, budget: ctx.budget },
  );
  if (ehpcRet(response)?.code === EHPC_RET.notFound) return undefined;
  if (!succeeded(response)) throw ehpcApiError(`reading job ${jobId} failed`, response);
  const parsed = listResponse.omit({ total_count: true }).safeParse(tryParseJson(response.text));
  const job = parsed.success ? parsed.data.hpc_job_set.find((j) => j.hpcjob_uuid === jobId) : undefined;
  if (!job) {
    throw new ResponseFormatError(`${SERVICE}: unexpected answer to job detail (HTTP ${response.statusCode}): no hpc_job_set entry for ${jobId}`, {
      service: SERVICE,
      statusCode: response.statusCode,
      body: response.text.slice(0, 500),
    });
  }
  return { jobId: job.hpcjob_uuid, status: job.job_status.trim().toLowerCase() };
}

/**
 * stopJobs and deleteJobs: `{cluster_id, job_ids, zone}`. ret_code 0 covers every ID. 2100 refuses the whole
 * call over something that does not exist, without saying which job: "unknown", so the caller lists again.
 * (stopJobs' `custom_cmd_result` names jobs by the scheduler's number, not by hpcjob ID: not used.)
 */
async function jobsCall(ctx: EhpcContext, op: "stopJobs" | "deleteJobs", ids: readonly string[]): Promise<BatchOutcome[]> {
  const response = await ctx.http.send(
    {
      service: SERVICE,
      op,
      method: "POST",
      origin: ctx.endpoint,
      path: `/api/job/${op}`,
      headers: { "content-type": "application/json" },
      body: ehpcJsonBody({ cluster_id: ctx.clusterId, job_ids: ids, zone: ctx.zone }),
    },
    { authorizer: ctx.authorizer, classify: classifyEhpc, budget: ctx.budget },
  );
  if (succeeded(response)) return ids.map((jobId) => ({ jobId, outcome: "done" }));
  if (ehpcRet(response)?.code === EHPC_RET.notFound) {
    const why = describe(`${op} refused`, response);
    return ids.map((jobId) => ({ jobId, outcome: "unknown", message: why }));
  }
  throw ehpcApiError(`${op} failed`, response);
}

/** `POST /api/job/stopJobs`: cancels jobs (and ends their billing); asynchronous. */
export function stopEhpcJobs(ctx: EhpcContext, ids: readonly string[]): Promise<BatchOutcome[]> {
  return jobsCall(ctx, "stopJobs", ids);
}

/** `POST /api/job/deleteJobs`: removes jobs from the cluster's list. */
export function deleteEhpcJobs(ctx: EhpcContext, ids: readonly string[]): Promise<BatchOutcome[]> {
  return jobsCall(ctx, "deleteJobs", ids);
}
