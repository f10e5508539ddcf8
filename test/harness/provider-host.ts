// Drives the real dynamic provider host the way the engine does.
//
// The engine runs `node <@pulumi/pulumi>/cmd/dynamic-provider/index.js <engine-address>`; the host ignores the
// address, binds 127.0.0.1:0, prints the port as its first stdout line and serves `pulumirpc.ResourceProvider`.
// It never calls back into the engine, so a test can spawn it, read the port and call it over gRPC.
//
// What crosses the boundary, read from cmd/dynamic-provider/index.js (class ResourceProviderService):
// - `configure` keeps only `args` (a Struct; `variables` is ignored), unwraps a top-level secret wrapper per key
//   (`rpc.unwrapRpcSecret`), and answers `acceptSecrets: false`. So the engine strips secrets from every later
//   request (`MarshalOptions.KeepSecrets = protocol.acceptSecrets` in the engine's provider_plugin.go) and marks
//   outputs secret again with `annotateSecrets` (see engine.ts). Anything else reaches provider methods as
//   `Struct.toJavaScript()` gives it: a wrapper sent anyway arrives as a plain object.
// - `getProvider` deserializes `__provider` with require-from-string (module paths resolve from the host's cwd),
//   caches it per text and calls the provider's `configure` once, on first use, with the config last sent.
// - create/update failures go through `grpcResponseFromError`: code UNKNOWN, message = error.message, and only
//   if the thrown error has an `id`, a google.rpc.Status in the `grpc-status-details-bin` trailer carrying a
//   `pulumirpc.ErrorResourceInitFailed {id, properties: error.properties ?? {}, reasons}`. Those partial
//   properties do NOT get `__provider` added (unlike successful results, via `resultIncludingProvider`).
// - check/diff/read/delete failures: `console.error(`${e}: ${e.stack}`)` in the host, then code UNKNOWN with
//   details = message (grpc-js `serverErrorToStatus`; a numeric `error.code` would become the gRPC code).
// - diff only sets `changes`, `replaces` and `deleteBeforeReplace`: never `diffs` nor a detailed diff.
import * as path from "node:path";
import type * as grpcTypes from "@grpc/grpc-js";
import type * as provprotoTypes from "@pulumi/pulumi/proto/provider_pb";
import type * as statusprotoTypes from "@pulumi/pulumi/proto/status_pb";
import { type EngineMessage, formatMessages, startEngine } from "./engine-server";
import { emptyMessage, fromStruct, grpc, PULUMI_DIR, pulumiProto, toStruct, type Props } from "./pulumi-proto";
import { connect, spawnServer, type ClientConstructor } from "./spawned-server";

export { PULUMI_DIR, toStruct, type Props } from "./pulumi-proto";
export { readPort } from "./spawned-server";

const provproto = pulumiProto("provider_pb") as typeof provprotoTypes;
const statusproto = pulumiProto("status_pb") as typeof statusprotoTypes;
const provrpc = pulumiProto("provider_grpc_pb") as { ResourceProviderClient: ClientConstructor };

/** Secret wrapper keys, as in @pulumi/pulumi runtime/rpc.js (`specialSigKey`, `specialSecretSig`). */
export const SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
/** The value the engine sends for an unknown during preview (runtime/rpc.js `unknownValue`). */
export const UNKNOWN_VALUE = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** Wraps a value the way the engine marshals a secret (`{[SIG_KEY]: SECRET_SIG, value}`). */
export function secret<T>(value: T): { [SIG_KEY]: typeof SECRET_SIG; value: T } {
  return { [SIG_KEY]: SECRET_SIG, value };
}

/** URN of a resource parented to the root stack: `urn:pulumi:<stack>::<project>::<type>::<name>`. */
export function urn(type: string, name: string, project = "harness", stack = "test"): string {
  return `urn:pulumi:${stack}::${project}::${type}::${name}`;
}

/** `Check`: the inputs the provider returned (with `__provider` put back by the host) and its failures. */
export interface CheckResult {
  inputs: Props;
  failures: { property: string; reason: string }[];
}

/** `Diff`, decoded. The dynamic host only ever sets `changes`, `replaces` and `deleteBeforeReplace`. */
export interface DiffResult {
  /** true = DIFF_SOME, false = DIFF_NONE, undefined = DIFF_UNKNOWN (the engine then diffs inputs itself). */
  changes: boolean | undefined;
  replaces: string[];
  deleteBeforeReplace: boolean;
  diffs: string[];
  stables: string[];
  detailedDiff?: Record<string, { kind: string; inputDiff: boolean }>;
}

