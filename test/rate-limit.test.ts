/**
 * The request-rate ceilings (`provider/clients/rate-limit.ts`, issue 6): parsing `JOBSETS_RATE_LIMIT_<SERVICE>`,
 * the defaults, the token bucket's guarantee (never more than N arrivals at the server in any window, whatever
 * the requests' latencies: a token comes back a window after its request is answered), one bucket per service
 * and endpoint, and the HTTP client holding a token for every attempt: first tries, its own retries and undici's
 * transport retries. The guarantee is checked on a fake clock, and once against a real loopback server, where it
 * holds by construction however fast or slow the machine is.
 */
import { createServer } from "node:http";
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { HttpClient, type ApiRequest } from "../provider/clients/http";
import {
  DEFAULT_RATE_LIMITS,
  parseRateLimit,
  RateCeilingError,
  RateLimiter,
  rateLimitsFromEnv,
  serviceOf,
  TokenBucket,
  type RateLimit,
} from "../provider/clients/rate-limit";
import { maxInWindow } from "../bench/measure";

const SECOND_MS = 1_000;
const HOUR_MS = 3_600_000;

/** A clock that moves only when told: `sleep` advances it and records the wait. */
function fakeClock(start = 1_000_000) {
  const clock = { now: start, waits: [] as number[] };
  return {
    clock,
    now: () => clock.now,
    sleep: async (ms: number) => {
      clock.waits.push(ms);
      clock.now += ms;
    },
  };
}

describe("parseRateLimit", () => {
  it.each([
    ["2000/h", { requests: 2_000, windowMs: HOUR_MS }],
    ["2,000 / hour", { requests: 2_000, windowMs: HOUR_MS }],
    ["50/s", { requests: 50, windowMs: SECOND_MS }],
    ["300/min", { requests: 300, windowMs: 60_000 }],
    ["20", { requests: 20, windowMs: SECOND_MS }],
  ])("%s", (text, expected) => {
    expect(parseRateLimit(text)).toEqual(expected);
  });

  it.each(["off", "none", "0", " OFF "])("%s means no ceiling", (text) => {
    expect(parseRateLimit(text)).toBeUndefined();
  });

  it.each(["fast", "10/fortnight", "-5/s", "1.5/s", "/s", ""])("refuses %j, naming the variable", (text) => {
    expect(() => parseRateLimit(text, "JOBSETS_RATE_LIMIT_DLI")).toThrow(/^JOBSETS_RATE_LIMIT_DLI must be a request count per window, like "2000\/h"/);
  });
});

describe("rateLimitsFromEnv", () => {
  it("defaults: EHPC's documented 2,000 calls an hour; DLI and MRS a runaway guard; IAM none", () => {
    expect(rateLimitsFromEnv({})).toEqual(DEFAULT_RATE_LIMITS);
    expect(DEFAULT_RATE_LIMITS.ehpc).toEqual({ requests: 2_000, windowMs: HOUR_MS });
    expect(DEFAULT_RATE_LIMITS.iam).toBeUndefined();
  });

  it("each JOBSETS_RATE_LIMIT_<SERVICE> replaces its default; blank counts as unset; off removes it", () => {
    const limits = rateLimitsFromEnv({ JOBSETS_RATE_LIMIT_EHPC: "500/h", JOBSETS_RATE_LIMIT_DLI: " ", JOBSETS_RATE_LIMIT_MRS: "off", JOBSETS_RATE_LIMIT_IAM: "5/s" });
    expect(limits).toEqual({ ehpc: { requests: 500, windowMs: HOUR_MS }, dli: DEFAULT_RATE_LIMITS.dli, mrs: undefined, iam: { requests: 5, windowMs: SECOND_MS } });
  });

  it("a bad value is an error, not a silent default", () => {
    expect(() => rateLimitsFromEnv({ JOBSETS_RATE_LIMIT_EHPC: "2000 an hour" })).toThrow(/JOBSETS_RATE_LIMIT_EHPC must be/);
  });
});

