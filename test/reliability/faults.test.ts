// Fault injection: teardowns of every kind, through the real provider host, against the emulator under throttling,
// server errors, dropped connections, slow answers, an IAM token expiring and a clock that makes signatures expire
// mid-destroy, an emulator restart mid-destroy, per-job failures inside a batch, and the same job deleted twice.
//
// Every scenario (fault-scenarios.ts) states the outcome it expects of the faulty destroy for each kind (it succeeds,
// or it fails naming the jobs it left), and the row fails when the destroy ends the other way. Every row then ends
// with the same invariant (test/helpers/reliability.ts, `invariantViolations`): each job of the set is torn down or
// still listed in the state (and named by the error), no job outside the set was touched; then a
// rerun of the destroy finishes the work, resending only what was left. The table printed at the end counts, per
// row, the API calls the emulator recorded and the retries among them (`callStats` defines a retry: a resend of a
// request whose previous sending got no usable answer).
//
// Rows share four provider hosts, started once: "main" (temporary AK/SK, QingCloud keys), "timeout" (the same,
// with JOBSETS_HTTP_TIMEOUT_MS=500), "skew" (whose signing clock the skew rows move, so they run one at a time)
// and "token" (an IAM password login against one shared emulator, so those rows run one at a time too). Each
// other row has its own emulator; rows on "main" and "timeout" run concurrently.
import { afterAll, beforeAll, describe, test, type ExpectStatic } from "vitest";
import { startEmulator, type Emulator } from "../../emulator";
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
  type KindName,
  type TableRow,
} from "../helpers/reliability";
import {
  CLOCK_SKEW_MS,
  HTTP_TIMEOUT_MS,
  type HostName,
  INSTANT_STOPS,
  type RowContext,
  type Scenario,
  TOKEN_ROW_STOPS,
  scenarios,
} from "./fault-scenarios";

const creds = makeCredentials();

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
