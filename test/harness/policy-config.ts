// A policy pack's policies and their config as the engine handles them (pulumi/pulumi
// pkg/resource/analyzer/config.go): what GetAnalyzerInfo describes, how `--policy-pack-config` is parsed, and how
// the full config is reconciled from schema defaults, the pack's initial config and the given one, then validated
// before Configure is sent.
import { type JSONSchema, validateJsonSchema } from "./json-schema";

export type EnforcementLevel = "advisory" | "mandatory" | "remediate" | "disabled";
export const ENFORCEMENT_LEVELS: readonly EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];

/** One policy, as GetAnalyzerInfo describes it. */
export interface PolicyInfo {
  name: string;
  displayName: string;
  description: string;
  type: "resource" | "stack" | "unknown";
  enforcementLevel: EnforcementLevel;
  severity: string;
  remediationSteps: string;
  /** The schema as the pack sent it (the CLI adds `enforcementLevel` before validating). */
  configSchema?: { properties: Record<string, JSONSchema>; required: string[] };
}

export interface AnalyzerInfo {
  name: string;
  version: string;
  displayName: string;
  description: string;
  supportsConfig: boolean;
  policies: PolicyInfo[];
  initialConfig: Record<string, PolicyConfigEntry>;
}

/** One policy's config as the engine holds it: an enforcement level and properties. */
export interface PolicyConfigEntry {
  enforcementLevel?: EnforcementLevel;
  properties?: Record<string, unknown>;
}

/** `--policy-pack-config` file content: per policy (or "all"), an enforcement level or an object. */
export type PolicyPackConfigFile = Record<string, unknown>;

/** The CLI refused the policy config before calling Configure (as `pulumi preview --policy-pack-config` would). */
export class PolicyConfigRejectedError extends Error {
  override readonly name = "PolicyConfigRejectedError";
  constructor(readonly errors: string[]) {
    super(`validating policy config:\n${errors.join("\n")}`);
  }
}

export function isLevel(value: unknown): value is EnforcementLevel {
  return typeof value === "string" && ENFORCEMENT_LEVELS.includes(value as EnforcementLevel);
}

/** `parsePolicyPackConfig`: a string is an enforcement level; an object may hold `enforcementLevel` and properties. */
export function parsePolicyPackConfig(config: PolicyPackConfigFile): Record<string, PolicyConfigEntry> {
  const result: Record<string, PolicyConfigEntry> = {};
  for (const [key, value] of Object.entries(config)) {
    let entry: PolicyConfigEntry;
    if (typeof value === "string") {
      if (!isLevel(value)) throw new PolicyConfigRejectedError([`parsing enforcement level for "${key}": "${value}" is not a valid enforcement level`]);
      entry = { enforcementLevel: value };
    } else if (typeof value === "object" && value !== null && !Array.isArray(value)) {
      const { enforcementLevel, ...properties } = value as Record<string, unknown>;
      if (enforcementLevel !== undefined && !isLevel(enforcementLevel)) {
        throw new PolicyConfigRejectedError([`parsing enforcement level for "${key}": ${JSON.stringify(enforcementLevel)} is not a valid enforcement level`]);
      }
      entry = {
        ...(enforcementLevel !== undefined ? { enforcementLevel } : {}),
        ...(Object.keys(properties).length > 0 ? { properties } : {}),
      };
    } else {
      throw new PolicyConfigRejectedError([`parsing "${key}": ${JSON.stringify(value)} is not a valid value; must be a string or object`]);
    }
    if (entry.enforcementLevel !== undefined || entry.properties !== undefined) result[key] = entry;
  }
  return result;
}

/** `ReconcilePolicyPackConfig`: defaults from the schemas, then the initial config, then `config`; then validated. */
export function reconcilePolicyPackConfig(
  info: AnalyzerInfo,
  config: Record<string, PolicyConfigEntry>,
): { result: Record<string, PolicyConfigEntry>; errors: string[] } {
  let result: Record<string, PolicyConfigEntry> = {};
  for (const policy of info.policies) {
    const defaults = Object.entries(policy.configSchema?.properties ?? {}).filter(([, schema]) => "default" in schema);
    result[policy.name] = {
      enforcementLevel: policy.enforcementLevel,
      ...(defaults.length ? { properties: Object.fromEntries(defaults.map(([k, schema]) => [k, structuredClone(schema.default)])) } : {}),
    };
  }
  result = applyConfig(result, info.initialConfig);
  result = applyConfig(result, config);
  const errors: string[] = [];
  for (const policy of info.policies) {
    if (!info.supportsConfig) continue;
    // GetAnalyzerInfo (engine side) gives every policy a schema with `enforcementLevel` injected.
    const schema: JSONSchema = {
      type: "object",
      properties: { ...(policy.configSchema?.properties ?? {}), enforcementLevel: { type: "string", enum: [...ENFORCEMENT_LEVELS] } },
      ...(policy.configSchema?.required.length ? { required: policy.configSchema.required } : {}),
    };
    for (const message of validateJsonSchema(schema, result[policy.name]?.properties ?? {})) errors.push(`${policy.name}: ${message}`);
  }
  return { result, errors };
}

function applyConfig(base: Record<string, PolicyConfigEntry>, apply: Record<string, PolicyConfigEntry>): Record<string, PolicyConfigEntry> {
  const result = structuredClone(base);
  const all = apply.all;
  if (all && isLevel(all.enforcementLevel)) {
    for (const key of Object.keys(result)) result[key] = { ...result[key], enforcementLevel: all.enforcementLevel };
  }
  for (const [policy, given] of Object.entries(apply)) {
    const current = result[policy] ?? {};
    const properties = given.properties && Object.keys(given.properties).length ? { ...current.properties, ...given.properties } : current.properties;
    result[policy] = {
      ...(isLevel(given.enforcementLevel) ? { enforcementLevel: given.enforcementLevel } : current.enforcementLevel ? { enforcementLevel: current.enforcementLevel } : {}),
      ...(properties ? { properties } : {}),
    };
  }
  return result;
}
