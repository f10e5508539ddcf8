/**
 * The provider plugin: job sets for Python, Go, C#, Java and YAML programs. The Pulumi CLI runs this
 * package as a source-based Node plugin (`PulumiPlugin.yaml`, `runtime: nodejs`): the nodejs language host
 * starts `node <@pulumi/pulumi>/cmd/run-plugin <package dir> <engine address>`, which `require`s the
 * package's `main` (this module), and this module serves `pulumirpc.ResourceProvider` through
 * `provider.main` of `@pulumi/pulumi/provider`. `pulumi package add` reads `GetSchema` to generate SDKs.
 *
 * A thin adapter, like `dynamic.ts`: it maps type tokens to the lifecycle's type names, unwraps the
 * engine's secret and unknown markers, and maps a partial update onto ErrorResourceInitFailed. All job-set
 * logic is in `lifecycle.ts`.
 *
 * What crosses the boundary, read from @pulumi/pulumi `provider/server.js` and the engine's provider_plugin.go:
 * - `Configure` is answered by the server itself (acceptSecrets, acceptResources, acceptOutputs) and its
 *   arguments never reach us. The stack config arrives instead in `PULUMI_CONFIG`, which the engine sets for
 *   every provider plugin: the keys of the package's namespace only, *without* the namespace
 *   (`{"accessKey": …}` for `jobsets:accessKey`), secrets decrypted (host.go `Provider`, provider_plugin.go).
 * - Because the server says acceptSecrets, the engine sends secrets wrapped (`{[sig]: secretSig, value}`) in
 *   every request and does NOT mark outputs secret again: a provider must. We unwrap before the lifecycle,
 *   and wrap again every output whose input of the same name held a secret (the engine's own rule for
 *   providers that do not accept secrets, `annotateSecrets`).
 * - During a preview, inputs computed from other resources arrive as the unknown marker (`rpc.unknownValue`).
 * - create/update errors go through `grpcResponseFromError`: when the error has an `id`, the engine keeps the
 *   resource with `error.properties` as its outputs (ErrorResourceInitFailed); otherwise it is as if nothing
 *   happened. check/diff/read/delete errors are plain gRPC errors.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type * as pulumiProvider from "@pulumi/pulumi/provider";
import { specialSecretSig, specialSigKey, unknownValue } from "@pulumi/pulumi/runtime/rpc";
import type { ConfigReader, Env } from "./auth/credentials";
import { engineAddressFromArgs, progressTo } from "./engine-log";
import * as lifecycle from "./lifecycle";
import { PACKAGE_NAME, RESOURCE_TYPES, packageSchema } from "./plugin-schema";
import { consoleProgress, ProviderProcess, type SettingsAtCall } from "./services";
import type { Progress } from "./wait/progress";

export { PACKAGE_NAME, RESOURCE_TYPES };

type Props = Record<string, unknown>;

// ---------------------------------------------------------------------------------------------------
// Type tokens

/** The token of a URN: `urn:pulumi:<stack>::<project>::<parent$…$type>::<name>` → `<type>`. */
export function typeOfUrn(urn: string): string {
  const qualified = urn.split("::")[2] ?? "";
  return qualified.split("$").pop() ?? "";
}

/** The lifecycle's type name for a resource, from its URN; unknown tokens are refused. */
export function lifecycleType(urn: string): string {
  const token = typeOfUrn(urn);
  const type = (RESOURCE_TYPES as Record<string, string>)[token];
  if (!type) {
    throw new Error(`unknown resource type "${token}"; this provider serves ${Object.keys(RESOURCE_TYPES).join(", ")}`);
  }
  return type;
}

// ---------------------------------------------------------------------------------------------------
// Stack config

/**
 * The stack config, from `PULUMI_CONFIG`. The engine sets it for provider plugins with the package's keys
 * un-namespaced (`{"accessKey": …}`); the namespaced spellings programs get (`jobsets:accessKey`, and the
 * older `jobsets:config:accessKey`) are accepted too. The lifecycle asks for `jobsets:<name>`. A value that
 * is not valid JSON is refused without echoing it (it holds decrypted secrets).
 */
export function configFromEnv(env: Env): ConfigReader {
  const values = parseConfigEnv(env);
  const prefix = `${PACKAGE_NAME}:`;
  return (key) => {
    if (!key.startsWith(prefix)) return undefined;
    const name = key.slice(prefix.length);
    for (const candidate of [name, `${PACKAGE_NAME}:${name}`, `${PACKAGE_NAME}:config:${name}`]) {
      const value = values[candidate];
      if (value === undefined || value === null) continue;
      return typeof value === "string" ? value : JSON.stringify(value);
    }
    return undefined;
  };
}

