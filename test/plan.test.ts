// `jobsets plan`: the built command, run as a user runs it (node dist/provider/cli/jobsets.js plan …), reads a
// `pulumi stack export` document (test/fixtures/stack-export.json: the shape the real CLI writes, with sets of both
// routes' type tokens, one whose job IDs are an encrypted secret, and a selector set whose recorded members are) and
// prints, per set, each member's status and the calls a destroy would send, against the emulator, with list and
// detail requests only; for the selector set, what its selector matches now besides its IDs and recorded members. Bad input, a bad
// command line and missing credentials stop it with exit status 2 before any request. `npm test` builds dist/ first.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect } from "vitest";
import {
  DEFAULT_ACCESS_KEY,
  DEFAULT_PROJECT_ID,
  DEFAULT_QINGCLOUD_ACCESS_KEY_ID,
  DEFAULT_QINGCLOUD_SECRET_ACCESS_KEY,
  DEFAULT_SECRET_KEY,
  type Emulator,
} from "../emulator";
import { GONE, planJobs } from "../provider/plan";
import { test } from "./helpers/jobsets";
import { type CommandRun, runJobsetsCommand } from "./helpers/jobsets-command";

const P = DEFAULT_PROJECT_ID;
const FIXTURE = path.join(__dirname, "fixtures", "stack-export.json");
/** The endpoint the fixture's sets were created with; each test puts its emulator's URL there. */
const FIXTURE_ENDPOINT = "http://127.0.0.1:8787";
/** Requests that change nothing: the reads a teardown starts with. */
const READ_ONLY_OPS = /^(flink\.(list|detail)|spark\.(list|state|detail)|mrs\.(list|detail)|ehpc\.(list|detail))$/;

const SECRET_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const METRICS_URN = "urn:pulumi:dev::jobsets-quickstart::pulumi-nodejs:dynamic/jobsets:DliFlinkJobSet::metrics-streams";
const NIGHTLY_URN = "urn:pulumi:dev::jobsets-quickstart::jobsets:dli:SparkBatchSet::nightly-batches";

/**
 * The selector set's batches (selector: names starting with "nightly-" in queue "etl"): the one its IDs list, those
 * the selector matches now (one recorded at the last up, one submitted since), one recorded that is gone, and
 * neighbours a destroy leaves alone: the prefix in another queue, the queue without the prefix, the prefix inside
 * the name (the server's name filter matches substrings).
 */
const NIGHTLY = {
  declared: "3d6f0a8e-2b7c-4e1d-9f5a-6c4b3a2d1e0f",
  recordedMatched: "8b2c4d6e-1f3a-4b5c-9d7e-0a1b2c3d4e5f",
  late: "9c3d5e7f-2a4b-4c6d-8e0f-1a2b3c4d5e6f",
  recordedGone: "6a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
  otherQueue: "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d",
  noPrefix: "b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6e",
  infix: "c3d4e5f6-a7b8-4c9d-8e1f-2a3b4c5d6e7f",
};

