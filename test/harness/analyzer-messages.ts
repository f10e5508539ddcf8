// The analyzer's gRPC messages (pulumirpc.Analyzer, proto/analyzer.proto) as the engine builds and reads them: the
// requests for Configure, Analyze and AnalyzeStack, and the answers decoded into plain objects.
import type * as analyzerprotoTypes from "@pulumi/pulumi/proto/analyzer_pb";
import {
  type AnalyzerInfo,
  ENFORCEMENT_LEVELS,
  type EnforcementLevel,
  isLevel,
  type PolicyConfigEntry,
  PolicyConfigRejectedError,
  type PolicyInfo,
} from "./policy-config";
import type { JSONSchema } from "./json-schema";
import type { RegisteredResourceOptions } from "./program";
import { pulumiProto, toStruct, type Props } from "./pulumi-proto";
import type { ClientConstructor } from "./spawned-server";

export const analyzerproto = pulumiProto("analyzer_pb") as typeof analyzerprotoTypes;
export const analyzerrpc = pulumiProto("analyzer_grpc_pb") as { AnalyzerClient: ClientConstructor };

export interface Diagnostic {
  policyName: string;
  policyPackName: string;
  policyPackVersion: string;
  description: string;
  message: string;
  enforcementLevel: EnforcementLevel;
  urn: string;
  severity: string;
}

export interface AnalyzeResult {
  diagnostics: Diagnostic[];
  notApplicable: { policyName: string; reason: string }[];
}

/** What the engine sends for one resource: its registration, and its outputs once it has them. */
export interface AnalyzedResource {
  type: string;
  name: string;
  urn: string;
  /** The inputs (Analyze). */
  inputs: Props;
  /** The outputs (AnalyzeStack after an update); AnalyzeStack sends `inputs` when absent, as at preview. */
  outputs?: Props;
  opts?: RegisteredResourceOptions & { aliases?: string[] };
}

// --- requests --------------------------------------------------------------------------------------------

/** Configure with the full config map. */
export function configureRequest(config: Record<string, PolicyConfigEntry>): analyzerprotoTypes.ConfigureAnalyzerRequest {
  const req = new analyzerproto.ConfigureAnalyzerRequest();
  for (const [policy, entry] of Object.entries(config)) {
    const level = entry.enforcementLevel ?? "";
    // The engine's analyzer.Configure refuses an entry without a valid level before sending anything.
    if (!isLevel(level)) throw new PolicyConfigRejectedError([`invalid enforcement level "${level}" (policy "${policy}")`]);
    const pc = new analyzerproto.PolicyConfig();
    pc.setEnforcementlevel(LEVEL_TO_PROTO[level]);
    pc.setProperties(toStruct(entry.properties ?? {}));
    req.getPolicyconfigMap().set(policy, pc);
  }
  return req;
}

/** Analyze one resource: its inputs and options. */
export function analyzeRequest(resource: AnalyzedResource): analyzerprotoTypes.AnalyzeRequest {
  const req = new analyzerproto.AnalyzeRequest();
  req.setType(resource.type);
  req.setName(resource.name);
  req.setUrn(resource.urn);
  req.setProperties(toStruct(engineProperties(resource.inputs)));
  req.setOptions(resourceOptions(resource.opts));
  return req;
}

/** AnalyzeStack: every resource's outputs (its inputs when it has none), options, parent and dependencies. */
export function analyzeStackRequest(resources: AnalyzedResource[]): analyzerprotoTypes.AnalyzeStackRequest {
  const req = new analyzerproto.AnalyzeStackRequest();
  req.setResourcesList(
    resources.map((resource) => {
      const r = new analyzerproto.AnalyzerResource();
      r.setType(resource.type);
      r.setName(resource.name);
      r.setUrn(resource.urn);
      r.setProperties(toStruct(engineProperties(resource.outputs ?? resource.inputs)));
      r.setOptions(resourceOptions(resource.opts));
      if (resource.opts?.parent) r.setParent(resource.opts.parent);
      r.setDependenciesList(resource.opts?.dependencies ?? []);
      return r;
    }),
  );
  return req;
}

/** The engine's MarshalProperties with SkipInternalKeys: `__`-prefixed keys are dropped at every level. */
function engineProperties(props: Props): Props {
  const strip = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(strip);
    if (typeof value === "object" && value !== null) {
      return Object.fromEntries(Object.entries(value).filter(([k]) => !k.startsWith("__")).map(([k, v]) => [k, strip(v)]));
    }
    return value;
  };
  return strip(props) as Props;
}

