/**
 * The fault scenarios of faults.test.ts, as data: for each, the kinds it runs on, the provider host it uses, the
 * emulator's options, the faults it injects before the destroy, the outcome it expects and what it checks beyond the
 * invariant. faults.test.ts runs every row (scenario × kind) and prints the table.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { ExpectStatic } from "vitest";
import type { EmulatorOptions } from "../../emulator";
import {
  ALL_KINDS,
  type Call,
  type KindDriver,
  type KindName,
  type Place,
  type RestartableEmulator,
  type Teardown,
  callStats,
  failedAnswer,
  mentions,
  whenCalled,
} from "../helpers/reliability";

/** Stops, cancels and kills complete at once: the fault rows are about the calls, not the waits. */
export const INSTANT_STOPS: EmulatorOptions = { stopDelayMs: 0, sparkCancelDelayMs: 0, mrsKillDelayMs: 0, ehpcStopDelayMs: 0 };
/** Stops that take a while, for faults that must strike while the teardown waits. */
const SLOW_STOPS: EmulatorOptions = { stopDelayMs: 400, sparkCancelDelayMs: 400, mrsKillDelayMs: 400, ehpcStopDelayMs: 400 };
/** The timeout host's JOBSETS_HTTP_TIMEOUT_MS, and how late the slow answers come. */
export const HTTP_TIMEOUT_MS = 500;
const SLOW_ANSWER_MS = 1_500;
/** A clock far enough off for both schemes: Huawei refuses an X-Sdk-Date 15 min off, EHPC a timestamp 60 s off. */
export const CLOCK_SKEW_MS = 20 * 60_000;

/** When a request was signed, as it says itself: Huawei's X-Sdk-Date (20240115T083000Z), EHPC's timestamp query. */
function signingTime(call: Call): number {
  const sdkDate = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(call.headers["x-sdk-date"] ?? "");
  if (sdkDate) {
    const [, y, mo, d, h, mi, sec] = sdkDate.map(Number) as number[];
    return Date.UTC(y!, mo! - 1, d!, h!, mi!, sec!);
  }
  const timestamp = Date.parse(call.query.timestamp ?? "");
  if (Number.isNaN(timestamp)) throw new Error(`#${call.seq} ${call.op}: no signing time (X-Sdk-Date or timestamp)`);
  return timestamp;
}
/**
 * How long IAM holds the answer to the login that renews an expired token (the token is issued when the login
 * arrives). Requests the client signed with the old token before it asked for a new one are refused together, and on
 * a loaded machine one of them may reach the emulator a little after the login; they all arrive within this window.
 * A request signed with the old token after the client had the new one can only arrive after it.
 */
const TOKEN_ANSWER_HOLD_MS = 500;
/** The token rows' stops outlast the held login, so the teardown goes on sending (polls) with the new token. */
export const TOKEN_ROW_STOPS: EmulatorOptions = { stopDelayMs: 1_500, sparkCancelDelayMs: 1_500, mrsKillDelayMs: 1_500 };

export type HostName = "main" | "timeout" | "skew" | "token";

/** What a scenario's hooks get to work with. */
export interface RowContext {
  cloud: RestartableEmulator;
  driver: KindDriver;
  place: Place;
  teardown: Teardown;
  /** Every job of the set(s), and the ones each set lists. */
  ids: string[];
  sets: { name: string; ids: string[] }[];
}

interface DestroyOutcome {
  error?: Error;
  calls: Call[];
}

/** How the faulty destroy must end: it succeeds, or it fails (naming every job it left: the invariant checks that). */
type Expected = "succeeds" | "fails";

export interface Scenario {
  name: string;
  kinds: readonly KindName[];
  host: HostName;
  emulator?: EmulatorOptions;
  teardown?(driver: KindDriver): Teardown;
  waitTimeoutSeconds?: number;
  /** Two sets that share one job, destroyed at once (as the engine deletes independent resources in parallel). */
  sharedJob?: boolean;
  /** The outcome this scenario expects for a kind; the row fails when the destroy ends the other way. */
  outcome(driver: KindDriver): Expected;
  /** Faults to set up before the destroy; a watcher returned is stopped when the destroy ends. */
  // biome-ignore lint/suspicious/noConfusingVoidType: most scenarios only inject and return nothing; with `undefined` instead, TypeScript would make each block-bodied one end in `return undefined`.
  inject(ctx: RowContext): void | { done: Promise<boolean>; stop(): void };
  /** Waits after the destroy until every call has been recorded (answers still being delayed are recorded late). */
  settle?(ctx: RowContext): Promise<void>;
  /** Assertions of this scenario beyond the invariant and the rerun. */
  verify(ctx: RowContext, outcome: DestroyOutcome, expect: ExpectStatic): void;
}

