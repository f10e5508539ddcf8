/**
 * The one retry policy. Pure: given what went wrong and how many attempts were made, it answers how long
 * to wait before the next attempt, or `undefined` to give up. Used by undici's retry interceptor for
 * transport-level failures (status codes, socket errors) and by the clients for vendor answers that
 * carry their verdict in the body (EHPC `ret_code`, MRS `0202`).
 */

export const RETRY_DEFAULTS = {
  maxAttempts: 8,
  minDelayMs: 500,
  maxDelayMs: 20_000, // 20 s
  factor: 2,
  /** Huawei advises retrying a throttled call after 2-5 s (docs/apis.md, "Huawei Cloud throttling"). */
  throttledMinDelayMs: 2_000,
  /** A Retry-After beyond this is not honoured as is: a destroy should not sleep for hours. */
  maxRetryAfterMs: 60_000, // 60 s
  /** Total time one request may spend in retries before its last answer is reported. */
  budgetMs: 5 * 60_000, // 5 min
} as const;

export type RetryOptions = { -readonly [K in keyof typeof RETRY_DEFAULTS]?: number };

/** HTTP statuses worth another attempt: throttling and server-side failures. */
export const RETRYABLE_STATUS_CODES = [429, 500, 502, 503, 504] as const;

/** Socket-level failures worth another attempt (undici's codes and Node's). */
export const RETRYABLE_ERROR_CODES = [
  "ECONNRESET",
  "ECONNREFUSED",
  "EPIPE",
  "ETIMEDOUT",
  "ENETUNREACH",
  "EHOSTUNREACH",
  "EAI_AGAIN",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "UND_ERR_CLOSED",
] as const;

export interface RetryContext {
  /** Attempts made so far (1 after the first failure). */
  attempt: number;
  /** Milliseconds spent since the first attempt. */
  elapsedMs: number;
  statusCode?: number;
  /** Socket error code (`ECONNRESET`, `UND_ERR_HEADERS_TIMEOUT`). */
  errorCode?: string;
  /** Raw `Retry-After` header value: seconds or an HTTP date. */
  retryAfter?: string | string[];
  /** The vendor said "slow down" (APIG.0308, EHPC 2500): wait longer than for a plain failure. */
  throttled?: boolean;
  /** A vendor body said "retry" though the HTTP status did not (EHPC 5000, MRS 0202). */
  retryableByBody?: boolean;
  /** Random source in [0, 1); injectable so tests are exact. */
  random?: () => number;
  now?: () => number;
}

/** Parses Retry-After (seconds or HTTP date) into milliseconds, or undefined when absent or garbled. */
export function retryAfterMs(value: string | string[] | undefined, now: number = Date.now()): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (raw === undefined || raw.trim() === "") return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(raw)) return Math.round(Number(raw) * 1000);
  // An HTTP date names a weekday or month; V8's lenient Date.parse would read "-1" as the year 2001.
  if (!/[a-z]{3}/i.test(raw)) return undefined;
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * How long to wait before the next attempt, or undefined to stop retrying.
 * Exponential backoff with "equal jitter" (half fixed, half random), so a fleet of retries spreads out
 * yet never retries sooner than half the computed delay.
 */
export function decideRetry(context: RetryContext, options: RetryOptions = {}): number | undefined {
  const o = { ...RETRY_DEFAULTS, ...options };
  // Guard: out of attempts or out of time.
  if (context.attempt >= o.maxAttempts) return undefined;
  if (context.elapsedMs >= o.budgetMs) return undefined;
  // Guard: nothing says this failure is transient.
  const retryableStatus = context.statusCode !== undefined && (RETRYABLE_STATUS_CODES as readonly number[]).includes(context.statusCode);
  const retryableSocket = context.errorCode !== undefined && (RETRYABLE_ERROR_CODES as readonly string[]).includes(context.errorCode);
  if (!retryableStatus && !retryableSocket && !context.retryableByBody && !context.throttled) return undefined;

  const throttled = context.throttled || context.statusCode === 429;
  const hinted = retryAfterMs(context.retryAfter, (context.now ?? Date.now)());
  let delay: number;
  if (hinted !== undefined) {
    delay = Math.min(hinted, o.maxRetryAfterMs);
  } else {
    const base = Math.min(o.minDelayMs * o.factor ** (context.attempt - 1), o.maxDelayMs);
    const jittered = base / 2 + (context.random ?? Math.random)() * (base / 2);
    delay = throttled ? Math.max(jittered, o.throttledMinDelayMs) : jittered;
  }
  // Never sleep past the budget: the last attempt still gets to happen.
  return Math.max(0, Math.min(Math.round(delay), o.budgetMs - context.elapsedMs));
}

/** Options from the environment, for operators who need to tune retries without a code change. */
export function retryOptionsFromEnv(env: Record<string, string | undefined>): RetryOptions {
  const options: RetryOptions = {};
  // A blank variable counts as unset (`Number("")` would be 0: no retries at all).
  const numberOf = (value: string | undefined) => (value === undefined || value.trim() === "" ? undefined : Number(value));
  const attempts = numberOf(env.JOBSETS_MAX_RETRIES) ?? numberOf(env.HW_MAX_RETRIES);
  if (attempts !== undefined && Number.isInteger(attempts) && attempts >= 0) options.maxAttempts = attempts + 1;
  const minDelay = numberOf(env.JOBSETS_RETRY_MIN_DELAY_MS);
  if (minDelay !== undefined && Number.isFinite(minDelay) && minDelay >= 0) {
    options.minDelayMs = minDelay;
    options.throttledMinDelayMs = Math.min(RETRY_DEFAULTS.throttledMinDelayMs, minDelay * 4);
  }
  return options;
}
