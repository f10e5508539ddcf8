/**
 * The retry policy (`provider/wait/retry.ts`) as data: each row is one failure and the verdict the policy
 * must give. The policy is pure, so randomness and the clock are injected and every delay is exact.
 */
import { describe, expect, it } from "vitest";
import {
  decideRetry,
  RETRY_DEFAULTS,
  retryAfterMs,
  retryOptionsFromEnv,
  type RetryContext,
} from "../provider/wait/retry";

/** Jitter at its two ends: `LOW` gives exactly half the computed delay, `HIGH` (almost) all of it. */
const LOW = () => 0;
const HIGH = () => 0.999;
/** A fixed "now" for HTTP-date Retry-After values. */
const NOW_MS = Date.parse("2025-03-01T12:00:00Z");
const now = () => NOW_MS;
const httpDate = (offsetMs: number) => new Date(NOW_MS + offsetMs).toUTCString();

/** A first failure with a retryable status, early in the budget; rows override what they test. */
function failure(overrides: Partial<RetryContext>): RetryContext {
  return { attempt: 1, elapsedMs: 0, statusCode: 503, random: LOW, now, ...overrides };
}

describe("decideRetry: when to give up", () => {
  const giveUp: Array<[scenario: string, context: RetryContext, options?: Parameters<typeof decideRetry>[1]]> = [
    ["attempts exhausted (default maxAttempts)", failure({ attempt: RETRY_DEFAULTS.maxAttempts })],
    ["attempts beyond maxAttempts", failure({ attempt: RETRY_DEFAULTS.maxAttempts + 3 })],
    ["attempts exhausted (maxAttempts: 3)", failure({ attempt: 3 }), { maxAttempts: 3 }],
    ["budget spent exactly", failure({ elapsedMs: RETRY_DEFAULTS.budgetMs })],
    ["past the budget", failure({ elapsedMs: RETRY_DEFAULTS.budgetMs + 1 })],
    ["past a custom budget", failure({ elapsedMs: 1_000 }), { budgetMs: 1_000 }],
    ["throttled but out of attempts", failure({ attempt: 4, statusCode: 429, retryAfter: "1" }), { maxAttempts: 4 }],
    ["HTTP 400", failure({ statusCode: 400 })],
    ["HTTP 401", failure({ statusCode: 401 })],
    ["HTTP 403", failure({ statusCode: 403 })],
    ["HTTP 404", failure({ statusCode: 404 })],
    ["HTTP 501 (not implemented will not start working)", failure({ statusCode: 501 })],
    ["HTTP 400 even with a Retry-After", failure({ statusCode: 400, retryAfter: "1" })],
    ["unknown socket code", failure({ statusCode: undefined, errorCode: "EWHATEVER" })],
    ["TLS failure", failure({ statusCode: undefined, errorCode: "ERR_TLS_CERT_ALTNAME_INVALID" })],
    ["neither a status nor a code", failure({ statusCode: undefined })],
    ["200 that the body does not flag", failure({ statusCode: 200 })],
  ];
  it.each(giveUp)("gives up: %s", (_scenario, context, options) => {
    expect(decideRetry(context, options)).toBeUndefined();
  });

  it("still retries one attempt before maxAttempts", () => {
    expect(decideRetry(failure({ attempt: RETRY_DEFAULTS.maxAttempts - 1 }))).toBeTypeOf("number");
  });
});

