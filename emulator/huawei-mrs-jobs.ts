/**
 * What an MRS job execution is in the emulator and how it moves: its states and results, a kill that ends it KILLED
 * after a delay, clusters (a call naming a cluster never added answers 12000003), seeding, and the views the admin
 * API lists. One collection per cluster of a project; a cluster exists once added, with or without jobs.
 */
import { randomUUID } from "node:crypto";
import { invalidProjectIdReason } from "./huawei-gateway";
import { JobStore, type Place, seedId, seedStopDelay, seedText } from "./job-store";
import type { JobLocation, ListCollection } from "./service";

export const MRS_JOB_STATES = ["NEW", "NEW_SAVING", "SUBMITTED", "ACCEPTED", "RUNNING", "FINISHED", "FAILED", "KILLED"] as const;
export type MrsJobState = (typeof MRS_JOB_STATES)[number];
export const MRS_JOB_RESULTS = ["UNDEFINED", "SUCCEEDED", "FAILED", "KILLED"] as const;
export type MrsJobResult = (typeof MRS_JOB_RESULTS)[number];

/** Time a killed job takes to reach KILLED, in ms. */
export const DEFAULT_MRS_KILL_DELAY_MS = 50;

const ACTIVE_STATES: ReadonlySet<string> = new Set(["NEW", "NEW_SAVING", "SUBMITTED", "ACCEPTED", "RUNNING"]);
const KNOWN_STATES: ReadonlySet<string> = new Set(MRS_JOB_STATES);
/** A state outside MRS_JOB_STATES counts as active: a kill applies to it and batch delete refuses it (0183). */
export const isActive = (state: string) => ACTIVE_STATES.has(state) || !KNOWN_STATES.has(state);
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

/** `stopDelayMs` and `stopCompletesAt` time the kill (the store's stop clock). */
export interface MrsJob extends MrsJobView {
  finishedTime: number;
  stopDelayMs?: number;
  stopCompletesAt?: number;
  /** Seeding order, to keep pages stable when submitted times tie. */
  order: number;
}

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

export class MrsJobs {
  /** The jobs themselves: lookups (`jobs`, a cluster never added is undefined) and `settle`/`settled` go straight to it. */
  readonly store: JobStore<MrsJob>;
  private seedOrder = 0;

  constructor(private readonly options: { now: () => number; killDelayMs: number }) {
    this.store = new JobStore<MrsJob>({
      now: options.now,
      stopDelayMs: options.killDelayMs,
      // A job that ended on its own meanwhile keeps its end.
      completeStop: (job, at) => {
        if (!isActive(job.state)) return;
        job.state = "KILLED";
        job.result = "KILLED";
        job.finishedTime = at;
      },
    });
  }

  /** Kills an active job: it keeps its state for the kill delay, then ends KILLED / KILLED. */
  kill(job: MrsJob): void {
    job.killRequested = true;
    this.store.beginStop(job);
  }

  addCluster(projectId: string, clusterId: string): void {
    const reason = invalidProjectIdReason(projectId);
    if (reason !== undefined) throw new RangeError(`addMrsCluster: ${reason}`);
    if (!CLUSTER_ID_PATTERN.test(clusterId)) throw new RangeError(`addMrsCluster: cluster ID '${clusterId}' must match ${CLUSTER_ID_PATTERN}`);
    this.store.jobs([projectId, clusterId], true);
  }

  seed(projectId: string, clusterId: string, seeds: readonly MrsJobSeed[]): string[] {
    this.addCluster(projectId, clusterId);
    return this.store.seed([projectId, clusterId], seeds, {
      id: (jobSeed, index, taken) =>
        seedId(jobSeed.jobId, { where: `seedMrsJobs: jobs[${index}].jobId`, pattern: JOB_ID_PATTERN, expected: `must match ${JOB_ID_PATTERN}` }, randomUUID, taken),
      duplicate: (jobId) => `seedMrsJobs: job ${jobId} already exists in cluster ${clusterId}`,
      job: (jobSeed, index, jobId) => this.jobFrom(projectId, clusterId, jobId, jobSeed, index),
    });
  }

  setJobStatus(jobId: string, state: string, where: JobLocation): void {
    const job = this.store.only("mrs", jobId, where.projectId, where.clusterId, (match) => `cluster ${match.clusterId} of project ${match.projectId}`);
    job.state = state;
    job.result = defaultResult(state);
    job.finishedTime = isActive(state) ? 0 : this.options.now();
    this.store.dropStop(job);
  }

  /** The cluster as list churn sees it: a job submitted now is the newest (the head of the default, desc, order). */
  collection(place: Place): ListCollection {
    const [projectId, clusterId] = place;
    return this.store.listCollection(`mrs cluster ${clusterId} of project ${projectId}`, place, (names) =>
      this.seed(projectId, clusterId, names.map((name) => ({ name }))),
    );
  }

  views(projectId?: string, clusterId?: string): MrsJobView[] {
    return this.store.views(
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

  reset(): void {
    this.store.clear();
    this.seedOrder = 0;
  }

  private jobFrom(projectId: string, clusterId: string, jobId: string, jobSeed: MrsJobSeed, index: number): MrsJob {
    const state = seedText(jobSeed.state, "RUNNING", `seedMrsJobs: jobs[${index}].state`);
    const result = seedText(jobSeed.result, defaultResult(state), `seedMrsJobs: jobs[${index}].result`);
    const stopDelayMs = seedStopDelay(jobSeed, "killDelayMs", `seedMrsJobs: jobs[${index}]`);
    const submittedTime = this.options.now();
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
      order: ++this.seedOrder,
    };
    if (stopDelayMs !== undefined) job.stopDelayMs = stopDelayMs;
    return job;
  }
}
