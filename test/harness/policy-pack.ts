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
import * as path from "node:path";
import {
  type AnalyzedResource,
  type AnalyzeResult,
  analyzeRequest,
  analyzerproto,
  analyzerrpc,
  analyzeStackRequest,
  configureRequest,
  decodeAnalyzeResponse,
  decodeInfo,
} from "./analyzer-messages";
import {
  type AnalyzerInfo,
  type PolicyConfigEntry,
  PolicyConfigRejectedError,
  type PolicyPackConfigFile,
  parsePolicyPackConfig,
  reconcilePolicyPackConfig,
} from "./policy-config";
import { linkPackage } from "./program";
import { emptyMessage, grpc } from "./pulumi-proto";
import { connect, spawnServer } from "./spawned-server";

export { type AnalyzedResource, type AnalyzeResult, type Diagnostic, durationSeconds } from "./analyzer-messages";
export { type JSONSchema, validateJsonSchema } from "./json-schema";
export {
  type AnalyzerInfo,
  type EnforcementLevel,
  type PolicyConfigEntry,
  PolicyConfigRejectedError,
  type PolicyInfo,
  type PolicyPackConfigFile,
  parsePolicyPackConfig,
  reconcilePolicyPackConfig,
} from "./policy-config";

/** run-policy-pack drops this argument; the pack never dials the engine (logs go to the console without PULUMI_NODEJS_ENGINE). */
const ENGINE_ADDRESS = "127.0.0.1:0";
const DEFAULT_CALL_TIMEOUT_MS = 60_000;
/** ts-node type-checks the pack on start: several seconds on a small machine. */
const DEFAULT_START_TIMEOUT_MS = 60_000;

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
  const server = await spawnServer("policy pack", runPolicyPack, [ENGINE_ADDRESS, dir], {
    cwd: dir,
    env: { ...process.env, ...opts.env, ...startEnv },
    startTimeoutMs: opts.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS,
  });
  const client = connect(
    analyzerrpc.AnalyzerClient,
    server.port,
    opts.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS,
    (method, error) => new PolicyPackCallError(method, error.code, error.details ?? error.message),
  );
  const call = client.call;

  let info: AnalyzerInfo | undefined;
  const getAnalyzerInfo = async (): Promise<AnalyzerInfo> => {
    info = decodeInfo(await call("getAnalyzerInfo", emptyMessage()));
    return info;
  };

  const configureRaw = async (config: Record<string, PolicyConfigEntry>): Promise<void> => {
    await call("configure", configureRequest(config));
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
  const pack: PolicyPack = {
    port: server.port,
    pid: server.pid,
    startEnv,
    exited: server.exited,
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

    analyze: async (resource) => decodeAnalyzeResponse(await call("analyze", analyzeRequest(resource))),
    analyzeStack: async (resources) => decodeAnalyzeResponse(await call("analyzeStack", analyzeStackRequest(resources))),

    stdout: server.stdout,
    stderr: server.stderr,

    stop() {
      client.close();
      return server.stop();
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
