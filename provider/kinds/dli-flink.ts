/** DLI Flink job sets: a project's streaming jobs, stopped and/or batch-deleted (resources/dli-flink-job-set.ts). */
import type { DliContext } from "../clients/huawei-dli";
import { flinkArgsShape, flinkJobSetSchema, type FlinkJobSetState } from "../inputs/job-sets";
import { snapshotFlinkJobs, teardownFlinkJobs, verifyFlinkJobsExist } from "../resources/dli-flink-job-set";
import { huaweiRuntime, propertiesOf, statusesOf, type JobSetKind } from "./kind";
import { selectFlinkJobs } from "../resources/selection";

export const flinkKind: JobSetKind<FlinkJobSetState, DliContext> = {
  type: "DliFlinkJobSet",
  service: "dli-flink",
  idPrefix: "dli-flink",
  knownProperties: propertiesOf(flinkArgsShape),
  idsProperty: "jobIds",
  location: ["projectId"],
  replaceProperties: ["projectId"],
  schema: flinkJobSetSchema,
  runtime: huaweiRuntime,
  verify: verifyFlinkJobsExist,
  teardown: teardownFlinkJobs,
  statuses: async (runtime, ids) => statusesOf(await snapshotFlinkJobs(runtime, ids), (job) => job.status),
  select: selectFlinkJobs,
};
