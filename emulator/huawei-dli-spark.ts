/**
 * DLI Spark batch jobs (`/v2.0/{project_id}/batches...`), per /work/shared/reference/huawei-cloud.md ("DLI Spark
 * batch jobs") and the cancel API document (https://support.huaweicloud.com/api-dli/dli_02_0129.html). DLI's batch
 * API is Apache Livy's, so what no Huawei source settles follows Livy (list `from`/`size`, size 100 by default).
 *
 * Quirks reproduced on purpose: states are stored exactly as given, so a seeded `Success` or `Running` comes back in
 * that case (clients must compare case-insensitively); cancelling answers `{"msg":"deleted"}` although the batch is
 * not deleted, it only moves to `dead` later; a finished batch can't be cancelled (400); batch IDs are UUIDs.
 *
 * Choices where the reference says "unverified" (see README.md):
 * - cancelling a finished batch → 400 `{"error_code":"DLI.0001","error_msg":"The batch job <id> is already finished (state: <state>) and cannot be canceled."}`;
 * - an unknown batch → 400 DLI.0002 "The batch <id> does not exist." (state, detail and cancel alike);
 * - a batch ID that is not a UUID → 400 DLI.0001 (a parameter error, not "does not exist");
 * - during the cancel delay the batch keeps its state (Livy has no "cancelling"), then becomes `dead`.
 */
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { dliError, dliFaultBody, dliParameterError as parameterError, projectIdOf } from "./huawei-dli";
import { type HuaweiGateway, invalidProjectIdReason } from "./huawei-gateway";
import { JobStore, type Place, seedText } from "./job-store";
import { type ApiAnswer, type ApiRequest, type JobLocation, type ListCollection, type ServiceModule, jobAdminRoutes, readIntegerParam, seedStopDelay } from "./service";

/**
 * The documented states. Seeds may use any letter case ("Success" appears in Huawei's examples), and any other
 * state: one outside this list behaves as running (a cancel moves it to `dead` after the delay).
 */
export const SPARK_STATES = ["starting", "running", "dead", "success", "recovering"] as const;
export type SparkState = (typeof SPARK_STATES)[number];
/** Time a cancelled batch takes to reach `dead`, in ms. */
export const DEFAULT_SPARK_CANCEL_DELAY_MS = 50;
/** Livy's defaults: `from` 0, `size` 100. The emulator refuses sizes above SPARK_LIST_MAX_SIZE (unverified). */
export const SPARK_LIST_DEFAULT_SIZE = 100;
export const SPARK_LIST_MAX_SIZE = 1000;

const CANCELLABLE_STATES: ReadonlySet<string> = new Set(["starting", "running", "recovering"]);
const isCancellable = (state: string) => CANCELLABLE_STATES.has(state.toLowerCase()) || !isSparkState(state);
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

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

interface SparkBatch extends SparkBatchView {
  appId: string | null;
  updateTime: number;
  /** Per-batch cancel delay; Infinity = never completes. Undefined = the emulator default. */
  cancelDelayMs?: number;
  /** When a cancelled batch becomes dead (emulator clock). */
  cancelCompletesAt?: number;
}

export interface DliSparkModule extends ServiceModule {
  seed(projectId: string, batches: readonly SparkBatchSeed[]): string[];
  list(projectId?: string): SparkBatchView[];
}

export interface DliSparkOptions {
  gateway: HuaweiGateway;
  now: () => number;
  cancelDelayMs: number;
  /** The failJobs() message for this op and batch, if the test injected one. */
  jobFailure: (op: string, jobId: string) => string | undefined;
}

const missingBatchError = (batchId: string): ApiAnswer => dliError(400, "DLI.0002", `The batch ${batchId} does not exist.`);
const finishedBatchError = (batch: SparkBatch): ApiAnswer =>
  dliError(400, "DLI.0001", `The batch job ${batch.id} is already finished (state: ${batch.state}) and cannot be canceled.`);

export function isSparkState(state: string): boolean {
  return (SPARK_STATES as readonly string[]).includes(state.toLowerCase());
}

