/**
 * What a DLI Flink job is in the emulator and how it moves: its statuses, a stop (with or without a savepoint) that
 * completes after a delay, seeding with Long IDs (auto IDs start above 2^53), and the views the admin API lists.
 * One collection per project, jobs keyed by their decimal ID: no call sees another project's jobs.
 */
import { invalidProjectIdReason } from "./huawei-gateway";
import { seedJobId } from "./huawei-dli-flink-job-ids";
import { JobStore, type Place, seedStopDelay, seedText } from "./job-store";
import type { JobLocation, ListCollection } from "./service";

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
export const isStoppable = (status: string) => STOPPABLE_STATUSES.has(status) || !KNOWN_STATUSES.has(status);

/** 2^53 + 1: the first ID a double cannot hold, so a client that loses Long precision is caught at once. */
export const FIRST_AUTO_FLINK_JOB_ID = 9007199254740993n;

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

export interface FlinkJob {
  projectId: string;
  jobId: bigint;
  name: string;
  queue: string;
  status: string;
  createTime: number;
  savepoint: boolean;
  savepointPath: string | null;
  stopDelayMs?: number;
  stopCompletesAt?: number;
}

/** Where a completed savepoint lands by default: a per-job OBS path (DLI's real layout is unverified). */
export function defaultFlinkSavepointPath(jobId: string): string {
  return `obs://jobsets-emulator-savepoints/flink/${jobId}/savepoint-1`;
}

export interface FlinkJobsOptions {
  now: () => number;
  /** Time a stopping job takes to reach job_cancel_success, in ms (a job's own `stopDelayMs` overrides it). */
  stopDelayMs: number;
  /** The `savepoint_path` a stop with a savepoint leaves on the job once it completes; null = none. */
  savepointPath: (jobId: string) => string | null;
}

export class FlinkJobs {
  private readonly store: JobStore<FlinkJob>;
  private nextAutoJobId = FIRST_AUTO_FLINK_JOB_ID;

  constructor(private readonly options: FlinkJobsOptions) {
    this.store = new JobStore<FlinkJob>({
      now: options.now,
      stopDelayMs: options.stopDelayMs,
      completeStop: (job) => {
        job.status = "job_cancel_success";
        if (job.savepoint) job.savepointPath = options.savepointPath(job.jobId.toString());
      },
    });
  }

  /** The project's jobs as time has left them, in seeding order. */
  settled(projectId: string): FlinkJob[] {
    return this.store.settled(this.of(projectId));
  }

  find(projectId: string, jobId: bigint): FlinkJob | undefined {
    return this.store.find(placeOf(projectId), jobId.toString());
  }

  /** Stops a stoppable job: job_savepointing with a savepoint, else job_canceling; job_cancel_success after the delay. */
  stop(job: FlinkJob, triggerSavepoint: boolean): void {
    job.status = triggerSavepoint ? "job_savepointing" : "job_canceling";
    if (triggerSavepoint) job.savepoint = true;
    this.store.beginStop(job);
  }

  delete(projectId: string, jobId: bigint): void {
    this.of(projectId).delete(jobId.toString());
  }

  seed(projectId: string, seeds: readonly FlinkJobSeed[]): string[] {
    const reason = invalidProjectIdReason(projectId);
    if (reason !== undefined) throw new RangeError(`seedFlinkJobs: ${reason}`);
    return this.store.seed(placeOf(projectId), seeds, {
      id: (jobSeed, index, taken) => (jobSeed.jobId === undefined ? this.nextFreeJobId(taken) : seedJobId(jobSeed.jobId, index)).toString(),
      duplicate: (key) => `seedFlinkJobs: job ${key} already exists in project ${projectId}`,
      job: (jobSeed, index, key) => {
        const status = seedText(jobSeed.status, "job_running", `seedFlinkJobs: jobs[${index}].status`);
        const job: FlinkJob = {
          projectId,
          jobId: BigInt(key),
          name: jobSeed.name ?? `flink-job-${key}`,
          queue: jobSeed.queue ?? "default",
          status,
          createTime: this.options.now(),
          savepoint: false,
          savepointPath: null,
        };
        const stopDelayMs = seedStopDelay(jobSeed, "stopDelayMs", `seedFlinkJobs: jobs[${index}]`);
        if (stopDelayMs !== undefined) job.stopDelayMs = stopDelayMs;
        this.enterStatus(job, status);
        return job;
      },
    });
  }

  setJobStatus(jobId: string, status: string, where: JobLocation): void {
    this.enterStatus(this.store.only("dli-flink", jobId, where.projectId, undefined, (job) => `project ${job.projectId}`), status);
  }

  /** The project's jobs as list churn sees them: newest = the highest job_id (the list is in descending job_id order). */
  collection(projectId: string): ListCollection {
    const jobs = this.of(projectId);
    return this.store.listCollection(`dli-flink project ${projectId}`, placeOf(projectId), (names) =>
      names.map((name) => {
        let highest = this.nextAutoJobId - 1n;
        for (const job of jobs.values()) if (job.jobId > highest) highest = job.jobId;
        return this.seed(projectId, [{ jobId: highest + 1n, name }])[0]!;
      }),
    );
  }

  views(projectId?: string): FlinkJobView[] {
    return this.store.views(
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

  reset(): void {
    this.store.clear();
    this.nextAutoJobId = FIRST_AUTO_FLINK_JOB_ID;
  }

  /** The project's collection, made empty first if the project has none. */
  private of(projectId: string): Map<string, FlinkJob> {
    return this.store.jobs(placeOf(projectId), true);
  }

  /** Puts the job in `status`; a stopping status completes after the job's stop delay, as a stop's would. */
  private enterStatus(job: FlinkJob, status: string): void {
    job.status = status;
    this.store.dropStop(job);
    if (STOPPING_STATUSES.has(status)) this.store.beginStop(job);
  }

  /** Skips IDs a test seeded explicitly in this project, or earlier in the same seed call. */
  private nextFreeJobId(taken: (id: string) => boolean): bigint {
    while (taken(this.nextAutoJobId.toString())) this.nextAutoJobId++;
    return this.nextAutoJobId++;
  }
}

function placeOf(projectId: string): Place {
  return [projectId, ""];
}
