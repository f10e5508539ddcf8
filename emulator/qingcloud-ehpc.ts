/**
 * QingCloud EHPC jobs (`/api/job/...`), per /work/shared/reference/qingcloud-ehpc.md and the deleteJobs document
 * (https://docs.qingcloud.com/product/compute/hpc/api/job/delete_jobs). EHPC has its own signature (see
 * qingcloud-signature.ts): no Huawei gateway in front of it.
 *
 * Quirks reproduced on purpose: every answer is HTTP 200, errors included: `{"ret_code":<int>,"message":"<Name>, <detail>"}`
 * (HTTP codes are unverified; clients must read ret_code); `zone` travels in the query for GET and in the JSON body
 * for POST; batch answers carry no per-job elements, so one bad job fails the whole call.
 *
 * Choices where the reference says "unverified" (see README.md):
 * - deleteJobs refuses a job that is pending or running (a stop still under way included) with ret_code 1400
 *   "PermissionDenied, job [...] is running: stop it first", deleting nothing: clients that skip stopJobs are caught;
 * - unknown IDs in stopJobs/deleteJobs → ret_code 2100 naming them, nothing changes; an ID that isn't
 *   `hpcjob-xxxxxxxx` → 1100 (catches clients that send the scheduler's job_id);
 * - stopJobs on a job that has already ended is a no-op (ret_code 0); a stopped job keeps showing pending/running
 *   for `ehpcStopDelayMs`, then shows `stopped`;
 * - failJobs(): the call answers ret_code 5000 naming the job(s); the OTHER jobs in the call are processed;
 * - list: limit 1-100 (default 20), offset counts records, newest first; an unknown cluster → 2100.
 */
import { randomInt } from "node:crypto";
import { z } from "zod";
import { parseJsonExact } from "./exact-json";
import { type QingCloudCredential, formatEhpcTimestamp, verifyEhpcSignature } from "./qingcloud-signature";
import { JobStore, type Place, seedText } from "./job-store";
import { type Admission, type ApiAnswer, type ApiRequest, type JobLocation, type ListCollection, type ServiceModule, clusterAdminRoute, isAnswer, jobAdminRoutes, readIntegerParam, seedStopDelay } from "./service";

export const EHPC_JOB_STATUSES = ["pending", "running", "finished", "exited", "cancelled", "stopped"] as const;
export type EhpcJobStatus = (typeof EHPC_JOB_STATUSES)[number];
/** Public, emulator-only test credentials (not real QingCloud keys). */
export const DEFAULT_QINGCLOUD_ACCESS_KEY_ID = "JOBSETSEMULATORQYAK1";
export const DEFAULT_QINGCLOUD_SECRET_ACCESS_KEY = "jobsetsEmulatorOnlyQingCloudSecretKey001";
/** Time a stopped job takes to show `stopped`, in ms. */
export const DEFAULT_EHPC_STOP_DELAY_MS = 50;
export const EHPC_LIST_DEFAULT_LIMIT = 20;
export const EHPC_LIST_MAX_LIMIT = 100;
/** `hpcjob_uuid`: what stopJobs/deleteJobs take. */
export const EHPC_JOB_ID_PATTERN = /^hpcjob-[a-z0-9]{8}$/;
/** The first scheduler `job_id` the emulator hands out (a string of digits on the wire). */
export const FIRST_EHPC_SCHEDULER_JOB_ID = 1547554;
const HOUR_MS = 3_600_000;

const ACTIVE_STATUSES: ReadonlySet<string> = new Set(["pending", "running"]);
const KNOWN_STATUSES: ReadonlySet<string> = new Set(EHPC_JOB_STATUSES);
/** A status outside EHPC_JOB_STATUSES counts as active: stopJobs applies to it and deleteJobs refuses it (1400). */
const isActive = (status: string) => ACTIVE_STATUSES.has(status) || !KNOWN_STATUSES.has(status);
const NAME_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
const ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

/** The error names in EHPC messages ("<Name>, <detail>"), by ret_code. */
export const EHPC_ERROR_NAMES = {
  1100: "InvalidParameter",
  1101: "MissingParameter",
  1200: "AuthFailure",
  1300: "RequestExpired",
  1400: "PermissionDenied",
  2100: "ResourceNotFound",
  2500: "QuotaExceeded",
  5000: "InternalError",
  5100: "ServerBusy",
} as const;
type RetCode = keyof typeof EHPC_ERROR_NAMES;