describe("TokenBucket", () => {
  it("lets a burst of N go at once; then a request waits for a token to come back a window after its request was answered", async () => {
    const { clock, now } = fakeClock(0);
    const bucket = new TokenBucket({ requests: 3, windowMs: SECOND_MS }, now);
    expect([bucket.acquire(), bucket.acquire(), bucket.acquire()]).toEqual([0, 0, 0]);
    const fourth = bucket.acquire();
    // All three tokens are held by requests in flight.
    expect(fourth).toBeInstanceOf(Promise);
    clock.now = 300;
    bucket.release();
    await expect(fourth).resolves.toBe(300 + SECOND_MS);
    clock.now = 400;
    bucket.release();
    expect(bucket.acquire()).toBe(400 + SECOND_MS);
    clock.now = 10_000;
    bucket.release();
    // Coming back at a known time: the request waits until then.
    expect(bucket.acquire()).toBe(10_000 + SECOND_MS);
    clock.now = 20_000;
    bucket.release();
    clock.now = 30_000;
    // Back long ago: usable now.
    expect(bucket.acquire()).toBe(30_000);
  });

  it("the server never sees more than N arrivals in any window, whatever the time on the way and the latency (seeded simulation)", async () => {
    let seed = 42;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (const limit of [{ requests: 1, windowMs: 100 }, { requests: 5, windowMs: SECOND_MS }, { requests: 50, windowMs: 250 }] satisfies RateLimit[]) {
      const { clock, now } = fakeClock(0);
      const bucket = new TokenBucket(limit, now);
      const inFlight: number[] = [];
      const arrivals: number[] = [];
      const answerNext = () => {
        inFlight.sort((a, b) => a - b);
        clock.now = Math.max(clock.now, inFlight.shift()!);
        bucket.release();
      };
      for (let i = 0; i < 1_500; i++) {
        clock.now += Math.floor(random() * (limit.windowMs / limit.requests));
        while (inFlight.length && Math.min(...inFlight) <= clock.now) answerNext();
        const acquired = bucket.acquire();
        let granted: number;
        if (typeof acquired === "number") {
          granted = acquired;
        } else {
          answerNext();
          granted = (await acquired)!;
        }
        clock.now = Math.max(clock.now, granted);
        // On the way for up to 50 ms (a connection being opened), then answered up to 300 ms later.
        const arrival = granted + Math.floor(random() * 50);
        arrivals.push(arrival);
        inFlight.push(arrival + 1 + Math.floor(random() * 300));
      }
      expect(maxInWindow(arrivals, limit.windowMs)).toBeLessThanOrEqual(limit.requests);
    }
  });
});

describe("RateLimiter", () => {
  it("one bucket per service and endpoint: DLI Flink and Spark share DLI's; other endpoints and services do not", async () => {
    const { clock, now, sleep } = fakeClock();
    const limiter = new RateLimiter({ dli: { requests: 1, windowMs: SECOND_MS }, mrs: { requests: 1, windowMs: SECOND_MS } }, { now, sleep });
    (await limiter.take("dli-flink", "https://dli.a")).release();
    expect((await limiter.take("dli-spark", "https://dli.a")).waitedMs).toBe(SECOND_MS); // the same bucket
    await limiter.take("dli-flink", "https://dli.b"); // another endpoint
    await limiter.take("mrs", "https://dli.a"); // another service
    await limiter.take("iam", "https://dli.a"); // no ceiling
    await limiter.take("ehpc", "https://dli.a"); // not in this limiter's limits
    expect(clock.waits).toEqual([SECOND_MS]);
    expect(serviceOf("dli-spark")).toBe("dli");
    expect(serviceOf("unknown")).toBeUndefined();
  });

  it("reports long waits, once a minute per bucket", async () => {
    const { now } = fakeClock();
    const reported: [string, number][] = [];
    // Requests queued at once: the clock does not move while they wait.
    const limiter = new RateLimiter({ ehpc: { requests: 2, windowMs: HOUR_MS } }, { now, sleep: async () => {}, onWait: (service, waitMs) => reported.push([service, waitMs]) });
    for (const grant of await Promise.all([limiter.take("ehpc", "https://hpc"), limiter.take("ehpc", "https://hpc")])) grant.release();
    expect(reported).toEqual([]);
    await Promise.all([limiter.take("ehpc", "https://hpc"), limiter.take("ehpc", "https://hpc")]);
    expect(reported).toEqual([["ehpc", HOUR_MS]]);
  });
});

