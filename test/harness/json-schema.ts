// The part of JSON Schema the Pulumi CLI checks a policy's config against (gojsonschema, in
// pkg/resource/analyzer/config.go), so a pack's config schema can be tried without the CLI.

/** A JSON Schema, as a policy's config schema advertises it. */
export type JSONSchema = Record<string, unknown>;

const SCHEMA_ANNOTATIONS = new Set(["description", "default", "title", "examples"]);

/**
 * The part of JSON Schema (draft 4-7, as gojsonschema reads it) that policy config schemas use. A keyword it does
 * not model throws, so a schema cannot pass here only because the harness skipped a rule.
 */
export function validateJsonSchema(schema: JSONSchema, value: unknown, at = ""): string[] {
  const where = at || "(root)";
  const errors: string[] = [];
  for (const key of Object.keys(schema)) {
    if (!SCHEMA_ANNOTATIONS.has(key) && !(key in KEYWORDS)) throw new Error(`harness: JSON Schema keyword "${key}" is not modelled`);
  }
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string];
    if (!types.some((t) => hasType(value, t))) {
      return [`${where}: Invalid type. Expected: ${types.join(" or ")}, given: ${typeName(value)}`];
    }
  }
  for (const [key, rule] of Object.entries(KEYWORDS)) {
    if (key in schema) errors.push(...rule(schema[key], value, at).map((m) => `${where}: ${m}`));
  }
  if (Array.isArray(value) && typeof schema.items === "object" && schema.items !== null) {
    for (const [i, item] of value.entries()) errors.push(...validateJsonSchema(schema.items as JSONSchema, item, `${at}${at ? "." : ""}${i}`));
  }
  if (isObject(value) && isObject(schema.properties)) {
    for (const [key, sub] of Object.entries(schema.properties)) {
      if (key in value) errors.push(...validateJsonSchema(sub as JSONSchema, value[key], at ? `${at}.${key}` : key));
    }
  }
  return errors;
}

type Rule = (arg: unknown, value: unknown, at: string) => string[];
const number = (v: unknown): v is number => typeof v === "number";
const KEYWORDS: Record<string, Rule> = {
  type: () => [],
  items: () => [],
  properties: () => [],
  enum: (arg, v) => ((arg as unknown[]).some((e) => JSON.stringify(e) === JSON.stringify(v)) ? [] : [`must be one of ${JSON.stringify(arg)}`]),
  minimum: (arg, v) => (number(v) && v < (arg as number) ? [`Must be greater than or equal to ${arg}`] : []),
  maximum: (arg, v) => (number(v) && v > (arg as number) ? [`Must be less than or equal to ${arg}`] : []),
  exclusiveMinimum: (arg, v) => (number(v) && v <= (arg as number) ? [`Must be greater than ${arg}`] : []),
  exclusiveMaximum: (arg, v) => (number(v) && v >= (arg as number) ? [`Must be less than ${arg}`] : []),
  minLength: (arg, v) => (typeof v === "string" && [...v].length < (arg as number) ? [`String length must be greater than or equal to ${arg}`] : []),
  maxLength: (arg, v) => (typeof v === "string" && [...v].length > (arg as number) ? [`String length must be less than or equal to ${arg}`] : []),
  pattern: (arg, v) => (typeof v === "string" && !new RegExp(arg as string, "u").test(v) ? [`Does not match pattern '${arg}'`] : []),
  minItems: (arg, v) => (Array.isArray(v) && v.length < (arg as number) ? [`Array must have at least ${arg} items`] : []),
  maxItems: (arg, v) => (Array.isArray(v) && v.length > (arg as number) ? [`Array must have at most ${arg} items`] : []),
  uniqueItems: (arg, v) =>
    arg === true && Array.isArray(v) && new Set(v.map((e) => JSON.stringify(e))).size !== v.length ? ["array items must be unique"] : [],
  required: (arg, v) => (isObject(v) ? (arg as string[]).filter((k) => !(k in v)).map((k) => `${k} is required`) : []),
  additionalProperties: (arg, v, at) => {
    if (!isObject(v)) return [];
    // Only `false` is modelled; a schema would need the properties list, which the caller checks.
    if (arg !== false) throw new Error(`harness: additionalProperties ${JSON.stringify(arg)} (at ${at || "(root)"}) is not modelled`);
    return [];
  },
};

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case "integer":
      return typeof value === "number" && Number.isInteger(value);
    case "number":
      return typeof value === "number";
    case "string":
      return typeof value === "string";
    case "boolean":
      return typeof value === "boolean";
    case "array":
      return Array.isArray(value);
    case "object":
      return isObject(value);
    case "null":
      return value === null;
    default:
      throw new Error(`harness: JSON Schema type "${type}" is not modelled`);
  }
}

function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}
