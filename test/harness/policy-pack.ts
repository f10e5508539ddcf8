// Runs a real policy pack the way the Pulumi CLI does, and drives it over gRPC like the engine.
//
// How the CLI starts a Node.js policy pack (pulumi/pulumi, read, not run: the CLI cannot be installed here):
// - pkg/resource/plugin/analyzer_plugin.go `NewPolicyAnalyzer` loads PulumiPolicy.yaml and starts the pack with the
//   environment of `constructEnv`: the CLI's own, plus PULUMI_CONFIG (the stack config as JSON) and
//   PULUMI_NODEJS_{ORGANIZATION,PROJECT,STACK,DRY_RUN} and PULUMI_{ORGANIZATION,PROJECT,STACK,DRY_RUN}.
// - Current CLIs run it through the nodejs language host's `RunPlugin` (kind "analyzer"): it locates
//   `@pulumi/pulumi/cmd/run-policy-pack` from the pack directory and runs `node <that> <args…> <pack dir>` with the
//   pack directory as cwd. In front of it sits a `PolicyProxy` that takes the engine's `ConfigureStack` (stack,
//   project, organization, dryRun, config, tags), sets the PULUMI_NODEJS_* variables from it, starts the pack, reads
//   the port the pack prints as its first stdout line, and forwards that `ConfigureStack` to the pack before
//   anything else. Older CLIs ran the `pulumi-analyzer-policy` script instead: the same `node …/run-policy-pack
//   <engine> .` from the pack directory, with the variables from `constructEnv` and no `ConfigureStack`.
// - run-policy-pack drops its first argument (the engine address), registers ts-node with `typeCheck: true` (a type
//   error stops the pack) using the `typescript` that @pulumi/pulumi resolves, then requires the pack directory;
//   `new PolicyPack(...)` serves `pulumirpc.Analyzer` on 127.0.0.1:0 and prints the port.
// - The engine then calls GetAnalyzerInfo, reconciles the policy config (pkg/resource/analyzer/config.go
//   `ReconcilePolicyPackConfig`: schema defaults, then the pack's initial config, then `--policy-pack-config`, with
//   "all" applied first; each policy's config validated with gojsonschema against `{type: object, properties (plus
//   an injected enforcementLevel enum), required}`), and only if that passes calls Configure with the full map.
//   The pack's own Configure (@pulumi/policy server.js) checks nothing: a bad config is the CLI's to reject.
// - Analyze per resource: the inputs, `__`-prefixed keys dropped (SkipInternalKeys, so `__provider` never reaches a
//   policy), unknowns as the unknown sentinel (KeepUnknowns), secrets kept wrapped, and the resource options.
//   AnalyzeStack at the end, with every resource's outputs, parent and dependencies.
//
// What this harness does not do: pass the provider resource (`provider` in the requests), call Remediate, or
// decide which of a preview's values are unknown (a test puts UNKNOWN_VALUE where the engine would).
import { spawn } from "node:child_process";
import * as path from "node:path";
import type * as grpcTypes from "@grpc/grpc-js";
import type * as analyzerprotoTypes from "@pulumi/pulumi/proto/analyzer_pb";
import { linkPackage, type RegisteredResourceOptions } from "./program";
import { PULUMI_DIR, readPort, toStruct, type Props } from "./provider-host";

// The proto modules and gRPC copy @pulumi/pulumi itself resolves (a second google-protobuf breaks the messages).
const fromPulumi = (request: string): unknown => require(require.resolve(request, { paths: [PULUMI_DIR] }));
const grpc = fromPulumi("@grpc/grpc-js") as typeof grpcTypes;
const emptyproto = fromPulumi("google-protobuf/google/protobuf/empty_pb") as { Empty: new () => unknown };
const analyzerproto = require(path.join(PULUMI_DIR, "proto", "analyzer_pb")) as typeof analyzerprotoTypes;
const analyzerrpc = require(path.join(PULUMI_DIR, "proto", "analyzer_grpc_pb")) as {
  AnalyzerClient: new (address: string, credentials: grpcTypes.ChannelCredentials, options?: object) => RawClient;
};

type Unary = (req: unknown, metadata: grpcTypes.Metadata, options: grpcTypes.CallOptions, cb: (err: grpcTypes.ServiceError | null, resp: never) => void) => unknown;
type RawClient = grpcTypes.Client & Record<string, Unary>;

/** run-policy-pack drops this argument; the pack never dials the engine (logs go to the console without PULUMI_NODEJS_ENGINE). */
const ENGINE_ADDRESS = "127.0.0.1:0";
const DEFAULT_CALL_TIMEOUT_MS = 60_000;
/** ts-node type-checks the pack on start: several seconds on a small machine. */
const DEFAULT_START_TIMEOUT_MS = 60_000;
const CHANNEL_OPTIONS = {
  "grpc.max_receive_message_length": 400 * 1024 * 1024,
  "grpc.max_send_message_length": 400 * 1024 * 1024,
};