/** The `jobsets:` keys set in `PULUMI_CONFIG`, namespaced, so check can name a mistyped one. */
export function configKeysFromEnv(env: Env): string[] {
  return Object.keys(parseConfigEnv(env)).map((key) => `${PACKAGE_NAME}:${key.replace(new RegExp(`^${PACKAGE_NAME}:(config:)?`), "")}`);
}

function parseConfigEnv(env: Env): Record<string, unknown> {
  const raw = env.PULUMI_CONFIG;
  if (raw === undefined || raw.trim() === "") return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new Error("PULUMI_CONFIG is not valid JSON (its content is not shown: it may hold secrets)");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new Error("PULUMI_CONFIG is not a JSON object (its content is not shown: it may hold secrets)");
  }
  return parsed as Record<string, unknown>;
}

// ---------------------------------------------------------------------------------------------------
// Secrets and unknowns as the engine sends them

function isSecret(value: unknown): value is { value: unknown } {
  return typeof value === "object" && value !== null && (value as Props)[specialSigKey] === specialSecretSig;
}

/** The value with every secret wrapper removed, at any depth. */
function reveal(value: unknown): unknown {
  if (isSecret(value)) return reveal(value.value);
  if (Array.isArray(value)) return value.map(reveal);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, reveal(inner)]));
  }
  return value;
}

function containsSecret(value: unknown): boolean {
  if (isSecret(value)) return true;
  if (Array.isArray(value)) return value.some(containsSecret);
  if (typeof value === "object" && value !== null) return Object.values(value).some(containsSecret);
  return false;
}

function containsUnknown(value: unknown): boolean {
  if (value === unknownValue) return true;
  if (Array.isArray(value)) return value.some(containsUnknown);
  if (typeof value === "object" && value !== null) return Object.values(value).some(containsUnknown);
  return false;
}

/** Properties with secrets revealed, and the names of the top-level properties that held one. */
function unwrap(props: Props | undefined): { plain: Props; secret: Set<string> } {
  const plain: Props = {};
  const secret = new Set<string>();
  for (const [key, value] of Object.entries(props ?? {})) {
    if (containsSecret(value)) secret.add(key);
    plain[key] = reveal(value);
  }
  return { plain, secret };
}

/** Wraps the named top-level properties as secrets again. */
function rewrap(props: Props, secret: ReadonlySet<string>): Props {
  const out: Props = {};
  for (const [key, value] of Object.entries(props)) {
    out[key] = secret.has(key) && !isSecret(value) ? { [specialSigKey]: specialSecretSig, value } : value;
  }
  return out;
}

/** Top-level properties whose value is, or holds, an unknown (a preview of inputs not computed yet). */
function unknownKeys(props: Props): string[] {
  return Object.keys(props).filter((key) => containsUnknown(props[key]));
}

// ---------------------------------------------------------------------------------------------------
// The provider

/** This package's version (the plugin's `GetPluginInfo`), from the package.json above this file. */
export function packageVersion(from: string = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, "package.json");
    if (fs.existsSync(manifest)) {
      const parsed = JSON.parse(fs.readFileSync(manifest, "utf8")) as { name?: string; version?: string };
      if (parsed.name === "pulumi-jobsets" && parsed.version) return parsed.version;
    }
    if (path.dirname(dir) === dir) throw new Error(`no pulumi-jobsets package.json above ${from}`);
  }
}

export interface JobSetsProviderOptions {
  /** Where config (`PULUMI_CONFIG`), credentials and settings are read from. Default: `process.env`, read per call. */
  env?: () => Env;
  /** Where progress goes. Default: the engine's log at `engineAddress`, or the console without one. */
  progress?: Progress;
  /** The engine's address, from the plugin's arguments: progress is sent to its Log service (see engine-log.ts). */
  engineAddress?: string;
}

/** The `Provider` that `provider.main` serves: one resource per job-set kind, all delegated to `lifecycle.ts`. */
export class JobSetsProvider implements pulumiProvider.Provider {
  readonly version: string;
  private schemaText: string | undefined;
  private readonly env: () => Env;
  /** One plugin process serves one engine run (per provider instance): what its operations share. */
  private readonly host: ProviderProcess;

  constructor(options: JobSetsProviderOptions = {}) {
    this.version = packageVersion();
    this.env = options.env ?? (() => process.env);
    const { progress } = options;
    const progressFor = progress ? () => progress : progressTo(options.engineAddress, consoleProgress);
    this.host = new ProviderProcess({ progressFor, isUnknown: (value) => value === unknownValue });
  }

  async getSchema(): Promise<string> {
    this.schemaText ??= JSON.stringify(packageSchema(this.version));
    return this.schemaText;
  }

  /** Read per call: `PULUMI_CONFIG` is fixed for the process, but tests and `env` overrides are not. */
  private settingsNow(): SettingsAtCall {
    const env = this.env();
    return { config: configFromEnv(env), env, configKeys: configKeysFromEnv(env) };
  }

