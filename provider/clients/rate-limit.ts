/**
 * Request-rate ceilings, per service and endpoint origin: a token bucket that never lets the server see more than
 * `requests` requests arrive within any `windowMs`. Every attempt takes a token (first tries, our own retries and
 * undici's transport retries alike), so a storm of retries cannot break the ceiling either.
 *
 * The bucket holds `requests` tokens. A request holds its token until it is answered (or fails); the token comes
 * back `windowMs` after that. So two requests on the same token reach the server at least `windowMs` apart, however
 * long the first one spent on the way (a connection being opened, a busy event loop), and no window of `windowMs`
 * holds more than `requests` arrivals: the ceiling holds where it is counted, at the server. A burst of up to
 * `requests` goes at once, then requests flow as tokens come back. (Tokens returned a window after they were
 * *taken* would break it: when the first requests of a fresh process reach the server late, the next burst catches
 * up with them. A bucket refilled continuously would let twice `requests` through in one
 * window: a full bucket plus a window's refill.)
 *
 * Set with `JOBSETS_RATE_LIMIT_<SERVICE>` = `<count>/<s|min|h>` (a bare count is per second), or `off`.
 */
import { JobSetError } from "../errors";

/** At most `requests` requests start in any window of `windowMs`. */
export interface RateLimit {
  requests: number;
  windowMs: number;
}

const SECOND_MS = 1_000;
const MINUTE_MS = 60 * SECOND_MS;
const HOUR_MS = 60 * MINUTE_MS;

/** What the ceilings are keyed by: the API a request is for (`ApiRequest.service` → here, see `serviceOf`). */
export type RateLimitedService = "dli" | "mrs" | "ehpc" | "iam";
export const RATE_LIMITED_SERVICES: readonly RateLimitedService[] = ["dli", "mrs", "ehpc", "iam"];

/**
 * The default ceilings, per endpoint origin of each service:
 *
 * - `ehpc`: 2,000 an hour. QingCloud's documented initial quota is 2,000 API calls an hour per account
 *   (docs/apis.md, "QingCloud EHPC", ret_code 2500); past it every call fails for the rest of the hour, so one provider
 *   process must never spend more than that on its own. (Other users of the key share the quota: lower it with
 *   JOBSETS_RATE_LIMIT_EHPC if they do.) A 10,000-job EHPC teardown needs about 400 calls (four passes of
 *   100-job pages and batches), well within one hour's quota.
 * - `dli`, `mrs`: 1,000 a second. Neither service documents a rate (docs/apis.md, "Huawei Cloud throttling"); Huawei's gateway (APIG)
 *   throttles per user and API with a per-second policy it does not publish for DLI or MRS, and answers
 *   `APIG.0308`, which the retry policy already backs off from (2-5 s, as Huawei advises). So this ceiling is
 *   not a quota but a guard against a runaway: it sits just above what the provider sends at its default
 *   concurrency (32 connections per endpoint, `HTTP_DEFAULTS`, at a real round trip of 30 ms or more: ≤ ~1,000
 *   a second), so it never slows a normal teardown and stops a looping one from hammering the gateway. Set
 *   JOBSETS_RATE_LIMIT_DLI / _MRS to your account's APIG policy when you know it.
 * - `iam`: none. One password token per project and credential is fetched and reused for 12 hours
 *   (huawei-iam.ts, `TOKEN_REUSE_MS`): a teardown makes a handful of IAM calls whatever its size.
 */
export const DEFAULT_RATE_LIMITS: Readonly<Record<RateLimitedService, RateLimit | undefined>> = {
  ehpc: { requests: 2_000, windowMs: HOUR_MS },
  dli: { requests: 1_000, windowMs: SECOND_MS },
  mrs: { requests: 1_000, windowMs: SECOND_MS },
  iam: undefined,
};

/** The ceiling key of an `ApiRequest.service`: "dli-flink" and "dli-spark" share DLI's endpoint and throttle. */
export function serviceOf(requestService: string): RateLimitedService | undefined {
  if (requestService.startsWith("dli")) return "dli";
  return (RATE_LIMITED_SERVICES as readonly string[]).includes(requestService) ? (requestService as RateLimitedService) : undefined;
}

/** The environment variable that sets one service's ceiling. */
export function rateLimitVariable(service: RateLimitedService): string {
  return `JOBSETS_RATE_LIMIT_${service.toUpperCase()}`;
}

const UNITS: Record<string, number> = { s: SECOND_MS, sec: SECOND_MS, second: SECOND_MS, m: MINUTE_MS, min: MINUTE_MS, minute: MINUTE_MS, h: HOUR_MS, hour: HOUR_MS };

