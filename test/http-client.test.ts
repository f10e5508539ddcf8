/**
 * The HTTP layer (`provider/clients/http.ts`) against a real loopback server, one per test
 * (test/helpers/loopback-server.ts): transport retries, answers returned as they are, verdicts read from the body, and
 * connection reuse. Each test scripts its server attempt by attempt (`switch (attempt++)`) and asserts on what the
 * server saw.
 */
import { describe, expect } from "vitest";
import { ApiError } from "../provider/errors";
import { HttpClient, type ApiResponse, type Authorizer, type Verdict } from "../provider/clients/http";
import { FAST_RETRY, get, serverTest as it, post, reply } from "./helpers/loopback-server";

/** Retry-After: 1 must make the client wait about a second; allow for timer coarseness. */
const RETRY_AFTER_LOWER_BOUND_MS = 900;
const ONE_HOUR_MS = 3_600_000;
/** How far a clock offset learned from a 1 s resolution Date header may be from the truth. */
const CLOCK_TOLERANCE_MS = 5_000;

describe("transport retries", () => {
  it("retries a 503 and counts the retry", async ({ server, client }) => {
    let attempt = 0;
    server.handle((_req, res) => {
      switch (attempt++) {
        case 0:
          return reply(res, 503, { error_code: "APIG.0202", error_msg: "backend unavailable" });
        default:
          return reply(res, 200, { is_success: true });
      }
    });
    const response = await client.send(get(server));
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.text)).toEqual({ is_success: true });
    expect(server.seen).toHaveLength(2);
    expect(client.stats).toEqual({ requests: 2, retries: 1 });
  });

  it("waits for Retry-After on a 429", async ({ server, client }) => {
    let attempt = 0;
    server.handle((_req, res) => {
      switch (attempt++) {
        case 0:
          return reply(res, 429, { error_code: "APIG.0308", error_msg: "too many requests" }, { "retry-after": "1" });
        default:
          return reply(res, 200, { is_success: true });
      }
    });
    const started = Date.now();
    const response = await client.send(get(server));
    expect(response.statusCode).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(RETRY_AFTER_LOWER_BOUND_MS);
    expect(server.seen).toHaveLength(2);
    expect(client.stats.retries).toBe(1);
  });

  it("does not retry a 400 and returns it", async ({ server, client }) => {
    server.handle((_req, res) => reply(res, 400, { error_code: "DLI.0001", error_msg: "bad request" }));
    const response = await client.send(post(server, '{"job_ids":[1]}'));
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.text)).toEqual({ error_code: "DLI.0001", error_msg: "bad request" });
    expect(server.seen).toHaveLength(1);
    expect(client.stats).toEqual({ requests: 1, retries: 0 });
  });

  it("retries when the socket is destroyed before an answer", async ({ server, client }) => {
    let attempt = 0;
    server.handle((req, res) => {
      switch (attempt++) {
        case 0:
          return req.socket.destroy();
        default:
          return reply(res, 200, { is_success: true });
      }
    });
    const response = await client.send(post(server, '{"job_ids":[1]}'));
    expect(response.statusCode).toBe(200);
    expect(server.seen).toHaveLength(2);
    expect(client.stats.retries).toBe(1);
  });

  it("re-sends a POST body intact on every retry", async ({ server, client }) => {
    const body = JSON.stringify({ job_ids: ["9223372036854775807", "9007199254740993"], trigger_savepoint: true, note: "naïve ✓" });
    let attempt = 0;
    server.handle((req, res) => {
      switch (attempt++) {
        case 0:
          return reply(res, 502, "bad gateway");
        case 1:
          return req.socket.destroy();
        default:
          return reply(res, 200, { is_success: true });
      }
    });
    const response = await client.send(post(server, body));
    expect(response.statusCode).toBe(200);
    expect(server.seen.map((r) => r.body)).toEqual([body, body, body]);
    expect(server.seen.map((r) => r.headers["content-length"])).toEqual(Array(3).fill(String(Buffer.byteLength(body))));
    expect(server.seen.map((r) => `${r.method} ${r.path}`)).toEqual(Array(3).fill("POST /v1.0/p1/streaming/jobs/stop"));
  });

  it("after maxAttempts returns the last answer, status and body, rather than throwing", async ({ server, client }) => {
    let attempt = 0;
    server.handle((_req, res) => {
      const n = ++attempt;
      reply(res, n < 4 ? 503 : 504, { error_code: `GATEWAY.${n}`, attempt: n });
    });
    const response = await client.send(get(server));
    expect(response.statusCode).toBe(504);
    expect(JSON.parse(response.text)).toEqual({ error_code: "GATEWAY.4", attempt: 4 });
    expect(server.seen).toHaveLength(FAST_RETRY.maxAttempts);
    expect(client.stats).toEqual({ requests: 4, retries: 3 });
  });

  it("rejects with an ApiError naming the service and origin when no answer ever comes", async ({ server, client }) => {
    server.handle((req) => req.socket.destroy());
    const error = await client.send(get(server)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).service).toBe("dli-flink");
    expect((error as ApiError).message).toContain(server.origin);
    expect(server.seen).toHaveLength(FAST_RETRY.maxAttempts);
  });

  it("sends the query string", async ({ server, client }) => {
    server.handle((_req, res) => reply(res, 200, {}));
    await client.send({ ...get(server), query: { limit: 100, offset: 0, show_detail: false, name: undefined, tag: "" } });
    expect(server.seen[0]!.path).toBe("/v1.0/p1/streaming/jobs?limit=100&offset=0&show_detail=false");
  });
});

