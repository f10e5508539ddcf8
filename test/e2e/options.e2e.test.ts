// What only the engine decides, through the real CLI: `protect`, `retainOnDelete`, the order of deletes given by
// `dependsOn`, a preview whose job IDs are unknown until `up`, and secret job IDs in the state file. Each scenario is
// a stack of test/e2e/program against one emulator, checked from the emulator's jobs and request log and the state.
import * as fs from "node:fs";
import * as path from "node:path";
import { expect, test } from "vitest";
import { DEFAULT_PROJECT_ID, FLINK } from "../helpers/jobsets";
import { ScenarioStack, type SetDeclaration, markerCall, scenarioSuite } from "./scenarios";
import { expectOk, jobSets } from "./workspace";

const PROJECT = DEFAULT_PROJECT_ID;
/** Operations that change something in the cloud. */
const CHANGING_OPS = /\.(stop|delete|deleteOne|batchDelete|cancel|kill)$/;
/** A stop the engine has time to overlap with other work, were the deletes not ordered. */
const SLOW_STOP_MS = 1_500;

const suite = scenarioSuite();

const callsNaming = (ids: string[]) => suite.emu.calls((call) => CHANGING_OPS.test(call.op) && ids.some((id) => call.body.includes(id)));

/** A stack `name` of one Flink set of two running jobs with the resource options `opts`, brought up. */
async function upOneSet(name: string, opts: SetDeclaration["opts"]): Promise<{ ids: string[]; stack: ScenarioStack }> {
  const ids = suite.emu.seedFlinkJobs(PROJECT, [{ name: `${name}-1` }, { name: `${name}-2` }]);
  const stack = await ScenarioStack.init(suite, name, { sets: [{ kind: "dli.FlinkJobSet", name, args: { jobIds: ids }, opts }] });
  expectOk(await stack.up());
  return { ids, stack };
}

test("protect: the engine refuses the destroy and the jobs stay", async () => {
  const { ids, stack } = await upOneSet("protect", { protect: true });

  const result = await stack.destroy();
  expect(result.code).not.toBe(0);
  expect(`${result.stdout}${result.stderr}`).toMatch(/protected/);
  expect(callsNaming(ids)).toEqual([]);
  expect(ids.map(suite.flinkStatus)).toEqual(["job_running", "job_running"]);
  const { deployment } = await stack.export();
  const [set] = jobSets(deployment);
  expect(set?.protect).toBe(true);
  expect(set?.outputs?.jobIds).toEqual(ids);
});

test("retainOnDelete: the set leaves the state and its jobs stay", async () => {
  const { ids, stack } = await upOneSet("retain", { retainOnDelete: true });

  const result = await stack.destroy();
  expectOk(result);
  expect(callsNaming(ids)).toEqual([]);
  expect(ids.map(suite.flinkStatus)).toEqual(["job_running", "job_running"]);
  const { deployment } = await stack.export();
  expect(deployment.resources ?? []).toEqual([]);
});

test("dependsOn: the set is created after what it depends on and torn down before it", async () => {
  const ids = suite.emu.seedFlinkJobs(PROJECT, [
    { name: "ordered-1", stopDelayMs: SLOW_STOP_MS },
    { name: "ordered-2", stopDelayMs: SLOW_STOP_MS },
  ]);
  const stack = await ScenarioStack.init(suite, "ordering", {
    markers: [{ name: "queue" }],
    sets: [{ kind: "dli.FlinkJobSet", name: "on-queue", args: { jobIds: ids, teardown: "stop-then-delete" }, dependsOn: ["queue"] }],
  });
  suite.emu.resetCalls();
  expectOk(await stack.up());
  const created = markerCall(suite.emu, "queue", "create");
  const firstSetCall = suite.emu.calls({ service: "dli-flink" })[0];
  expect(created && firstSetCall && created.seq < firstSetCall.seq, "the queue is created before the set checks its jobs").toBe(true);

  suite.emu.resetCalls();
  expectOk(await stack.destroy());
  const deleted = markerCall(suite.emu, "queue", "delete");
  const setCalls = suite.emu.calls({ service: "dli-flink" });
  expect(setCalls.map((call) => call.op)).toContain("flink.delete");
  // Every request of the set's teardown (the stop, the polls until stopped, the delete, its confirmation) came
  // before the queue's delete, although the stop alone takes SLOW_STOP_MS.
  expect(deleted, "the queue's delete").toBeDefined();
  expect(setCalls.filter((call) => call.seq > deleted!.seq)).toEqual([]);
  expect(deleted!.at - setCalls[0].at).toBeGreaterThanOrEqual(SLOW_STOP_MS);
  expect(ids.map(suite.flinkStatus)).toEqual([undefined, undefined]);
});