/** `Configure`'s answer: the dynamic host always says `acceptSecrets: false`. */
export interface ConfigureResult {
  acceptSecrets: boolean;
  acceptResources: boolean;
  supportsPreview: boolean;
}

/**
 * A failed provider call. `code` is the gRPC status, `details` the message the host sent. When the host attached a
 * `pulumirpc.ErrorResourceInitFailed` (a create/update error that carried an `id`), `id`, `properties` and `reasons`
 * hold it: the engine then keeps the resource in state with those partial outputs.
 */
export class ProviderCallError extends Error {
  override readonly name = "ProviderCallError";
  constructor(
    readonly method: string,
    readonly code: number,
    readonly details: string,
    readonly partial?: { id: string; properties: Props; reasons: string[]; inputs?: Props },
  ) {
    super(`${method}: ${details} (gRPC ${grpc.status[code] ?? code})`);
  }
  get id(): string | undefined {
    return this.partial?.id;
  }
  get properties(): Props | undefined {
    return this.partial?.properties;
  }
  get reasons(): string[] | undefined {
    return this.partial?.reasons;
  }
}

/** A running provider host and a gRPC client to it; methods take and return plain objects. */
export interface ProviderHost {
  /** Port the host printed on its first stdout line. */
  readonly port: number;
  readonly pid: number;
  /** `Configure`: `config` keys are namespaced (`"jobsets:region"`); keys in `secretKeys` are sent wrapped. */
  configure(config: Record<string, string>, opts?: { acceptSecrets?: boolean; secretKeys?: string[] }): Promise<ConfigureResult>;
  check(urn: string, olds: Props, news: Props): Promise<CheckResult>;
  diff(id: string, urn: string, olds: Props, news: Props, opts?: { oldInputs?: Props; ignoreChanges?: string[] }): Promise<DiffResult>;
  create(urn: string, props: Props, opts?: { timeoutS?: number }): Promise<{ id: string; properties: Props }>;
  read(id: string, urn: string, props: Props, inputs?: Props): Promise<{ id: string; properties: Props; inputs?: Props }>;
  update(id: string, urn: string, olds: Props, news: Props, opts?: { oldInputs?: Props; timeoutS?: number }): Promise<{ properties: Props }>;
  delete(id: string, urn: string, props: Props, opts?: { oldInputs?: Props; timeoutS?: number }): Promise<void>;
  /** `GetPluginInfo`: the @pulumi/pulumi version the host runs (a plugin: its own version). */
  pluginInfo(): Promise<{ version: string }>;
  /** `GetSchema` (schema version 0): the package schema as JSON text ("{}" from the dynamic host, which has none). */
  getSchema(): Promise<string>;
  /**
   * Everything the host wrote to stdout and stderr so far (provider `console.*` output and host error logs), then
   * what it sent to the engine's log, as the CLI prints it.
   */
  logs(): string;
  /** What the host sent to the engine's Log service, in order. */
  engineMessages(): EngineMessage[];
  stdout(): string;
  stderr(): string;
  /** Resolves when the host process exits. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Closes the channel and kills the host; safe to call twice. */
  stop(): Promise<void>;
}

/** How to start the host: where (cwd), with what environment, and the project the engine would name. */
export interface StartProviderOptions {
  /** Directory the host runs in: `require`s inside `__provider` resolve from its node_modules. */
  cwd: string;
  /** Added to the inherited environment (the engine's host inherits the CLI's). */
  env?: Record<string, string>;
  /** Project name; the engine sets PULUMI_NODEJS_PROJECT (used by `config.get("key")` without a namespace). */
  project?: string;
  /** Deadline per call, in milliseconds. */
  callTimeoutMs?: number;
  /** How long to wait for the port line, in milliseconds. */
  startTimeoutMs?: number;
  /**
   * What to run with `node` instead of the dynamic-provider host (default: `DYNAMIC_PROVIDER_HOST` with the
   * engine's address), e.g. `RUN_PLUGIN` with a plugin directory and the engine's address, as the nodejs language
   * host starts a source-based plugin. It must print its port as its first stdout line.
   */
  command?: { script: string; args: (engineAddress: string) => readonly string[] };
}