/** Resends of the same request (op, path, body), in order, for timing checks. */
function sameRequestAs(calls: readonly Call[], call: Call): Call[] {
  return calls.filter((c) => c.op === call.op && c.path === call.path && c.body === call.body && c.incarnation === call.incarnation);
}

function statusesOf(calls: readonly Call[], op: string): string[] {
  return calls.filter((c) => c.op === op).map((c) => (c.dropped ? `dropped ${c.dropped}` : String(c.status)));
}

export const scenarios: Scenario[] = [
  {
    name: "429 storm with Retry-After",
    kinds: ALL_KINDS,
    host: "main",
    outcome: () => "succeeds",
    inject: ({ cloud, driver, teardown }) => {
      for (const op of driver.mutationOps(teardown)) {
        cloud.emu.failNext(op, { status: 429, retryAfterS: 1 });
        cloud.emu.failNext(op, { status: 429, retryAfterS: 0, times: 3 });
      }
      cloud.emu.failNext(driver.readOps[0]!, { status: 429, retryAfterS: 0, times: 2 });
    },
    verify: ({ driver, teardown }, { calls }, expect) => {
      for (const op of driver.mutationOps(teardown)) {
        expect(statusesOf(calls, op).filter((s) => s === "429")).toHaveLength(4);
        // The first 429 said Retry-After: 1: its resend waited that long.
        const first = calls.find((c) => c.op === op)!;
        const resend = sameRequestAs(calls, first).find((c) => c.seq > first.seq)!;
        expect(resend.at - first.answeredAt).toBeGreaterThanOrEqual(950);
      }
      expect(callStats(calls).retries).toBeGreaterThanOrEqual(4 * driver.mutationOps(teardown).length + 2);
    },
  },
  {
    name: "5xx burst",
    kinds: ALL_KINDS,
    host: "main",
    outcome: () => "succeeds",
    inject: ({ cloud, driver, teardown }) => {
      for (const op of driver.mutationOps(teardown)) {
        cloud.emu.failNext(op, { status: 503, times: 2 });
        cloud.emu.failNext(op, { status: 500 });
        // EHPC's real failure shape: HTTP 200 with ret_code 5000.
        if (driver.name === "ehpc") cloud.emu.failNext(op, { status: 200 });
      }
      cloud.emu.failNext(driver.readOps[0]!, { status: 502 });
    },
    verify: ({ driver, teardown }, { calls }, expect) => {
      const perOp = driver.name === "ehpc" ? 4 : 3;
      for (const op of driver.mutationOps(teardown)) expect(calls.filter((c) => c.op === op && failedAnswer(c))).toHaveLength(perOp);
      expect(callStats(calls).retries).toBeGreaterThanOrEqual(perOp * driver.mutationOps(teardown).length + 1);
    },
  },
  {
    name: "dropped before processing",
    kinds: ALL_KINDS,
    host: "main",
    outcome: () => "succeeds",
    // Flink and EHPC stop only here, so the invariant's "stopped, for teardown stop" is exercised too.
    teardown: (driver) => (driver.teardowns.includes("stop") ? "stop" : driver.defaultTeardown),
    inject: ({ cloud, driver, teardown }) => {
      for (const op of driver.mutationOps(teardown)) cloud.emu.failNext(op, { drop: "before", times: 2 });
      cloud.emu.failNext(driver.readOps[0]!, { drop: "before" });
    },
    verify: ({ driver, teardown }, { calls }, expect) => {
      const dropped = calls.filter((c) => c.dropped === "before");
      expect(dropped).toHaveLength(2 * driver.mutationOps(teardown).length + 1);
      expect(callStats(calls).retries).toBeGreaterThanOrEqual(dropped.length);
    },
  },
  {
    name: "dropped after processing",
    kinds: ALL_KINDS,
    host: "main",
    outcome: () => "succeeds",
    inject: ({ cloud, driver, teardown }) => {
      for (const op of driver.mutationOps(teardown)) cloud.emu.failNext(op, { drop: "after" });
    },
    verify: ({ driver, teardown }, { calls }, expect) => {
      for (const op of driver.mutationOps(teardown)) {
        const lost = calls.find((c) => c.op === op && c.dropped === "after")!;
        expect(lost).toBeDefined();
        // Processed, no answer: the same request was sent again (and found the work done).
        expect(sameRequestAs(calls, lost).filter((c) => c.seq > lost.seq).length).toBeGreaterThanOrEqual(1);
      }
    },
  },
  {
    name: "answers slower than the client timeout",
    kinds: ALL_KINDS,
    host: "timeout",
    outcome: () => "succeeds",
    inject: ({ cloud, driver, teardown }) => {
      for (const op of driver.mutationOps(teardown)) cloud.emu.failNext(op, { delayMs: SLOW_ANSWER_MS });
    },
    settle: async ({ cloud, driver, teardown }) => {
      const lateAnswer = (op: string) => cloud.calls().some((c) => c.op === op && c.answeredAt - c.at >= SLOW_ANSWER_MS - 50);
      for (let waited = 0; !driver.mutationOps(teardown).every(lateAnswer) && waited < SLOW_ANSWER_MS + 500; waited += 20) await sleep(20);
    },
    verify: ({ driver, teardown }, { calls }, expect) => {
      for (const op of driver.mutationOps(teardown)) {
        const slow = calls.find((c) => c.op === op && c.answeredAt - c.at >= SLOW_ANSWER_MS - 50);
        expect(slow, `a ${op} answered ${SLOW_ANSWER_MS} ms late`).toBeDefined();
        // The client gave up after JOBSETS_HTTP_TIMEOUT_MS and resent before the late answer came.
        const resent = sameRequestAs(calls, slow!).find((c) => c.seq > slow!.seq);
        expect(resent).toBeDefined();
        expect(resent!.at).toBeLessThan(slow!.answeredAt);
        expect(resent!.at - slow!.at).toBeGreaterThanOrEqual(HTTP_TIMEOUT_MS - 50);
      }
      expect(callStats(calls).retries).toBeGreaterThanOrEqual(driver.mutationOps(teardown).length);
    },
  },
  {
    name: "IAM token expires mid-destroy",
    kinds: ["flink", "spark", "mrs"],
    host: "token",
    outcome: () => "succeeds",
    inject: ({ cloud, driver, teardown }) => {
      cloud.emu.failNext("iam.token", { delayMs: TOKEN_ANSWER_HOLD_MS });
      return whenCalled(cloud, driver.mutationOps(teardown)[0]!, () => cloud.emu.expireTokens());
    },
    // Protects: an expired password token is renewed with one login, each request the gateway refused for it is
    // sent again with the new token and accepted, and no request is signed with the old token once the new one is in.
    verify: (_ctx, { calls }, expect) => {
      const expired = calls.filter((c) => c.status === 401);
      expect(expired.length).toBeGreaterThan(0);
      for (const refused of expired) expect(refused.responseBody).toContain("APIG.0307");
      const logins = calls.filter((c) => c.op === "iam.token");
      expect(logins).toHaveLength(1);
      const login = logins[0]!;
      expect(login.status).toBe(201);
      expect(login.answeredAt - login.at).toBeGreaterThanOrEqual(TOKEN_ANSWER_HOLD_MS - 50);
      // Once every token but the new one has expired, a refusal means the old token. The client cannot have signed
      // with the new token before IAM answered; a refused request that arrived after that answer was signed with the
      // old token after it had been replaced. (Counting by arrival order instead fails when a request signed before
      // the login overtakes it on the way: issue 9's flake.)
      const signedLate = expired.filter((c) => c.at >= login.answeredAt);
      expect(signedLate.map((c) => `#${c.seq} ${c.op} ${c.path} arrived ${c.at - login.answeredAt} ms after the new token`)).toEqual([]);
      // Each refused request was sent again, with the new token, and accepted.
      for (const refused of expired) {
        const resent = sameRequestAs(calls, refused).filter((c) => c.seq > refused.seq);
        expect(resent.length, `#${refused.seq} ${refused.op} ${refused.path} sent again`).toBeGreaterThan(0);
        expect(resent.every((c) => c.status < 400 && c.authenticatedAs?.startsWith("token:"))).toBe(true);
      }
      const api = calls.filter((c) => c.op !== "iam.token" && c.status < 400);
      expect(api.length).toBeGreaterThan(0);
      for (const call of api) expect(call.authenticatedAs).toMatch(/^token:/);
    },
  },
  {
    name: "clock skew expires signatures",
    kinds: ALL_KINDS,
    host: "skew",
    outcome: () => "succeeds",
    // The set is created against a clock that agrees; the emulator comes back CLOCK_SKEW_MS ahead before the destroy.
    inject: () => undefined,
    verify: ({ driver }, { calls }, expect) => {
      const expired = (c: Call) => (driver.name === "ehpc" ? /"ret_code":1300/.test(c.responseBody) : c.status === 401 && c.responseBody.includes("APIG.0303"));
      const rejected = calls.filter(expired);
      expect(rejected.length).toBeGreaterThan(0);
      // Resynchronised from the server's Date once: no request was SIGNED with the old clock after the client learned
      // the server's time from the first refusal. (Requests signed just before can still arrive after an accepted one:
      // arrival order is a race, the signing time is not.) The signing time is the one the request carries
      // (X-Sdk-Date / EHPC's timestamp, whole seconds, on the client's old clock, which runs CLOCK_SKEW_MS behind the
      // emulator's): a refused request must have been signed before the first refusal was answered, give or take its
      // second.
      const learnedAt = Math.min(...rejected.map((c) => c.answeredAt)) - CLOCK_SKEW_MS;
      for (const refused of rejected) {
        const signedAt = signingTime(refused);
        expect(signedAt, `#${refused.seq} ${refused.op}: signed at ${new Date(signedAt).toISOString()}, after the clock was learned`).toBeLessThan(learnedAt + 1_000);
      }
      for (const refused of rejected) {
        expect(sameRequestAs(calls, refused).some((c) => c.seq > refused.seq && !failedAnswer(c))).toBe(true);
      }
    },
  },
  {
    name: "emulator restarts mid-destroy",
    kinds: ALL_KINDS,
    host: "main",
    emulator: SLOW_STOPS,
    waitTimeoutSeconds: 2,
    // The outage itself is retried through. What a restart costs is the stops it lost: a Flink job shows
    // job_canceling, kept across the restart, and stops; Spark, MRS and EHPC show no "stopping" state, so a job whose
    // stop was answered just before the restart is still running after it, until the wait gives up on it (a rerun
    // then stops it again).
    outcome: (driver) => (driver.name === "flink" ? "succeeds" : "fails"),
    inject: ({ cloud, driver, teardown }) => whenCalled(cloud, driver.mutationOps(teardown)[0]!, () => cloud.restart({}, 100)),
    verify: ({ driver, teardown, ids }, { error, calls }, expect) => {
      expect(new Set(calls.map((c) => c.incarnation))).toEqual(new Set([0, 1]));
      if (driver.name === "flink") return;
      // The stops answered before the restart and not sent again after it: exactly the jobs the error names.
      const stop = driver.mutationOps(teardown)[0]!;
      const stopped = (incarnation: number) =>
        new Set(ids.filter((id) => calls.some((c) => c.op === stop && c.incarnation === incarnation && !failedAnswer(c) && mentions(c, id))));
      const after = stopped(1);
      const lost = [...stopped(0)].filter((id) => !after.has(id));
      expect(lost.length).toBeGreaterThan(0);
      expect(error!.message).toMatch(/not (stopped|cancelled|ended) after 2 s/);
      expect(ids.filter((id) => error!.message.includes(id)).sort()).toEqual(lost.sort());
    },
  },
  {
    name: "one job fails inside a batch",
    kinds: ALL_KINDS,
    host: "main",
    outcome: () => "fails",
    inject: ({ cloud, driver, teardown, ids }) => {
      cloud.emu.failJobs(driver.mutationOps(teardown).at(-1)!, [ids[1]!], "injected: the service is busy");
    },
    verify: ({ driver, place, cloud, teardown, ids }, { error }, expect) => {
      expect(error!.message).toContain(ids[1]!);
      expect(error!.message).not.toContain(ids[0]!);
      expect(error!.message).not.toContain(ids[2]!);
      expect(error!.message).toMatch(/injected: the service is busy|InternalError/);
      const statuses = driver.statuses(cloud.emu, place);
      // The other jobs were torn down anyway; the failed one is left, for the rerun.
      expect(driver.tornDown(statuses.get(ids[0]!), teardown)).toBe(true);
      expect(driver.tornDown(statuses.get(ids[2]!), teardown)).toBe(true);
      expect(driver.tornDown(statuses.get(ids[1]!), teardown)).toBe(false);
    },
  },
  {
    name: "same job in two sets, destroyed at once",
    kinds: ALL_KINDS,
    host: "main",
    sharedJob: true,
    outcome: () => "succeeds",
    inject: () => undefined,
    // The outcome and the invariant say it all: both destroys succeed, and so every job, the shared one included, is
    // torn down (whichever set got to it first, the other finds it gone).
    verify: () => undefined,
  },
];
