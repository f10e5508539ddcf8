/**
 * QingCloud EHPC (elastic HPC) job sets.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { EhpcJobSetArgs as EhpcInputs, TeardownMode } from "../provider/schema";
import { providerFor } from "./provider-shim";
import { JobSetResource, type Inputs } from "./job-set";

/**
 * Arguments of a JobSet: the jobs and the cluster they run in. Credentials are never arguments: they come
 * from the secret config `jobsets:qingcloudAccessKeyId`/`jobsets:qingcloudSecretAccessKey`, the environment
 * or `~/.qingcloud/config.yaml` (see README).
 */
export interface JobSetArgs extends Inputs<Omit<EhpcInputs, "jobIds" | "secretIds">> {
  /** The EHPC job IDs in the set: `hpcjob-…` (the `hpcjob_uuid`, not the scheduler's number). Duplicates collapse to one. Optional with a `selector` (the set holds both). */
  jobIds?: pulumi.Input<pulumi.Input<string>[]>;
}

const ehpcProvider = providerFor("EhpcJobSet");

/**
 * A set of EHPC jobs in one cluster, by ID. Creating it checks that the jobs exist; destroying it tears
 * them down with `teardown`: "stop-then-delete" (the default: stopJobs, wait until each has ended, then
 * deleteJobs), "stop" or "delete".
 *
 * Type token: `pulumi-nodejs:dynamic/jobsets:EhpcJobSet`.
 */
export class JobSet extends JobSetResource {
  declare readonly clusterId: pulumi.Output<string>;
  declare readonly zone: pulumi.Output<string>;
  declare readonly jobIds: pulumi.Output<string[]>;
  declare readonly teardown: pulumi.Output<TeardownMode>;
  declare readonly batchSize: pulumi.Output<number>;

  constructor(name: string, args: JobSetArgs, opts?: pulumi.CustomResourceOptions) {
    super(ehpcProvider, "EhpcJobSet", name, args, args.jobIds, ["jobStatuses", "selectedIds", "selector", "endpoint", "teardown", "batchSize", "waitTimeoutSeconds"], opts);
  }
}
