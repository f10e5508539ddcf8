/**
 * QingCloud EHPC (elastic HPC) job sets.
 */
import * as pulumi from "@pulumi/pulumi";
import type { EhpcJobSetArgs as EhpcInputs, TeardownMode } from "../provider/schema";
import { providerFor } from "./provider-shim";
import { secretIdsOf } from "./secret-ids";

type Inputs<T> = { [K in keyof T]: pulumi.Input<T[K]> };

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
export class JobSet extends pulumi.dynamic.Resource {
  declare readonly clusterId: pulumi.Output<string>;
  declare readonly zone: pulumi.Output<string>;
  declare readonly jobIds: pulumi.Output<string[]>;
  /** The EHPC base URL the jobs are torn down through. */
  declare readonly endpoint: pulumi.Output<string>;
  declare readonly teardown: pulumi.Output<TeardownMode>;
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

  constructor(name: string, args: JobSetArgs, opts?: pulumi.CustomResourceOptions) {
    const outputs = {
      jobStatuses: undefined,
      selectedIds: undefined,
      selector: undefined,
      endpoint: undefined,
      teardown: undefined,
      batchSize: undefined,
      waitTimeoutSeconds: undefined,
    };
    super(ehpcProvider, name, { ...outputs, ...args, secretIds: secretIdsOf(args.jobIds) }, opts, "jobsets", "EhpcJobSet");
  }
}
