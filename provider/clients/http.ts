/**
 * HTTP for every API client, on undici: one keep-alive pool per endpoint origin (connections are reused
 * across the many batch and list calls of a teardown), connect/headers/body timeouts, and undici's retry
 * interceptor driven by our one retry policy (`decideRetry`). On top of the transport retries, `send`
 * runs a short loop for verdicts only the vendor's body can give: throttling inside a 200, an expired
 * token (get a new one once), an expired signature because our clock is off (resynchronise once).
 */
import { Pool, interceptors, request, type Dispatcher } from "undici";
import { ApiError } from "../errors";
import { DEFAULT_RATE_LIMITS, RateLimiter, type Grant, type RequestBudget } from "./rate-limit";
import { decideRetry, RETRYABLE_ERROR_CODES, RETRYABLE_STATUS_CODES, type RetryOptions } from "../wait/retry";

export const HTTP_DEFAULTS = {
  connectTimeoutMs: 10_000, // 10 s
  headersTimeoutMs: 30_000, // 30 s: a batch call over 100 jobs answers well within this
  bodyTimeoutMs: 30_000, // 30 s
  keepAliveTimeoutMs: 30_000, // 30 s
  /**
   * Connections per endpoint; also the ceiling on requests in flight to one endpoint. 32, not 8: DLI Spark cancels
   * and MRS kills are one call per job, so a 10,000-job teardown is thousands of calls, and with 8 in flight they would be
   * most of its time (README "Performance"). What that may send an endpoint is capped by the
   * request-rate ceiling (`rate-limit.ts`).
   */
  connectionsPerOrigin: 32,
} as const;

export type HttpOptions = { -readonly [K in keyof typeof HTTP_DEFAULTS]?: number } & {
  retry?: RetryOptions;
  /** The request-rate ceilings every attempt waits for (`rate-limit.ts`); default: `DEFAULT_RATE_LIMITS`. */
  rateLimiter?: RateLimiter;
};

/**
 * `JOBSETS_HTTP_TIMEOUT_MS`: how long to wait for an answer's headers, and then between chunks of its body, in ms
 * (both default to 30 s). A request that times out is retried like a dropped connection. A blank or invalid value
 * counts as unset.
 */
export function httpOptionsFromEnv(env: Record<string, string | undefined>): HttpOptions {
  const raw = env.JOBSETS_HTTP_TIMEOUT_MS;
  const timeoutMs = raw === undefined || raw.trim() === "" ? NaN : Number(raw);
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1) return {};
  return { headersTimeoutMs: timeoutMs, bodyTimeoutMs: timeoutMs };
}

export type Method = "GET" | "POST" | "DELETE";

export interface ApiRequest {
  /** API name for messages: "dli-flink", "iam". */
  service: string;
  /** Operation name for messages and stats: "batchDeleteFlinkJobs". */
  op: string;
  method: Method;
  origin: string;
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  headers?: Record<string, string>;
  /** The exact bytes sent (signatures cover them). */
  body?: string;
}

export interface ApiResponse {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** Turns a request into the headers that authenticate it; called again for every re-signed attempt. */
export interface Authorizer {
  authorize(request: { method: Method; url: URL; headers: Record<string, string>; body: string }): Promise<Record<string, string>>;
  /**
   * After the API said the credential expired: get a fresh one. Resolves false when that is impossible.
   * `rejected` are the headers of the refused attempt, so that requests refused at once share one new credential.
   */
  refresh?(rejected: Record<string, string>): Promise<boolean>;
}

/**
 * What the vendor's answer means beyond its status code; each client classifies its own API's bodies.
 * "resign": the signature's timestamp expired (EHPC 1300): sign once more with a fresh one, adopting the
 * server's clock first when its Date says ours is off. Unlike "resync-clock" it re-sends even when the
 * clock looks right, since a fresh timestamp alone may fix it.
 */
export type Verdict = "ok" | "retry" | "throttled" | "reauthenticate" | "resync-clock" | "resign";

/**
 * For schemes that sign in the query string (QingCloud EHPC): the URL to send, signed afresh. Called every
 * round like `authorize`, so a re-sent request never carries a stale timestamp.
 */
export interface UrlAuthorizer {
  authorizeUrl(request: { method: Method; url: URL; body: string }): Promise<URL>;
}

export interface SendOptions {
  authorizer?: Authorizer & Partial<UrlAuthorizer>;
  classify?: (response: ApiResponse) => Verdict;
  /** How long the operation may wait for request-rate tokens (`rate-limit.ts`); none: as long as it takes. */
  budget?: RequestBudget;
}

/** Counters for the fault suite's table and the benchmark. */
export interface HttpStats {
  requests: number;
  retries: number;
}

/** The clock that signatures are stamped with; its offset is corrected from a server's `Date` once. */
export class SigningClock {
  offsetMs = 0;
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
  /** Adopts the server's clock. Returns false when the Date header is missing or changes nothing. */
  syncFrom(dateHeader: string | string[] | undefined): boolean {
    const raw = Array.isArray(dateHeader) ? dateHeader[0] : dateHeader;
    const serverTime = raw ? Date.parse(raw) : NaN;
    if (Number.isNaN(serverTime)) return false;
    const offset = serverTime - Date.now();
    // Date has 1 s resolution: only a real skew is worth re-signing for.
    if (Math.abs(offset - this.offsetMs) < 2_000) return false;
    this.offsetMs = offset;
    return true;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref?.());
}

export function buildUrl(origin: string, path: string, query?: ApiRequest["query"]): URL {
  const url = new URL(path, origin);
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== "") url.searchParams.append(key, String(value));
  }
  return url;
}