/** The dynamic-provider host the engine runs for `pulumi-nodejs:dynamic` resources. */
export const DYNAMIC_PROVIDER_HOST = path.join(PULUMI_DIR, "cmd", "dynamic-provider", "index.js");
/** The launcher the nodejs language host runs a source-based plugin with: `node RUN_PLUGIN <plugin dir> <engine address>`. */
export const RUN_PLUGIN = path.join(PULUMI_DIR, "cmd", "run-plugin", "index.js");
const HOST_SCRIPT = DYNAMIC_PROVIDER_HOST;
const DEFAULT_CALL_TIMEOUT_MS = 60_000;
const DEFAULT_START_TIMEOUT_MS = 30_000;
const ERROR_RESOURCE_INIT_FAILED = "pulumirpc.ErrorResourceInitFailed";

function decodePartial(err: grpcTypes.ServiceError): ProviderCallError["partial"] {
  const raw = err.metadata?.get("grpc-status-details-bin")?.[0];
  if (!raw) {
    return undefined;
  }
  const status = statusproto.Status.deserializeBinary(new Uint8Array(raw as Buffer));
  for (const any of status.getDetailsList()) {
    const detail = any.unpack(provproto.ErrorResourceInitFailed.deserializeBinary, ERROR_RESOURCE_INIT_FAILED);
    if (detail) {
      const inputs = detail.getInputs();
      return {
        id: detail.getId(),
        properties: fromStruct(detail.getProperties()),
        reasons: detail.getReasonsList(),
        ...(inputs ? { inputs: fromStruct(inputs) } : {}),
      };
    }
  }
  return undefined;
}

const DIFF_KINDS = ["add", "add-replace", "delete", "delete-replace", "update", "update-replace"];

/**
 * Spawns the real dynamic provider host (or `opts.command`) in `opts.cwd`, waits for its port and connects to it.
 * Always `stop()` it (a vitest fixture does that in a `finally`).
 */
