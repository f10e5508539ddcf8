/**
 * The six job-set policies, each built by a `create*` function from its options. Each reads its config with
 * `args.getConfig()`, parsed by the same schema it advertises, and parses its defaults once when built, so a bad
 * default fails when the pack starts rather than at the first resource.
 */
import type { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { MAX_JOBS_PER_SET } from "../../provider/schema";
import { decide, jobSetUnderAnalysis, label, productionFields, productionStack } from "./analysis";
import { integerField, policyConfig } from "./config";
import { countJobs, describeCount, readKnown, undecidedAtPreview, type JobCount, type UnknownValueError } from "./count";
import { jobSetKind } from "./kinds";
import {
  DEFAULT_MAX_JOBS_PER_SET,
  DEFAULT_MAX_TOTAL_JOBS,
  DEFAULT_MIN_JOBS_TO_PROTECT,
  DEFAULT_MIN_NAME_PREFIX_LENGTH,
  POLICY_NAMES,
  REQUIRED_STREAMING_TEARDOWN,
  type GuardSelectorSetsOptions,
  type JobsetPolicyOptions,
  type MaxJobsPerSetOptions,
  type ProductionOptions,
  type ProtectLargeSetsOptions,
  type StackJobBudgetOptions,
} from "./options";

const BEFORE_THE_FACT = "Checked at preview and up; no policy sees a deletion (pulumi/pulumi-policy#154).";

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