export interface EhpcJobSeed {
  /** `hpcjob-` + 8 lowercase letters/digits; random when absent. */
  jobId?: string;
  /** Default running. Any non-empty string: one outside EHPC_JOB_STATUSES behaves as running (stopJobs ends it `stopped`). */
  status?: EhpcJobStatus | (string & {});
  name?: string;
  /** `queue_name` in the list and the detail. Default "default". */
  queue?: string;
  /** Overrides the emulator's ehpcStopDelayMs for this job; `null` = its stop never completes. */
  stopDelayMs?: number | null;
}

export interface EhpcJobView {
  zone: string;
  clusterId: string;
  /** The `hpcjob_uuid`. */
  jobId: string;
  /** The scheduler's number (`job_id` on the wire). */
  schedulerJobId: string;
  name: string;
  queue: string;
  status: string;
  /** Whether a stopJobs was accepted for this job. */
  stopRequested: boolean;
  submitTime: number;
}

/** The view's `jobId` is kept as `uuid`: EHPC's other ID, the scheduler's, sits beside it. */
interface EhpcJob extends Omit<EhpcJobView, "jobId"> {
  uuid: string;
  endTime?: number;
  stopDelayMs?: number;
  stopCompletesAt?: number;
  order: number;
}

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

/** An EHPC error: HTTP 200, the ret_code and "<Name>, <detail>". */
export function ehpcError(retCode: RetCode, detail: string): ApiAnswer {
  return { status: 200, body: { ret_code: retCode, message: `${EHPC_ERROR_NAMES[retCode]}, ${detail}` } };
}

