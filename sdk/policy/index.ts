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
import type {
  EnforcementLevel,
  Policies,
  PolicyResource,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationPolicy,
} from "@pulumi/policy";
import { MAX_JOBS_PER_SET, type TeardownMode } from "../../provider/schema";
import { integerField, policyConfig, stringListField, type ConfigField } from "./config";
import { countJobs, describeCount, readKnown, undecidedAtPreview, type JobCount, type UnknownValueError } from "./count";
import { JOBSET_TYPES, jobSetKind, shortType, type JobSetKind } from "./kinds";
import {
  DEFAULT_PRODUCTION_STACK_TAGS,
  DEFAULT_PRODUCTION_STACKS,
  notProductionReason,
  productionReason,
  stackName,
  type ProductionSelector,
} from "./stacks";

export { PolicyConfigError } from "./config";
export { countJobs, isUnknownValueError, type JobCount } from "./count";
export * from "./kinds";
export { DEFAULT_PRODUCTION_STACK_TAGS, DEFAULT_PRODUCTION_STACKS, globMatches, productionReason, stackName, stackOfUrn } from "./stacks";

// ---------------------------------------------------------------------------------------------------
// Names and defaults

export const POLICY_NAMES = {
  protectLargeSets: "jobsets-protect-large-sets",
  protectInProduction: "jobsets-protect-in-production",
  streamingSavepointInProduction: "jobsets-streaming-savepoint-in-production",
  maxJobsPerSet: "jobsets-max-jobs-per-set",
  stackJobBudget: "jobsets-stack-job-budget",
  guardSelectorSets: "jobsets-guard-selector-sets",
} as const;

/** A set of this many jobs or more must be protected (the N). */
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

const BEFORE_THE_FACT = "Checked at preview and up; no policy sees a deletion (pulumi/pulumi-policy#154).";

// ---------------------------------------------------------------------------------------------------
// Options

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

// ---------------------------------------------------------------------------------------------------
// Shared steps

/** The job-set kind of the resource under analysis; marks the policy not applicable to anything else. */
function jobSetUnderAnalysis(args: ResourceValidationArgs): JobSetKind {
  return jobSetKind(args.type) ?? args.notApplicable(`applies to job sets only (${JOBSET_TYPES.map(shortType).join(", ")})`);
}

function label(args: { name: string; type: string }): string {
  return `job set "${args.name}" (${shortType(args.type)})`;
}

function productionFields(options: ProductionOptions | undefined, shared: JobsetPolicyOptions["production"]) {
  return {
    productionStacks: stringListField({
      description: "Stack names (globs: * and ?, case-insensitive) that are production. The stack's name alone, as in its URNs: no organization or project.",
      default: options?.productionStacks ?? shared?.productionStacks ?? DEFAULT_PRODUCTION_STACKS,
      pattern: "^[^/\\s]+$",
      patternHint: 'a stack name glob without "/" or spaces (the stack name alone, e.g. "prod-*")',
    }),
    productionStackTags: stringListField({
      description:
        'Stack tags that make a stack production: "key=value-glob", or "key" for any value. Only CLIs that send ConfigureStack tell a pack the tags.',
      default: options?.productionStackTags ?? shared?.productionStackTags ?? DEFAULT_PRODUCTION_STACK_TAGS,
      pattern: "^[^=\\s][^=]*(=.*)?$",
      patternHint: 'a tag as "key=value-glob" or "key"',
    }),
  } satisfies Record<string, ConfigField<string[]>>;
}

/** The reason the stack under analysis is production, or marks the policy not applicable. */
function productionStack(args: ResourceValidationArgs, selector: ProductionSelector): { stack: string | undefined; reason: string } {
  const stack = stackName(args.urn);
  const reason = productionReason(stack, args.stackTags, selector);
  return reason ? { stack, reason } : args.notApplicable(notProductionReason(stack, args.stackTags, selector));
}

/**
 * Whether `broken` holds for the set's jobs, decided on the known count. When unknown entries could change the
 * answer, it rethrows the proxy's unknown-value error with `undecided` in front (an advisory note at preview).
 */
