import * as pulumi from "@pulumi/pulumi";

/**
 * The `secretIds` input every set sends: whether the program passed its job IDs as a secret. The engine strips
 * secretness before it calls a dynamic provider, so the provider learns it only from this input, and with it names
 * the set's jobs by position in every message and log line (provider/redact.ts).
 */
export function secretIdsOf(ids: pulumi.Input<unknown> | undefined): Promise<boolean> {
  return pulumi.isSecret(pulumi.output(ids));
}