/** The fixture's members, seeded under their IDs with the statuses the assertions expect. */
function seed(emu: Emulator): void {
  emu.seedFlinkJobs(P, [
    { jobId: "268435" },
    { jobId: "268436", status: "job_init" },
    { jobId: "9007199254740993" },
    { jobId: "9007199254740994", status: "job_cancel_success" },
    // A stop under way that does not end while the test runs.
    { jobId: "9007199254740995", status: "job_canceling", stopDelayMs: null },
    // The secret set's member (the fixture's ciphertext is not readable; the --show-secrets form names it).
    { jobId: "268440" },
  ]);
  emu.seedSparkBatches(P, [
    { id: "0a324461-d9d9-45da-a52a-3b3c7a3d809e", state: "running" },
    { id: "7c1e0e1c-5a1b-4f7e-9d35-2b1c3a4d5e6f", state: "success" },
    { id: NIGHTLY.declared, name: "backfill-2026-11", queue: "etl", state: "success" },
    { id: NIGHTLY.recordedMatched, name: "nightly-2026-12-03", queue: "etl", state: "success" },
    { id: NIGHTLY.late, name: "nightly-2026-12-04", queue: "etl", state: "running" },
    { id: NIGHTLY.otherQueue, name: "nightly-2026-12-04", queue: "adhoc", state: "running" },
    { id: NIGHTLY.noPrefix, name: "hourly-2026-12-04", queue: "etl", state: "running" },
    { id: NIGHTLY.infix, name: "pre-nightly-2026-12-04", queue: "etl", state: "running" },
  ]);
  emu.seedMrsJobs(P, "b5c1d3e2-0f4a-4b6c-9d8e-7f6a5b4c3d2e", [
    { jobId: "48c45725-b699-4aa9-9bfd-f7ff87eb6fe8", state: "RUNNING" },
    { jobId: "b1f9a7e2-3c4d-4e5f-8a6b-7c8d9e0f1a2b", state: "FINISHED" },
  ]);
  emu.seedEhpcJobs("pek3", "ehpc-8jqdq0mz", [
    { jobId: "hpcjob-bp6rj09f", status: "running" },
    { jobId: "hpcjob-c2k8m1xz", status: "finished" },
  ]);
}

/** The fixture with the emulator's URL as every set's endpoint. */
function exportFor(emu: Emulator): string {
  return fs.readFileSync(FIXTURE, "utf8").replaceAll(FIXTURE_ENDPOINT, emu.url);
}

/**
 * The fixture with the secret set's IDs readable: as `pulumi stack export --show-secrets` writes them ("plaintext",
 * the value as JSON text), as a state holds them before encryption ("value"), or plain beside the `secretIds` flag
 * the SDK records when the program passed them as a secret ("flag").
 */
function exportWithSecretsShown(emu: Emulator, jobIds: string[], form: "plaintext" | "value" | "flag"): string {
  const document = JSON.parse(exportFor(emu)) as { deployment: { resources: { urn: string; outputs: Record<string, unknown> }[] } };
  const metrics = document.deployment.resources.find((resource) => resource.urn === METRICS_URN)!;
  if (form === "flag") Object.assign(metrics.outputs, { jobIds, secretIds: true });
  else metrics.outputs.jobIds = { [SECRET_KEY]: SECRET_SIG, ...(form === "plaintext" ? { plaintext: JSON.stringify(jobIds) } : { value: jobIds }) };
  return JSON.stringify(document);
}

/**
 * The fixture with the selector set's recorded members readable, as `pulumi stack export --show-secrets` writes them;
 * with `secretIds`, its IDs were a secret too (the SDK's flag).
 */
function exportWithSelectionShown(emu: Emulator, selectedIds: string[], secretIds = false): string {
  const document = JSON.parse(exportFor(emu)) as { deployment: { resources: { urn: string; outputs: Record<string, unknown> }[] } };
  const nightly = document.deployment.resources.find((resource) => resource.urn === NIGHTLY_URN)!;
  nightly.outputs.selectedIds = { [SECRET_KEY]: SECRET_SIG, plaintext: JSON.stringify(selectedIds) };
  if (secretIds) nightly.outputs.secretIds = true;
  return JSON.stringify(document);
}

/** A clean environment (nothing of the developer's shell) with the emulator's credentials, plus `extra`. */
function planEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "",
    // Never the developer's real ~/.qingcloud/config.yaml.
    HOME: "/nonexistent-jobsets-test-home",
    HW_ACCESS_KEY: DEFAULT_ACCESS_KEY,
    HW_SECRET_KEY: DEFAULT_SECRET_KEY,
    QY_ACCESS_KEY_ID: DEFAULT_QINGCLOUD_ACCESS_KEY_ID,
    QY_SECRET_ACCESS_KEY: DEFAULT_QINGCLOUD_SECRET_ACCESS_KEY,
    JOBSETS_RETRY_MIN_DELAY_MS: "20",
    ...extra,
  };
}

/** Runs the built command in `planEnv()` unless told. */
function jobsets(args: string[], opts: { stdin?: string; env?: Record<string, string> } = {}): Promise<CommandRun> {
  return runJobsetsCommand(args, opts.stdin ?? "", opts.env ?? planEnv());
}