function decide(count: JobCount, broken: (jobs: number) => boolean, undecided: string): boolean {
  if (broken(count.known)) return true;
  if (count.unknownError && (count.unknown === "all" || broken(count.known + count.unknown))) {
    undecidedAtPreview(count.unknownError, undecided);
  }
  return false;
}

// ---------------------------------------------------------------------------------------------------
// The policies

/** A set holding at least `minJobs` jobs must be `protect`ed. */
export function createProtectLargeSets(options: ProtectLargeSetsOptions = {}): ResourceValidationPolicy {
  const name = POLICY_NAMES.protectLargeSets;
  const config = policyConfig(name, {
    minJobs: integerField({
      description: "A job set holding at least this many jobs must be protected.",
      minimum: 1,
      maximum: MAX_JOBS_PER_SET,
      default: options.minJobs ?? DEFAULT_MIN_JOBS_TO_PROTECT,
    }),
  });
  config.parse({}); // a bad default fails when the pack starts, not at the first resource
  return {
    name,
    displayName: "Large job sets are protected",
    description: `A job set holding many jobs must have protect: true, so that no destroy or removal from the program tears them all down at once. ${BEFORE_THE_FACT}`,
    enforcementLevel: options.enforcementLevel ?? "mandatory",
    severity: "high",
    configSchema: config.configSchema,
    remediationSteps: "Set the resource option protect: true on the set, or split it into smaller sets.",
    validateResource: (args, reportViolation) => {
      const { minJobs } = config.parse(args.getConfig());
      const kind = jobSetUnderAnalysis(args);
      if (args.opts.protect) return;
      const count = countJobs(args.props, kind);
      const atLeast = (jobs: number) => jobs >= minJobs;
      if (decide(count, atLeast, `${label(args)} is not protected and holds ${describeCount(count)}, so whether it reaches ${minJobs} is not known yet`)) {
        reportViolation(
          `${label(args)} holds ${describeCount(count)} and is not protected (sets of ${minJobs} jobs or more must be): ` +
            `a destroy, or removing it from the program, would tear all of them down at once. ` +
            `Set protect: true on it, or split it into sets of fewer than ${minJobs} jobs.`,
        );
      }
    },
  };
}

/** In production stacks every job set must be `protect`ed. */
export function createProtectInProduction(options: ProductionOptions = {}, shared?: JobsetPolicyOptions["production"]): ResourceValidationPolicy {
  const name = POLICY_NAMES.protectInProduction;
  const config = policyConfig(name, productionFields(options, shared));
  config.parse({});
  return {
    name,
    displayName: "Job sets are protected in production",
    description: `In a production stack (by name pattern or stack tag) every job set must have protect: true. ${BEFORE_THE_FACT}`,
    enforcementLevel: options.enforcementLevel ?? "mandatory",
    severity: "high",
    configSchema: config.configSchema,
    remediationSteps: "Set the resource option protect: true on every job set of the stack.",
    validateResource: (args, reportViolation) => {
      const selector = config.parse(args.getConfig());
      jobSetUnderAnalysis(args);
      const { reason } = productionStack(args, selector);
      if (!args.opts.protect) {
        reportViolation(
          `${label(args)} is not protected, and this is a production stack (${reason}): ` +
            `a destroy would tear its jobs down. Set protect: true on it.`,
        );
      }
    },
  };
}

