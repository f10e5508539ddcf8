// Destroys that do not finish, through the real CLI: one that fails on a job, and one interrupted with Ctrl-C
// mid-teardown; each rerun must finish with nothing lost (every job torn down, the state empty) and nothing extra
// (no request for a job already gone, no job outside the sets touched).
import { expect, test } from "vitest";
import { DEFAULT_PROJECT_ID } from "../helpers/jobsets";
import { ScenarioStack, markerCall, scenarioSuite } from "./scenarios";
import { expectOk, jobSets } from "./workspace";

const PROJECT = DEFAULT_PROJECT_ID;
const CHANGING_OPS = /\.(stop|delete|deleteOne|batchDelete|cancel|kill)$/;
/** Long enough for an interruption to land while the jobs are still stopping. */
const SLOW_STOP_MS = 2_000;

const suite = scenarioSuite();

/** The IDs each changing request named (from its JSON body), in order. */
const idsChanged = () =>
  suite.emu
    .calls((call) => CHANGING_OPS.test(call.op))
    .flatMap((call) => (call.json as { job_ids?: unknown[] } | undefined)?.job_ids ?? [])
    .map(String);

/** Interrupt once the teardown has begun: the first stop reached the emulator. */
const stopSent = () => suite.emu.calls({ op: "flink.stop" }).length > 0;

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not reached in time");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** After the rerun: the job outside every set still runs, and the state holds nothing, no pending operation either. */
async function expectNothingLeftBut(outsider: string, stack: ScenarioStack): Promise<void> {
  expect(suite.flinkStatus(outsider)).toBe("job_running");
  const after = (await stack.export()).deployment;
  expect(after.pending_operations ?? []).toEqual([]);
  expect(after.resources ?? []).toEqual([]);
}

test("a destroy that fails on one job keeps that set in the state; the rerun finishes it and nothing else", async () => {
  const [bad, good] = suite.emu.seedFlinkJobs(PROJECT, [{ name: "refuses-1" }, { name: "deletes-1" }]);
  const [other] = suite.emu.seedFlinkJobs(PROJECT, [{ name: "other-1" }]);
  const [outsider] = suite.emu.seedFlinkJobs(PROJECT, [{ name: "outsider" }]);
  const stack = await ScenarioStack.init(suite, "failed-destroy", {
    sets: [
      { kind: "dli.FlinkJobSet", name: "half", args: { jobIds: [bad, good] } },
      { kind: "dli.FlinkJobSet", name: "whole", args: { jobIds: [other] } },
    ],
  });
  expectOk(await stack.up());

  suite.emu.failJobs("flink.delete", [bad], "DLI.0999: the job is locked by another operation");
  const failed = await stack.destroy();
  expect(failed.code).not.toBe(0);
  expect(`${failed.stdout}${failed.stderr}`).toContain(bad);
  expect([bad, good, other].map(suite.flinkStatus)).toEqual(["job_running", undefined, undefined]);
  const between = await stack.export(true);
  const left = jobSets(between.deployment);
  expect(left.map((r) => r.urn.split("::").at(-1))).toEqual(["half"]);
  expect(left[0].outputs?.jobIds).toEqual([bad, good]);

  suite.emu.clearFaults();
  suite.emu.resetCalls();
  expectOk(await stack.destroy());
  expect(suite.flinkStatus(bad)).toBeUndefined();
  expect(idsChanged()).toEqual([bad]);
  await expectNothingLeftBut(outsider, stack);
});