describe("decideRetry: what is transient", () => {
  // The verdict for each failure, written out here rather than read from the policy's own lists: dropping 503
  // from what is retried, or adding 400, must turn a row red.
  const statuses: Array<[statusCode: number, retried: boolean]> = [
    [429, true],
    [500, true],
    [502, true],
    [503, true],
    [504, true],
    [400, false],
    [401, false],
    [403, false],
    [404, false],
    [408, false],
    [409, false],
    [501, false],
    [505, false],
  ];
  it.each(statuses)("HTTP %i: retried %s", (statusCode, retried) => {
    expect(decideRetry(failure({ statusCode })) !== undefined).toBe(retried);
  });

  const socketCodes: Array<[errorCode: string, retried: boolean]> = [
    ["ECONNRESET", true],
    ["ECONNREFUSED", true],
    ["EPIPE", true],
    ["ETIMEDOUT", true],
    ["ENETUNREACH", true],
    ["EHOSTUNREACH", true],
    ["EAI_AGAIN", true],
    ["UND_ERR_SOCKET", true],
    ["UND_ERR_CONNECT_TIMEOUT", true],
    ["UND_ERR_HEADERS_TIMEOUT", true],
    ["UND_ERR_BODY_TIMEOUT", true],
    ["UND_ERR_CLOSED", true],
    // A name that will not resolve, a certificate that does not match, a request we aborted: retrying changes nothing.
    ["ENOTFOUND", false],
    ["ERR_TLS_CERT_ALTNAME_INVALID", false],
    ["UND_ERR_ABORTED", false],
    ["UND_ERR_INVALID_ARG", false],
  ];
  it.each(socketCodes)("socket error %s: retried %s", (errorCode, retried) => {
    expect(decideRetry(failure({ statusCode: undefined, errorCode })) !== undefined).toBe(retried);
  });

  it("retries a 200 whose body says retry (EHPC 5000, MRS 0202)", () => {
    expect(decideRetry(failure({ statusCode: 200, retryableByBody: true }))).toBe(250);
  });

  it("retries a 200 whose body says throttled (APIG.0308, EHPC 2500)", () => {
    expect(decideRetry(failure({ statusCode: 200, throttled: true }))).toBe(RETRY_DEFAULTS.throttledMinDelayMs);
  });
});