/** In production, streaming (DLI Flink) sets tear down with `stop-then-delete` and a savepoint. */
export function createStreamingSavepointInProduction(
  options: ProductionOptions = {},
  shared?: JobsetPolicyOptions["production"],
): ResourceValidationPolicy {
  const name = POLICY_NAMES.streamingSavepointInProduction;
  const config = policyConfig(name, productionFields(options, shared));
  config.parse({});
  return {
    name,
    displayName: "Streaming job sets keep a savepoint in production",
    description:
      `In a production stack a streaming (DLI Flink) job set must tear down with teardown "${REQUIRED_STREAMING_TEARDOWN}" and triggerSavepoint: true, ` +
      `so its jobs' state survives a teardown. ${BEFORE_THE_FACT}`,
    enforcementLevel: options.enforcementLevel ?? "mandatory",
    severity: "high",
    configSchema: config.configSchema,
    remediationSteps: `Set teardown: "${REQUIRED_STREAMING_TEARDOWN}" and triggerSavepoint: true on the set.`,
    validateResource: (args, reportViolation) => {
      const selector = config.parse(args.getConfig());
      const kind = jobSetUnderAnalysis(args);
      if (!kind.streaming) args.notApplicable("applies to streaming (DLI Flink) job sets only");
      const { reason } = productionStack(args, selector);
      const teardown = readKnown(() => args.props.teardown as unknown);
      const savepoint = readKnown(() => args.props.triggerSavepoint as unknown);
      const unknown: UnknownValueError | undefined = teardown.unknown ?? savepoint.unknown;
      if (unknown) undecidedAtPreview(unknown, `${label(args)}: its teardown settings are not known yet`);
      const problems: string[] = [];
      if (teardown.value !== REQUIRED_STREAMING_TEARDOWN) {
        problems.push(teardown.value === undefined ? `teardown is not set (so "${kind.defaultTeardown}")` : `teardown is ${JSON.stringify(teardown.value)}`);
      }
      if (savepoint.value !== true) {
        problems.push(savepoint.value === undefined ? "triggerSavepoint is not set (so false)" : `triggerSavepoint is ${JSON.stringify(savepoint.value)}`);
      }
      if (problems.length > 0) {
        reportViolation(
          `${label(args)} is in a production stack (${reason}), but ${problems.join(" and ")}: ` +
            `a teardown would end its streaming jobs without a savepoint, losing their state. ` +
            `Set teardown: "${REQUIRED_STREAMING_TEARDOWN}" and triggerSavepoint: true.`,
        );
      }
    },
  };
}

/** At most `maxJobs` jobs per set. */
export function createMaxJobsPerSet(options: MaxJobsPerSetOptions = {}): ResourceValidationPolicy {
  const name = POLICY_NAMES.maxJobsPerSet;
  const config = policyConfig(name, {
    maxJobs: integerField({
      description: `Most jobs one job set may hold (the provider's own ceiling is ${MAX_JOBS_PER_SET}).`,
      minimum: 1,
      maximum: MAX_JOBS_PER_SET,
      default: options.maxJobs ?? DEFAULT_MAX_JOBS_PER_SET,
    }),
  });
  config.parse({});
  return {
    name,
    displayName: "Job sets stay small",
    description: `A job set may hold only a bounded number of jobs, which bounds what one teardown can remove. ${BEFORE_THE_FACT}`,
    enforcementLevel: options.enforcementLevel ?? "mandatory",
    severity: "medium",
    configSchema: config.configSchema,
    remediationSteps: "Split the set into several smaller sets.",
    validateResource: (args, reportViolation) => {
      const { maxJobs } = config.parse(args.getConfig());
      const kind = jobSetUnderAnalysis(args);
      const count = countJobs(args.props, kind);
      const over = (jobs: number) => jobs > maxJobs;
      if (decide(count, over, `${label(args)} holds ${describeCount(count)}, so whether it exceeds ${maxJobs} is not known yet`)) {
        reportViolation(
          `${label(args)} holds ${describeCount(count)}, more than the ${maxJobs} a set may hold. ` +
            `Split it into sets of at most ${maxJobs} jobs (and protect the large ones).`,
        );
      }
    },
  };
}

/**
 * A set with a selector must be `protect`ed and name its jobs by a `namePrefix` of at least `minNamePrefixLength`
 * characters. Its size is unknown until the destroy (the selector is matched again then, jobs submitted since
 * included), so no count-based policy can bound it: protect makes its destroy deliberate, and the prefix keeps it to
 * one pipeline's jobs rather than a whole queue's.
 */
