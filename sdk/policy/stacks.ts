/**
 * Which stacks count as production, decided inside the analyzer process.
 *
 * What the analyzer is told, read from @pulumi/policy 1.21 (server.js) and the engine (pulumi/pulumi
 * pkg/resource/plugin/analyzer_plugin.go `constructEnv`, sdk/go/common/resource/plugin/sdk PolicyProxy):
 * - the stack name is in every resource's URN (`urn:pulumi:<stack>::<project>::<type>::<name>`), with any CLI
 *   version; it is the short name (`prod`), never `org/project/prod`. The policies read it from there.
 * - the CLI also starts the pack with PULUMI_NODEJS_STACK / PULUMI_STACK (and _PROJECT, _ORGANIZATION,
 *   _DRY_RUN) in its environment, so `pulumi.getStack()` works in a pack; but when the variable is missing
 *   @pulumi/pulumi answers "stack", which would silently be taken for a real name. Used only when there is no URN.
 * - stack tags reach policies as `args.stackTags` only when the CLI sends `ConfigureStack` (current CLIs do, through
 *   the language host's policy proxy; @pulumi/policy 1.21 keeps them in server.js `configureStack`). With an
 *   older CLI or @pulumi/policy the map is empty, and only name patterns work.
 */

/** Stack names taken for production when the policy config names none. Globs: `*` any run, `?` one character. */
export const DEFAULT_PRODUCTION_STACKS: readonly string[] = ["prod", "production", "prod-*", "production-*", "*-prod", "*-production"];
/** Stack tags that mark production when the policy config names none: `key=value-glob`, or `key` for any value. */
export const DEFAULT_PRODUCTION_STACK_TAGS: readonly string[] = ["environment=production"];

export interface ProductionSelector {
  /** Globs over the stack name (case-insensitive). */
  productionStacks: readonly string[];
  /** `key=value-glob` or `key`; the key is matched exactly, the value case-insensitively. */
  productionStackTags: readonly string[];
}

/** The stack name in a URN: `urn:pulumi:<stack>::…`. */
export function stackOfUrn(urn: string): string | undefined {
  const match = /^urn:pulumi:([^:]+)::/.exec(urn);
  return match?.[1];
}

/** The stack being analyzed: from the URN, else from the environment the CLI gives the pack. */
export function stackName(urn: string | undefined, env: Record<string, string | undefined> = process.env): string | undefined {
  return (urn ? stackOfUrn(urn) : undefined) ?? (env.PULUMI_NODEJS_STACK || env.PULUMI_STACK || undefined);
}

/** Whether `value` matches the glob `pattern` (`*`, `?`; case-insensitive). */
export function globMatches(pattern: string, value: string): boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${source}$`, "i").test(value);
}

/**
 * Why the stack is production (`stack "prod" matches "prod"`, `stack tag environment=production`), or
 * undefined when neither its name nor its tags match.
 */
export function productionReason(
  stack: string | undefined,
  tags: ReadonlyMap<string, string>,
  selector: ProductionSelector,
): string | undefined {
  if (stack !== undefined) {
    const pattern = selector.productionStacks.find((p) => globMatches(p, stack));
    if (pattern !== undefined) return `stack "${stack}" matches "${pattern}"`;
  }
  for (const entry of selector.productionStackTags) {
    const eq = entry.indexOf("=");
    const key = eq < 0 ? entry : entry.slice(0, eq);
    const value = tags.get(key);
    if (value === undefined) continue;
    if (eq < 0 || globMatches(entry.slice(eq + 1), value)) return `stack tag ${key}=${value} matches "${entry}"`;
  }
  return undefined;
}

/** For not-applicable notes: `stack "dev" matches none of prod, production-* and no tag matches environment=production`. */
export function notProductionReason(stack: string | undefined, tags: ReadonlyMap<string, string>, selector: ProductionSelector): string {
  const names = selector.productionStacks.length ? selector.productionStacks.join(", ") : "(no name patterns)";
  const tagList = selector.productionStackTags.length ? selector.productionStackTags.join(", ") : "(no tag patterns)";
  const seen = tags.size ? [...tags].map(([k, v]) => `${k}=${v}`).join(", ") : "none";
  return `not a production stack: "${stack ?? "(unknown)"}" matches none of ${names}, and its tags (${seen}) match none of ${tagList}`;
}