test("a preview whose job IDs come from another resource's output: no failure, no request", async () => {
  const ids = suite.emu.seedFlinkJobs(PROJECT, [{ name: "late-1" }, { name: "late-2" }]);
  const stack = await ScenarioStack.init(suite, "unknown-ids", {
    markers: [{ name: "source", jobIds: ids }],
    sets: [{ kind: "dli.FlinkJobSet", name: "from-source", args: {}, idsFrom: "source" }],
  });
  suite.emu.resetCalls();
  const preview = await stack.run(["preview"], { program: true });
  expectOk(preview);
  expect(preview.stdout).toMatch(/\+ 3 to create/);
  expect(suite.emu.calls()).toEqual([]);

  expectOk(await stack.up());
  const { deployment } = await stack.export();
  expect(jobSets(deployment).map((r) => r.outputs?.jobIds)).toEqual([ids]);
  suite.emu.resetCalls();
  expectOk(await stack.destroy());
  expect(ids.map(suite.flinkStatus)).toEqual([undefined, undefined]);
  // The output dependency orders the deletes as dependsOn would.
  const lastSetCall = suite.emu.calls({ service: "dli-flink" }).at(-1);
  expect(lastSetCall && lastSetCall.seq < (markerCall(suite.emu, "source", "delete")?.seq ?? 0)).toBe(true);
});

test("job IDs given as secrets are ciphertext in the state file, and the destroy still tears them down", async () => {
  const ids = suite.emu.seedFlinkJobs(PROJECT, [{ name: "secret-1" }, { name: "secret-2" }]);
  const stack = await ScenarioStack.init(suite, "secret-ids", {
    sets: [{ kind: "dli.FlinkJobSet", name: "hidden", args: {}, idsFromSecretConfig: "hiddenIds" }],
  });
  expectOk(await stack.run(["config", "set", "--secret", "hiddenIds", JSON.stringify(ids)]));
  expectOk(await stack.up());

  // Nowhere in the state: not in the set's inputs or outputs, not in the default provider's copy of the config.
  const stateFile = fs.readFileSync(path.join(suite.sandbox.backendDir, ".pulumi", "stacks", "jobsets-e2e", "secret-ids.json"), "utf8");
  const { deployment, text } = await stack.export();
  for (const stored of [stateFile, text]) {
    for (const id of ids) expect(stored).not.toContain(id);
  }
  const [set] = jobSets(deployment);
  expect(set.type).toBe(FLINK);
  // The engine's secret envelope: its signature and the ciphertext.
  const envelope = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", ciphertext: expect.any(String) };
  expect(set.outputs?.jobIds).toMatchObject(envelope);
  expect(set.inputs?.jobIds).toMatchObject(envelope);
  const shown = await stack.export(true);
  expect(jobSets(shown.deployment)[0].outputs?.jobIds).toMatchObject({ plaintext: JSON.stringify(ids) });

  expectOk(await stack.destroy());
  expect(ids.map(suite.flinkStatus)).toEqual([undefined, undefined]);
});
