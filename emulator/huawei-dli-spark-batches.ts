/**
 * What a DLI Spark batch is in the emulator and how it moves: its states (stored exactly as given, in any letter
 * case), a cancel that leaves it `dead` after a delay, seeding with UUIDs, and the views the admin API lists. One
 * collection per project, batches in creation order.
 */
import { randomUUID } from "node:crypto";
import { invalidProjectIdReason } from "./huawei-gateway";
import { JobStore, type Place, seedId, seedStopDelay, seedText } from "./job-store";
import type { JobLocation, ListCollection } from "./service";

/**
 * The documented states. Seeds may use any letter case ("Success" appears in Huawei's examples), and any other
 * state: one outside this list behaves as running (a cancel moves it to `dead` after the delay).
 */
export const SPARK_STATES = ["starting", "running", "dead", "success", "recovering"] as const;
export type SparkState = (typeof SPARK_STATES)[number];
/** Time a cancelled batch takes to reach `dead`, in ms. */
export const DEFAULT_SPARK_CANCEL_DELAY_MS = 50;

const CANCELLABLE_STATES: ReadonlySet<string> = new Set(["starting", "running", "recovering"]);
const isSparkState = (state: string) => (SPARK_STATES as readonly string[]).includes(state.toLowerCase());
export const isCancellable = (state: string) => CANCELLABLE_STATES.has(state.toLowerCase()) || !isSparkState(state);
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface SparkBatchSeed {
  /** A UUID; a random v4 UUID when absent. */
  id?: string;
  /** Any non-empty string, stored as given (SPARK_STATES in any letter case, or a state DLI may add). Default "running". */
  state?: string;
  name?: string;
  queue?: string;
  /** Overrides the emulator's sparkCancelDelayMs for this batch; `null` = its cancel never completes. */
  cancelDelayMs?: number | null;
  /** The same as `cancelDelayMs` (the name every kind's seed accepts); give one of the two. */
  stopDelayMs?: number | null;
}

export interface SparkBatchView {
  projectId: string;
  id: string;
  name: string;
  /** Exactly as stored: the seeded spelling until a cancel completes, then "dead". */
  state: string;
  queue: string;
  /** Whether a cancel was accepted for this batch. */
  cancelRequested: boolean;
  createTime: number;
}

/** `stopDelayMs` and `stopCompletesAt` time the cancel (the store's stop clock). */
export interface SparkBatch extends SparkBatchView {
  appId: string | null;
  updateTime: number;
  stopDelayMs?: number;
  stopCompletesAt?: number;
}

export class SparkBatches {
  private readonly store: JobStore<SparkBatch>;
  private appCounter = 0;

  constructor(private readonly options: { now: () => number; cancelDelayMs: number }) {
    this.store = new JobStore<SparkBatch>({
      now: options.now,
      stopDelayMs: options.cancelDelayMs,
      completeStop: (batch, at) => {
        batch.state = "dead";
        batch.updateTime = at;
      },
    });
  }

  /** The project's batches as time has left them, oldest first. */
  settled(projectId: string): SparkBatch[] {
    return this.store.settled(this.store.jobs(placeOf(projectId), true));
  }

  find(projectId: string, batchId: string): SparkBatch | undefined {
    return this.store.find(placeOf(projectId), batchId);
  }

  /** Cancels a running batch: it keeps its state for the cancel delay (Livy has no "cancelling"), then is dead. */
  cancel(batch: SparkBatch): void {
    batch.cancelRequested = true;
    this.store.beginStop(batch);
  }

  seed(projectId: string, seeds: readonly SparkBatchSeed[]): string[] {
    const reason = invalidProjectIdReason(projectId);
    if (reason !== undefined) throw new RangeError(`seedSparkBatches: ${reason}`);
    return this.store.seed(placeOf(projectId), seeds, {
      id: (batchSeed, index, taken) =>
        seedId(batchSeed.id, { where: `seedSparkBatches: batches[${index}].id`, pattern: UUID_PATTERN, expected: "is not a UUID" }, randomUUID, taken),
      duplicate: (id) => `seedSparkBatches: batch ${id} already exists in project ${projectId}`,
      job: (batchSeed, index, id) => this.batchFrom(projectId, id, batchSeed, index),
    });
  }

  setJobStatus(batchId: string, state: string, where: JobLocation): void {
    const batch = this.store.only("dli-spark", batchId, where.projectId, undefined, (match) => `project ${match.projectId}`);
    batch.state = state;
    batch.updateTime = this.options.now();
    this.store.dropStop(batch);
  }

  /** The project's batches as list churn sees them: the list is newest first by creation, so a batch created now heads it. */
  collection(projectId: string): ListCollection {
    return this.store.listCollection(`dli-spark project ${projectId}`, placeOf(projectId), (names) => this.seed(projectId, names.map((name) => ({ name }))));
  }

  views(projectId?: string): SparkBatchView[] {
    return this.store.views(
      ({ id, name, state, queue, cancelRequested, createTime }, [batchesProjectId]) => ({ projectId: batchesProjectId, id, name, state, queue, cancelRequested, createTime }),
      projectId,
    );
  }

  reset(): void {
    this.store.clear();
    this.appCounter = 0;
  }

  private batchFrom(projectId: string, id: string, batchSeed: SparkBatchSeed, index: number): SparkBatch {
    const state = seedText(batchSeed.state, "running", `seedSparkBatches: batches[${index}].state`);
    const stopDelayMs = seedStopDelay(batchSeed, "cancelDelayMs", `seedSparkBatches: batches[${index}]`);
    const createTime = this.options.now();
    const starting = state.toLowerCase() === "starting";
    const batch: SparkBatch = {
      projectId,
      id,
      name: batchSeed.name ?? `spark-batch-${id.slice(0, 8)}`,
      state,
      queue: batchSeed.queue ?? "default",
      appId: starting ? null : `application_${createTime}_${String(++this.appCounter).padStart(4, "0")}`,
      createTime,
      updateTime: createTime,
      cancelRequested: false,
    };
    if (stopDelayMs !== undefined) batch.stopDelayMs = stopDelayMs;
    return batch;
  }
}

function placeOf(projectId: string): Place {
  return [projectId, ""];
}