describe("decideRetry: how long to wait", () => {
  // Equal jitter: base/2 + random·base/2, base = min(minDelayMs·factor^(attempt-1), maxDelayMs).
  const backoff: Array<[scenario: string, context: RetryContext, options: Parameters<typeof decideRetry>[1], expected: number]> = [
    ["attempt 1, lowest jitter", failure({ attempt: 1, random: LOW }), {}, 250],
    ["attempt 1, highest jitter", failure({ attempt: 1, random: HIGH }), {}, 500],
    ["attempt 2, lowest jitter", failure({ attempt: 2, random: LOW }), {}, 500],
    ["attempt 2, highest jitter", failure({ attempt: 2, random: HIGH }), {}, 1_000],
    ["attempt 3, lowest jitter", failure({ attempt: 3, random: LOW }), {}, 1_000],
    ["attempt 3, highest jitter", failure({ attempt: 3, random: HIGH }), {}, 1_999],
    ["attempt 5, lowest jitter", failure({ attempt: 5, random: LOW }), {}, 4_000],
    ["attempt 7: capped at maxDelayMs, lowest", failure({ attempt: 7, random: LOW }), {}, 10_000],
    ["attempt 7: capped at maxDelayMs, highest", failure({ attempt: 7, random: HIGH }), {}, 19_990],
    ["custom minDelayMs and factor", failure({ attempt: 3, random: LOW }), { minDelayMs: 100, factor: 3 }, 450],
    ["socket error backs off like a 503", failure({ attempt: 2, statusCode: undefined, errorCode: "ECONNRESET" }), {}, 500],
    // Throttling waits at least throttledMinDelayMs, whatever the jitter says.
    ["429, attempt 1: throttled minimum", failure({ statusCode: 429, attempt: 1, random: HIGH }), {}, 2_000],
    ["429, attempt 4: backoff above the minimum", failure({ statusCode: 429, attempt: 4, random: LOW }), {}, 2_000],
    ["429, attempt 5: backoff above the minimum", failure({ statusCode: 429, attempt: 5, random: LOW }), {}, 4_000],
    ["throttled body: custom minimum", failure({ statusCode: 200, throttled: true }), { throttledMinDelayMs: 3_000 }, 3_000],
    // Retry-After wins over backoff, jitter and the throttled minimum; it is capped.
    ["Retry-After seconds", failure({ statusCode: 503, retryAfter: "3", random: HIGH }), {}, 3_000],
    ["Retry-After fractional seconds", failure({ statusCode: 503, retryAfter: "1.5" }), {}, 1_500],
    ["Retry-After with spaces", failure({ statusCode: 503, retryAfter: " 2 " }), {}, 2_000],
    ["Retry-After on 429 is honoured as is", failure({ statusCode: 429, retryAfter: "1" }), {}, 1_000],
    ["Retry-After 0", failure({ statusCode: 503, retryAfter: "0" }), {}, 0],
    ["Retry-After seconds capped", failure({ statusCode: 429, retryAfter: "7200" }), {}, RETRY_DEFAULTS.maxRetryAfterMs],
    ["Retry-After capped by a custom cap", failure({ statusCode: 429, retryAfter: "30" }), { maxRetryAfterMs: 5_000 }, 5_000],
    ["Retry-After HTTP date", failure({ statusCode: 503, retryAfter: httpDate(5_000) }), {}, 5_000],
    ["Retry-After HTTP date capped", failure({ statusCode: 503, retryAfter: httpDate(3 * 3_600_000) }), {}, 60_000],
    ["Retry-After HTTP date in the past", failure({ statusCode: 503, retryAfter: httpDate(-5_000) }), {}, 0],
    ["Retry-After repeated: the first counts", failure({ statusCode: 503, retryAfter: ["2", "9"] }), {}, 2_000],
    ["Retry-After garbled: backoff instead", failure({ statusCode: 503, retryAfter: "soon", attempt: 2 }), {}, 500],
    ["Retry-After empty: backoff instead", failure({ statusCode: 503, retryAfter: "" }), {}, 250],
    // Not delay-seconds and not an HTTP date (RFC 9110 §10.2.3); V8's lenient Date.parse reads "-1" as 2001-01-01.
    ["Retry-After negative: throttled backoff instead", failure({ statusCode: 429, retryAfter: "-1" }), {}, 2_000],
    // Never sleep past the budget: the last attempt still happens within it.
    ["backoff trimmed to the budget", failure({ attempt: 7, elapsedMs: RETRY_DEFAULTS.budgetMs - 100 }), {}, 100],
    ["Retry-After trimmed to the budget", failure({ retryAfter: "30", elapsedMs: RETRY_DEFAULTS.budgetMs - 10 }), {}, 10],
    ["throttled minimum trimmed to the budget", failure({ statusCode: 429, elapsedMs: 9_500 }), { budgetMs: 10_000 }, 500],
  ];
  it.each(backoff)("%s", (_scenario, context, options, expected) => {
    expect(decideRetry(context, options)).toBe(expected);
  });

  it.each([1, 2, 3, 4, 5, 6, 7])("attempt %i stays within [base/2, base] for any jitter", (attempt) => {
    const base = Math.min(RETRY_DEFAULTS.minDelayMs * RETRY_DEFAULTS.factor ** (attempt - 1), RETRY_DEFAULTS.maxDelayMs);
    for (const r of [0, 0.25, 0.5, 0.75, 0.999]) {
      const delay = decideRetry(failure({ attempt, random: () => r }))!;
      expect(delay).toBeGreaterThanOrEqual(base / 2);
      expect(delay).toBeLessThanOrEqual(base);
    }
  });

  it("grows with the attempt number until the cap", () => {
    const delays = [1, 2, 3, 4, 5, 6, 7].map((attempt) => decideRetry(failure({ attempt, random: LOW })));
    expect(delays).toEqual([250, 500, 1_000, 2_000, 4_000, 8_000, 10_000]);
  });

  it("never returns more than the budget left, for any failure", () => {
    const budgetMs = 1_000;
    for (const elapsedMs of [0, 500, 900, 999]) {
      for (const context of [
        failure({ elapsedMs, attempt: 7, random: HIGH }),
        failure({ elapsedMs, statusCode: 429 }),
        failure({ elapsedMs, retryAfter: "59" }),
      ]) {
        const delay = decideRetry(context, { budgetMs })!;
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThanOrEqual(budgetMs - elapsedMs);
      }
    }
  });
});

