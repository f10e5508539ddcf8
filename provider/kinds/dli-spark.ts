/** DLI Spark batch sets: a project's batches, cancelled one by one (resources/dli-spark-batch-set.ts). */
import type { DliContext } from "../clients/huawei-dli";
import { sparkArgsShape, sparkBatchSetSchema, type SparkBatchSetState } from "../inputs/job-sets";
import { snapshotSparkBatches, teardownSparkBatches, verifySparkBatchesExist } from "../resources/dli-spark-batch-set";
import { huaweiRuntime, propertiesOf, type JobSetKind } from "./kind";
import { selectSparkBatches } from "../resources/selection";

export const sparkKind: JobSetKind<SparkBatchSetState, DliContext> = {
  type: "DliSparkBatchSet",
  service: "dli-spark",
  idPrefix: "dli-spark",
  knownProperties: propertiesOf(sparkArgsShape),
  idsProperty: "batchIds",
  location: ["projectId"],
  replaceProperties: ["projectId"],
  schema: sparkBatchSetSchema,
  runtime: huaweiRuntime,
  verify: verifySparkBatchesExist,
  teardown: teardownSparkBatches,
  statuses: snapshotSparkBatches,
  select: selectSparkBatches,
};
