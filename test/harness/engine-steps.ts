// What the harness engine records: each resource as it keeps it in state, the steps it takes, and the errors a step
// ends with.
import type { RegisteredResourceOptions } from "./program";
import type { Props } from "./pulumi-proto";

/** One resource as the engine keeps it in state. Secrets are wrapped, as in a checkpoint before encryption. */
export interface StateResource {
  urn: string;
  type: string;
  name: string;
  id: string;
  /** Inputs after Check. */
  inputs: Props;
  outputs: Props;
  opts?: RegisteredResourceOptions;
  /** Set when a create/update failed with ErrorResourceInitFailed: the resource exists but did not initialize. */
  initErrors?: string[];
  /** A replaced resource whose delete failed; deleted at the start of the next `up`. */
  delete?: true;
}

/** The kinds of step the engine takes (a failed Check/Diff is recorded as "check"/"diff"). */
export type StepOp =
  | "check"
  | "diff"
  | "create"
  | "update"
  | "same"
  | "replace"
  | "create-replacement"
  | "delete-replaced"
  | "delete"
  | "refresh"
  | "refresh-gone";

/** One step taken by `Stack`, in order; `error` is set if it failed. */
export interface Step {
  op: StepOp;
  urn: string;
  id?: string;
  /** Why the step failed, if it did. */
  error?: string;
}

/** A step the provider failed. `cause` is usually a ProviderCallError (with `code`, `details`, `partial`). */
export class StepError extends Error {
  override readonly name = "StepError";
  constructor(readonly op: StepOp, readonly urn: string, override readonly cause: unknown) {
    super(`${op} ${urn}: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}

/** Several failed steps (destroy keeps going after a failure); the message lists them all. */
export class StepErrors extends Error {
  override readonly name = "StepErrors";
  constructor(readonly errors: StepError[]) {
    super(errors.map((e) => e.message).join("\n"));
  }
}

/** Check returned failures; the engine stops the update. */
export class CheckFailedError extends Error {
  override readonly name = "CheckFailedError";
  constructor(readonly urn: string, readonly failures: { property: string; reason: string }[]) {
    super(`check ${urn}: ${failures.map((f) => `${f.property}: ${f.reason}`).join("; ")}`);
  }
}

/** Something the real engine does that this harness does not model. */
export class HarnessLimitError extends Error {
  override readonly name = "HarnessLimitError";
}