export type EnforcementLevel = "advisory" | "mandatory" | "remediate" | "disabled";
const ENFORCEMENT_LEVELS: readonly EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];

/** A JSON Schema, as a policy's config schema advertises it. */
export type JSONSchema = Record<string, unknown>;

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

/** The stack's identity and config, as the CLI gives them to the pack (environment and ConfigureStack). */
export interface StackContext {
  /** Default "test". */
  stack?: string;
  /** Default "project". */
  project?: string;
  /** Default "organization" (what the CLI uses with a non-Cloud backend). */
  organization?: string;
  /** Default true (a preview). */
  dryRun?: boolean;
  /** Stack config, namespaced keys. */
  config?: Record<string, string>;
  /** Stack tags (ConfigureStack only: packs under older CLIs never see them). */
  tags?: Record<string, string>;
}

export interface StartPolicyPackOptions extends StackContext {
  /** The pack directory (PulumiPolicy.yaml, package.json, index.ts). */
  dir: string;
  /** Added to the inherited environment. */
  env?: Record<string, string>;
  /** false: behave like an older CLI (no ConfigureStack, so no stack tags). Default true. */
  configureStack?: boolean;
  /** Default true: link node_modules/pulumi-jobsets in `dir` to this repository, as `npm install` of `file:../..` would. */
  link?: boolean;
  callTimeoutMs?: number;
  startTimeoutMs?: number;
}

/** A failed call to the pack: gRPC status and the message the pack sent. */
export class PolicyPackCallError extends Error {
  override readonly name = "PolicyPackCallError";
  constructor(readonly method: string, readonly code: number, readonly details: string) {
    super(`${method}: ${details} (gRPC ${grpc.status[code] ?? code})`);
  }
}

/** The CLI refused the policy config before calling Configure (as `pulumi preview --policy-pack-config` would). */
export class PolicyConfigRejectedError extends Error {
  override readonly name = "PolicyConfigRejectedError";
  constructor(readonly errors: string[]) {
    super(`validating policy config:\n${errors.join("\n")}`);
  }
}