/** A temp file holding `text`, removed after the test. */
function tempFile(text: string, onTestFinished: (fn: () => void) => void): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "jobsets-plan-"));
  onTestFinished(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, "state.json");
  fs.writeFileSync(file, text);
  return file;
}

/** Every job's status now, for "the plan changed nothing". */
function everyStatus(emu: Emulator): string {
  return JSON.stringify([emu.flinkJobs(P), emu.sparkBatches(P), emu.mrsJobs(P), emu.ehpcJobs()].map((jobs) => jobs.map((job) => Object.entries(job).sort())));
}

interface JsonPlan {
  sets: { urn: string; jobs: { id: string; status: string; actions: string[]; selected?: boolean }[] | null; unreadable?: string; notes?: string[] }[];
}

/** What the JSON plan says of each set: name → [id, status, actions][] (or the reason it was not read); a job its selector holds is marked. */
function bySet(plan: JsonPlan) {
  return Object.fromEntries(
    plan.sets.map((set) => [set.urn.split("::").pop(), set.jobs?.map((job) => [job.id, job.status, job.actions, ...(job.selected ? ["selected"] : [])]) ?? set.unreadable]),
  );
}

describe("jobsets plan against the emulator", () => {
  test("--json, from a file: every set of both routes, each member's status and the calls a destroy would send, with reads only", async ({ emu, onTestFinished }) => {
    seed(emu);
    const before = everyStatus(emu);
    const file = tempFile(exportFor(emu), onTestFinished);

    const run = await jobsets(["plan", file, "--json"]);

    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const plan = JSON.parse(run.stdout);
    expect(plan.sets.map((set: { type: string }) => set.type)).toEqual([
      "pulumi-nodejs:dynamic/jobsets:EhpcJobSet",
      "jobsets:dli:SparkBatchSet",
      "jobsets:mrs:JobExecutionSet",
      "pulumi-nodejs:dynamic/jobsets:DliFlinkJobSet",
      "pulumi-nodejs:dynamic/jobsets:DliFlinkJobSet",
      "pulumi-nodejs:dynamic/jobsets:DliFlinkJobSet",
      "jobsets:dli:SparkBatchSet",
    ]);
    expect(bySet(plan)).toEqual({
      simulations: [
        ["hpcjob-bp6rj09f", "running", ["stop", "delete"]],
        ["hpcjob-c2k8m1xz", "finished", ["delete"]],
      ],
      "nightly-reports": [
        ["0a324461-d9d9-45da-a52a-3b3c7a3d809e", "running", ["cancel"]],
        ["7c1e0e1c-5a1b-4f7e-9d35-2b1c3a4d5e6f", "success", []],
        ["5f0c2b9a-1d2e-4c3b-8a9f-0e1d2c3b4a59", GONE, []],
      ],
      "hive-executions": [
        ["48c45725-b699-4aa9-9bfd-f7ff87eb6fe8", "RUNNING", ["kill", "delete"]],
        ["b1f9a7e2-3c4d-4e5f-8a6b-7c8d9e0f1a2b", "FINISHED", ["delete"]],
      ],
      "etl-streams": [
        ["268435", "job_running", ["delete"]],
        ["268436", "job_init", ["delete"]],
        ["268437", GONE, []],
      ],
      "metrics-streams": expect.stringMatching(/^its job IDs \(jobIds\) are a secret, encrypted in this export; `pulumi stack export --show-secrets`/),
      "orders-streams": [
        ["9007199254740993", "job_running", ["stop-with-savepoint", "delete"]],
        ["9007199254740994", "job_cancel_success", ["delete"]],
        ["9007199254740995", "job_canceling", ["delete"]],
      ],
      // Its ID, then what the selector matches now, in the list's order (newest first); the recorded members are
      // encrypted in this export (a note says so).
      "nightly-batches": [
        [NIGHTLY.declared, "success", []],
        [NIGHTLY.late, "running", ["cancel"], "selected"],
        [NIGHTLY.recordedMatched, "success", [], "selected"],
      ],
    });
    const nightly = plan.sets.find((set: { urn: string }) => set.urn === NIGHTLY_URN);
    expect(nightly.selector).toEqual({ namePrefix: "nightly-", queueName: "etl" });
    expect(nightly.notes).toEqual([expect.stringMatching(/^the members its selector matched at the last up or refresh \(selectedIds\) are encrypted in this export/)]);
    expect(plan.sets.find((set: { urn: string }) => set.urn === METRICS_URN).jobs).toBeNull();
    expect(plan.totals).toEqual({ sets: 7, jobs: 16, toStop: 5, toDelete: 9, gone: 2, untouched: 3, unread: 1 });

    // Reads only, and nothing changed.
    const ops = emu.calls().map((call) => call.op);
    expect(ops.length).toBeGreaterThan(0);
    expect(ops.filter((op) => !READ_ONLY_OPS.test(op))).toEqual([]);
    expect(everyStatus(emu)).toBe(before);
  });

  test("text, from standard input: a table per set and a summary line", async ({ emu }) => {
    seed(emu);

    const run = await jobsets(["plan", "-"], { stdin: exportFor(emu) });

    expect(run.code).toBe(0);
    const lines = run.stdout.split("\n");
    const row = (...cells: string[]) => new RegExp(`^  ${cells.map((cell) => cell.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join(" {3,}")}$`);
    for (const expected of [
      row("JOB", "STATUS", "A DESTROY WOULD"),
      row("hpcjob-bp6rj09f", "running", "stop, delete"),
      row("0a324461-d9d9-45da-a52a-3b3c7a3d809e", "running", "cancel"),
      row("7c1e0e1c-5a1b-4f7e-9d35-2b1c3a4d5e6f", "success", "nothing"),
      row("5f0c2b9a-1d2e-4c3b-8a9f-0e1d2c3b4a59", "gone", "nothing (already gone)"),
      row("48c45725-b699-4aa9-9bfd-f7ff87eb6fe8", "RUNNING", "kill, delete"),
      row("9007199254740993", "job_running", "stop-with-savepoint, delete"),
      row("9007199254740995", "job_canceling", "wait for the stop under way, then delete"),
    ]) {
      expect(lines.some((line) => expected.test(line)), `a line matching ${expected}\n${run.stdout}`).toBe(true);
    }
    expect(lines).toContain('orders-streams (dli-flink: project 0123456789abcdef0123456789abcdef; teardown "stop-then-delete" with a savepoint)');
    expect(run.stdout).toMatch(/metrics-streams \(dli-flink\)\n .*\n {2}not read: its job IDs \(jobIds\) are a secret/);
    expect(lines).toContain("Summary: 7 sets, 16 jobs: 5 to stop, 9 to delete, 2 already gone, 3 left as they are; 1 set not read (see above).");
    expect(emu.calls().filter((call) => !READ_ONLY_OPS.test(call.op))).toEqual([]);

    // The selector set: its selector in the heading, and which jobs its IDs list and which the selector holds.
    expect(lines).toContain('nightly-batches (dli-spark: project 0123456789abcdef0123456789abcdef; cancel active batches; selector: names starting with "nightly-" in queue "etl")');
    for (const expected of [
      row("JOB", "HELD BY", "STATUS", "A DESTROY WOULD"),
      row(NIGHTLY.declared, "IDs", "success", "nothing"),
      row(NIGHTLY.recordedMatched, "selector", "success", "nothing"),
      row(NIGHTLY.late, "selector", "running", "cancel"),
    ]) {
      expect(lines.some((line) => expected.test(line)), `a line matching ${expected}\n${run.stdout}`).toBe(true);
    }
    for (const neighbour of [NIGHTLY.otherQueue, NIGHTLY.noPrefix, NIGHTLY.infix]) expect(run.stdout).not.toContain(neighbour);
    expect(run.stdout).toMatch(/\n {2}note: the members its selector matched at the last up or refresh \(selectedIds\) are encrypted in this export/);
  });

  test("secret job IDs shown by --show-secrets are read, and printed by position only", async ({ emu }) => {
    seed(emu);
    const secretIds = ["268440", "268441"];

    for (const form of ["plaintext", "value", "flag"] as const) {
      const run = await jobsets(["plan", "--json"], { stdin: exportWithSecretsShown(emu, secretIds, form) });

      expect(run.code, form).toBe(0);
      expect(bySet(JSON.parse(run.stdout))["metrics-streams"], form).toEqual([
        ["[secret #1]", "job_running", ["stop"]],
        ["[secret #2]", GONE, []],
      ]);
      for (const id of secretIds) expect(run.stdout + run.stderr, form).not.toContain(id);
    }
  });

  test("a selector set from --show-secrets: its IDs, its recorded members (one gone) and what the selector matches now, the destroy's union", async ({ emu }) => {
    seed(emu);
    const before = everyStatus(emu);

    const run = await jobsets(["plan", "--json"], { stdin: exportWithSelectionShown(emu, [NIGHTLY.recordedMatched, NIGHTLY.recordedGone]) });

    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const plan = JSON.parse(run.stdout) as JsonPlan;
    expect(bySet(plan)["nightly-batches"]).toEqual([
      [NIGHTLY.declared, "success", []],
      [NIGHTLY.recordedMatched, "success", [], "selected"],
      [NIGHTLY.recordedGone, GONE, [], "selected"],
      [NIGHTLY.late, "running", ["cancel"], "selected"],
    ]);
    expect(plan.sets.find((set) => set.urn === NIGHTLY_URN)?.notes).toBeUndefined();
    // The other sets are planned as before.
    expect(bySet(plan)["orders-streams"]).toHaveLength(3);
    const ops = emu.calls().map((call) => call.op);
    expect(ops).toContain("spark.list");
    expect(ops.filter((op) => !READ_ONLY_OPS.test(op))).toEqual([]);
    expect(everyStatus(emu)).toBe(before);
  });

  test("a selector set whose IDs are a secret names every member by position, selected or declared", async ({ emu }) => {
    seed(emu);

    const run = await jobsets(["plan", "--json"], { stdin: exportWithSelectionShown(emu, [NIGHTLY.recordedGone], true) });

    expect(run.code).toBe(0);
    const nightly = bySet(JSON.parse(run.stdout))["nightly-batches"] as unknown[][];
    expect(nightly).toEqual([
      ["[secret #1]", "success", []],
      ["[secret #2]", GONE, [], "selected"],
      ["[secret #3]", "running", ["cancel"], "selected"],
      ["[secret #4]", "success", [], "selected"],
    ]);
    for (const id of Object.values(NIGHTLY)) expect(run.stdout + run.stderr).not.toContain(id);
    expect(emu.calls().filter((call) => !READ_ONLY_OPS.test(call.op))).toEqual([]);
  });

  test("the mass-teardown guard's limits of this environment are said, set by set and for the destroy", async ({ emu }) => {
    seed(emu);

    const run = await jobsets(["plan", "-"], { stdin: exportFor(emu), env: planEnv({ JOBSETS_MAX_JOBS_PER_TEARDOWN: "2", JOBSETS_MAX_JOBS_PER_DESTROY: "10" }) });

    expect(run.code).toBe(0);
    // Set by set: blocks are separated by a blank line; sets of 3 IDs pass the limit of 2, sets of 2 do not.
    const block = (name: string) => run.stdout.split("\n\n").find((text) => text.startsWith(`${name} (`)) ?? "";
    expect(block("orders-streams")).toMatch(/\n {2}note: the destroy would refuse this set before any request: dli-flink: refusing to tear down 3 jobs/);
    expect(block("nightly-reports")).toMatch(/note: the destroy would refuse this set/);
    expect(block("simulations")).not.toMatch(/note:/);
    expect(block("hive-executions")).not.toMatch(/note:/);
    // The guard counts what the selector holds: one ID, two batches matched now.
    expect(block("nightly-batches")).toMatch(/note: the destroy would refuse this set before any request: dli-spark: refusing to tear down 3 jobs/);
    expect(run.stdout).toMatch(/Note: the sets hold 16 jobs, more than jobsets:maxJobsPerDestroy \(JOBSETS_MAX_JOBS_PER_DESTROY\) = 10/);
  });

  test("a set whose read fails shows the API's answer, the others are planned, exit status 1", async ({ emu }) => {
    seed(emu);
    emu.failNext("ehpc.list", { status: 400, body: { ret_code: 1400, message: "injected: bad request" } });

    const run = await jobsets(["plan", "--json"], { stdin: exportFor(emu) });

    expect(run.code).toBe(1);
    const plan = JSON.parse(run.stdout);
    const simulations = plan.sets.find((set: { urn: string }) => set.urn.endsWith("::simulations"));
    expect(simulations.jobs).toBeNull();
    expect(simulations.error).toMatch(/injected: bad request/);
    expect(bySet(plan)["etl-streams"]).toHaveLength(3);
  });
});