/** The status codes that must come straight back, each on a fresh server. */
describe.each([400, 401, 403, 404, 409])("HTTP %i", (statusCode) => {
  it("is returned after one attempt", async ({ server, client }) => {
    server.handle((_req, res) => reply(res, statusCode, { error_code: "X" }));
    const response = await client.send(get(server));
    expect(response.statusCode).toBe(statusCode);
    expect(server.seen).toHaveLength(1);
    expect(client.stats.retries).toBe(0);
  });
});

describe("verdicts from the body", () => {
  /** An authorizer that stamps a token and the signing time; `refresh` issues the next token. */
  function tokenAuthorizer(client: HttpClient) {
    let token = 1;
    const calls = { authorize: [] as Array<{ token: string; signedAt: number }>, refresh: 0 };
    const authorizer: Required<Authorizer> = {
      async authorize() {
        const signedAt = client.clock.now().getTime();
        calls.authorize.push({ token: `token-${token}`, signedAt });
        return { "x-auth-token": `token-${token}`, "x-sdk-date": String(signedAt) };
      },
      async refresh() {
        calls.refresh++;
        token++;
        return true;
      },
    };
    return { authorizer, calls };
  }

  const classifyBy =
    (rules: Record<number, Verdict>) =>
    (response: ApiResponse): Verdict =>
      rules[response.statusCode] ?? "ok";

  it('"reauthenticate" refreshes the credential once and re-authorizes', async ({ server, client }) => {
    server.handle((req, res) =>
      req.headers["x-auth-token"] === "token-2" ? reply(res, 200, { is_success: true }) : reply(res, 401, { error_code: "APIG.1002" }),
    );
    const { authorizer, calls } = tokenAuthorizer(client);
    const response = await client.send(get(server), { authorizer, classify: classifyBy({ 401: "reauthenticate" }) });
    expect(response.statusCode).toBe(200);
    expect(calls.refresh).toBe(1);
    expect(calls.authorize.map((c) => c.token)).toEqual(["token-1", "token-2"]);
    expect(server.seen.map((r) => r.headers["x-auth-token"])).toEqual(["token-1", "token-2"]);
  });

  it('"reauthenticate" twice: refreshes only once and returns the second 401', async ({ server, client }) => {
    server.handle((_req, res) => reply(res, 401, { error_code: "APIG.1002" }));
    const { authorizer, calls } = tokenAuthorizer(client);
    const response = await client.send(get(server), { authorizer, classify: classifyBy({ 401: "reauthenticate" }) });
    expect(response.statusCode).toBe(401);
    expect(calls.refresh).toBe(1);
    expect(server.seen).toHaveLength(2);
  });

  it('"reauthenticate" without a way to refresh returns the answer', async ({ server, client }) => {
    server.handle((_req, res) => reply(res, 401, { error_code: "APIG.1002" }));
    const response = await client.send(get(server), {
      authorizer: { authorize: async () => ({ "x-auth-token": "t" }) },
      classify: classifyBy({ 401: "reauthenticate" }),
    });
    expect(response.statusCode).toBe(401);
    expect(server.seen).toHaveLength(1);
  });

  it('"resync-clock" adopts the server\'s Date once and re-signs with the shifted clock', async ({ server, client }) => {
    let attempt = 0;
    server.handle((_req, res) => {
      switch (attempt++) {
        case 0:
          return reply(res, 401, { error_code: "APIG.0301", error_msg: "request expired" }, { date: new Date(Date.now() + ONE_HOUR_MS).toUTCString() });
        default:
          return reply(res, 200, { is_success: true });
      }
    });
    const { authorizer, calls } = tokenAuthorizer(client);
    const response = await client.send(get(server), { authorizer, classify: classifyBy({ 401: "resync-clock" }) });
    expect(response.statusCode).toBe(200);
    expect(calls.authorize).toHaveLength(2);
    const [first, second] = calls.authorize;
    expect(Math.abs(first!.signedAt - Date.now())).toBeLessThan(CLOCK_TOLERANCE_MS);
    expect(Math.abs(second!.signedAt - first!.signedAt - ONE_HOUR_MS)).toBeLessThan(CLOCK_TOLERANCE_MS);
    expect(Math.abs(client.clock.offsetMs - ONE_HOUR_MS)).toBeLessThan(CLOCK_TOLERANCE_MS);
    expect(calls.refresh).toBe(0);
  });

  it('"resync-clock" twice: adopts the Date only once and returns the second answer', async ({ server, client }) => {
    let attempt = 0;
    server.handle((_req, res) => {
      const skew = ++attempt * ONE_HOUR_MS;
      reply(res, 401, { error_code: "APIG.0301" }, { date: new Date(Date.now() + skew).toUTCString() });
    });
    const { authorizer } = tokenAuthorizer(client);
    const response = await client.send(get(server), { authorizer, classify: classifyBy({ 401: "resync-clock" }) });
    expect(response.statusCode).toBe(401);
    expect(server.seen).toHaveLength(2);
    expect(Math.abs(client.clock.offsetMs - ONE_HOUR_MS)).toBeLessThan(CLOCK_TOLERANCE_MS);
  });

  it('"throttled" inside a 200 is retried', async ({ server, client }) => {
    let attempt = 0;
    server.handle((_req, res) => {
      switch (attempt++) {
        case 0:
          return reply(res, 200, { ret_code: 2500, message: "throttled" });
        default:
          return reply(res, 200, { ret_code: 0 });
      }
    });
    const classify = (r: ApiResponse): Verdict => (JSON.parse(r.text).ret_code === 2500 ? "throttled" : "ok");
    const response = await client.send(get(server), { classify });
    expect(JSON.parse(response.text)).toEqual({ ret_code: 0 });
    expect(server.seen).toHaveLength(2);
    expect(client.stats).toEqual({ requests: 2, retries: 1 });
  });

  it('"retry" inside a 200 stops after maxAttempts and returns the last answer', async ({ server, client }) => {
    let attempt = 0;
    server.handle((_req, res) => reply(res, 200, { ret_code: 5000, attempt: ++attempt }));
    const response = await client.send(post(server, "{}"), { classify: () => "retry" });
    expect(JSON.parse(response.text)).toEqual({ ret_code: 5000, attempt: FAST_RETRY.maxAttempts });
    expect(server.seen).toHaveLength(FAST_RETRY.maxAttempts);
  });
});