export function createDliSparkModule(options: DliSparkOptions): DliSparkModule {
  const { gateway, now } = options;
  /** One collection per project, batches in creation order. */
  const store = new JobStore<SparkBatch>({ idOf: (batch) => batch.id, settle });
  let appCounter = 0;
  const placeOf = (projectId: string): Place => [projectId, ""];
  const batchesOf = (projectId: string) => store.jobs(placeOf(projectId), true);

  /** Applies the passage of time: a cancelled batch whose delay is over is now dead. */
  function settle(batch: SparkBatch): SparkBatch {
    if (batch.cancelCompletesAt !== undefined && now() >= batch.cancelCompletesAt) {
      batch.state = "dead";
      batch.updateTime = batch.cancelCompletesAt;
      delete batch.cancelCompletesAt;
    }
    return batch;
  }

  const admit = (request: ApiRequest) => gateway.admitProject(request, parameterError);

  /** The batch the path names, or the error answer (non-UUID → DLI.0001, unknown → DLI.0002). */
  function pathBatch(request: ApiRequest): SparkBatch | ApiAnswer {
    const batchId = request.params.batchId ?? "";
    if (!UUID_PATTERN.test(batchId)) return parameterError(`batch_id '${batchId}' is not a UUID`);
    return store.find(placeOf(projectIdOf(request)), batchId) ?? missingBatchError(batchId);
  }

  function listBatches(request: ApiRequest): ApiAnswer {
    const from = readIntegerParam(request.query, "from", 0);
    const size = readIntegerParam(request.query, "size", SPARK_LIST_DEFAULT_SIZE);
    if (from === undefined) return parameterError(`from must be an integer ≥ 0, got '${request.query.get("from")}'`);
    if (size === undefined || size < 1 || size > SPARK_LIST_MAX_SIZE) {
      return parameterError(`size must be an integer from 1 to ${SPARK_LIST_MAX_SIZE}, got '${request.query.get("size")}'`);
    }
    // Newest first: the last created batch heads page one (creation order never changes, so pages are stable).
    // `job_name` matches a substring, as the other DLI name filters do; `queue_name` (older: `cluster_name`) exactly.
    const nameFilter = request.query.get("job_name") || undefined;
    const queueFilter = request.query.get("queue_name") || request.query.get("cluster_name") || undefined;
    const all = store
      .settled(batchesOf(projectIdOf(request)))
      .filter((batch) => (nameFilter === undefined || batch.name.includes(nameFilter)) && (queueFilter === undefined || batch.queue === queueFilter))
      .reverse();
    return { status: 200, body: { from, total: all.length, sessions: all.slice(from, from + size).map(sessionEntry) } };
  }

  function sessionEntry(batch: SparkBatch): Record<string, unknown> {
    return {
      id: batch.id,
      state: batch.state,
      appId: batch.appId,
      log: [],
      sc_type: "A",
      cluster_name: batch.queue,
      queue: batch.queue,
      name: batch.name,
      owner: "emulator",
      proxyUser: "",
      kind: "",
      create_time: batch.createTime,
      update_time: batch.updateTime,
      duration: Math.max(0, now() - batch.createTime),
    };
  }

  function batchDetail(request: ApiRequest): ApiAnswer {
    const batch = pathBatch(request);
    return "status" in batch ? batch : { status: 200, body: sessionEntry(batch) };
  }

  function batchState(request: ApiRequest): ApiAnswer {
    const batch = pathBatch(request);
    return "status" in batch ? batch : { status: 200, body: { id: batch.id, state: batch.state } };
  }

  function cancelBatch(request: ApiRequest): ApiAnswer {
    const batch = pathBatch(request);
    if ("status" in batch) return batch;
    if (!isCancellable(batch.state)) return finishedBatchError(batch);
    const injected = options.jobFailure("spark.cancel", batch.id);
    if (injected !== undefined) return dliError(500, "DLI.0999", injected);
    batch.cancelRequested = true;
    // A second cancel while the first is under way is accepted again and does not push the completion back.
    batch.cancelCompletesAt ??= now() + (batch.cancelDelayMs ?? options.cancelDelayMs);
    return { status: 200, body: { msg: "deleted" } };
  }

  function seed(projectId: string, seeds: readonly SparkBatchSeed[]): string[] {
    const reason = invalidProjectIdReason(projectId);
    if (reason !== undefined) throw new RangeError(`seedSparkBatches: ${reason}`);
    return store.seed(placeOf(projectId), seeds, {
      id: (batchSeed, index, taken) => {
        let id = batchSeed.id;
        if (id === undefined) {
          do id = randomUUID();
          while (taken(id));
        } else if (typeof id !== "string" || !UUID_PATTERN.test(id)) {
          throw new RangeError(`seedSparkBatches: batches[${index}].id '${String(id)}' is not a UUID`);
        }
        return id;
      },
      duplicate: (id) => `seedSparkBatches: batch ${id} already exists in project ${projectId}`,
      job: (batchSeed, index, id) => batchFrom(projectId, id, batchSeed, index),
    });
  }

  function batchFrom(projectId: string, id: string, batchSeed: SparkBatchSeed, index: number): SparkBatch {
    const state = seedText(batchSeed.state, "running", `seedSparkBatches: batches[${index}].state`);
    const cancelDelayMs = seedStopDelay(batchSeed, "cancelDelayMs", `seedSparkBatches: batches[${index}]`);
    const createTime = now();
    const starting = state.toLowerCase() === "starting";
    const batch: SparkBatch = {
      projectId,
      id,
      name: batchSeed.name ?? `spark-batch-${id.slice(0, 8)}`,
      state,
      queue: batchSeed.queue ?? "default",
      appId: starting ? null : `application_${createTime}_${String(++appCounter).padStart(4, "0")}`,
      createTime,
      updateTime: createTime,
      cancelRequested: false,
    };
    if (cancelDelayMs !== undefined) batch.cancelDelayMs = cancelDelayMs ?? Number.POSITIVE_INFINITY;
    return batch;
  }

  function setJobStatus(batchId: string, state: string, where: JobLocation): void {
    const batch = store.only("dli-spark", batchId, where.projectId, undefined, (match) => `project ${match.projectId}`);
    batch.state = state;
    batch.updateTime = now();
    delete batch.cancelCompletesAt;
  }

  /** The project a successful list answer read, for list churn. */
  function listCollection(_op: string, request: ApiRequest, answer: ApiAnswer): ListCollection | undefined {
    if (answer.status !== 200) return undefined;
    const projectId = projectIdOf(request);
    // The list is newest first by creation: a batch created now heads it.
    return store.listCollection(`dli-spark project ${projectId}`, placeOf(projectId), (names) => seed(projectId, names.map((name) => ({ name }))));
  }

  function list(projectId?: string): SparkBatchView[] {
    return store.views(
      ({ id, name, state, queue, cancelRequested, createTime }, [batchesProjectId]) => ({ projectId: batchesProjectId, id, name, state, queue, cancelRequested, createTime }),
      projectId,
    );
  }

  const batchesPath = String.raw`^/v2\.0/(?<projectId>[^/]+)/batches`;
  return {
    service: "dli-spark",
    routes: [
      { op: "spark.list", method: "GET", path: new RegExp(`${batchesPath}$`), admit, handle: listBatches },
      { op: "spark.state", method: "GET", path: new RegExp(`${batchesPath}/(?<batchId>[^/]+)/state$`), admit, handle: batchState },
      { op: "spark.detail", method: "GET", path: new RegExp(`${batchesPath}/(?<batchId>[^/]+)$`), admit, handle: batchDetail },
      { op: "spark.cancel", method: "DELETE", path: new RegExp(`${batchesPath}/(?<batchId>[^/]+)$`), admit, handle: cancelBatch },
    ],
    adminRoutes: jobAdminRoutes(
      "/__admin/spark/batches",
      { schema: adminSeedSchema, run: ({ projectId, batches }) => ({ batchIds: seed(projectId, batches) }) },
      (query) => ({ batches: list(query.get("projectId") ?? undefined) }),
    ),
    jobFaultOps: ["spark.cancel"],
    listCollection,
    setJobStatus,
    faultBody: (status, requestId) => dliFaultBody(status, requestId),
    reset: () => {
      store.clear();
      appCounter = 0;
    },
    seed,
    list,
  };
}

const adminSeedSchema = z.object({
  projectId: z.string(),
  batches: z.array(
    z.object({
      id: z.string().optional(),
      state: z.string().min(1).optional(),
      name: z.string().optional(),
      queue: z.string().optional(),
      cancelDelayMs: z.number().nonnegative().nullable().optional(),
      stopDelayMs: z.number().nonnegative().nullable().optional(),
    }),
  ),
});
