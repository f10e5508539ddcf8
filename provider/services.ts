/**
 * What the lifecycle's operations run with, built in one place for both adapters (`dynamic.ts`, `plugin.ts`):
 * per provider process, one HTTP client (its pools, retry policy, timeouts and request-rate ceilings, from the
 * settings), one mass-teardown guard and one record of the sets it knows (holdings.ts); per operation, a
 * progress throttle of its own, flushed when the operation ends, so that the last line of every set shows.
 *
 * The settings are read from the stack config and the environment (config.ts); an invalid one fails the
 * operation before anything is built or sent, naming the setting.
 */
import type { ConfigReader, Env } from "./auth/credentials";
import { HttpClient, httpOptionsFromEnv } from "./clients/http";
import { rateLimiterFromEnv, rateLimitVariable } from "./clients/rate-limit";
import { requestSettings, type RequestSettings } from "./config";
import { TeardownGuard } from "./guard";
import { SetHoldings } from "./holdings";
import { dedupedProgress, type Progress } from "./wait/progress";
import { retryOptionsFromEnv } from "./wait/retry";

/** What the lifecycle needs from its host. */
export interface Services {
  http: HttpClient;
  config: ConfigReader;
  env: Env;
  progress: Progress;
  /** Batch calls or list pages in flight at once per set. */
  concurrency: number;
  /** The process-wide mass-teardown guard (one per provider process); absent: per-set limits only. */
  guard?: TeardownGuard;
  /** The sets this provider process knows and the jobs they hold; a teardown leaves alone what another holds. */
  holdings?: SetHoldings;
  /** The stack config keys that are set (namespaced), when the host can tell: typos among them fail check. */
  configKeys?: readonly string[];
  /** The host's marker for a value not known yet (a preview of inputs computed from other resources). */
  isUnknown?: (value: unknown) => boolean;
}

/** Progress on the provider process's console: the engine shows a provider's stdout and stderr (the CLI since 3.146). */
export const consoleProgress: Progress = {
  log: (message) => console.log(message),
  status: (message) => console.log(message),
  warn: (message) => console.warn(`warning: ${message}`),
};

/** What check and diff get: no HTTP client. */
export type OfflineServices = Pick<Services, "config" | "env" | "progress" | "configKeys" | "isUnknown" | "holdings">;

/** Where one operation's settings come from, as the adapter sees them at the time of the call. */
export interface SettingsAtCall {
  config: ConfigReader;
  env: Env;
  /** The `jobsets:` stack config keys that are set (namespaced), when the host can tell. */
  configKeys?: readonly string[];
}

/**
 * The settings in the spelling the HTTP layer reads (`JOBSETS_HTTP_TIMEOUT_MS`, …), already checked: whether a
 * value came from the stack config or the environment, the layer below sees one value, and never a bad one.
 */
function httpEnvironment(settings: RequestSettings): Env {
  const env: Env = {};
  if (settings.httpTimeoutMs !== undefined) env.JOBSETS_HTTP_TIMEOUT_MS = String(settings.httpTimeoutMs);
  if (settings.maxRetries !== undefined) env.JOBSETS_MAX_RETRIES = String(settings.maxRetries);
  if (settings.retryMinDelayMs !== undefined) env.JOBSETS_RETRY_MIN_DELAY_MS = String(settings.retryMinDelayMs);
  for (const [service, limit] of Object.entries(settings.rateLimits) as [Parameters<typeof rateLimitVariable>[0], string][]) {
    env[rateLimitVariable(service)] = limit;
  }
  return env;
}

export interface ProviderProcessOptions {
  /** Where progress about the set `urn` goes (when the host passes one), or about the whole run without one. */
  progressFor: (urn?: string) => Progress;
  /** The host's marker for a value not known yet (a preview). */
  isUnknown?: (value: unknown) => boolean;
}

/** One provider process: what its operations share, and how each operation gets its services. */
export class ProviderProcess {
  /** One process serves one engine run: its guard counts that run's teardowns. */
  readonly guard = new TeardownGuard();
  readonly holdings = new SetHoldings();
  private http: HttpClient | undefined;

  constructor(private readonly options: ProviderProcessOptions) {}

  /**
   * Services for one operation. The HTTP client is built at the first operation that needs one, from the settings
   * as they are then (the stack config arrives with the first call); an invalid setting throws a SettingError.
   */
  services(at: SettingsAtCall, sink: Progress = this.options.progressFor()): Services & { progress: ReturnType<typeof dedupedProgress> } {
    const settings = requestSettings(at);
    if (!this.http) {
      const env = httpEnvironment(settings);
      this.http = new HttpClient({
        ...httpOptionsFromEnv(env),
        retry: retryOptionsFromEnv(env),
        rateLimiter: rateLimiterFromEnv(env, (message) => this.options.progressFor().warn(message)),
      });
    }
    return {
      http: this.http,
      config: at.config,
      env: at.env,
      progress: dedupedProgress(sink),
      concurrency: settings.concurrency,
      guard: this.guard,
      holdings: this.holdings,
      configKeys: at.configKeys,
      isUnknown: this.options.isUnknown,
    };
  }

  /**
   * Runs check or diff: no HTTP client, so that an invalid setting is reported as a failure instead of thrown.
   * Answers once its lines (a warning about duplicate IDs) are delivered.
   */
  async offline<T>(at: SettingsAtCall, operation: (services: OfflineServices) => T, urn?: string): Promise<T> {
    const progress = this.options.progressFor(urn);
    const result = operation({ config: at.config, env: at.env, progress, configKeys: at.configKeys, isUnknown: this.options.isUnknown, holdings: this.holdings });
    await progress.settled?.();
    return result;
  }

  /**
   * Runs one operation (on the set `urn`, when the host says) with its own services. Whatever the outcome, its
   * progress throttle is flushed when it ends, and it answers only once its lines are delivered.
   */
  async run<T>(at: SettingsAtCall, operation: (services: Services) => Promise<T>, urn?: string): Promise<T> {
    const sink = this.options.progressFor(urn);
    const services = this.services(at, sink);
    try {
      return await operation(services);
    } finally {
      services.progress.flush();
      await sink.settled?.();
    }
  }
}
