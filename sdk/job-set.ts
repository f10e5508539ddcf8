/**
 * What every job set class shares: the outputs every kind has (documented once, here) and the properties a class
 * hands to `pulumi.dynamic.Resource`. Each class still passes its own provider and type token.
 */
import * as pulumi from "@pulumi/pulumi";
import { secretIdsOf } from "./secret-ids";

/** The inputs of a class, each one an `Input` (a plain value, a promise or an output). */
export type Inputs<T> = { [K in keyof T]: pulumi.Input<T[K]> };

/** The outputs of a set of any kind. */
export abstract class JobSetResource extends pulumi.dynamic.Resource {
  /** The service's base URL the jobs are torn down through. */
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

  /**
   * `outputs` names each output the class declares that is not an input, so the engine reads it back (undefined
   * until the provider fills it). `ids` are the job IDs as the program passed them: whether they were a secret is
   * sent as the `secretIds` input, because the engine strips secretness before the provider sees the inputs.
   */
  protected constructor(
    provider: pulumi.dynamic.ResourceProvider,
    type: string,
    name: string,
    args: object,
    ids: pulumi.Input<unknown> | undefined,
    outputs: readonly string[],
    opts?: pulumi.CustomResourceOptions,
  ) {
    const unset = Object.fromEntries(outputs.map((output) => [output, undefined]));
    super(provider, name, { ...unset, ...args, secretIds: secretIdsOf(ids) }, opts, "jobsets", type);
  }
}

/** The outputs of a set in Huawei Cloud, which locates it by project and region. */
export abstract class HuaweiJobSetResource extends JobSetResource {
  declare readonly projectId: pulumi.Output<string>;
  declare readonly region: pulumi.Output<string | undefined>;
}
