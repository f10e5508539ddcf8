/**
 * Huawei Cloud MRS (MapReduce Service) job execution sets.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { MrsJobExecutionSetArgs as MrsInputs } from "../provider/schema";
import { providerFor } from "./provider-shim";
import { HuaweiJobSetResource, type Inputs } from "./job-set";

/** Arguments of a JobExecutionSet: the executions and the cluster they run in. Credentials are never arguments (see README). */
export interface JobExecutionSetArgs extends Inputs<Omit<MrsInputs, "jobIds" | "secretIds">> {
  /** The MRS job execution IDs in the set (UUIDs, `job_id` as the submit answered it). Duplicates collapse to one. Optional with a `selector` (the set holds both). */
  jobIds?: pulumi.Input<pulumi.Input<string>[]>;
}

const mrsProvider = providerFor("MrsJobExecutionSet");

/**
 * A set of MRS job executions in one cluster, by ID. Creating it checks that the executions exist;
 * destroying it kills those that have not ended (unless `killRunning` is false, in which case a running
 * execution fails the destroy before anything is deleted), waits until each is FINISHED, FAILED or KILLED,
 * then batch-deletes them `batchSize` at a time.
 *
 * Type token: `pulumi-nodejs:dynamic/jobsets:MrsJobExecutionSet`.
 */
export class JobExecutionSet extends HuaweiJobSetResource {
  declare readonly clusterId: pulumi.Output<string>;
  /** The execution IDs, lowercase. */
  declare readonly jobIds: pulumi.Output<string[]>;
  declare readonly killRunning: pulumi.Output<boolean>;
  declare readonly batchSize: pulumi.Output<number>;

  constructor(name: string, args: JobExecutionSetArgs, opts?: pulumi.CustomResourceOptions) {
    super(mrsProvider, "MrsJobExecutionSet", name, args, args.jobIds, ["jobStatuses", "selectedIds", "selector", "projectId", "region", "endpoint", "killRunning", "batchSize", "waitTimeoutSeconds"], opts);
  }
}
