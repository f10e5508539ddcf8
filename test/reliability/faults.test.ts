// Fault injection: teardowns of every kind, through the real provider host, against the emulator under throttling,
// server errors, dropped connections, slow answers, an IAM token expiring and a clock that makes signatures expire
// mid-destroy, an emulator restart mid-destroy, per-job failures inside a batch, and the same job deleted twice.
//
// Every scenario states the outcome it expects of the faulty destroy for each kind (it succeeds, or it fails naming
// the jobs it left), and the row fails when the destroy ends the other way. Every row then ends with the same
// invariant (test/helpers/reliability.ts, `invariantViolations`): each job of the set is torn down or still listed
// in the state (and named by the error), no job outside the set was touched; then a
// rerun of the destroy finishes the work, resending only what was left. The table printed at the end counts, per
// row, the API calls the emulator recorded and the retries among them (`callStats` defines a retry: a resend of a
// request whose previous sending got no usable answer).
//
// Rows share four provider hosts, started once: "main" (temporary AK/SK, QingCloud keys), "timeout" (the same,
// with JOBSETS_HTTP_TIMEOUT_MS=500), "skew" (whose signing clock the skew rows move, so they run one at a time)
// and "token" (an IAM password login against one shared emulator, so those rows run one at a time too). Each
// other row has its own emulator; rows on "main" and "timeout" run concurrently.
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, test, type ExpectStatic } from "vitest";
import { startEmulator, type Emulator, type EmulatorOptions } from "../../emulator";
import { Stack, StepErrors, type StateResource } from "../harness/engine";
import type { ProgramRun } from "../harness/program";
import { ProviderCallError, startProvider, type ProviderHost } from "../harness/provider-host";
import { PROGRAM_DIR, PROJECT } from "../helpers/jobsets";
import {
  ALL_KINDS,
  KINDS,
  RestartableEmulator,
  callStats,
  defaultPlace,
  emulatorCredentials,
  failedAnswer,
  firstLine,
  formatTable,
  hostEnv,
  idsInState,
  invariantViolations,
  leaks,
  makeCredentials,
  mentions,
  newPlace,
  registration,
  runOf,
  secretValues,
  serial,
  templateRun,
  whenCalled,
  type Call,
  type KindDriver,
  type KindName,
  type Place,
  type TableRow,
  type Teardown,
} from "../helpers/reliability";

const creds = makeCredentials();

/** Stops, cancels and kills complete at once: the fault rows are about the calls, not the waits. */
const INSTANT_STOPS: EmulatorOptions = { stopDelayMs: 0, sparkCancelDelayMs: 0, mrsKillDelayMs: 0, ehpcStopDelayMs: 0 };
/** Stops that take a while, for faults that must strike while the teardown waits. */
const SLOW_STOPS: EmulatorOptions = { stopDelayMs: 400, sparkCancelDelayMs: 400, mrsKillDelayMs: 400, ehpcStopDelayMs: 400 };
/** The timeout host's JOBSETS_HTTP_TIMEOUT_MS, and how late the slow answers come. */
const HTTP_TIMEOUT_MS = 500;
const SLOW_ANSWER_MS = 1_500;
/** A clock far enough off for both schemes: Huawei refuses an X-Sdk-Date 15 min off, EHPC a timestamp 60 s off. */
const CLOCK_SKEW_MS = 20 * 60_000;

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
const TOKEN_ROW_STOPS: EmulatorOptions = { stopDelayMs: 1_500, sparkCancelDelayMs: 1_500, mrsKillDelayMs: 1_500 };

type HostName = "main" | "timeout" | "skew" | "token";

