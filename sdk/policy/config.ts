/**
 * Policy config: each field is one zod schema, with its description and default. The pack parses
 * `args.getConfig()` with it, and advertises the JSON Schema zod derives from it (`z.toJSONSchema`): the CLI fills in
 * its `default`s and validates `--policy-pack-config` against it before `Configure`.
 *
 * Why parse again in the pack: @pulumi/policy's `Configure` stores whatever it is sent, unchecked; without a
 * `Configure` (a CLI that sends none, a hand-written test) `getConfig()` is `{}`; and the CLI's schema has no
 * `additionalProperties: false`, so a misspelt key (`minJob`) passes it silently. The pack therefore applies
 * the defaults itself and fails the policy run, naming the key, on anything the schema does not describe.
 */
import { z } from "zod";
import type { PolicyConfigSchema } from "@pulumi/policy";
import { checkFailures, formatFailures } from "../../provider/check";

type JSONSchema = PolicyConfigSchema["properties"][string];

/** One config property: a zod schema with a description and a default, so its JSON Schema says both. */
export type ConfigField<T> = z.ZodType<T>;

/**
 * The JSON Schema of one property, as the CLI reads it: draft 7 (the CLI's validator reads drafts 4 to 7), without
 * the `$schema` line that belongs only at a document's root.
 */
export function propertySchema(field: ConfigField<unknown>): JSONSchema {
  const { $schema: _root, ...schema } = z.toJSONSchema(field, { target: "draft-7", io: "input" });
  return schema as JSONSchema;
}

/** An integer in [minimum, maximum]. */
export function integerField(opts: { description: string; minimum: number; maximum?: number; default: number }): ConfigField<number> {
  let zod = z
    .number({ error: (issue) => `expected a whole number, received ${describe(issue.input)}` })
    .int({ error: (issue) => `expected a whole number, received ${describe(issue.input)}` })
    .min(opts.minimum, { error: (issue) => `expected at least ${opts.minimum}, received ${describe(issue.input)}` });
  if (opts.maximum !== undefined) {
    const maximum = opts.maximum;
    zod = zod.max(maximum, { error: (issue) => `expected at most ${maximum}, received ${describe(issue.input)}` });
  }
  return zod.default(opts.default).meta({ description: opts.description }) as ConfigField<number>;
}

/** A list of non-empty strings, each matching `pattern` (described by `patternHint` in messages). */
export function stringListField(opts: {
  description: string;
  default: readonly string[];
  pattern: string;
  patternHint: string;
}): ConfigField<string[]> {
  const item = z
    .string({ error: (issue) => `expected a string, received ${describe(issue.input)}` })
    .regex(new RegExp(opts.pattern), { error: (issue) => `expected ${opts.patternHint}, received ${describe(issue.input)}` });
  return z
    .array(item, { error: (issue) => `expected a list of strings, received ${describe(issue.input)}` })
    .default(() => [...opts.default])
    .meta({ description: opts.description }) as ConfigField<string[]>;
}

/** A policy's config: the schema to advertise and a parser for `args.getConfig()`. */
export interface PolicyConfig<T> {
  configSchema: PolicyConfigSchema;
  /** Parses the config the analyzer holds; throws PolicyConfigError naming every bad or unknown key. */
  parse(raw: unknown): T;
}

export function policyConfig<F extends Record<string, ConfigField<unknown>>>(
  policyName: string,
  fields: F,
): PolicyConfig<{ [K in keyof F]: F[K] extends ConfigField<infer T> ? T : never }> {
  const properties = Object.fromEntries(Object.entries(fields).map(([key, field]) => [key, propertySchema(field)]));
  const schema = z.strictObject(fields);
  const known = Object.keys(fields);
  return {
    configSchema: { properties },
    parse(raw) {
      const parsed = schema.safeParse(raw ?? {});
      if (!parsed.success) throw new PolicyConfigError(policyName, formatFailures(checkFailures(parsed.error, known)));
      return parsed.data as never;
    },
  };
}

/** A policy's config is invalid: the policy run fails (an error, not a violation), so no check passes unseen. */
export class PolicyConfigError extends Error {
  override readonly name = "PolicyConfigError";
  constructor(readonly policyName: string, readonly details: string) {
    super(`invalid config for policy "${policyName}":\n${details}`);
  }
}

function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return "a list";
  if (value === null) return "null";
  return typeof value === "object" ? "an object" : String(value);
}