describe("jobsets plan refuses, before any request, with exit status 2", () => {
  test("input that is not a stack export, or not there", async ({ emu, onTestFinished }) => {
    const cases: [string[], string | undefined, RegExp][] = [
      [["plan", "-"], "not json {", /standard input is not JSON .*pass the output of `pulumi stack export`/],
      [["plan", "-"], '{"resources": []}', /not the output of `pulumi stack export`: "version" is missing, expected a number/],
      [["plan", "-"], '{"version": 3, "deployment": []}', /"deployment" is an array, expected an object/],
      [["plan", "-"], '{"version": 3, "deployment": {"resources": {}}}', /"deployment.resources" is an object, expected an array/],
      [["plan", path.join(os.tmpdir(), "no-such-jobsets-state.json")], undefined, /cannot read .*no-such-jobsets-state\.json: no such file/],
      [["plan", tempFile("", onTestFinished)], undefined, /state\.json is not JSON/],
      [["apply"], undefined, /unknown command "apply"; the command is "plan"/],
      [["plan", "a.json", "b.json"], undefined, /plan takes one state file/],
      [["plan", "--jsn"], undefined, /Unknown option '--jsn'/],
    ];
    for (const [args, stdin, message] of cases) {
      const run = await jobsets(args, { stdin });
      expect(run.code, `${args.join(" ")}: ${run.stderr}`).toBe(2);
      expect(run.stderr, args.join(" ")).toMatch(message);
      expect(run.stdout, args.join(" ")).toBe("");
    }
    expect(emu.calls()).toEqual([]);
  });

  test("missing credentials: named, with where they may come from", async ({ emu }) => {
    seed(emu);
    const huawei = await jobsets(["plan", "-"], { stdin: exportFor(emu), env: { PATH: process.env.PATH ?? "", HOME: "/nonexistent-jobsets-test-home" } });
    expect(huawei.code).toBe(2);
    // Both vendors' credentials are named, once each, whichever set comes first.
    expect(huawei.stderr).toMatch(/No Huawei Cloud credentials found: .*HW_ACCESS_KEY and HW_SECRET_KEY/);
    expect(huawei.stderr).toMatch(/No QingCloud credentials found: .*QY_ACCESS_KEY_ID and QY_SECRET_ACCESS_KEY/);
    expect(huawei.stderr.match(/No Huawei Cloud credentials/g)).toHaveLength(1);
    expect(huawei.stderr).toMatch(/\(jobsets plan reads credentials from the environment only\)\n$/);

    const half = await jobsets(["plan", "-"], { stdin: exportFor(emu), env: planEnv({ QY_SECRET_ACCESS_KEY: "" }) });
    expect(half.code).toBe(2);
    expect(half.stderr).toMatch(/QY_SECRET_ACCESS_KEY/);
    expect(emu.calls()).toEqual([]);
  });

  test("an invalid setting, named", async ({ emu }) => {
    seed(emu);
    const run = await jobsets(["plan", "-"], { stdin: exportFor(emu), env: planEnv({ JOBSETS_CONCURRENCY: "abc" }) });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/JOBSETS_CONCURRENCY/);
    expect(emu.calls()).toEqual([]);
  });
});