export async function startProvider(opts: StartProviderOptions): Promise<ProviderHost> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...opts.env };
  if (opts.project) {
    env.PULUMI_NODEJS_PROJECT = opts.project;
    env.PULUMI_PROJECT = opts.project;
  }
  const command = opts.command ?? { script: HOST_SCRIPT, args: (engineAddress: string) => [engineAddress] };
  const engine = await startEngine();
  const server = await spawnServer("provider host", command.script, command.args(engine.address), {
    cwd: opts.cwd,
    env,
    startTimeoutMs: opts.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS,
  }).catch(async (error: unknown) => {
    await engine.stop();
    throw error;
  });
  const client = connect(
    provrpc.ResourceProviderClient,
    server.port,
    opts.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS,
    (method, err) => new ProviderCallError(method, err.code, err.details ?? err.message, decodePartial(err)),
  );
  const call = client.call;

  function named<T extends { setUrn(v: string): unknown; setName(v: string): unknown; setType(v: string): unknown }>(req: T, resourceUrn: string): T {
    const parts = resourceUrn.split("::");
    req.setUrn(resourceUrn);
    req.setName(parts[3] ?? "");
    req.setType((parts[2] ?? "").split("$").pop() ?? "");
    return req;
  }

  return {
    port: server.port,
    pid: server.pid,
    exited: server.exited,

    async configure(config, configureOpts = {}) {
      const secretKeys = new Set(configureOpts.secretKeys ?? []);
      const args: Props = {};
      const req = new provproto.ConfigureRequest();
      for (const [key, value] of Object.entries(config)) {
        args[key] = secretKeys.has(key) ? secret(value) : value;
        // The engine also sends the older `pkg:config:key` spelling in `variables`; the host ignores it.
        req.getVariablesMap().set(key.replace(":", ":config:"), value);
      }
      req.setArgs(toStruct(args));
      req.setAcceptsecrets(configureOpts.acceptSecrets ?? true);
      req.setAcceptresources(true);
      req.setSendsOldInputs(true);
      req.setSendsOldInputsToDelete(true);
      const resp = await call<provprotoTypes.ConfigureResponse>("configure", req);
      return {
        acceptSecrets: resp.getAcceptsecrets(),
        acceptResources: resp.getAcceptresources(),
        supportsPreview: resp.getSupportspreview(),
      };
    },

    async check(resourceUrn, olds, news) {
      const req = named(new provproto.CheckRequest(), resourceUrn);
      req.setOlds(toStruct(olds));
      req.setNews(toStruct(news));
      const resp = await call<provprotoTypes.CheckResponse>("check", req);
      return {
        inputs: fromStruct(resp.getInputs()),
        failures: resp.getFailuresList().map((f) => ({ property: f.getProperty(), reason: f.getReason() })),
      };
    },

    async diff(id, resourceUrn, olds, news, diffOpts = {}) {
      const req = named(new provproto.DiffRequest(), resourceUrn);
      req.setId(id);
      req.setOlds(toStruct(olds));
      req.setNews(toStruct(news));
      req.setOldInputs(toStruct(diffOpts.oldInputs ?? {}));
      req.setIgnorechangesList(diffOpts.ignoreChanges ?? []);
      const resp = await call<provprotoTypes.DiffResponse>("diff", req);
      const changes = resp.getChanges();
      const kinds = provproto.DiffResponse.DiffChanges;
      const result: DiffResult = {
        changes: changes === kinds.DIFF_SOME ? true : changes === kinds.DIFF_NONE ? false : undefined,
        replaces: resp.getReplacesList(),
        deleteBeforeReplace: resp.getDeletebeforereplace(),
        diffs: resp.getDiffsList(),
        stables: resp.getStablesList(),
      };
      if (resp.getHasdetaileddiff()) {
        result.detailedDiff = {};
        resp.getDetaileddiffMap().forEach((d, key) => {
          result.detailedDiff![key] = { kind: DIFF_KINDS[d.getKind()] ?? "update", inputDiff: d.getInputdiff() };
        });
      }
      return result;
    },

    async create(resourceUrn, props, createOpts = {}) {
      const req = named(new provproto.CreateRequest(), resourceUrn);
      req.setProperties(toStruct(props));
      if (createOpts.timeoutS !== undefined) req.setTimeout(createOpts.timeoutS);
      const resp = await call<provprotoTypes.CreateResponse>("create", req);
      return { id: resp.getId(), properties: fromStruct(resp.getProperties()) };
    },

    async read(id, resourceUrn, props, inputs) {
      const req = named(new provproto.ReadRequest(), resourceUrn);
      req.setId(id);
      req.setProperties(toStruct(props));
      if (inputs) req.setInputs(toStruct(inputs));
      const resp = await call<provprotoTypes.ReadResponse>("read", req);
      const respInputs = resp.getInputs();
      return {
        id: resp.getId(),
        properties: fromStruct(resp.getProperties()),
        ...(respInputs ? { inputs: fromStruct(respInputs) } : {}),
      };
    },

    async update(id, resourceUrn, olds, news, updateOpts = {}) {
      const req = named(new provproto.UpdateRequest(), resourceUrn);
      req.setId(id);
      req.setOlds(toStruct(olds));
      req.setNews(toStruct(news));
      req.setOldInputs(toStruct(updateOpts.oldInputs ?? {}));
      if (updateOpts.timeoutS !== undefined) req.setTimeout(updateOpts.timeoutS);
      const resp = await call<provprotoTypes.UpdateResponse>("update", req);
      return { properties: fromStruct(resp.getProperties()) };
    },

    async delete(id, resourceUrn, props, deleteOpts = {}) {
      const req = named(new provproto.DeleteRequest(), resourceUrn);
      req.setId(id);
      req.setProperties(toStruct(props));
      req.setOldInputs(toStruct(deleteOpts.oldInputs ?? {}));
      if (deleteOpts.timeoutS !== undefined) req.setTimeout(deleteOpts.timeoutS);
      await call<unknown>("delete", req);
    },

    async pluginInfo() {
      const resp = await call<{ getVersion(): string }>("getPluginInfo", emptyMessage());
      return { version: resp.getVersion() };
    },

    async getSchema() {
      const req = new provproto.GetSchemaRequest();
      req.setVersion(0);
      const resp = await call<provprotoTypes.GetSchemaResponse>("getSchema", req);
      return resp.getSchema();
    },

    logs: () => [server.output(), formatMessages(engine.messages())].filter(Boolean).join("\n"),
    engineMessages: engine.messages,
    stdout: server.stdout,
    stderr: server.stderr,

    async stop() {
      client.close();
      await server.stop();
      await engine.stop();
    },
  };
}
