/** MRS job execution sets: a cluster's executions, killed, then batch-deleted (resources/mrs-job-set.ts). */
import type { MrsContext } from "../clients/huawei-mrs";
import { mrsArgsShape, mrsJobExecutionSetSchema, type MrsJobExecutionSetState } from "../inputs/job-sets";
import { snapshotMrsExecutions, teardownMrsExecutions, verifyMrsExecutionsExist } from "../resources/mrs-job-set";
import { huaweiRuntime, propertiesOf, statusesOf, type JobSetKind } from "./kind";
import { selectMrsExecutions } from "../resources/selection";

export const mrsKind: JobSetKind<MrsJobExecutionSetState, MrsContext> = {
  type: "MrsJobExecutionSet",
  service: "mrs",
  idPrefix: "mrs",
  knownProperties: propertiesOf(mrsArgsShape),
  idsProperty: "jobIds",
  location: ["projectId", "clusterId"],
  replaceProperties: ["projectId", "clusterId"],
  schema: mrsJobExecutionSetSchema,
  runtime: (services, state) => {
    const runtime = huaweiRuntime(services, state);
    return { ...runtime, ctx: { ...runtime.ctx, clusterId: state.clusterId } };
  },
  verify: verifyMrsExecutionsExist,
  teardown: teardownMrsExecutions,
  statuses: async (runtime, ids) => statusesOf((await snapshotMrsExecutions(runtime, ids)).found, (execution) => execution.state),
  select: selectMrsExecutions,
};
