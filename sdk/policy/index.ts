/**
 * Policies for job sets (`@pulumi/policy`), shipped as `pulumi-jobsets/policy`:
 *
 *   import { PolicyPack } from "@pulumi/policy";
 *   import { jobsetPolicies } from "pulumi-jobsets/policy";
 *   new PolicyPack("jobsets-guard", { policies: jobsetPolicies });
 *
 * They guard before the fact. No Pulumi policy sees a deletion: `pulumi destroy` runs no policy pack, and
 * `preview`/`up` tell the analyzer neither the operation nor the old state (pulumi/pulumi-policy#154). So
 * instead of vetting a mass teardown when it happens, they require at preview and up what makes one hard to
 * do by accident: `protect` on large and production sets (the engine refuses to delete a protected resource,
 * `destroy` included), bounded set sizes and a per-stack job budget, and savepoints on streaming teardown.
 *
 * Each policy reads its config with `args.getConfig()`, applying the same defaults as its schema, and fails
 * (an error, not a violation) on a config its schema does not describe. Jobs are counted from `jobIds`, or
 * `batchIds` for DLI Spark, as distinct IDs spelled as the provider spells them. At preview an ID list can
 * hold values not known yet: a policy decides on the known part when that settles it, and otherwise says so
 * with @pulumi/policy's advisory "can't run policy … during preview" note; the update decides.
 */
import type { Policies, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import type { JobsetPolicyOptions } from "./options";
import {
  createGuardSelectorSets,
  createMaxJobsPerSet,
  createProtectInProduction,
  createProtectLargeSets,
  createStackJobBudget,
  createStreamingSavepointInProduction,
} from "./policies";

export { PolicyConfigError } from "./config";
export { countJobs, isUnknownValueError, type JobCount } from "./count";
export * from "./kinds";
export { DEFAULT_PRODUCTION_STACK_TAGS, DEFAULT_PRODUCTION_STACKS, globMatches, productionReason, stackName, stackOfUrn } from "./stacks";
export * from "./options";
export * from "./policies";

/** All six policies, with these defaults. */
export function createJobsetPolicies(options: JobsetPolicyOptions = {}): Policies {
  return [
    createProtectLargeSets(options.protectLargeSets),
    createProtectInProduction(options.protectInProduction, options.production),
    createStreamingSavepointInProduction(options.streamingSavepointInProduction, options.production),
    createMaxJobsPerSet(options.maxJobsPerSet),
    createStackJobBudget(options.stackJobBudget),
    createGuardSelectorSets(options.guardSelectorSets),
  ];
}

export const protectLargeSets: ResourceValidationPolicy = createProtectLargeSets();
export const protectInProduction: ResourceValidationPolicy = createProtectInProduction();
export const streamingSavepointInProduction: ResourceValidationPolicy = createStreamingSavepointInProduction();
export const maxJobsPerSet: ResourceValidationPolicy = createMaxJobsPerSet();
export const stackJobBudget: StackValidationPolicy = createStackJobBudget();
export const guardSelectorSets: ResourceValidationPolicy = createGuardSelectorSets();

/** The six policies with their defaults, ready for `new PolicyPack(name, { policies: jobsetPolicies })`. */
export const jobsetPolicies: Policies = [protectLargeSets, protectInProduction, streamingSavepointInProduction, maxJobsPerSet, stackJobBudget, guardSelectorSets];
