/** QingCloud EHPC job sets: a cluster's jobs, stopped and/or deleted in batches (resources/ehpc-job-set.ts). */
import type { EhpcContext } from "../clients/qingcloud-ehpc";
import { ehpcArgsShape, ehpcJobSetSchema, type EhpcJobSetState } from "../inputs/job-sets";
import { snapshotEhpcJobs, teardownEhpcJobs, verifyEhpcJobsExist } from "../resources/ehpc-job-set";
import { propertiesOf, qingcloudRuntime, statusesOf, type JobSetKind } from "./kind";
import { selectEhpcJobs } from "../resources/selection";

export const ehpcKind: JobSetKind<EhpcJobSetState, EhpcContext> = {
  type: "EhpcJobSet",
  service: "ehpc",
  idPrefix: "ehpc",
  knownProperties: propertiesOf(ehpcArgsShape),
  idsProperty: "jobIds",
  location: ["zone", "clusterId"],
  replaceProperties: ["clusterId", "zone"],
  schema: ehpcJobSetSchema,
  runtime: qingcloudRuntime,
  verify: verifyEhpcJobsExist,
  teardown: teardownEhpcJobs,
  statuses: async (runtime, ids) => statusesOf((await snapshotEhpcJobs(runtime, ids)).found, (job) => job.status),
  select: selectEhpcJobs,
};
