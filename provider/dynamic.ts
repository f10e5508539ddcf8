/**
 * The dynamic provider's implementation, loaded at run time by the small object Pulumi stores in state
 * (`sdk/provider-shim.ts`). Because the stored text only `require`s this module, `pulumi destroy` of an
 * old stack runs the installed version of this code (pulumi/pulumi#6238, #9085). A thin adapter: it
 * maps Pulumi's dynamic-provider calls onto `lifecycle.ts` and owns what is per-process: the stack
 * config handed to `configure` and where progress is printed; the rest is built by `services.ts`, as for the plugin.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { unknownValue } from "@pulumi/pulumi/runtime/rpc";
import { engineAddressFromArgs, progressTo } from "./engine-log";
import * as lifecycle from "./lifecycle";
import { consoleProgress, ProviderProcess, type SettingsAtCall } from "./services";

export { DEFAULT_CONCURRENCY } from "./config";

let stackConfig: (key: string) => string | undefined = () => undefined;
let stackConfigKeys: readonly string[] | undefined;

/**
 * One provider host process serves one `pulumi up` or `pulumi destroy`. Its progress goes to the engine's log
 * when this runs in @pulumi/pulumi's dynamic-provider host, which the engine starts with its address as argument.
 * (Dynamic providers are not told the set's URN: the lines show under the stack.)
 */
const host = providerProcess(require.main?.filename, process.argv.slice(2));

function providerProcess(mainFile: string | undefined, args: readonly string[]): ProviderProcess {
  const address = /[\\/]cmd[\\/]dynamic-provider[\\/]index\.js$/.test(mainFile ?? "") ? engineAddressFromArgs(args) : undefined;
  return new ProviderProcess({ progressFor: progressTo(address, consoleProgress), isUnknown: (value) => value === unknownValue });
}

/** The settings as they are at this call: the stack config handed to `configure`, and the host's environment. */
function settingsNow(): SettingsAtCall {
  return { config: stackConfig, env: process.env, configKeys: stackConfigKeys };
}

/** The stack config (secrets already decrypted by the engine); read at call time, never stored in state. */
export async function configure(_type: string, req: dynamic.ConfigureRequest): Promise<void> {
  const config = req.config;
  // The host builds its Config over whatever Configure sent; without a Configure there is none to read.
  stackConfig = (key) => {
    try {
      return config.get(key);
    } catch {
      return undefined;
    }
  };
  // The host's Config keeps the raw map; its keys let check name a mistyped `jobsets:` key.
  const raw = (config as { rawConfig?: Record<string, unknown> }).rawConfig;
  stackConfigKeys = raw ? Object.keys(raw) : undefined;
}

export async function check(type: string, _olds: Record<string, unknown>, news: Record<string, unknown>): Promise<dynamic.CheckResult> {
  return host.offline(settingsNow(), (services) => lifecycle.check(type, news, services));
}

export async function diff(type: string, id: string, olds: Record<string, unknown>, news: Record<string, unknown>): Promise<dynamic.DiffResult> {
  const result = await host.offline(settingsNow(), (services) => lifecycle.diff(type, id, olds, news, services));
  return { changes: result.changes, replaces: result.replaces, deleteBeforeReplace: false };
}

export async function create(type: string, inputs: Record<string, unknown>): Promise<dynamic.CreateResult> {
  return host.run(settingsNow(), (services) => lifecycle.create(type, inputs, services));
}

export async function update(type: string, id: string, olds: Record<string, unknown>, news: Record<string, unknown>): Promise<dynamic.UpdateResult> {
  try {
    return await host.run(settingsNow(), (services) => lifecycle.update(type, id, olds, news, services));
  } catch (error) {
    if (error instanceof lifecycle.UpdateIncompleteError) {
      // The host turns `id` + `properties` into ErrorResourceInitFailed: the engine keeps these outputs,
      // which still list the removed jobs that were not torn down.
      // `__provider` must be among them: the host adds it to successful results only, and without it a later
      // delete cannot load the provider ("code must be a string").
      const properties = { ...error.outs, __provider: news.__provider };
      throw Object.assign(new Error(error.message), { id: error.id, properties, reasons: [error.message] });
    }
    throw error;
  }
}

export async function read(type: string, id: string, props: Record<string, unknown>): Promise<dynamic.ReadResult> {
  const result = await host.run(settingsNow(), (services) => lifecycle.read(type, id, props, services));
  return { id: result.id, props: result.outs, inputs: result.inputs } as dynamic.ReadResult;
}

export async function remove(type: string, id: string, props: Record<string, unknown>): Promise<void> {
  await host.run(settingsNow(), (services) => lifecycle.remove(type, id, props, services));
}
