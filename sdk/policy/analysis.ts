/**
 * The steps the job-set policies share: recognising a job set, naming it in a message, the production selector's
 * config fields, and deciding on a job count that may hold values not known until the update.
 */
import type { ResourceValidationArgs } from "@pulumi/policy";
import { stringListField, type ConfigField } from "./config";
import { undecidedAtPreview, type JobCount } from "./count";
import { JOBSET_TYPES, jobSetKind, shortType, type JobSetKind } from "./kinds";
import type { JobsetPolicyOptions, ProductionOptions } from "./options";
import { DEFAULT_PRODUCTION_STACK_TAGS, DEFAULT_PRODUCTION_STACKS, notProductionReason, productionReason, stackName, type ProductionSelector } from "./stacks";

/** The job-set kind of the resource under analysis; marks the policy not applicable to anything else. */
export function jobSetUnderAnalysis(args: ResourceValidationArgs): JobSetKind {
  return jobSetKind(args.type) ?? args.notApplicable(`applies to job sets only (${JOBSET_TYPES.map(shortType).join(", ")})`);
}

export function label(args: { name: string; type: string }): string {
  return `job set "${args.name}" (${shortType(args.type)})`;
}

export function productionFields(options: ProductionOptions | undefined, shared: JobsetPolicyOptions["production"]) {
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
export function productionStack(args: ResourceValidationArgs, selector: ProductionSelector): { stack: string | undefined; reason: string } {
  const stack = stackName(args.urn);
  const reason = productionReason(stack, args.stackTags, selector);
  return reason ? { stack, reason } : args.notApplicable(notProductionReason(stack, args.stackTags, selector));
}

/**
 * Whether `broken` holds for the set's jobs, decided on the known count. When unknown entries could change the
 * answer, it rethrows the proxy's unknown-value error with `undecided` in front (an advisory note at preview).
 */
export function decide(count: JobCount, broken: (jobs: number) => boolean, undecided: string): boolean {
  if (broken(count.known)) return true;
  if (count.unknownError && (count.unknown === "all" || broken(count.known + count.unknown))) {
    undecidedAtPreview(count.unknownError, undecided);
  }
  return false;
}