export interface PolicyPack {
  readonly port: number;
  readonly pid: number;
  /** The environment the pack was started with (what the CLI adds to its own). */
  readonly startEnv: Record<string, string>;
  getAnalyzerInfo(): Promise<AnalyzerInfo>;
  /**
   * What the CLI does with `--policy-pack-config`: parse it, fill in schema defaults and the pack's initial config,
   * validate (throws PolicyConfigRejectedError, and Configure is not called), then Configure with the full map.
   * Returns that map.
   */
  configure(config?: PolicyPackConfigFile): Promise<Record<string, PolicyConfigEntry>>;
  /** Sends Configure as given, skipping the CLI's checks: what the pack itself makes of any config. */
  configureRaw(config: Record<string, PolicyConfigEntry>): Promise<void>;
  /** ConfigureStack, as the language host's proxy forwards it (startPolicyPack sends it once already). */
  configureStack(context?: StackContext): Promise<void>;
  analyze(resource: AnalyzedResource): Promise<AnalyzeResult>;
  analyzeStack(resources: AnalyzedResource[]): Promise<AnalyzeResult>;
  stdout(): string;
  stderr(): string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Closes the channel and stops the pack; safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Starts the pack in `opts.dir` as the CLI does and connects to it. Rejects with the pack's output if it does not
 * print a port (a type error in the pack, a missing dependency). Always `stop()` it.
 */
export async function startPolicyPack(opts: StartPolicyPackOptions): Promise<PolicyPack> {
  const dir = path.resolve(opts.dir);
  if (opts.link !== false) linkPackage(dir);
  const context = stackContext(opts);
  const startEnv = packEnv(context);
  const runPolicyPack = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [dir] });
  const child = spawn(process.execPath, [runPolicyPack, ENGINE_ADDRESS, dir], {
    cwd: dir,
    env: { ...process.env, ...opts.env, ...startEnv },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (out += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (err += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );

  let port: number;
  try {
    port = await readPort("policy pack", child, () => out, () => `${out}${err}`, exited, opts.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS);
  } catch (error) {
    child.kill("SIGKILL");
    throw error;
  }

  const client = new analyzerrpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), CHANNEL_OPTIONS);
  const callTimeoutMs = opts.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
  const call = <Resp>(method: string, req: unknown): Promise<Resp> =>
    new Promise((resolve, reject) => {
      client[method]!.call(client, req, new grpc.Metadata(), { deadline: Date.now() + callTimeoutMs }, (error, resp) => {
        if (error) reject(new PolicyPackCallError(method, error.code, error.details ?? error.message));
        else resolve(resp as Resp);
      });
    });

  let info: AnalyzerInfo | undefined;
  const getAnalyzerInfo = async (): Promise<AnalyzerInfo> => {
    info = decodeInfo(await call<analyzerprotoTypes.AnalyzerInfo>("getAnalyzerInfo", new emptyproto.Empty()));
    return info;
  };

  const configureRaw = async (config: Record<string, PolicyConfigEntry>): Promise<void> => {
    const req = new analyzerproto.ConfigureAnalyzerRequest();
    for (const [policy, entry] of Object.entries(config)) {
      const level = entry.enforcementLevel ?? "";
      // The engine's analyzer.Configure refuses an entry without a valid level before sending anything.
      if (!ENFORCEMENT_LEVELS.includes(level as EnforcementLevel)) throw new PolicyConfigRejectedError([`invalid enforcement level "${level}" (policy "${policy}")`]);
      const pc = new analyzerproto.PolicyConfig();
      pc.setEnforcementlevel(LEVEL_TO_PROTO[level as EnforcementLevel]);
      pc.setProperties(toStruct(entry.properties ?? {}));
      req.getPolicyconfigMap().set(policy, pc);
    }
    await call("configure", req);
  };

  const configureStack = async (ctx: StackContext = {}): Promise<void> => {
    const resolved = stackContext({ ...context, ...ctx });
    const req = new analyzerproto.AnalyzerStackConfigureRequest();
    req.setStack(resolved.stack);
    req.setProject(resolved.project);
    req.setOrganization(resolved.organization);
    req.setDryRun(resolved.dryRun);
    for (const [k, v] of Object.entries(resolved.config)) req.getConfigMap().set(k, v);
    for (const [k, v] of Object.entries(resolved.tags)) req.getTagsMap().set(k, v);
    await call("configureStack", req);
  };

  let stopped: Promise<void> | undefined;
  const pack: PolicyPack = {
    port,
    pid: child.pid ?? -1,
    startEnv,
    exited,
    getAnalyzerInfo,
    configureRaw,
    configureStack,

    async configure(config = {}) {
      const current = info ?? (await getAnalyzerInfo());
      if (!current.supportsConfig) return {};
      const { result, errors } = reconcilePolicyPackConfig(current, parsePolicyPackConfig(config));
      if (errors.length > 0) throw new PolicyConfigRejectedError(errors);
      // The engine skips Configure for an empty map.
      if (Object.keys(result).length > 0) await configureRaw(result);
      return result;
    },

    async analyze(resource) {
      const req = new analyzerproto.AnalyzeRequest();
      req.setType(resource.type);
      req.setName(resource.name);
      req.setUrn(resource.urn);
      req.setProperties(toStruct(engineProperties(resource.inputs)));
      req.setOptions(resourceOptions(resource.opts));
      return decodeAnalyzeResponse(await call<analyzerprotoTypes.AnalyzeResponse>("analyze", req));
    },

    async analyzeStack(resources) {
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
      return decodeAnalyzeResponse(await call<analyzerprotoTypes.AnalyzeResponse>("analyzeStack", req));
    },

    stdout: () => out,
    stderr: () => err,

    stop() {
      stopped ??= (async () => {
        client.close();
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
        await exited;
      })();
      return stopped;
    },
  };

  if (opts.configureStack !== false) {
    try {
      await configureStack();
    } catch (error) {
      await pack.stop();
      throw error;
    }
  }
  return pack;
}

// --- what the CLI puts around the pack ----------------------------------------------------------------------

function stackContext(ctx: StackContext): Required<StackContext> {
  return {
    stack: ctx.stack ?? "test",
    project: ctx.project ?? "project",
    organization: ctx.organization ?? "organization",
    dryRun: ctx.dryRun ?? true,
    config: ctx.config ?? {},
    tags: ctx.tags ?? {},
  };
}

/** constructEnv (older CLIs) and the language host's PolicyProxy (current ones) set the same variables. */
function packEnv(ctx: Required<StackContext>): Record<string, string> {
  const env: Record<string, string> = {};
  const set = (key: string, value: string): void => {
    if (value !== "") env[key] = value;
  };
  if (Object.keys(ctx.config).length > 0) set("PULUMI_CONFIG", JSON.stringify(ctx.config));
  for (const prefix of ["PULUMI_NODEJS_", "PULUMI_"]) {
    set(`${prefix}ORGANIZATION`, ctx.organization);
    set(`${prefix}PROJECT`, ctx.project);
    set(`${prefix}STACK`, ctx.stack);
    set(`${prefix}DRY_RUN`, String(ctx.dryRun));
  }
  return env;
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

// --- the engine's handling of policy config (pkg/resource/analyzer/config.go) --------------------------------

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

function isLevel(value: unknown): value is EnforcementLevel {
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

// --- decoding --------------------------------------------------------------------------------------------

const POLICY_TYPES: Record<number, PolicyInfo["type"]> = { 0: "unknown", 1: "resource", 2: "stack" };
const SEVERITIES: Record<number, string> = { 0: "", 1: "low", 2: "medium", 3: "high", 4: "critical" };

function decodeInfo(resp: analyzerprotoTypes.AnalyzerInfo): AnalyzerInfo {
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

function decodeAnalyzeResponse(resp: analyzerprotoTypes.AnalyzeResponse): AnalyzeResult {
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