/** What a scenario's hooks get to work with. */
interface RowContext {
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

interface Scenario {
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

const scenarios: Scenario[] = [
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

// --- the row runner --------------------------------------------------------------------------------------------

let template: ProgramRun;
let tokenEmu: Emulator;
const hosts = {} as Record<HostName, ProviderHost>;
/** Rows that share a host's signing clock (skew) or one emulator (token) run one at a time. */
const lanes: Partial<Record<HostName, ReturnType<typeof serial>>> = { skew: serial(), token: serial() };

interface RecordedRow extends TableRow {
  order: number;
}
const table: RecordedRow[] = [];
/** Everything the runs leave behind, for the secrets scan at the end: states, errors. */
const leftovers: Record<string, string> = {};
/** Who the emulators saw authenticate, to show the scan's credentials were really used. */
const authenticatedAs = new Set<string>();

beforeAll(async () => {
  tokenEmu = await startEmulator({ ...emulatorCredentials(creds), ...TOKEN_ROW_STOPS });
  const start = (env: Record<string, string>) => startProvider({ cwd: PROGRAM_DIR, project: PROJECT, env });
  [template, hosts.main, hosts.timeout, hosts.skew, hosts.token] = await Promise.all([
    templateRun(),
    start(hostEnv(creds)),
    start(hostEnv(creds, { extra: { JOBSETS_HTTP_TIMEOUT_MS: String(HTTP_TIMEOUT_MS) } })),
    start(hostEnv(creds)),
    start(hostEnv(creds, { auth: "password", iamEndpoint: tokenEmu.url })),
  ]);
});

afterAll(async () => {
  await Promise.all(Object.values(hosts).map((host) => host?.stop()));
  await tokenEmu?.close();
  const rows = [...table].sort((a, b) => a.order - b.order);
  console.log(
    `\nFault scenarios (requests: API calls the emulator recorded during the faulty destroy; retries: resends of a ` +
      `request whose previous sending got no usable answer — non-2xx, EHPC ret_code ≠ 0, dropped, or answered only ` +
      `after the resend arrived)\n${formatTable(rows, ["scenario", "kind", "requests", "retries", "outcome", "ms"])}\n`,
  );
});

/** What the provider said: the host's message inside the engine's "delete <urn>: delete: … (gRPC …)" wrapping. */
function providerMessage(error: Error): string {
  const steps = error instanceof StepErrors ? error.errors : [error];
  return steps.map((step) => (step.cause instanceof ProviderCallError ? step.cause.details : step.message)).join("\n");
}

/** "2 of 3 jobs: <the first job's reason>", from a PartialTeardownError's message (its first line otherwise). */
function summary(message: string): string {
  const counts = /(\d+) of (\d+) jobs were not torn down/.exec(message);
  const reason = /^\s+[\w-]+ job \S+: (.*)$/m.exec(message)?.[1];
  if (!counts || !reason) return firstLine(message, 90);
  return `${counts[1]} of ${counts[2]} jobs left, e.g. ${firstLine(reason.replace(/[0-9a-f]{8}-[0-9a-f-]{27}|hpcjob-\w+|\d{12,}/g, "<id>"), 70)}`;
}

async function runRow(order: number, scenario: Scenario, kind: KindName, expect: ExpectStatic): Promise<void> {
  const started = Date.now();
  const driver = KINDS[kind];
  const host = hosts[scenario.host];
  const shared = scenario.host === "token";
  const cloud = shared
    ? RestartableEmulator.wrap(tokenEmu)
    : await RestartableEmulator.start({ ...emulatorCredentials(creds), ...INSTANT_STOPS, ...scenario.emulator });
  try {
    // Each row its own project: rows on one host must not hold the same job IDs in the same place (Flink IDs restart
    // at the same number in every emulator), or the provider rightly leaves one row's jobs to the other row's set.
    const place = newPlace();
    const teardown = scenario.teardown?.(driver) ?? driver.defaultTeardown;
    const extra = { waitTimeoutSeconds: scenario.waitTimeoutSeconds ?? 5, ...(driver.teardowns.length > 1 ? { teardown } : {}) };
    const slug = scenario.name.replace(/\W+/g, "-").toLowerCase();

    const outsiderIds = driver.seed(cloud.emu, place, 2);
    const seeded = driver.statuses(cloud.emu, place);
    const outsiders = new Map(outsiderIds.map((id) => [id, seeded.get(id)!]));
    const members = driver.seed(cloud.emu, place, 3);
    const sets = scenario.sharedJob
      ? [
          { name: `${slug}-${kind}-a`, ids: [members[0]!, members[1]!] },
          { name: `${slug}-${kind}-b`, ids: [members[0]!, members[2]!] },
        ]
      : [{ name: `${slug}-${kind}`, ids: members }];
    const ctx: RowContext = { cloud, driver, place, teardown, ids: members, sets };

    const stacks = sets.map(() => new Stack(host));
    for (const [i, set] of sets.entries()) {
      const args = driver.args(cloud.url, place, set.ids, extra);
      await stacks[i]!.up(runOf(template, [registration(template, driver, set.name, args)]));
    }
    const saved = stacks.map((stack) => stack.state());
    if (scenario.host === "skew") await cloud.restart({ clockSkewMs: CLOCK_SKEW_MS });
    cloud.resetCalls();

    // The faulty destroy.
    const watcher = scenario.inject(ctx);
    const results = await Promise.allSettled(stacks.map((stack) => stack.destroy()));
    watcher?.stop();
    await watcher?.done;
    await scenario.settle?.(ctx);
    const failures = results.flatMap((r) => (r.status === "rejected" ? [r.reason as Error] : []));
    const error = failures.length ? new Error(failures.map(providerMessage).join("\n")) : undefined;
    const calls = cloud.calls();
    for (const call of calls) if (call.authenticatedAs) authenticatedAs.add(call.authenticatedAs);
    const stillInState = new Set(stacks.flatMap((stack) => [...idsInState(stack.state(), driver)]));
    const states = (label: string) => {
      for (const [i, stack] of stacks.entries()) leftovers[`state ${label}: ${sets[i]!.name}`] = JSON.stringify(stack.state());
    };
    for (const [i, state] of saved.entries()) leftovers[`state after up: ${sets[i]!.name}`] = JSON.stringify(state);
    states("after the faulty destroy");
    if (error) leftovers[`error: ${slug}-${kind}`] = error.message;

    const expected = scenario.outcome(driver);
    expect(error === undefined ? "succeeds" : "fails", error ? `the destroy failed: ${error.message}` : "the destroy succeeded").toBe(expected);
    const violations = invariantViolations({ driver, place, emu: cloud.emu, teardown, ids: members, stillInState, outsiders, calls, ...(error ? { error } : {}) });
    expect(violations).toEqual([]);
    scenario.verify(ctx, { calls, ...(error ? { error } : {}) }, expect);

    // The rerun: after a failure, the same stacks again; after a success, the saved state again (deleting twice).
    const left = members.filter((id) => !driver.tornDown(driver.statuses(cloud.emu, place).get(id), teardown));
    cloud.emu.clearFaults();
    cloud.resetCalls();
    if (error) await Promise.all(stacks.map((stack) => stack.destroy()));
    else await Promise.all(saved.map((state: StateResource[]) => new Stack(host, { state, configure: false }).destroy()));
    const rerunCalls = cloud.calls();
    expect(stacks.flatMap((stack) => stack.state())).toEqual([]);
    const afterRerun = invariantViolations({ driver, place, emu: cloud.emu, teardown, ids: members, stillInState: new Set(), outsiders, calls: rerunCalls });
    expect(afterRerun).toEqual([]);
    // The rerun resends only what the first destroy left (nothing at all after a success).
    const mutations = new Set(driver.mutationOps(teardown));
    const resent = rerunCalls.filter((c) => mutations.has(c.op)).flatMap((c) => members.filter((id) => mentions(c, id)));
    expect(resent.filter((id) => !left.includes(id))).toEqual([]);
    if (!error) expect(resent).toEqual([]);
    states("after the rerun");

    const stats = callStats(calls);
    const outcome = error ? `failed: ${summary(error.message)}; rerun ok (${rerunCalls.length} calls)` : `ok; rerun no-op (${rerunCalls.length} calls)`;
    table.push({ order, scenario: scenario.name, kind, requests: stats.requests, retries: stats.retries, outcome, ms: Date.now() - started });
  } finally {
    await cloud.close();
  }
}

describe.concurrent("faults × kinds", () => {
  const rows = scenarios.flatMap((scenario, s) => scenario.kinds.map((kind) => ({ scenario, kind, order: s * 10 + ALL_KINDS.indexOf(kind) })));
  // Rows that wait for a lane are spread among the others, so they hold few of the concurrent slots at once.
  const laned = rows.filter((row) => lanes[row.scenario.host]);
  const free = rows.filter((row) => !lanes[row.scenario.host]);
  const spread = free.flatMap((row, i) => (i % 3 === 0 && laned.length ? [laned.shift()!, row] : [row])).concat(laned);
  for (const { scenario, kind, order } of spread) {
    test(`${scenario.name} › ${kind}`, async ({ expect }) => {
      const lane = lanes[scenario.host];
      await (lane ? lane(() => runRow(order, scenario, kind, expect)) : runRow(order, scenario, kind, expect));
    });
  }
});

describe("what the runs leave behind", () => {
  test("the emulator's Date header is its own (skewed) clock, as a real gateway's is", async ({ expect }) => {
    const emu = await startEmulator({ clockSkewMs: CLOCK_SKEW_MS });
    try {
      const response = await fetch(`${emu.url}/v1.0/${defaultPlace().projectId}/streaming/jobs`);
      const date = Date.parse(response.headers.get("date") ?? "");
      expect(Math.abs(date - (Date.now() + CLOCK_SKEW_MS))).toBeLessThan(2_000);
    } finally {
      await emu.close();
    }
  });

  test("no credential or token appears in state, the serialized provider, the hosts' output or any error", ({ expect }) => {
    const tokens = tokenEmu.issuedTokens();
    // The scan means something only if every credential was really used.
    expect(tokens.length).toBeGreaterThan(0);
    expect(authenticatedAs).toContain(creds.accessKey);
    expect(authenticatedAs).toContain(creds.qingcloudAccessKeyId);
    expect(authenticatedAs).toContain(`token:${creds.iamUser}`);
    expect(Object.keys(leftovers).some((label) => label.startsWith("error:"))).toBe(true);

    const needles = { ...secretValues(creds), ...Object.fromEntries(tokens.map((token, i) => [`IAM token #${i + 1}`, token])) };
    const haystacks: Record<string, string> = {
      ...leftovers,
      "serialized providers": template.resources.map((r) => String(r.inputs.__provider)).join("\n"),
      "program output": template.stdout + template.stderr,
      ...Object.fromEntries(Object.entries(hosts).map(([name, host]) => [`${name} host output`, host.logs()])),
    };
    expect(leaks(haystacks, needles)).toEqual([]);
  });
});