/** The engine's marshalResourceOptions. Custom timeouts are strings in a registration ("5m") and seconds here. */
function resourceOptions(opts: AnalyzedResource["opts"]): analyzerprotoTypes.AnalyzerResourceOptions {
  const o = new analyzerproto.AnalyzerResourceOptions();
  o.setProtect(opts?.protect === true);
  o.setIgnorechangesList(opts?.ignoreChanges ?? []);
  o.setDeletebeforereplacedefined(opts?.deleteBeforeReplace !== undefined);
  o.setDeletebeforereplace(opts?.deleteBeforeReplace === true);
  o.setAdditionalsecretoutputsList(opts?.additionalSecretOutputs ?? []);
  o.setAliasesList(opts?.aliases ?? []);
  const timeouts = new analyzerproto.AnalyzerResourceOptions.CustomTimeouts();
  timeouts.setCreate(durationSeconds(opts?.customTimeouts?.create));
  timeouts.setUpdate(durationSeconds(opts?.customTimeouts?.update));
  timeouts.setDelete(durationSeconds(opts?.customTimeouts?.delete));
  o.setCustomtimeouts(timeouts);
  if (opts?.parent) o.setParent(opts.parent);
  return o;
}

/** A Go duration ("1h30m", "90s") in seconds; "" → 0. */
export function durationSeconds(text: string | undefined): number {
  if (!text) return 0;
  const units: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 1e-3, us: 1e-6, µs: 1e-6, ns: 1e-9 };
  let total = 0;
  let rest = text;
  while (rest) {
    const match = /^(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/.exec(rest);
    if (!match) throw new Error(`harness: not a Go duration: ${JSON.stringify(text)}`);
    total += Number(match[1]) * units[match[2]!]!;
    rest = rest.slice(match[0].length);
  }
  return total;
}

// --- enforcement levels on the wire --------------------------------------------------------------------

const LEVEL_TO_PROTO: Record<EnforcementLevel, number> = {
  advisory: analyzerproto.EnforcementLevel.ADVISORY,
  mandatory: analyzerproto.EnforcementLevel.MANDATORY,
  remediate: analyzerproto.EnforcementLevel.REMEDIATE,
  disabled: analyzerproto.EnforcementLevel.DISABLED,
};

function levelFromProto(value: number): EnforcementLevel {
  const level = ENFORCEMENT_LEVELS.find((l) => LEVEL_TO_PROTO[l] === value);
  if (!level) throw new Error(`harness: unknown enforcement level ${value}`);
  return level;
}

// --- answers ---------------------------------------------------------------------------------------------

const POLICY_TYPES: Record<number, PolicyInfo["type"]> = { 0: "unknown", 1: "resource", 2: "stack" };
const SEVERITIES: Record<number, string> = { 0: "", 1: "low", 2: "medium", 3: "high", 4: "critical" };

export function decodeInfo(resp: analyzerprotoTypes.AnalyzerInfo): AnalyzerInfo {
  const initialConfig: Record<string, PolicyConfigEntry> = {};
  resp.getInitialconfigMap().forEach((entry, key) => {
    const properties = entry.getProperties()?.toJavaScript();
    initialConfig[key] = { enforcementLevel: levelFromProto(entry.getEnforcementlevel()), ...(properties ? { properties } : {}) };
  });
  return {
    name: resp.getName(),
    version: resp.getVersion(),
    displayName: resp.getDisplayname(),
    description: resp.getDescription(),
    supportsConfig: resp.getSupportsconfig(),
    initialConfig,
    policies: resp.getPoliciesList().map((p) => {
      const schema = p.getConfigschema();
      return {
        name: p.getName(),
        displayName: p.getDisplayname(),
        description: p.getDescription(),
        type: POLICY_TYPES[p.getPolicyType()] ?? "unknown",
        enforcementLevel: levelFromProto(p.getEnforcementlevel()),
        severity: SEVERITIES[p.getSeverity()] ?? "",
        remediationSteps: p.getRemediationSteps(),
        ...(schema
          ? { configSchema: { properties: (schema.getProperties()?.toJavaScript() ?? {}) as Record<string, JSONSchema>, required: schema.getRequiredList() } }
          : {}),
      };
    }),
  };
}

export function decodeAnalyzeResponse(resp: analyzerprotoTypes.AnalyzeResponse): AnalyzeResult {
  return {
    diagnostics: resp.getDiagnosticsList().map((d) => ({
      policyName: d.getPolicyname(),
      policyPackName: d.getPolicypackname(),
      policyPackVersion: d.getPolicypackversion(),
      description: d.getDescription(),
      message: d.getMessage(),
      enforcementLevel: levelFromProto(d.getEnforcementlevel()),
      urn: d.getUrn(),
      severity: SEVERITIES[d.getSeverity()] ?? "",
    })),
    notApplicable: resp.getNotApplicableList().map((n) => ({ policyName: n.getPolicyName(), reason: n.getReason() })),
  };
}
