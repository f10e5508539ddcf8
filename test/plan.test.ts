// `jobsets plan`: the built command, run as a user runs it (node dist/provider/cli/jobsets.js plan …), reads a
// `pulumi stack export` document (test/fixtures/stack-export.json: the shape the real CLI writes, with sets of both
// routes' type tokens, one whose job IDs are an encrypted secret, and a selector set whose recorded members are) and
// prints, per set, each member's status and the calls a destroy would send, against the emulator, with list and
// detail requests only; for the selector set, what its selector matches now besides its IDs and recorded members.
// What it refuses: plan-refusals.test.ts; the actions from statuses: plan-actions.test.ts. `npm test` builds dist/ first.
import { describe, expect } from "vitest";
import { GONE } from "../provider/plan";
import { test } from "./helpers/jobsets";
import {
  type JsonPlan,
  METRICS_URN,
  NIGHTLY,
  NIGHTLY_URN,
  READ_ONLY_OPS,
  bySet,
  everyStatus,
  exportFor,
  exportWithSecretsShown,
  exportWithSelectionShown,
  jobsets,
  planEnv,
  seed,
  tempFile,
} from "./helpers/plan-fixture";

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
