/**
 * The dynamic provider's implementation, loaded at run time by the small object Pulumi stores in state
 * (`sdk/provider-shim.ts`). Because the stored text only `require`s this module, `pulumi destroy` of an
 * old stack runs the installed version of this code (pulumi/pulumi#6238, #9085). A thin adapter: it
 * maps Pulumi's dynamic-provider calls onto `lifecycle.ts` and owns what is per-process: the stack
 * config handed to `configure`, the HTTP pools, and where progress is printed.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { unknownValue } from "@pulumi/pulumi/runtime/rpc";
import { HttpClient, httpOptionsFromEnv } from "./clients/http";
import { rateLimiterFromEnv } from "./clients/rate-limit";
import { TeardownGuard } from "./guard";
import * as lifecycle from "./lifecycle";
import { retryOptionsFromEnv } from "./wait/retry";
import { dedupedProgress, type Progress } from "./wait/progress";

/**
 * Default number of batch calls, per-job calls or list pages in flight per set; `JOBSETS_CONCURRENCY` overrides it.
 * 16: half the connections an endpoint gets (`HTTP_DEFAULTS.connectionsPerOrigin`), so one large set (1,000 Spark
 * cancels, one call each) keeps a busy share of them and two fill them; at 4, a 10,000-job teardown left most
 * connections idle and took twice as long (issue 6's benchmark, README "Performance").
 */
export const DEFAULT_CONCURRENCY = 16;

let stackConfig: (key: string) => string | undefined = () => undefined;
let stackConfigKeys: readonly string[] | undefined;
let http: HttpClient | undefined;
/** One provider host process serves one `pulumi up` or `pulumi destroy`: its guard counts that run. */
const guard = new TeardownGuard();

/** Progress goes to the provider host's console, which the Pulumi CLI shows (since 3.146). */
const consoleProgress: Progress = {
  log: (message) => console.log(message),
  status: (message) => console.log(message),
  warn: (message) => console.warn(`warning: ${message}`),
};

function services(): lifecycle.Services {
  const env = process.env;
  http ??= new HttpClient({ ...httpOptionsFromEnv(env), retry: retryOptionsFromEnv(env), rateLimiter: rateLimiterFromEnv(env, consoleProgress.warn) });
  const concurrency = Number(env.JOBSETS_CONCURRENCY);
  return {
    http,
    env,
    config: stackConfig,
    progress: dedupedProgress(consoleProgress),
    concurrency: Number.isInteger(concurrency) && concurrency > 0 ? concurrency : DEFAULT_CONCURRENCY,
    guard,
    configKeys: stackConfigKeys,
    isUnknown: (value) => value === unknownValue,
  };
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
  return lifecycle.check(type, news, services());
}

export async function diff(type: string, _id: string, olds: Record<string, unknown>, news: Record<string, unknown>): Promise<dynamic.DiffResult> {
  const result = lifecycle.diff(type, olds, news, services());
  return { changes: result.changes, replaces: result.replaces, deleteBeforeReplace: false };
}

export async function create(type: string, inputs: Record<string, unknown>): Promise<dynamic.CreateResult> {
  return lifecycle.create(type, inputs, services());
}

export async function update(type: string, id: string, olds: Record<string, unknown>, news: Record<string, unknown>): Promise<dynamic.UpdateResult> {
  try {
    return await lifecycle.update(type, id, olds, news, services());
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
  const result = await lifecycle.read(type, id, props, services());
  return { id: result.id, props: result.outs, inputs: result.inputs } as dynamic.ReadResult;
}

export async function remove(type: string, id: string, props: Record<string, unknown>): Promise<void> {
  await lifecycle.remove(type, id, props, services());
}
