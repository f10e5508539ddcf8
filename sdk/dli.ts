/**
 * Huawei Cloud DLI job sets.
 */
import * as pulumi from "@pulumi/pulumi";
import type { FlinkJobSetArgs as FlinkInputs, SparkBatchSetArgs as SparkInputs, TeardownMode } from "../provider/schema";
import { providerFor } from "./provider-shim";
import { secretIdsOf } from "./secret-ids";

type Inputs<T> = { [K in keyof T]: pulumi.Input<T[K]> };

/** Arguments of a FlinkJobSet: the jobs and where they live. Credentials are never arguments (see README). */
export interface FlinkJobSetArgs extends Inputs<Omit<FlinkInputs, "jobIds" | "secretIds">> {
  /**
   * The DLI Flink job IDs in the set: integers, or strings of digits for IDs above 2^53 (DLI IDs are
   * Longs). Duplicates collapse to one. Optional with a `selector` (the set holds both).
   */
  jobIds?: pulumi.Input<pulumi.Input<number | string>[]>;
}

const flinkProvider = providerFor("DliFlinkJobSet");

/**
 * A set of DLI Flink streaming jobs, by ID. Creating it checks that the jobs exist; destroying it tears
 * them down with `teardown`: "delete" (batch delete, the default), "stop" (batch stop, optionally with
 * a savepoint, and wait until stopped) or "stop-then-delete".
 *
 * Type token: `pulumi-nodejs:dynamic/jobsets:DliFlinkJobSet`.
 */
export class FlinkJobSet extends pulumi.dynamic.Resource {
  /** The job IDs, as decimal strings (exact above 2^53). */
  declare readonly jobIds: pulumi.Output<string[]>;
  declare readonly projectId: pulumi.Output<string>;
  declare readonly region: pulumi.Output<string | undefined>;
  /** The DLI base URL the jobs are torn down through. */
  declare readonly endpoint: pulumi.Output<string>;
  declare readonly teardown: pulumi.Output<TeardownMode>;
  declare readonly triggerSavepoint: pulumi.Output<boolean>;
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
  /**
   * The savepoints taken when the last update stopped the jobs it removed from the set (`triggerSavepoint`, teardown
   * "stop" or "stop-then-delete"): job ID → the savepoint path DLI gave, or "" when DLI named none. Always a secret
   * (it names jobs, and the provider cannot tell whether `jobIds` was one). Set by such an update only; a later update
   * or a refresh drops it. A destroy prints the paths instead (`dli-flink: job 268435 savepoint obs://…`).
   */
  declare readonly savepoints: pulumi.Output<Record<string, string> | undefined>;

  constructor(name: string, args: FlinkJobSetArgs, opts?: pulumi.CustomResourceOptions) {
    const outputs = {
      jobStatuses: undefined,
      selectedIds: undefined,
      selector: undefined,
      savepoints: undefined,
      projectId: undefined,
      region: undefined,
      endpoint: undefined,
      teardown: undefined,
      triggerSavepoint: undefined,
      batchSize: undefined,
      waitTimeoutSeconds: undefined,
    };
    super(flinkProvider, name, { ...outputs, ...args, secretIds: secretIdsOf(args.jobIds) }, opts, "jobsets", "DliFlinkJobSet");
  }
}

/** Arguments of a SparkBatchSet: the batches and where they live. Credentials are never arguments (see README). */
export interface SparkBatchSetArgs extends Inputs<Omit<SparkInputs, "batchIds" | "secretIds">> {
  /** The DLI Spark batch IDs in the set (UUIDs, as `POST .../batches` answered them). Duplicates collapse to one. Optional with a `selector` (the set holds both). */
  batchIds?: pulumi.Input<pulumi.Input<string>[]>;
}

const sparkProvider = providerFor("DliSparkBatchSet");

/**
 * A set of DLI Spark batch jobs, by ID. Creating it checks that the batches exist; destroying it cancels
 * each one still `starting`, `running` or `recovering` (DLI has no batch cancel: one call per batch, a few
 * at a time) and waits until each has ended (`dead` or `success`). Batches already finished or gone are
 * left alone.
 *
 * Type token: `pulumi-nodejs:dynamic/jobsets:DliSparkBatchSet`.
 */
export class SparkBatchSet extends pulumi.dynamic.Resource {
  /** The batch IDs, lowercase. */
  declare readonly batchIds: pulumi.Output<string[]>;
  declare readonly projectId: pulumi.Output<string>;
  declare readonly region: pulumi.Output<string | undefined>;
  /** The DLI base URL the batches are cancelled through. */
  declare readonly endpoint: pulumi.Output<string>;
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

  constructor(name: string, args: SparkBatchSetArgs, opts?: pulumi.CustomResourceOptions) {
    const outputs = {
      jobStatuses: undefined,
      selectedIds: undefined,
      selector: undefined,
      projectId: undefined,
      region: undefined,
      endpoint: undefined,
      waitTimeoutSeconds: undefined,
    };
    super(sparkProvider, name, { ...outputs, ...args, secretIds: secretIdsOf(args.batchIds) }, opts, "jobsets", "DliSparkBatchSet");
  }
}