describe("what a teardown would send, from statuses (planJobs)", () => {
  const flink = (teardown: string, triggerSavepoint = false) => ({ jobIds: ["1", "2", "3", "4"], teardown, triggerSavepoint });
  const statuses = new Map([
    ["1", "job_running"],
    ["2", "job_cancel_fail"],
    ["3", "job_status_dli_adds_later"],
  ]);

  test("Flink: a status not known to be stopped may be running and gets the stop; the mode picks stop and delete", () => {
    const actions = (state: Record<string, unknown>) => planJobs("DliFlinkJobSet", state, statuses).jobs.map((job) => job.actions);
    expect(actions(flink("stop"))).toEqual([["stop"], ["stop"], ["stop"], []]);
    expect(actions(flink("stop", true))).toEqual([["stop-with-savepoint"], ["stop-with-savepoint"], ["stop-with-savepoint"], []]);
    expect(actions(flink("delete"))).toEqual([["delete"], ["delete"], ["delete"], []]);
    expect(actions(flink("stop-then-delete"))).toEqual([["stop", "delete"], ["stop", "delete"], ["stop", "delete"], []]);
    expect(planJobs("DliFlinkJobSet", flink("stop"), new Map([["1", "job_finish"]])).jobs[0]).toEqual({ id: "1", status: "job_finish", actions: [] });
  });

  test("Spark, MRS and EHPC: their final statuses only end the calls", () => {
    const spark = planJobs("DliSparkBatchSet", { batchIds: ["a", "b", "c"] }, new Map([["a", "dead"], ["b", "recovering"], ["c", "queued_somewhere"]]));
    expect(spark.jobs.map((job) => job.actions)).toEqual([[], ["cancel"], ["cancel"]]);
    const mrs = planJobs("MrsJobExecutionSet", { jobIds: ["a", "b"], killRunning: true }, new Map([["a", "KILLED"], ["b", "ACCEPTED"]]));
    expect(mrs.jobs.map((job) => job.actions)).toEqual([["delete"], ["kill", "delete"]]);
    const ehpc = planJobs("EhpcJobSet", { jobIds: ["a", "b"], teardown: "stop" }, new Map([["a", "cancelled"], ["b", "pending"]]));
    expect(ehpc.jobs.map((job) => job.actions)).toEqual([[], ["stop"]]);
  });

  test("MRS with killRunning false: one execution not ended and the destroy would fail, deleting nothing", () => {
    const running = planJobs("MrsJobExecutionSet", { jobIds: ["a", "b"], killRunning: false }, new Map([["a", "FINISHED"], ["b", "RUNNING"]]));
    expect(running.jobs.map((job) => job.actions)).toEqual([[], []]);
    expect(running.notes).toEqual(["the destroy would fail: 1 executions have not ended and killRunning is false, so nothing would be deleted"]);
    const ended = planJobs("MrsJobExecutionSet", { jobIds: ["a"], killRunning: false }, new Map([["a", "FAILED"]]));
    expect(ended).toEqual({ jobs: [{ id: "a", status: "FAILED", actions: ["delete"] }], notes: [] });
  });

  test("a selector set: its IDs, then the members its selector holds, marked; a selected execution not ended fails the MRS destroy too", () => {
    const state = { jobIds: ["a", "b"], killRunning: false, selector: { namePrefix: "nightly-" } };
    const plan = planJobs("MrsJobExecutionSet", state, new Map([["a", "FINISHED"], ["c", "RUNNING"]]), ["b", "c", "d"]);
    expect(plan.jobs).toEqual([
      { id: "a", status: "FINISHED", actions: [] },
      { id: "b", status: GONE, actions: [] },
      { id: "c", status: "RUNNING", actions: [], selected: true },
      { id: "d", status: GONE, actions: [], selected: true },
    ]);
    expect(plan.notes).toEqual(["the destroy would fail: 1 executions have not ended and killRunning is false, so nothing would be deleted"]);
  });
});
