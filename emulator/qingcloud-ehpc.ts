/**
 * QingCloud EHPC jobs (`/api/job/...`) as docs/apis.md ("QingCloud EHPC") describes them, after the deleteJobs
 * document (https://docs.qingcloud.com/product/compute/hpc/api/job/delete_jobs): the routes and their answers. The
 * jobs themselves are in qingcloud-ehpc-jobs.ts, the signature and quota checks in qingcloud-ehpc-gateway.ts, the
 * error bodies in qingcloud-ehpc-errors.ts.
 *
 * Quirks reproduced on purpose: every answer is HTTP 200, errors included: `{"ret_code":<int>,"message":"<Name>, <detail>"}`
 * (HTTP codes are unverified; clients must read ret_code); `zone` travels in the query for GET and in the JSON body
 * for POST; batch answers carry no per-job elements, so one bad job fails the whole call.
 *
 * Choices where no public source settles the behaviour (docs/apis.md calls such behaviour "unverified"):
 * - deleteJobs refuses a job that is pending or running (a stop still under way included) with ret_code 1400
 *   "PermissionDenied, job [...] is running: stop it first", deleting nothing: clients that skip stopJobs are caught;
 * - unknown IDs in stopJobs/deleteJobs → ret_code 2100 naming them, nothing changes; an ID that isn't
 *   `hpcjob-xxxxxxxx` → 1100 (catches clients that send the scheduler's job_id);
 * - stopJobs on a job that has already ended is a no-op (ret_code 0); a stopped job keeps showing pending/running
 *   for `ehpcStopDelayMs`, then shows `stopped`;
 * - failJobs(): the call answers ret_code 5000 naming the job(s); the OTHER jobs in the call are processed;
 * - list: limit 1-100 (default 20), offset counts records, newest first; an unknown cluster → 2100.
 */
import { z } from "zod";
import { ehpcError, ehpcFaultBody } from "./qingcloud-ehpc-errors";
import { EhpcGateway } from "./qingcloud-ehpc-gateway";
import { EHPC_JOB_ID_PATTERN, EHPC_JOB_STATUSES, type EhpcJob, type EhpcJobSeed, type EhpcJobView, EhpcJobs, isActive } from "./qingcloud-ehpc-jobs";
import { type QingCloudCredential, formatEhpcTimestamp } from "./qingcloud-signature";
import { type ApiAnswer, type ApiRequest, type ServiceModule, clusterAdminRoute, isAnswer, jobAdminRoutes, jsonObjectBody, readIntegerParam } from "./service";

export const EHPC_LIST_DEFAULT_LIMIT = 20;
export const EHPC_LIST_MAX_LIMIT = 100;

export interface EhpcModule extends ServiceModule {
  addCluster(zone: string, clusterId: string): void;
  seed(zone: string, clusterId: string, jobs: readonly EhpcJobSeed[]): string[];
  list(zone?: string, clusterId?: string): EhpcJobView[];
}

export interface EhpcOptions {
  credentials: readonly QingCloudCredential[];
  now: () => number;
  stopDelayMs: number;
  /** Signed calls allowed per rolling hour; past it every call answers 2500. Default: no quota. */
  quotaPerHour?: number;
  /** stopJobs/deleteJobs refuse more IDs than this (1100). Default: no limit. */
  maxBatchSize?: number;
  jobFailure: (op: string, jobId: string) => string | undefined;
  /** Whether this delete answers success and leaves the job (lieOnDelete); uses up one of its times. */
  lieOnDelete: (op: string, jobId: string) => boolean;
}

