/**
 * DLI Spark batch jobs (`/v2.0/{project_id}/batches...`) as docs/apis.md ("DLI Spark batches") describes them, after
 * the cancel API document (https://support.huaweicloud.com/api-dli/dli_02_0129.html): the routes and their answers.
 * The batches themselves (states, cancels, seeding) are in huawei-dli-spark-batches.ts. DLI's batch API is Apache
 * Livy's, so what no Huawei source settles follows Livy (list `from`/`size`, size 100 by default).
 *
 * Quirks reproduced on purpose: states are stored exactly as given, so a seeded `Success` or `Running` comes back in
 * that case (clients must compare case-insensitively); cancelling answers `{"msg":"deleted"}` although the batch is
 * not deleted, it only moves to `dead` later; a finished batch can't be cancelled (400); batch IDs are UUIDs.
 *
 * Choices where no public source settles the behaviour (docs/apis.md calls such behaviour "unverified"):
 * - cancelling a finished batch → 400 `{"error_code":"DLI.0001","error_msg":"The batch job <id> is already finished (state: <state>) and cannot be canceled."}`;
 * - an unknown batch → 400 DLI.0002 "The batch <id> does not exist." (state, detail and cancel alike);
 * - a batch ID that is not a UUID → 400 DLI.0001 (a parameter error, not "does not exist");
 * - during the cancel delay the batch keeps its state (Livy has no "cancelling"), then becomes `dead`.
 */
import { z } from "zod";
import { dliError, dliFaultBody, dliParameterError as parameterError, projectIdOf } from "./huawei-dli";
import { type SparkBatch, SparkBatches, type SparkBatchSeed, type SparkBatchView, UUID_PATTERN, isCancellable } from "./huawei-dli-spark-batches";
import type { HuaweiGateway } from "./huawei-gateway";
import { type ApiAnswer, type ApiRequest, type ServiceModule, jobAdminRoutes, readIntegerParam } from "./service";

/** Livy's defaults: `from` 0, `size` 100. The emulator refuses sizes above SPARK_LIST_MAX_SIZE (unverified). */
export const SPARK_LIST_DEFAULT_SIZE = 100;
export const SPARK_LIST_MAX_SIZE = 1000;

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

export function createDliSparkModule(options: DliSparkOptions): DliSparkModule {
  const { gateway, now } = options;
  const batches = new SparkBatches(options);
  const admit = (request: ApiRequest) => gateway.admitProject(request, parameterError);

  /** The batch the path names, or the error answer (non-UUID → DLI.0001, unknown → DLI.0002). */
  function pathBatch(request: ApiRequest): SparkBatch | ApiAnswer {
    const batchId = request.params.batchId ?? "";
    if (!UUID_PATTERN.test(batchId)) return parameterError(`batch_id '${batchId}' is not a UUID`);
    return batches.find(projectIdOf(request), batchId) ?? missingBatchError(batchId);
  }

  function listBatches(request: ApiRequest): ApiAnswer {
    const from = readIntegerParam(request.query, "from", 0);
    const size = readIntegerParam(request.query, "size", SPARK_LIST_DEFAULT_SIZE, 1, SPARK_LIST_MAX_SIZE);
    if (from === undefined) return parameterError(`from must be an integer ≥ 0, got '${request.query.get("from")}'`);
    if (size === undefined) return parameterError(`size must be an integer from 1 to ${SPARK_LIST_MAX_SIZE}, got '${request.query.get("size")}'`);
    // Newest first: the last created batch heads page one (creation order never changes, so pages are stable).
    // `job_name` matches a substring, as the other DLI name filters do; `queue_name` (older: `cluster_name`) exactly.
    const nameFilter = request.query.get("job_name") || undefined;
    const queueFilter = request.query.get("queue_name") || request.query.get("cluster_name") || undefined;
    const all = batches
      .settled(projectIdOf(request))
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
    // A second cancel while the first is under way is accepted again.
    batches.cancel(batch);
    return { status: 200, body: { msg: "deleted" } };
  }

  const seed = (projectId: string, seeds: readonly SparkBatchSeed[]) => batches.seed(projectId, seeds);
  const list = (projectId?: string) => batches.views(projectId);
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
      { schema: adminSeedSchema, run: ({ projectId, batches: seeds }) => ({ batchIds: seed(projectId, seeds) }) },
      (query) => ({ batches: list(query.get("projectId") ?? undefined) }),
    ),
    jobFaultOps: ["spark.cancel"],
    // The project a successful list answer read, for list churn.
    listCollection: (_op, request, answer) => (answer.status === 200 ? batches.collection(projectIdOf(request)) : undefined),
    setJobStatus: (batchId, state, where) => batches.setJobStatus(batchId, state, where),
    faultBody: (status, requestId) => dliFaultBody(status, requestId),
    reset: () => batches.reset(),
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