  async check(urn: string, _olds: Props, news: Props): Promise<pulumiProvider.CheckResult> {
    const type = lifecycleType(urn);
    const { plain, secret } = unwrap(news);
    // Secret job IDs: recorded in the set, so every message of its later operations names jobs by position.
    if (secret.has("jobIds") || secret.has("batchIds")) plain.secretIds = true;
    const result = await this.host.offline(this.settingsNow(), (services) => lifecycle.check(type, plain, services), urn);
    // With unknowns (a preview) the lifecycle hands the inputs back as given: keep the engine's own copy.
    return { inputs: unknownKeys(plain).length ? news : rewrap(result.inputs, secret), failures: result.failures };
  }

  async diff(id: string, urn: string, olds: Props, news: Props): Promise<pulumiProvider.DiffResult> {
    const result = await this.host.offline(this.settingsNow(), (services) => lifecycle.diff(lifecycleType(urn), id, unwrap(olds).plain, unwrap(news).plain, services), urn);
    return { changes: result.changes, replaces: result.replaces, deleteBeforeReplace: false };
  }

  async create(urn: string, inputs: Props): Promise<pulumiProvider.CreateResult> {
    const type = lifecycleType(urn);
    const { plain, secret } = unwrap(inputs);
    const result = await this.host.run(this.settingsNow(), (services) => lifecycle.create(type, plain, services), urn);
    return { id: result.id, outs: rewrap(result.outs, secret) };
  }

  /**
   * Refresh, import and `.get()`: one pass of list calls over the members (see `lifecycle.read`). With no
   * state at hand, the ID alone says where and which jobs (`dli-flink/<projectId>/<id>,<id>`). The inputs that
   * describe the set are returned too: the engine refuses an import whose read returns none, and a refresh
   * keeps them for the next diff.
   */
  async read(id: string, urn: string, props?: Props): Promise<pulumiProvider.ReadResult> {
    const { plain, secret } = unwrap(props ?? {});
    const result = await this.host.run(this.settingsNow(), (services) => lifecycle.read(lifecycleType(urn), id, plain, services), urn);
    return { id: result.id, props: rewrap(result.outs, secret), inputs: rewrap(result.inputs, secret) };
  }

  async update(id: string, urn: string, olds: Props, news: Props): Promise<pulumiProvider.UpdateResult> {
    const type = lifecycleType(urn);
    const { plain, secret } = unwrap(news);
    try {
      const result = await this.host.run(this.settingsNow(), (services) => lifecycle.update(type, id, unwrap(olds).plain, plain, services), urn);
      return { outs: rewrap(result.outs, secret) };
    } catch (error) {
      if (error instanceof lifecycle.UpdateIncompleteError) {
        // server.js turns `id` + `properties` into ErrorResourceInitFailed: the engine keeps these outputs,
        // which still list the removed jobs that were not torn down, so the next update retries them.
        // (Rethrowing the lifecycle's error as is would keep the id but send empty properties: the engine
        // would then forget every job of the set.)
        const properties = rewrap(error.outs, secret);
        throw Object.assign(new Error(error.message), { id: error.id, properties, reasons: [error.message] });
      }
      throw error;
    }
  }

  async delete(id: string, urn: string, props: Props): Promise<void> {
    await this.host.run(this.settingsNow(), (services) => lifecycle.remove(lifecycleType(urn), id, unwrap(props).plain, services), urn);
  }
}

// ---------------------------------------------------------------------------------------------------
// Entry point

/** Serves the provider: binds 127.0.0.1:0 and prints the port as the first stdout line, as the engine expects. */
export function serve(args: string[] = process.argv.slice(2)): Promise<void> {
  // Loaded here, not at the top: importing this module (for the schema, in tests) must not pull in the server.
  const { main } = require("@pulumi/pulumi/provider") as typeof pulumiProvider;
  return main(new JobSetsProvider({ engineAddress: engineAddressFromArgs(args) }), args);
}

/**
 * True when this module is the plugin's entry: run by `cmd/run-plugin` (which `require`s the package's
 * `main`) or directly with `node dist/provider/plugin.js <engine address>`. Importing it serves nothing.
 */
export function isPluginEntry(mainModule: NodeJS.Module | undefined = require.main, self: NodeJS.Module = module): boolean {
  if (mainModule === self) return true;
  return /[\\/]cmd[\\/]run-plugin[\\/]index\.js$/.test(mainModule?.filename ?? "");
}

if (isPluginEntry()) {
  serve().catch((error: unknown) => {
    console.error(`pulumi-jobsets plugin: ${(error as Error)?.stack ?? String(error)}`);
    process.exit(1);
  });
}