export class HttpClient {
  readonly stats: HttpStats = { requests: 0, retries: 0 };
  readonly clock = new SigningClock();
  private readonly pools = new Map<string, Dispatcher>();
  private readonly options: Required<Omit<HttpOptions, "retry" | "rateLimiter">> & { retry: RetryOptions };
  private readonly limiter: RateLimiter;

  constructor(options: HttpOptions = {}) {
    const { rateLimiter, ...rest } = options;
    this.options = { ...HTTP_DEFAULTS, ...rest, retry: options.retry ?? {} };
    this.limiter = rateLimiter ?? new RateLimiter(DEFAULT_RATE_LIMITS);
  }

  /** The keep-alive pool for one endpoint, with attempt counting inside the retry interceptor. */
  private dispatcher(origin: string): Dispatcher {
    let pool = this.pools.get(origin);
    if (!pool) {
      const countAttempts: Dispatcher.DispatcherComposeInterceptor = (dispatch) => (opts, handler) => {
        this.stats.requests++;
        return dispatch(opts, handler);
      };
      pool = new Pool(origin, {
        connections: this.options.connectionsPerOrigin,
        keepAliveTimeout: this.options.keepAliveTimeoutMs,
        headersTimeout: this.options.headersTimeoutMs,
        bodyTimeout: this.options.bodyTimeoutMs,
        connect: { timeout: this.options.connectTimeoutMs },
      }).compose(
        countAttempts,
        interceptors.retry({
          // Our calls are safe to repeat: deleting or stopping a job twice is answered as "gone"/"not running".
          methods: ["GET", "POST", "DELETE"],
          statusCodes: [...RETRYABLE_STATUS_CODES],
          errorCodes: [...RETRYABLE_ERROR_CODES],
          // Hand the last failed answer to the caller rather than a bare RequestRetryError: its body names the error.
          throwOnError: false,
        }),
      );
      this.pools.set(origin, pool);
    }
    return pool;
  }

  /** One retry callback per request, so attempts and elapsed time are counted per request. */
  private transportRetry(startedAt: number, req: ApiRequest, token: { grant: Grant }, budget?: RequestBudget): NonNullable<Parameters<typeof interceptors.retry>[0]>["retry"] {
    return (err, { state }, callback) => {
      const e = err as Error & { statusCode?: number; code?: string; headers?: Record<string, string | string[]> };
      const delay = decideRetry(
        {
          attempt: state.counter,
          elapsedMs: Date.now() - startedAt,
          statusCode: e.code === "UND_ERR_REQ_RETRY" ? e.statusCode : undefined,
          errorCode: e.code === "UND_ERR_REQ_RETRY" ? undefined : e.code,
          retryAfter: e.headers?.["retry-after"],
        },
        this.options.retry,
      );
      if (delay === undefined) return callback(err);
      this.stats.retries++;
      // The failed attempt was answered: its rate-ceiling token goes back. The retry is a request too, with its own.
      token.grant.release();
      setTimeout(
        () =>
          void this.limiter.take(req.service, req.origin, budget).then(
            (grant) => {
              token.grant = grant;
              callback(null);
            },
            (refused: Error) => callback(refused),
          ),
        delay,
      );
    };
  }

