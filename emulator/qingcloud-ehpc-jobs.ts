/**
 * What an EHPC job is in the emulator and how it moves: its statuses, its two IDs (the `hpcjob_uuid` calls take and
 * the scheduler's `job_id`), a stop that shows `stopped` after a delay, clusters (a call naming a cluster never added
 * answers 2100), seeding, and the views the admin API lists. One collection per cluster of a zone, jobs keyed by
 * hpcjob_uuid; a cluster exists once added, with or without jobs.
 */
import { randomInt } from "node:crypto";
import { JobStore, type Place, seedId, seedStopDelay, seedText } from "./job-store";
import type { JobLocation, ListCollection } from "./service";

export const EHPC_JOB_STATUSES = ["pending", "running", "finished", "exited", "cancelled", "stopped"] as const;
export type EhpcJobStatus = (typeof EHPC_JOB_STATUSES)[number];
/** Time a stopped job takes to show `stopped`, in ms. */
export const DEFAULT_EHPC_STOP_DELAY_MS = 50;
/** `hpcjob_uuid`: what stopJobs/deleteJobs take. */
export const EHPC_JOB_ID_PATTERN = /^hpcjob-[a-z0-9]{8}$/;
/** The first scheduler `job_id` the emulator hands out (a string of digits on the wire). */
export const FIRST_EHPC_SCHEDULER_JOB_ID = 1547554;

const ACTIVE_STATUSES: ReadonlySet<string> = new Set(["pending", "running"]);
const KNOWN_STATUSES: ReadonlySet<string> = new Set(EHPC_JOB_STATUSES);
/** A status outside EHPC_JOB_STATUSES counts as active: stopJobs applies to it and deleteJobs refuses it (1400). */
export const isActive = (status: string) => ACTIVE_STATUSES.has(status) || !KNOWN_STATUSES.has(status);
const NAME_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
const ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

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
export interface EhpcJob extends Omit<EhpcJobView, "jobId"> {
  uuid: string;
  endTime?: number;
  stopDelayMs?: number;
  stopCompletesAt?: number;
  order: number;
}

export class EhpcJobs {
  /** The jobs themselves: lookups (`jobs`, a cluster never added is undefined) and `settle`/`settled` go straight to it. */
  readonly store: JobStore<EhpcJob>;
  private nextSchedulerJobId = FIRST_EHPC_SCHEDULER_JOB_ID;
  private seedOrder = 0;

  constructor(private readonly options: { now: () => number; stopDelayMs: number }) {
    this.store = new JobStore<EhpcJob>({
      now: options.now,
      stopDelayMs: options.stopDelayMs,
      // A job that ended on its own meanwhile keeps its end.
      completeStop: (job, at) => {
        if (!isActive(job.status)) return;
        job.status = "stopped";
        job.endTime = at;
      },
    });
  }

  /** Stops an active job: it keeps showing pending/running for the stop delay, then shows `stopped`. */
  stop(job: EhpcJob): void {
    job.stopRequested = true;
    this.store.beginStop(job);
  }

  addCluster(zone: string, clusterId: string): void {
    if (!NAME_PATTERN.test(zone)) throw new RangeError(`EHPC zone '${zone}' must match ${NAME_PATTERN}`);
    if (!NAME_PATTERN.test(clusterId)) throw new RangeError(`EHPC cluster ID '${clusterId}' must match ${NAME_PATTERN}`);
    this.store.jobs([zone, clusterId], true);
  }

  seed(zone: string, clusterId: string, seeds: readonly EhpcJobSeed[]): string[] {
    this.addCluster(zone, clusterId);
    return this.store.seed([zone, clusterId], seeds, {
      id: (jobSeed, index, taken) =>
        seedId(jobSeed.jobId, { where: `seedEhpcJobs: jobs[${index}].jobId`, pattern: EHPC_JOB_ID_PATTERN, expected: `must match ${EHPC_JOB_ID_PATTERN}` }, freshUuid, taken),
      duplicate: (uuid) => `seedEhpcJobs: job ${uuid} already exists in cluster ${clusterId} (zone ${zone})`,
      job: (jobSeed, index, uuid) => this.jobFrom(zone, clusterId, uuid, jobSeed, index),
    });
  }

  setJobStatus(jobId: string, status: string, where: JobLocation): void {
    const job = this.store.only("ehpc", jobId, where.zone, where.clusterId, (match) => `cluster ${match.clusterId} in zone ${match.zone}`);
    job.status = status;
    if (isActive(status)) delete job.endTime;
    else job.endTime = this.options.now();
    this.store.dropStop(job);
  }

  /** The cluster as list churn sees it: a job submitted now heads the newest-first list. */
  collection(place: Place): ListCollection {
    const [zone, clusterId] = place;
    return this.store.listCollection(`ehpc cluster ${clusterId} in zone ${zone}`, place, (names) => this.seed(zone, clusterId, names.map((name) => ({ name }))));
  }

  views(zone?: string, clusterId?: string): EhpcJobView[] {
    return this.store.views(
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

  reset(): void {
    this.store.clear();
    this.nextSchedulerJobId = FIRST_EHPC_SCHEDULER_JOB_ID;
    this.seedOrder = 0;
  }

  private jobFrom(zone: string, clusterId: string, uuid: string, jobSeed: EhpcJobSeed, index: number): EhpcJob {
    const status = seedText(jobSeed.status, "running", `seedEhpcJobs: jobs[${index}].status`);
    const stopDelayMs = seedStopDelay(jobSeed, "stopDelayMs", `seedEhpcJobs: jobs[${index}]`);
    const submitTime = this.options.now();
    const job: EhpcJob = {
      zone,
      clusterId,
      uuid,
      schedulerJobId: String(this.nextSchedulerJobId++),
      name: jobSeed.name ?? `ehpc-job-${uuid.slice(7)}`,
      queue: jobSeed.queue ?? "default",
      status,
      submitTime,
      stopRequested: false,
      order: ++this.seedOrder,
    };
    if (!isActive(status)) job.endTime = submitTime;
    if (stopDelayMs !== undefined) job.stopDelayMs = stopDelayMs;
    return job;
  }
}

function freshUuid(): string {
  return `hpcjob-${Array.from({ length: 8 }, () => ID_ALPHABET[randomInt(ID_ALPHABET.length)]).join("")}`;
}