/** Parses `2000/h`, `50/s`, `300/min`, `20` (a second); `off`, `none` or `0` → no ceiling. Throws on anything else. */
export function parseRateLimit(text: string, name = "rate limit"): RateLimit | undefined {
  const value = text.trim().toLowerCase();
  if (value === "off" || value === "none" || value === "0") return undefined;
  const match = /^(\d[\d_,]*)\s*(?:\/\s*([a-z]+))?$/.exec(value);
  const requests = match ? Number(match[1]!.replace(/[_,]/g, "")) : NaN;
  const windowMs = match ? (match[2] === undefined ? SECOND_MS : UNITS[match[2]]) : undefined;
  if (!Number.isSafeInteger(requests) || requests < 1 || windowMs === undefined) {
    throw new RangeError(`${name} must be a request count per window, like "2000/h", "50/s", "300/min" or "off"; received "${text}"`);
  }
  return { requests, windowMs };
}

/** The ceilings: the defaults, each replaced by its `JOBSETS_RATE_LIMIT_<SERVICE>` when set (blank counts as unset). */
export function rateLimitsFromEnv(env: Record<string, string | undefined>): Record<RateLimitedService, RateLimit | undefined> {
  const limits = { ...DEFAULT_RATE_LIMITS };
  for (const service of RATE_LIMITED_SERVICES) {
    const name = rateLimitVariable(service);
    const raw = env[name];
    if (raw !== undefined && raw.trim() !== "") limits[service] = parseRateLimit(raw, name);
  }
  return limits;
}

/** "2,000/h", "50/s": for messages. */
export function formatRateLimit(limit: RateLimit): string {
  const unit = limit.windowMs === HOUR_MS ? "h" : limit.windowMs === MINUTE_MS ? "min" : limit.windowMs === SECOND_MS ? "s" : `${limit.windowMs} ms`;
  return `${limit.requests.toLocaleString("en-US")}/${unit}`;
}

/**
 * One ceiling's tokens: those never used, those coming back (at known times, in order), and the requests waiting
 * for one when every token is still held by a request in flight. First come, first served.
 */
export class TokenBucket {
  private unused: number;
  /** When each released token may be used again; non-decreasing, since each is a release time plus the window. */
  private readonly returning: number[] = [];
  private head = 0;
  private readonly waiting: ((at: number) => void)[] = [];

  constructor(
    readonly limit: RateLimit,
    private readonly now: () => number = Date.now,
  ) {
    this.unused = limit.requests;
  }

  /**
   * When the next request may start: now, or when a returning token is back; with `notAfter`, a token that would come
   * back later is not taken (undefined). When every token is held by a request in flight: a promise, resolved once one
   * is answered, or with undefined at `notAfter` if none was.
   */
  acquire(notAfter = Infinity): number | Promise<number | undefined> | undefined {
    if (this.unused > 0) {
      this.unused--;
      return this.now();
    }
    if (this.head < this.returning.length) {
      if (this.returning[this.head]! > notAfter) return undefined;
      const at = this.returning[this.head++]!;
      if (this.head > 1024 && this.head * 2 > this.returning.length) {
        this.returning.splice(0, this.head);
        this.head = 0;
      }
      return Math.max(this.now(), at);
    }
    return new Promise((resolve) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const take = (at: number) => {
        if (timer) clearTimeout(timer);
        resolve(at);
      };
      this.waiting.push(take);
      if (Number.isFinite(notAfter)) {
        timer = setTimeout(() => {
          const index = this.waiting.indexOf(take);
          if (index < 0) return; // handed a token meanwhile
          this.waiting.splice(index, 1);
          resolve(undefined);
        }, Math.max(0, notAfter - this.now()));
        timer.unref?.();
      }
    });
  }

  /** The request that held a token was answered (or failed): the token is good again a window from now. */
  release(): void {
    const at = this.now() + this.limit.windowMs;
    const next = this.waiting.shift();
    if (next) next(at);
    else this.returning.push(at);
  }
}

/** A token taken: how long the request waited for it, and how to give it back once the request is answered. */
export interface Grant {
  waitedMs: number;
  /** Call once the answer (or the failure) has arrived; later calls do nothing. */
  release(): void;
}

const NO_CEILING: Grant = { waitedMs: 0, release: () => {} };

export interface RateLimiterOptions {
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Told when a request must wait at least `MIN_REPORTED_WAIT_MS` for its token, for a progress line. */
  onWait?: (service: RateLimitedService, waitMs: number, limit: RateLimit) => void;
}

/**
 * How long one operation may wait for tokens: its `deadline` (epoch ms; a set's waitTimeoutSeconds from the start of
 * its teardown), and who hears of a wait, with the time it ends.
 */
export interface RequestBudget {
  deadline: number;
  onWait?: (message: string) => void;
}

