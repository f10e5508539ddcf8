/**
 * Huawei Cloud DLI job sets.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { FlinkJobSetArgs as FlinkInputs, SparkBatchSetArgs as SparkInputs, TeardownMode } from "../provider/schema";
import { providerFor } from "./provider-shim";
import { HuaweiJobSetResource, type Inputs } from "./job-set";

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
export class FlinkJobSet extends HuaweiJobSetResource {
  /** The job IDs, as decimal strings (exact above 2^53). */
  declare readonly jobIds: pulumi.Output<string[]>;
  declare readonly teardown: pulumi.Output<TeardownMode>;
  declare readonly triggerSavepoint: pulumi.Output<boolean>;
  declare readonly batchSize: pulumi.Output<number>;
  /**
   * The savepoints taken when the last update stopped the jobs it removed from the set (`triggerSavepoint`, teardown
   * "stop" or "stop-then-delete"): job ID → the savepoint path DLI gave, or "" when DLI named none. Always a secret
   * (it names jobs, and the provider cannot tell whether `jobIds` was one). Set by such an update only; a later update
   * or a refresh drops it. A destroy prints the paths instead (`dli-flink: job 268435 savepoint obs://…`).
   */
  declare readonly savepoints: pulumi.Output<Record<string, string> | undefined>;

  constructor(name: string, args: FlinkJobSetArgs, opts?: pulumi.CustomResourceOptions) {
    super(flinkProvider, "DliFlinkJobSet", name, args, args.jobIds, ["jobStatuses", "selectedIds", "selector", "savepoints", "projectId", "region", "endpoint", "teardown", "triggerSavepoint", "batchSize", "waitTimeoutSeconds"], opts);
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
export class SparkBatchSet extends HuaweiJobSetResource {
  /** The batch IDs, lowercase. */
  declare readonly batchIds: pulumi.Output<string[]>;

  constructor(name: string, args: SparkBatchSetArgs, opts?: pulumi.CustomResourceOptions) {
    super(sparkProvider, "DliSparkBatchSet", name, args, args.batchIds, ["jobStatuses", "selectedIds", "selector", "projectId", "region", "endpoint", "waitTimeoutSeconds"], opts);
  }
}