describe("connections", () => {
  // undici's Pool hands back-to-back requests to its two most recently used clients in turn (the first is
  // not yet marked idle when the next request is dispatched), so "reused" means 2 connections, not 20.
  const REUSED_CONNECTIONS = 2;

  it("reuses keep-alive connections for sequential calls", async ({ server, client }) => {
    server.handle((_req, res) => reply(res, 200, { is_success: true }));
    for (let i = 0; i < 20; i++) await client.send(get(server));
    expect(server.seen).toHaveLength(20);
    expect(server.connections()).toBeLessThanOrEqual(REUSED_CONNECTIONS);
  });

  it("keeps reusing connections after retried 503s", async ({ server, client }) => {
    let attempt = 0;
    server.handle((_req, res) => (attempt++ % 2 === 0 ? reply(res, 503, "busy") : reply(res, 200, {})));
    for (let i = 0; i < 10; i++) await client.send(get(server));
    expect(server.seen).toHaveLength(20);
    expect(client.stats.retries).toBe(10);
    expect(server.connections()).toBeLessThanOrEqual(REUSED_CONNECTIONS);
  });

  it("opens no more connections than connectionsPerOrigin", async ({ server }) => {
    const client = new HttpClient({ retry: FAST_RETRY, connectionsPerOrigin: 2 });
    try {
      server.handle((_req, res) => setTimeout(() => reply(res, 200, {}), 20));
      await Promise.all(Array.from({ length: 6 }, () => client.send(get(server))));
      expect(server.seen).toHaveLength(6);
      expect(server.connections()).toBeLessThanOrEqual(2);
    } finally {
      await client.close();
    }
  });
});