/** A request would have to wait for its token past its operation's deadline: nothing was sent. */
export class RateCeilingError extends JobSetError {
  override readonly code = "JOBSET_ERR_RATE_CEILING";
  static override readonly errorCode = "JOBSET_ERR_RATE_CEILING";
  constructor(message: string, context: { service: string }) {
    super(message, context);
    this.name = "RateCeilingError";
  }
}

/** `14:05:09 UTC`, for progress lines and errors that say until when. */
function clockTime(epochMs: number): string {
  return Number.isFinite(epochMs) ? `${new Date(epochMs).toISOString().slice(11, 19)} UTC` : "no limit";
}

/** Waits shorter than this are not reported: they are the ceiling at work, not news. */
export const MIN_REPORTED_WAIT_MS = 5_000;
/** At most one report per bucket this often: the requests queued behind the first wait are the same news. */
export const WAIT_REPORT_INTERVAL_MS = 60_000;

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The ceilings of one process: one bucket per service and endpoint origin. */
export class RateLimiter {
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly reportedAt = new Map<string, number>();
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    readonly limits: Readonly<Partial<Record<RateLimitedService, RateLimit | undefined>>>,
    private readonly options: RateLimiterOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? defaultSleep;
  }

  /**
   * Resolves when a request of `requestService` to `origin` may start, with its token: release it once the request
   * is answered. Requests of a service without a ceiling go at once.
   */
  async take(requestService: string, origin: string, budget?: RequestBudget): Promise<Grant> {
    const service = serviceOf(requestService);
    const limit = service && this.limits[service];
    if (!service || !limit) return NO_CEILING;
    const key = `${service} ${origin}`;
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = new TokenBucket(limit, this.now);
      this.buckets.set(key, bucket);
    }
    const started = this.now();
    const deadline = budget?.deadline ?? Infinity;
    const refuse = (when: string) =>
      new RateCeilingError(
        `${requestService}: the request-rate ceiling of ${formatRateLimit(limit)} (${rateLimitVariable(service)}) holds the next ` +
          `call ${when}, past this operation's waitTimeoutSeconds (until ${clockTime(deadline)}); nothing was sent. Run it again ` +
          `later, raise waitTimeoutSeconds, or raise the ceiling if the API's quota allows it`,
        { service: requestService },
      );
    const acquired = bucket.acquire(deadline);
    if (acquired === undefined) throw refuse("for longer");
    let at: number;
    if (typeof acquired === "number") {
      at = acquired;
    } else {
      // Every token is held by a request in flight: at least a window to wait, once one is answered.
      this.report(key, service, limit.windowMs, limit);
      if (Number.isFinite(deadline)) {
        budget?.onWait?.(`${requestService}: waiting for the request-rate ceiling of ${formatRateLimit(limit)} (${rateLimitVariable(service)}), at most until ${clockTime(deadline)}`);
      }
      const granted = await acquired;
      if (granted === undefined) throw refuse("until requests in flight are answered");
      at = granted;
    }
    const waitMs = at - this.now();
    if (waitMs > 0) {
      this.report(key, service, waitMs, limit);
      if (waitMs >= MIN_REPORTED_WAIT_MS) {
        budget?.onWait?.(`${requestService}: waiting for the request-rate ceiling of ${formatRateLimit(limit)} (${rateLimitVariable(service)}) until ${clockTime(at)}`);
      }
      await this.sleep(waitMs);
    }
    let held = true;
    const owner = bucket;
    return {
      waitedMs: this.now() - started,
      release: () => {
        if (held) owner.release();
        held = false;
      },
    };
  }

  private report(key: string, service: RateLimitedService, waitMs: number, limit: RateLimit): void {
    if (waitMs < MIN_REPORTED_WAIT_MS || this.now() < (this.reportedAt.get(key) ?? -Infinity) + WAIT_REPORT_INTERVAL_MS) return;
    this.reportedAt.set(key, this.now());
    this.options.onWait?.(service, waitMs, limit);
  }
}

/**
 * The process's ceilings from its environment; `warn` hears of waits long enough to be worth a line (an EHPC
 * teardown that has spent the hour's quota waits for it to come back rather than fail with ret_code 2500).
 */
export function rateLimiterFromEnv(env: Record<string, string | undefined>, warn?: (message: string) => void): RateLimiter {
  return new RateLimiter(rateLimitsFromEnv(env), {
    onWait: (service, waitMs, limit) =>
      warn?.(
        `${service}: request-rate ceiling of ${formatRateLimit(limit)} reached (${rateLimitVariable(service)}); ` +
          `waiting ${waitMs >= MINUTE_MS ? `${Math.ceil(waitMs / MINUTE_MS)} min` : `${Math.ceil(waitMs / SECOND_MS)} s`} before the next call`,
      ),
  });
}