export function createEhpcModule(options: EhpcOptions): EhpcModule {
  const { now } = options;
  const credentials = new Map(options.credentials.map((credential) => [credential.accessKeyId, { ...credential }]));
  /** One collection per cluster of a zone, jobs keyed by hpcjob_uuid; a cluster exists once added, with or without jobs. */
  const store = new JobStore<EhpcJob>({ idOf: (job) => job.uuid, settle });
  /** Emulator-clock times of the calls the quota counted, oldest first. */
  let quotaCalls: number[] = [];
  let nextSchedulerJobId = FIRST_EHPC_SCHEDULER_JOB_ID;
  let seedOrder = 0;

  function settle(job: EhpcJob): EhpcJob {
    if (job.stopCompletesAt !== undefined && now() >= job.stopCompletesAt) {
      if (isActive(job.status)) {
        job.status = "stopped";
        job.endTime = job.stopCompletesAt;
      }
      delete job.stopCompletesAt;
    }
    return job;
  }

  const admit = (request: ApiRequest): Admission => {
    const verdict = verifyEhpcSignature({ method: request.method, url: request.rawUrl, body: request.rawBody }, (id) => credentials.get(id), now());
    if (!verdict.valid) return { admitted: false, answer: { status: 200, body: { ret_code: verdict.retCode, message: verdict.message } } };
    if (options.quotaPerHour !== undefined) {
      const current = now();
      quotaCalls = quotaCalls.filter((at) => at > current - HOUR_MS);
      if (quotaCalls.length >= options.quotaPerHour) {
        return { admitted: false, answer: ehpcError(2500, `API calls exceed the quota of ${options.quotaPerHour} requests per hour`) };
      }
      quotaCalls.push(current);
    }
    return { admitted: true, authenticatedAs: verdict.accessKeyId };
  };

  function requireCluster(zone: string, clusterId: string): Map<string, EhpcJob> | ApiAnswer {
    return store.jobs([zone, clusterId]) ?? ehpcError(2100, `resource [${clusterId}] not found in zone [${zone}]`);
  }

  /** `cluster_id` and `zone` from the query (GET calls). */
  function queryCluster(request: ApiRequest): Map<string, EhpcJob> | ApiAnswer {
    for (const name of ["cluster_id", "zone"]) {
      if (!request.query.get(name)) return ehpcError(1101, `parameter [${name}] is required`);
    }
    return requireCluster(request.query.get("zone")!, request.query.get("cluster_id")!);
  }

  function listJobs(request: ApiRequest): ApiAnswer {
    const jobs = queryCluster(request);
    if (isAnswer(jobs)) return jobs;
    const { query } = request;
    const limit = readIntegerParam(query, "limit", EHPC_LIST_DEFAULT_LIMIT);
    const offset = readIntegerParam(query, "offset", 0);
    if (limit === undefined || limit < 1 || limit > EHPC_LIST_MAX_LIMIT) {
      return ehpcError(1100, `parameter [limit] should be an integer from 1 to ${EHPC_LIST_MAX_LIMIT}, got [${query.get("limit")}]`);
    }
    if (offset === undefined) return ehpcError(1100, `parameter [offset] should be an integer ≥ 0, got [${query.get("offset")}]`);
    const statusFilter = query.get("job_status") || undefined;
    if (statusFilter !== undefined && !(EHPC_JOB_STATUSES as readonly string[]).includes(statusFilter)) {
      return ehpcError(1100, `parameter [job_status] should be one of ${EHPC_JOB_STATUSES.join(", ")}, got [${statusFilter}]`);
    }
    // `search_word` is a substring search (the reference), here over the job's name; `queue_name` is exact.
    const queueFilter = query.get("queue_name") || undefined;
    const searchWord = query.get("search_word") || undefined;
    const matching = store
      .settled(jobs)
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
    const jobs = queryCluster(request);
    if (isAnswer(jobs)) return jobs;
    const uuid = request.params.jobId ?? "";
    const job = jobs.get(uuid);
    if (!job) return ehpcError(2100, `resource [${uuid}] not found`);
    return { status: 200, body: { action: "HpcJobJobdetailResponse", hpc_job_set: [jobEntry(settle(job))], ret_code: 0 } };
  }

  /** Shared by stopJobs and deleteJobs: body, zone, cluster, IDs; all checks before any change. */
  function batch(request: ApiRequest): { jobs: Map<string, EhpcJob>; targets: EhpcJob[] } | ApiAnswer {
    let body: unknown;
    try {
      body = parseJsonExact(request.bodyText);
    } catch {
      return ehpcError(1100, "the request body is not valid JSON");
    }
    if (typeof body !== "object" || body === null || Array.isArray(body)) return ehpcError(1100, "the request body must be a JSON object");
    const fields = body as Record<string, unknown>;
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
    const jobs = requireCluster(zone, clusterId);
    if (isAnswer(jobs)) return jobs;
    const missing = uniqueIds.filter((id) => !jobs.has(id));
    if (missing.length > 0) return ehpcError(2100, `resource [${missing.join(", ")}] not found`);
    return { jobs, targets: uniqueIds.map((id) => settle(jobs.get(id)!)) };
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
      if (!isActive(job.status)) continue; // already ended: nothing to do
      job.stopRequested = true;
      job.stopCompletesAt ??= now() + (job.stopDelayMs ?? options.stopDelayMs);
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
      else if (!options.lieOnDelete("ehpc.delete", job.uuid)) checked.jobs.delete(job.uuid);
    }
    return injectedFailure(failed, "delete") ?? { status: 200, body: { action: "HpcJobDeleteJobsResponse", ret_code: 0 } };
  }

  function addCluster(zone: string, clusterId: string): void {
    if (!NAME_PATTERN.test(zone)) throw new RangeError(`EHPC zone '${zone}' must match ${NAME_PATTERN}`);
    if (!NAME_PATTERN.test(clusterId)) throw new RangeError(`EHPC cluster ID '${clusterId}' must match ${NAME_PATTERN}`);
    store.jobs([zone, clusterId], true);
  }

  function seed(zone: string, clusterId: string, seeds: readonly EhpcJobSeed[]): string[] {
    addCluster(zone, clusterId);
    return store.seed([zone, clusterId], seeds, {
      id: (jobSeed, index, taken) => {
        let uuid = jobSeed.jobId;
        if (uuid === undefined) {
          do uuid = `hpcjob-${Array.from({ length: 8 }, () => ID_ALPHABET[randomInt(ID_ALPHABET.length)]).join("")}`;
          while (taken(uuid));
        } else if (typeof uuid !== "string" || !EHPC_JOB_ID_PATTERN.test(uuid)) {
          throw new RangeError(`seedEhpcJobs: jobs[${index}].jobId '${String(uuid)}' must match ${EHPC_JOB_ID_PATTERN}`);
        }
        return uuid;
      },
      duplicate: (uuid) => `seedEhpcJobs: job ${uuid} already exists in cluster ${clusterId} (zone ${zone})`,
      job: (jobSeed, index, uuid) => jobFrom(zone, clusterId, uuid, jobSeed, index),
    });
  }

  function jobFrom(zone: string, clusterId: string, uuid: string, jobSeed: EhpcJobSeed, index: number): EhpcJob {
    const status = seedText(jobSeed.status, "running", `seedEhpcJobs: jobs[${index}].status`);
    const stopDelayMs = seedStopDelay(jobSeed, "stopDelayMs", `seedEhpcJobs: jobs[${index}]`);
    const submitTime = now();
    const job: EhpcJob = {
      zone,
      clusterId,
      uuid,
      schedulerJobId: String(nextSchedulerJobId++),
      name: jobSeed.name ?? `ehpc-job-${uuid.slice(7)}`,
      queue: jobSeed.queue ?? "default",
      status,
      submitTime,
      stopRequested: false,
      order: ++seedOrder,
    };
    if (!isActive(status)) job.endTime = submitTime;
    if (stopDelayMs !== undefined) job.stopDelayMs = stopDelayMs ?? Number.POSITIVE_INFINITY;
    return job;
  }

  function setJobStatus(jobId: string, status: string, where: JobLocation): void {
    const job = store.only("ehpc", jobId, where.zone, where.clusterId, (match) => `cluster ${match.clusterId} in zone ${match.zone}`);
    job.status = status;
    if (isActive(status)) delete job.endTime;
    else job.endTime = now();
    delete job.stopCompletesAt;
  }

  /** The cluster a successful list answer read, for list churn. */
  function listCollection(_op: string, request: ApiRequest, answer: ApiAnswer): ListCollection | undefined {
    // Errors are HTTP 200 too: only ret_code 0 is a listing.
    if ((answer.body as { ret_code?: unknown } | undefined)?.ret_code !== 0) return undefined;
    const place: Place = [request.query.get("zone") ?? "", request.query.get("cluster_id") ?? ""];
    const [zone, clusterId] = place;
    // Submitted now, so the head of the newest-first list.
    return store.listCollection(`ehpc cluster ${clusterId} in zone ${zone}`, place, (names) => seed(zone, clusterId, names.map((name) => ({ name }))));
  }

  function list(zone?: string, clusterId?: string): EhpcJobView[] {
    return store.views(
      ({ uuid, schedulerJobId, name, queue, status, stopRequested, submitTime }, [jobsZone, jobsClusterId]) => ({
        zone: jobsZone,
        clusterId: jobsClusterId,
        jobId: uuid,
        schedulerJobId,
        name,
        queue,
        status,
        stopRequested,
        submitTime,
      }),
      zone,
      clusterId,
    );
  }

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
        { schema: adminSeedSchema, run: ({ zone, clusterId, jobs }) => ({ jobIds: seed(zone, clusterId, jobs) }) },
        (query) => ({ jobs: list(query.get("zone") ?? undefined, query.get("clusterId") ?? undefined) }),
      ),
      clusterAdminRoute("/__admin/ehpc/clusters", z.object({ zone: z.string(), clusterId: z.string() }), ({ zone, clusterId }) => addCluster(zone, clusterId)),
    ],
    jobFaultOps: ["ehpc.stop", "ehpc.delete"],
    lyingDeleteOps: ["ehpc.delete"],
    listCollection,
    setJobStatus,
    faultBody: (status) => ehpcFaultBody(status),
    reset: () => {
      store.clear();
      quotaCalls = [];
      nextSchedulerJobId = FIRST_EHPC_SCHEDULER_JOB_ID;
      seedOrder = 0;
    },
    addCluster,
    seed,
    list,
  };
}

/** Injected faults keep EHPC's shape; the HTTP status is the fault's, the ret_code follows it (200 → 5000). */
function ehpcFaultBody(status: number): unknown {
  const [retCode, detail]: [RetCode, string] =
    status === 400
      ? [1100, "invalid request"]
      : status === 401
        ? [1200, "authentication failed"]
        : status === 403
          ? [1400, "permission denied"]
          : status === 404
            ? [2100, "resource not found"]
            : status === 429
              ? [2500, "too many requests, please try later"]
              : status === 503
                ? [5100, "server busy, please try later"]
                : [5000, "internal error, please try later"];
  return ehpcError(retCode, detail).body;
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