describe("retryAfterMs", () => {
  const rows: Array<[value: string | string[] | undefined, expected: number | undefined]> = [
    [undefined, undefined],
    ["", undefined],
    ["   ", undefined],
    ["soon", undefined],
    ["-1", undefined],
    ["+3", undefined],
    ["0", 0],
    ["1", 1_000],
    ["120", 120_000],
    ["0.25", 250],
    [httpDate(90_000), 90_000],
    [httpDate(-1_000), 0],
    [[httpDate(4_000), "1"], 4_000],
  ];
  it.each(rows)("parses %j", (value, expected) => {
    expect(retryAfterMs(value, NOW_MS)).toBe(expected);
  });
});

describe("retryOptionsFromEnv", () => {
  const rows: Array<[scenario: string, env: Record<string, string | undefined>, expected: ReturnType<typeof retryOptionsFromEnv>]> = [
    ["nothing set", {}, {}],
    ["JOBSETS_MAX_RETRIES counts retries, not attempts", { JOBSETS_MAX_RETRIES: "3" }, { maxAttempts: 4 }],
    ["HW_MAX_RETRIES (Terraform's name) as a fallback", { HW_MAX_RETRIES: "5" }, { maxAttempts: 6 }],
    ["JOBSETS_MAX_RETRIES wins over HW_MAX_RETRIES", { JOBSETS_MAX_RETRIES: "1", HW_MAX_RETRIES: "5" }, { maxAttempts: 2 }],
    ["0 retries: one attempt", { JOBSETS_MAX_RETRIES: "0" }, { maxAttempts: 1 }],
    ["negative retries ignored", { JOBSETS_MAX_RETRIES: "-1" }, {}],
    ["fractional retries ignored", { JOBSETS_MAX_RETRIES: "2.5" }, {}],
    ["garbled retries ignored", { JOBSETS_MAX_RETRIES: "many" }, {}],
    // An empty variable (`JOBSETS_MAX_RETRIES=` in a CI file) means "not set", not "zero retries".
    ["empty JOBSETS_MAX_RETRIES ignored", { JOBSETS_MAX_RETRIES: "" }, {}],
    ["blank HW_MAX_RETRIES ignored", { HW_MAX_RETRIES: "  " }, {}],
    ["empty JOBSETS_MAX_RETRIES does not hide HW_MAX_RETRIES", { JOBSETS_MAX_RETRIES: "", HW_MAX_RETRIES: "2" }, { maxAttempts: 3 }],
    ["min delay, throttled minimum scaled", { JOBSETS_RETRY_MIN_DELAY_MS: "100" }, { minDelayMs: 100, throttledMinDelayMs: 400 }],
    ["min delay, throttled minimum capped", { JOBSETS_RETRY_MIN_DELAY_MS: "1000" }, { minDelayMs: 1_000, throttledMinDelayMs: 2_000 }],
    ["negative min delay ignored", { JOBSETS_RETRY_MIN_DELAY_MS: "-5" }, {}],
    ["garbled min delay ignored", { JOBSETS_RETRY_MIN_DELAY_MS: "fast" }, {}],
    ["empty min delay ignored", { JOBSETS_RETRY_MIN_DELAY_MS: "" }, {}],
  ];
  it.each(rows)("%s", (_scenario, env, expected) => {
    expect(retryOptionsFromEnv(env)).toEqual(expected);
  });
});