  /** Sends one API call; resolves with the final answer, whatever its status. Network failures reject. */
  async send(req: ApiRequest, options: SendOptions = {}): Promise<ApiResponse> {
    const url = buildUrl(req.origin, req.path, req.query);
    let startedAt = Date.now();
    const body = req.body ?? "";
    let reauthenticated = false;
    let resynced = false;
    let resigned = false;
    for (let round = 1; ; round++) {
      // A rate-ceiling token, held until the answer is in. Time waiting for it is not time retrying (the retry budget).
      const token = { grant: await this.limiter.take(req.service, req.origin, options.budget) };
      startedAt += token.grant.waitedMs;
      const signedWithOffsetMs = this.clock.offsetMs;
      const baseHeaders = { ...req.headers };
      let headers: Record<string, string>;
      let target: URL;
      try {
        headers = options.authorizer ? await options.authorizer.authorize({ method: req.method, url, headers: baseHeaders, body }) : baseHeaders;
        target = options.authorizer?.authorizeUrl ? await options.authorizer.authorizeUrl({ method: req.method, url, body }) : url;
      } catch (error) {
        // Nothing was sent (a login failed): the token must not be lost with the request.
        token.grant.release();
        throw error;
      }
      let response: ApiResponse;
      try {
        const answer = await request(target, {
          method: req.method,
          headers,
          body: req.body,
          dispatcher: this.dispatcher(req.origin),
          retryOptions: { retry: this.transportRetry(startedAt, req, token, options.budget) },
        } as Parameters<typeof request>[1]);
        response = { statusCode: answer.statusCode, headers: answer.headers, text: await answer.body.text() };
      } catch (error) {
        const code = (error as { code?: string }).code;
        throw new ApiError(
          `${req.service} ${req.op}: no answer from ${req.origin} (${code ?? (error as Error).message}) after retries`,
          { service: req.service, cause: error },
        );
      } finally {
        token.grant.release();
      }
      const verdict = options.classify?.(response) ?? "ok";
      if (verdict === "reauthenticate" && !reauthenticated && options.authorizer?.refresh) {
        reauthenticated = true;
        if (await options.authorizer.refresh(headers)) continue;
      }
      if (verdict === "resync-clock" && !resynced) {
        resynced = true;
        // Requests in flight together were all signed with the old clock and are all refused: the first answer moves
        // the clock, the others find it already moved (syncFrom changes nothing) and must be signed again all the same.
        if (this.clock.syncFrom(response.headers.date) || this.clock.offsetMs !== signedWithOffsetMs) continue;
      }
      if (verdict === "resign" && !resigned) {
        resigned = true;
        this.clock.syncFrom(response.headers.date);
        continue;
      }
      if (verdict === "retry" || verdict === "throttled") {
        const delay = decideRetry(
          {
            attempt: round,
            elapsedMs: Date.now() - startedAt,
            retryableByBody: verdict === "retry",
            throttled: verdict === "throttled",
            retryAfter: response.headers["retry-after"],
          },
          this.options.retry,
        );
        if (delay !== undefined) {
          this.stats.retries++;
          await sleep(delay);
          continue;
        }
      }
      return response;
    }
  }

  async close(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map((pool) => pool.close()));
  }
}

/**
 * What one batch call (or one per-job call) said about one job; every client answers in these terms, so
 * one runner (`provider/resources/teardown.ts`) drives them all.
 */
export type BatchOutcome =
  | { jobId: string; outcome: "done" }
  | { jobId: string; outcome: "gone"; message: string }
  | { jobId: string; outcome: "not-running"; message: string }
  | { jobId: string; outcome: "failed"; message: string }
  /** The answer does not say (whole-call "a job does not exist", or elements we cannot match): look again. */
  | { jobId: string; outcome: "unknown"; message: string };

/** Runs `worker` over `items` with at most `limit` in flight; results keep the input order. */
export async function mapConcurrent<T, R>(items: readonly T[], limit: number, worker: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await worker(items[index]!, index);
    }
  });
  await Promise.all(lanes);
  return results;
}

/** Splits `items` into chunks of at most `size`. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`chunk size must be a whole number of at least 1, received ${size}`);
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}
