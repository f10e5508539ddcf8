/**
 * Huawei Cloud MRS (MapReduce Service) job execution sets.
 */
import * as pulumi from "@pulumi/pulumi";
import type { MrsJobExecutionSetArgs as MrsInputs } from "../provider/schema";
import { providerFor } from "./provider-shim";
import { secretIdsOf } from "./secret-ids";

type Inputs<T> = { [K in keyof T]: pulumi.Input<T[K]> };

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
export class JobExecutionSet extends pulumi.dynamic.Resource {
  declare readonly clusterId: pulumi.Output<string>;
  /** The execution IDs, lowercase. */
  declare readonly jobIds: pulumi.Output<string[]>;
  declare readonly projectId: pulumi.Output<string>;
  declare readonly region: pulumi.Output<string | undefined>;
  /** The MRS base URL the executions are torn down through. */
  declare readonly endpoint: pulumi.Output<string>;
  declare readonly killRunning: pulumi.Output<boolean>;
  declare readonly batchSize: pulumi.Output<number>;
  declare readonly waitTimeoutSeconds: pulumi.Output<number>;
  /** The last status seen of each job, in the order of the IDs; filled in by `pulumi refresh` (and import). */
  declare readonly jobStatuses: pulumi.Output<string[] | undefined>;
  /** The set's selector, normalised (empty fields dropped); undefined for a set of IDs only. */
  declare readonly selector: pulumi.Output<{ namePrefix?: string; queueName?: string } | undefined>;
  /**
   * The jobs the selector matched at the last `pulumi up` or `pulumi refresh` (a destroy matches again, so jobs
   * submitted since are torn down too). Always a secret: it lists job IDs, and the provider cannot tell whether
   * the stack keeps those secret. Undefined for a set without a selector.
   */
  declare readonly selectedIds: pulumi.Output<string[] | undefined>;
  /** Whether the job IDs were passed as a secret: messages then name jobs by position (`[secret #3]`). */
  declare readonly secretIds: pulumi.Output<boolean | undefined>;

  constructor(name: string, args: JobExecutionSetArgs, opts?: pulumi.CustomResourceOptions) {
    const outputs = {
      jobStatuses: undefined,
      selectedIds: undefined,
      selector: undefined,
      projectId: undefined,
      region: undefined,
      endpoint: undefined,
      killRunning: undefined,
      batchSize: undefined,
      waitTimeoutSeconds: undefined,
    };
    super(mrsProvider, name, { ...outputs, ...args, secretIds: secretIdsOf(args.jobIds) }, opts, "jobsets", "MrsJobExecutionSet");
  }
}
