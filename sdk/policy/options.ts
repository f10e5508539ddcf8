/**
 * What a user can set on the job-set policies: their names, their defaults, and the options of
 * `createJobsetPolicies` and each `create*` function (each option becomes the `default` in that policy's config
 * schema, which the pack's config can still override).
 */
import type { EnforcementLevel } from "@pulumi/policy";
import type { TeardownMode } from "../../provider/schema";

export const POLICY_NAMES = {
  protectLargeSets: "jobsets-protect-large-sets",
  protectInProduction: "jobsets-protect-in-production",
  streamingSavepointInProduction: "jobsets-streaming-savepoint-in-production",
  maxJobsPerSet: "jobsets-max-jobs-per-set",
  stackJobBudget: "jobsets-stack-job-budget",
  guardSelectorSets: "jobsets-guard-selector-sets",
} as const;

/** A set of this many jobs or more must be protected. */
export const DEFAULT_MIN_JOBS_TO_PROTECT = 100;
/**
 * Most jobs one set may hold. The provider accepts up to MAX_JOBS_PER_SET (50,000, a state-size ceiling);
 * 1,000 keeps one set's teardown to ten batch calls of 100 and one mistake to a thousand jobs.
 */
export const DEFAULT_MAX_JOBS_PER_SET = 1000;
/** Most jobs all the job sets of one stack may hold together. */
export const DEFAULT_MAX_TOTAL_JOBS = 10_000;
/**
 * The shortest `namePrefix` a selector set may have. A selector is matched again at destroy, over every job in its
 * project or cluster: a prefix as short as "n" or "job" takes jobs nobody meant; four characters ("etl-") is about
 * the shortest that names one pipeline.
 */
export const DEFAULT_MIN_NAME_PREFIX_LENGTH = 4;
/** The only teardown that keeps a streaming job's state: stop with a savepoint, then delete. */
export const REQUIRED_STREAMING_TEARDOWN: TeardownMode = "stop-then-delete";

interface LevelOption {
  /** Overrides the policy's default enforcement level (the pack's config can still override this). */
  enforcementLevel?: EnforcementLevel;
}

/** Which stacks are production: the defaults of the `productionStacks` / `productionStackTags` config. */
export interface ProductionOptions extends LevelOption {
  productionStacks?: readonly string[];
  productionStackTags?: readonly string[];
}

export interface ProtectLargeSetsOptions extends LevelOption {
  minJobs?: number;
}

export interface MaxJobsPerSetOptions extends LevelOption {
  maxJobs?: number;
}

export interface StackJobBudgetOptions extends LevelOption {
  maxTotalJobs?: number;
}

export interface GuardSelectorSetsOptions extends LevelOption {
  minNamePrefixLength?: number;
}

/** Defaults for `createJobsetPolicies`: each becomes the `default` in that policy's config schema. */
export interface JobsetPolicyOptions {
  /** Production selectors shared by both production policies, unless one sets its own. */
  production?: Omit<ProductionOptions, "enforcementLevel">;
  protectLargeSets?: ProtectLargeSetsOptions;
  protectInProduction?: ProductionOptions;
  streamingSavepointInProduction?: ProductionOptions;
  maxJobsPerSet?: MaxJobsPerSetOptions;
  stackJobBudget?: StackJobBudgetOptions;
  guardSelectorSets?: GuardSelectorSetsOptions;
}