export function createEhpcModule(options: EhpcOptions): EhpcModule {
  const gateway = new EhpcGateway(options.credentials, options.now, options.quotaPerHour);
  const jobs = new EhpcJobs(options);
  const admit = (request: ApiRequest) => gateway.admit(request);

  function requireCluster(zone: string, clusterId: string): Map<string, EhpcJob> | ApiAnswer {
    return jobs.store.jobs([zone, clusterId]) ?? ehpcError(2100, `resource [${clusterId}] not found in zone [${zone}]`);
  }

  /** `cluster_id` and `zone` from the query (GET calls). */
  function queryCluster(request: ApiRequest): Map<string, EhpcJob> | ApiAnswer {
    for (const name of ["cluster_id", "zone"]) {
      if (!request.query.get(name)) return ehpcError(1101, `parameter [${name}] is required`);
    }
    return requireCluster(request.query.get("zone")!, request.query.get("cluster_id")!);
  }

  function listJobs(request: ApiRequest): ApiAnswer {
    const cluster = queryCluster(request);
    if (isAnswer(cluster)) return cluster;
    const { query } = request;
    const limit = readIntegerParam(query, "limit", EHPC_LIST_DEFAULT_LIMIT, 1, EHPC_LIST_MAX_LIMIT);
    const offset = readIntegerParam(query, "offset", 0);
    if (limit === undefined) return ehpcError(1100, `parameter [limit] should be an integer from 1 to ${EHPC_LIST_MAX_LIMIT}, got [${query.get("limit")}]`);
    if (offset === undefined) return ehpcError(1100, `parameter [offset] should be an integer ≥ 0, got [${query.get("offset")}]`);
    const statusFilter = query.get("job_status") || undefined;
    if (statusFilter !== undefined && !(EHPC_JOB_STATUSES as readonly string[]).includes(statusFilter)) {
      return ehpcError(1100, `parameter [job_status] should be one of ${EHPC_JOB_STATUSES.join(", ")}, got [${statusFilter}]`);
    }
    // `search_word` is a substring search (docs/apis.md), here over the job's name; `queue_name` is exact.
    const queueFilter = query.get("queue_name") || undefined;
    const searchWord = query.get("search_word") || undefined;
    const matching = jobs
      .store.settled(cluster)
      .filter((job) => statusFilter === undefined || job.status === statusFilter)
      .filter((job) => queueFilter === undefined || job.queue === queueFilter)
      .filter((job) => searchWord === undefined || job.name.includes(searchWord))
      .sort((a, b) => b.submitTime - a.submitTime || b.order - a.order);
    return {
      status: 200,
      body: {
        action: "HpcJobListJobsResponse",
        hpc_job_set: matching.slice(offset, offset + limit).map(jobEntry),
        total_count: matching.length,
        ret_code: 0,
      },
    };
  }

  function jobEntry(job: EhpcJob): Record<string, unknown> {
    return {
      hpcjob_uuid: job.uuid,
      job_id: job.schedulerJobId,
      job_name: job.name,
      queue_name: job.queue,
      job_status: job.status,
      cluster_id: job.clusterId,
      zone: job.zone,
      run_user: "emulator",
      cmd_line: "sleep 3600",
      core_limit: 1,
      priority: 0,
      submit_time: formatEhpcTimestamp(job.submitTime),
      start_time: job.status === "pending" ? "" : formatEhpcTimestamp(job.submitTime),
      end_time: job.endTime === undefined ? "" : formatEhpcTimestamp(job.endTime),
    };
  }

  function jobDetail(request: ApiRequest): ApiAnswer {
    const cluster = queryCluster(request);
    if (isAnswer(cluster)) return cluster;
    const uuid = request.params.jobId ?? "";
    const job = cluster.get(uuid);
    if (!job) return ehpcError(2100, `resource [${uuid}] not found`);
    return { status: 200, body: { action: "HpcJobJobdetailResponse", hpc_job_set: [jobEntry(jobs.store.settle(job))], ret_code: 0 } };
  }

  /** Shared by stopJobs and deleteJobs: body, zone, cluster, IDs; all checks before any change. */
  function batch(request: ApiRequest): { cluster: Map<string, EhpcJob>; targets: EhpcJob[] } | ApiAnswer {
    const fields = jsonObjectBody(request.bodyText);
    if (typeof fields === "string") return ehpcError(1100, fields);
    for (const name of ["cluster_id", "zone", "job_ids"]) {
      if (fields[name] === undefined || fields[name] === null || fields[name] === "") return ehpcError(1101, `parameter [${name}] is required`);
    }
    const { cluster_id: clusterId, zone, job_ids: jobIds } = fields;
    if (typeof clusterId !== "string") return ehpcError(1100, `parameter [cluster_id] should be a string`);
    if (typeof zone !== "string") return ehpcError(1100, `parameter [zone] should be a string`);
    const queryZone = request.query.get("zone");
    if (queryZone && queryZone !== zone) return ehpcError(1100, `parameter [zone] is [${zone}] in the body but [${queryZone}] in the query`);
    if (!Array.isArray(jobIds) || jobIds.length === 0) return ehpcError(1100, "parameter [job_ids] should be a non-empty array of job IDs");
    const bad = jobIds.findIndex((id) => typeof id !== "string" || !EHPC_JOB_ID_PATTERN.test(id));
    if (bad !== -1) return ehpcError(1100, `parameter [job_ids] item ${bad} should be an hpcjob_uuid (hpcjob-xxxxxxxx), got [${String(jobIds[bad])}]`);
    const uniqueIds = [...new Set(jobIds as string[])];
    if (options.maxBatchSize !== undefined && uniqueIds.length > options.maxBatchSize) {
      return ehpcError(1100, `parameter [job_ids] has ${uniqueIds.length} IDs, more than the ${options.maxBatchSize} allowed`);
    }
    const cluster = requireCluster(zone, clusterId);
    if (isAnswer(cluster)) return cluster;
    const missing = uniqueIds.filter((id) => !cluster.has(id));
    if (missing.length > 0) return ehpcError(2100, `resource [${missing.join(", ")}] not found`);
    return { cluster, targets: uniqueIds.map((id) => jobs.store.settle(cluster.get(id)!)) };
  }

  /** ret_code 5000 naming the jobs a test made fail, or undefined. */
  function injectedFailure(failed: readonly string[], verb: string): ApiAnswer | undefined {
    return failed.length === 0 ? undefined : ehpcError(5000, `failed to ${verb} job ${failed.join("; ")}`);
  }

  function stopJobs(request: ApiRequest): ApiAnswer {
    const checked = batch(request);
    if (isAnswer(checked)) return checked;
    const failed: string[] = [];
    for (const job of checked.targets) {
      const injected = options.jobFailure("ehpc.stop", job.uuid);
      if (injected !== undefined) {
        failed.push(`[${job.uuid}]: ${injected}`);
        continue;
      }
      if (isActive(job.status)) jobs.stop(job); // one that has already ended needs nothing
    }
    return injectedFailure(failed, "stop") ?? { status: 200, body: { action: "HpcJobStopJobsResponse", ret_code: 0 } };
  }

  function deleteJobs(request: ApiRequest): ApiAnswer {
    const checked = batch(request);
    if (isAnswer(checked)) return checked;
    const active = checked.targets.filter((job) => isActive(job.status));
    if (active.length > 0) {
      const described = active.map((job) => `${job.uuid} (${job.status}${job.stopRequested ? ", stopping" : ""})`).join(", ");
      return ehpcError(1400, `job [${described}] is running: stop it first`);
    }
    const failed: string[] = [];
    for (const job of checked.targets) {
      const injected = options.jobFailure("ehpc.delete", job.uuid);
      if (injected !== undefined) failed.push(`[${job.uuid}]: ${injected}`);
      else if (!options.lieOnDelete("ehpc.delete", job.uuid)) checked.cluster.delete(job.uuid);
    }
    return injectedFailure(failed, "delete") ?? { status: 200, body: { action: "HpcJobDeleteJobsResponse", ret_code: 0 } };
  }

  const addCluster = (zone: string, clusterId: string) => jobs.addCluster(zone, clusterId);
  const seed = (zone: string, clusterId: string, seeds: readonly EhpcJobSeed[]) => jobs.seed(zone, clusterId, seeds);
  const list = (zone?: string, clusterId?: string) => jobs.views(zone, clusterId);
  return {
    service: "ehpc",
    routes: [
      { op: "ehpc.list", method: "GET", path: /^\/api\/job\/list$/, admit, handle: listJobs },
      { op: "ehpc.detail", method: "GET", path: /^\/api\/job\/jobdetail\/(?<jobId>[^/]+)$/, admit, handle: jobDetail },
      { op: "ehpc.stop", method: "POST", path: /^\/api\/job\/stopJobs$/, admit, handle: stopJobs },
      { op: "ehpc.delete", method: "POST", path: /^\/api\/job\/deleteJobs$/, admit, handle: deleteJobs },
    ],
    adminRoutes: [
      ...jobAdminRoutes(
        "/__admin/ehpc/jobs",
        { schema: adminSeedSchema, run: ({ zone, clusterId, jobs: seeds }) => ({ jobIds: seed(zone, clusterId, seeds) }) },
        (query) => ({ jobs: list(query.get("zone") ?? undefined, query.get("clusterId") ?? undefined) }),
      ),
      clusterAdminRoute("/__admin/ehpc/clusters", z.object({ zone: z.string(), clusterId: z.string() }), ({ zone, clusterId }) => addCluster(zone, clusterId)),
    ],
    jobFaultOps: ["ehpc.stop", "ehpc.delete"],
    lyingDeleteOps: ["ehpc.delete"],
    // The cluster a successful list answer read, for list churn. Errors are HTTP 200 too: only ret_code 0 is a listing.
    listCollection: (_op, request, answer) =>
      (answer.body as { ret_code?: unknown } | undefined)?.ret_code === 0
        ? jobs.collection([request.query.get("zone") ?? "", request.query.get("cluster_id") ?? ""])
        : undefined,
    setJobStatus: (jobId, status, where) => jobs.setJobStatus(jobId, status, where),
    faultBody: (status) => ehpcFaultBody(status),
    reset: () => {
      jobs.reset();
      gateway.reset();
    },
    addCluster,
    seed,
    list,
  };
}

const adminSeedSchema = z.object({
  zone: z.string(),
  clusterId: z.string(),
  jobs: z
    .array(
      z.object({
        jobId: z.string().optional(),
        status: z.string().min(1).optional(),
        name: z.string().optional(),
        queue: z.string().optional(),
        stopDelayMs: z.number().nonnegative().nullable().optional(),
      }),
    )
    .default([]),
});