export function createGuardSelectorSets(options: GuardSelectorSetsOptions = {}): ResourceValidationPolicy {
  const name = POLICY_NAMES.guardSelectorSets;
  const config = policyConfig(name, {
    minNamePrefixLength: integerField({
      description: "The shortest namePrefix a selector set may have; 0 also allows a selector by queue alone.",
      minimum: 0,
      maximum: 128,
      default: options.minNamePrefixLength ?? DEFAULT_MIN_NAME_PREFIX_LENGTH,
    }),
  });
  config.parse({});
  return {
    name,
    displayName: "Selector sets are protected and narrow",
    description:
      "A job set with a selector holds whatever the selector matches at destroy, jobs submitted after the last up included: " +
      `it must have protect: true and a namePrefix long enough to name one pipeline's jobs. ${BEFORE_THE_FACT}`,
    enforcementLevel: options.enforcementLevel ?? "mandatory",
    severity: "high",
    configSchema: config.configSchema,
    remediationSteps: "Set the resource option protect: true on the set, and give its selector a longer namePrefix.",
    validateResource: (args, reportViolation) => {
      const { minNamePrefixLength } = config.parse(args.getConfig());
      jobSetUnderAnalysis(args);
      const selector = readKnown(() => args.props.selector as { namePrefix?: unknown } | undefined);
      if (selector.unknown) undecidedAtPreview(selector.unknown, `${label(args)}: its selector is not known yet`);
      if (selector.value === undefined || selector.value === null) args.notApplicable("applies to job sets with a selector only");
      const prefix = readKnown(() => selector.value!.namePrefix);
      if (prefix.unknown) undecidedAtPreview(prefix.unknown, `${label(args)}: its selector's namePrefix is not known yet`);
      const length = typeof prefix.value === "string" ? prefix.value.length : 0;
      const problems: string[] = [];
      if (!args.opts.protect) problems.push("it is not protected");
      if (length < minNamePrefixLength) {
        problems.push(length === 0 ? "its selector has no namePrefix (it takes a whole queue)" : `its namePrefix ${JSON.stringify(prefix.value)} is shorter than ${minNamePrefixLength} characters`);
      }
      if (problems.length > 0) {
        reportViolation(
          `${label(args)} holds jobs by selector, but ${problems.join(" and ")}: a destroy tears down every job the selector ` +
            `matches then, including jobs submitted after the last up. Set protect: true on it` +
            (minNamePrefixLength > 0 ? `, and give it a namePrefix of at least ${minNamePrefixLength} characters.` : "."),
        );
      }
    },
  };
}

/** A stack policy: all job sets of a stack together hold at most `maxTotalJobs` jobs. */
export function createStackJobBudget(options: StackJobBudgetOptions = {}): StackValidationPolicy {
  const name = POLICY_NAMES.stackJobBudget;
  const config = policyConfig(name, {
    maxTotalJobs: integerField({
      description: "Most jobs all the job sets of one stack may hold together.",
      minimum: 1,
      default: options.maxTotalJobs ?? DEFAULT_MAX_TOTAL_JOBS,
    }),
  });
  config.parse({});
  return {
    name,
    displayName: "Stack job budget",
    description: `All the job sets of a stack together hold a bounded number of jobs, which bounds what one destroy of the stack can tear down. ${BEFORE_THE_FACT}`,
    enforcementLevel: options.enforcementLevel ?? "advisory",
    severity: "medium",
    configSchema: config.configSchema,
    remediationSteps: "Move job sets to another stack, remove jobs, or raise maxTotalJobs.",
    validateStack: (args, reportViolation) => {
      const { maxTotalJobs } = config.parse(args.getConfig());
      const sets = args.resources.flatMap((resource: PolicyResource) => {
        const kind = jobSetKind(resource.type);
        return kind ? [{ resource, count: countJobs(resource.props, kind) }] : [];
      });
      if (sets.length === 0) args.notApplicable("the stack has no job sets");
      const total: JobCount = { known: 0, unknown: 0 };
      for (const { count } of sets) {
        total.known += count.known;
        total.unknown = total.unknown === "all" || count.unknown === "all" ? "all" : total.unknown + count.unknown;
        total.unknownError ??= count.unknownError;
      }
      const over = (jobs: number) => jobs > maxTotalJobs;
      const summary = `its ${sets.length} job set${sets.length === 1 ? "" : "s"} hold ${describeCount(total)}`;
      if (decide(total, over, `${summary}, so whether the stack exceeds ${maxTotalJobs} is not known yet`)) {
        const largest = [...sets]
          .sort((a, b) => b.count.known - a.count.known)
          .slice(0, 5)
          .map(({ resource, count }) => `"${resource.name}" (${count.known})`)
          .join(", ");
        reportViolation(
          `the stack's ${summary}, more than its budget of ${maxTotalJobs} (largest: ${largest}). ` +
            `Move sets to another stack, remove jobs, or raise maxTotalJobs.`,
        );
      }
    },
  };
}

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