test("a destroy interrupted with Ctrl-C lets the teardown under way finish; the rerun deletes the rest and sends no request for a set", async () => {
  const slow = suite.emu.seedFlinkJobs(PROJECT, [
    { name: "slow-1", stopDelayMs: SLOW_STOP_MS },
    { name: "slow-2", stopDelayMs: SLOW_STOP_MS },
  ]);
  const quick = suite.emu.seedFlinkJobs(PROJECT, [{ name: "quick-1" }, { name: "quick-2" }]);
  const [outsider] = suite.emu.seedFlinkJobs(PROJECT, [{ name: "outsider-2" }]);
  // The sets go first (they depend on the markers), so the interruption comes while the markers still wait.
  const stack = await ScenarioStack.init(suite, "interrupted-destroy", {
    markers: [{ name: "queue" }, { name: "gate" }],
    sets: [
      { kind: "dli.FlinkJobSet", name: "slow", args: { jobIds: slow, teardown: "stop-then-delete" }, dependsOn: ["gate"] },
      { kind: "dli.FlinkJobSet", name: "quick", args: { jobIds: quick }, dependsOn: ["queue"] },
    ],
  });
  expectOk(await stack.up());

  suite.emu.resetCalls();
  const interrupted = await stack.destroy({ interruptWhen: stopSent });
  const output = `${interrupted.stdout}${interrupted.stderr}`;
  expect(output).toContain("^C received; cancelling");
  // The CLI (v3.277.0) exits 0 and says "The resources in the stack have been deleted" although the markers are
  // left: only the state tells what is left.
  expect(interrupted.code, output).toBe(0);
  // The engine waits for the deletes under way (the slow stop included) and starts no other.
  expect([...slow, ...quick].map(suite.flinkStatus)).toEqual([undefined, undefined, undefined, undefined]);
  expect(markerCall(suite.emu, "queue", "delete")).toBeUndefined();
  const between = (await stack.export()).deployment;
  expect(between.pending_operations ?? []).toEqual([]);
  expect(jobSets(between)).toEqual([]);
  // Both markers are left (in whichever order the engine wrote the state after the interruption).
  expect((between.resources ?? []).filter((r) => r.type.endsWith(":Marker")).map((r) => r.id).sort()).toEqual(["gate", "queue"]);

  suite.emu.resetCalls();
  expectOk(await stack.destroy());
  expect(suite.emu.calls({ service: "dli-flink" })).toEqual([]);
  expect(markerCall(suite.emu, "queue", "delete")).toBeDefined();
  await expectNothingLeftBut(outsider, stack);
});

test("a destroy terminated with a second Ctrl-C leaves a pending delete; the rerun finishes it without a refresh, sending only what is left", async () => {
  const jobs = suite.emu.seedFlinkJobs(PROJECT, [
    { name: "cut-1", stopDelayMs: SLOW_STOP_MS },
    { name: "cut-2", stopDelayMs: SLOW_STOP_MS },
  ]);
  const [outsider] = suite.emu.seedFlinkJobs(PROJECT, [{ name: "outsider-3" }]);
  const stack = await ScenarioStack.init(suite, "terminated-destroy", {
    sets: [{ kind: "dli.FlinkJobSet", name: "cut", args: { jobIds: jobs, teardown: "stop-then-delete" } }],
  });
  expectOk(await stack.up());

  suite.emu.resetCalls();
  const terminated = await stack.destroy({ interruptWhen: stopSent, interrupts: 2 });
  const output = `${terminated.stdout}${terminated.stderr}`;
  expect(terminated.code, output).not.toBe(0);
  expect(output).toContain("^C received; terminating");
  const exitedAt = suite.emu.now();
  // The stop was sent and completes on its own; nobody deletes the jobs: the provider host ended with the CLI.
  await waitFor(() => jobs.every((id) => suite.flinkStatus(id) === "job_cancel_success"));
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  expect(suite.emu.calls((call) => call.at > exitedAt + 500)).toEqual([]);
  const between = (await stack.export()).deployment;
  expect(between.pending_operations?.map((op) => [op.type, op.resource.urn.split("::").at(-1)])).toEqual([["deleting", "cut"]]);
  expect(jobSets(between).map((r) => r.outputs?.jobIds)).toEqual([jobs]);

  // A pending delete needs neither `pulumi refresh` nor `pulumi cancel`: the destroy warns and runs it again.
  suite.emu.resetCalls();
  const rerun = await stack.destroy();
  expectOk(rerun);
  expect(rerun.stdout).toContain("1 pending operations from previous deployment");
  // The jobs had stopped: only the delete is left to send.
  expect(suite.emu.calls((call) => CHANGING_OPS.test(call.op)).map((call) => call.op)).toEqual(["flink.delete"]);
  expect(idsChanged().sort()).toEqual([...jobs].sort());
  expect(jobs.map(suite.flinkStatus)).toEqual([undefined, undefined]);
  await expectNothingLeftBut(outsider, stack);
});