describe("RateLimiter within an operation's waitTimeoutSeconds", () => {
  it("a wait that ends before the deadline is told to the operation, with the time it ends", async () => {
    const { clock, now, sleep } = fakeClock(Date.UTC(2026, 11, 4, 14, 0, 0));
    const told: string[] = [];
    const limiter = new RateLimiter({ ehpc: { requests: 1, windowMs: 10 * SECOND_MS } }, { now, sleep });
    (await limiter.take("ehpc", "https://hpc")).release();
    const budget = { deadline: clock.now + 60 * SECOND_MS, onWait: (message: string) => told.push(message) };
    const grant = await limiter.take("ehpc", "https://hpc", budget);
    expect(grant.waitedMs).toBe(10 * SECOND_MS);
    expect(told).toEqual(["ehpc: waiting for the request-rate ceiling of 1/10000 ms (JOBSETS_RATE_LIMIT_EHPC) until 14:00:10 UTC"]);
  });

  it("a token that comes back only after the deadline: refused at once, nothing waited, the token left for others", async () => {
    const { clock, now, sleep } = fakeClock(Date.UTC(2026, 11, 4, 14, 0, 0));
    const limiter = new RateLimiter({ ehpc: { requests: 1, windowMs: HOUR_MS } }, { now, sleep });
    (await limiter.take("ehpc", "https://hpc")).release();
    const refused = limiter.take("ehpc", "https://hpc", { deadline: clock.now + 20 * 60 * SECOND_MS });
    await expect(refused).rejects.toBeInstanceOf(RateCeilingError);
    await expect(refused).rejects.toThrow(/holds the next call for longer, past this operation's waitTimeoutSeconds \(until 14:20:00 UTC\); nothing was sent/);
    expect(clock.waits).toEqual([]);
    // Without a deadline the same token is still there to wait for: the refusal did not use it up.
    expect((await limiter.take("ehpc", "https://hpc")).waitedMs).toBe(HOUR_MS);
  });

  it("every token held by requests in flight: the wait ends at the deadline, and a later release serves the next in line", async () => {
    const limiter = new RateLimiter({ ehpc: { requests: 1, windowMs: 1 } });
    const held = await limiter.take("ehpc", "https://hpc");
    const told: string[] = [];
    const refused = limiter.take("ehpc", "https://hpc", { deadline: Date.now() + 50, onWait: (message) => told.push(message) });
    await expect(refused).rejects.toThrow(/holds the next call until requests in flight are answered/);
    expect(told).toEqual([expect.stringMatching(/^ehpc: waiting for the request-rate ceiling of 1\/1 ms \(JOBSETS_RATE_LIMIT_EHPC\), at most until \d\d:\d\d:\d\d UTC$/)]);
    const next = limiter.take("ehpc", "https://hpc");
    held.release();
    expect((await next).waitedMs).toBeGreaterThanOrEqual(0);
  });
});

describe("HttpClient and the ceiling", () => {
  /** A server answering `statuses` in turn (then 200), counting requests. */
  async function scriptedServer(statuses: number[]) {
    let requests = 0;
    const server = createServer((_req, res) => {
      const status = statuses[requests++] ?? 200;
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify({ error_code: status === 200 ? undefined : "DLI.0999", ok: status === 200 }));
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    return {
      origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      requests: () => requests,
      close: async () => {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      },
    };
  }

  const request = (origin: string): ApiRequest => ({ service: "dli-flink", op: "listFlinkJobs", method: "GET", origin, path: "/v1.0/p/streaming/jobs" });

  it("every attempt takes a token: a first try and undici's transport retries (503) alike", async () => {
    const server = await scriptedServer([503, 503]);
    const { clock, now, sleep } = fakeClock();
    const client = new HttpClient({ retry: { minDelayMs: 1, maxAttempts: 5 }, rateLimiter: new RateLimiter({ dli: { requests: 1, windowMs: SECOND_MS } }, { now, sleep }) });
    try {
      const response = await client.send(request(server.origin));
      expect(response.statusCode).toBe(200);
      expect(server.requests()).toBe(3);
      // Three attempts under a 1-a-second ceiling: the second and third each waited a window after the answer before.
      expect(clock.waits).toEqual([SECOND_MS, SECOND_MS]);
    } finally {
      await client.close();
      await server.close();
    }
  });

  it("so do the client's own retries of a verdict only the body gives (\"retry\")", async () => {
    const server = await scriptedServer([]);
    const { clock, now, sleep } = fakeClock();
    const client = new HttpClient({ retry: { minDelayMs: 1, maxAttempts: 5 }, rateLimiter: new RateLimiter({ dli: { requests: 1, windowMs: SECOND_MS } }, { now, sleep }) });
    let answers = 0;
    try {
      await client.send(request(server.origin), { classify: () => (answers++ < 2 ? "retry" : "ok") });
      expect(server.requests()).toBe(3);
      expect(clock.waits).toHaveLength(2);
    } finally {
      await client.close();
      await server.close();
    }
  });

  it("a request whose signing fails does not keep its token (else every later request would wait forever)", async () => {
    const server = await scriptedServer([]);
    const { clock, now, sleep } = fakeClock();
    const client = new HttpClient({ rateLimiter: new RateLimiter({ dli: { requests: 1, windowMs: SECOND_MS } }, { now, sleep }) });
    try {
      const failing = { authorize: async (): Promise<Record<string, string>> => Promise.reject(new Error("login failed")) };
      await expect(client.send(request(server.origin), { authorizer: failing })).rejects.toThrow("login failed");
      await client.send(request(server.origin));
      expect(server.requests()).toBe(1);
      expect(clock.waits).toEqual([SECOND_MS]);
    } finally {
      await client.close();
      await server.close();
    }
  });

  it("on a real server: never more than N arrivals in any window, the answers taking their time", async () => {
    const arrivals: number[] = [];
    const server = createServer((_req, res) => {
      arrivals.push(Date.now());
      setTimeout(() => res.end("{}"), 20);
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const limit = { requests: 3, windowMs: 200 };
    const client = new HttpClient({ rateLimiter: new RateLimiter({ dli: limit }) });
    try {
      await Promise.all(Array.from({ length: 10 }, () => client.send(request(origin))));
      expect(arrivals).toHaveLength(10);
      expect(maxInWindow(arrivals, limit.windowMs)).toBeLessThanOrEqual(limit.requests);
    } finally {
      await client.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it("a client made without one gets the default ceilings", async () => {
    const server = await scriptedServer([]);
    const client = new HttpClient();
    try {
      // Far below DLI's default: no wait, the request goes.
      await Promise.all(Array.from({ length: 5 }, () => client.send(request(server.origin))));
      expect(server.requests()).toBe(5);
    } finally {
      await client.close();
      await server.close();
    }
  });
});
