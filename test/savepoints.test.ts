// Where a DLI Flink stop's savepoint went: after a stop with triggerSavepoint, each job the stop stopped is read
// once by its detail call (`savepoint_path`), before any delete. A destroy prints each path; an update that stops
// the jobs it removes records them in the set's `savepoints` output, always a secret (it names jobs, and the
// provider cannot tell whether jobIds was one). When the API names no path, the line says so; a failed read is a
// warning, never a failed teardown. Through the real provider host against the emulator, and the plugin's update.
import { describe, expect } from "vitest";
import { DEFAULT_ACCESS_KEY, DEFAULT_PROJECT_ID, DEFAULT_SECRET_KEY } from "../emulator";
import { JobSetsProvider } from "../provider/plugin";
import { isSecret, type StateResource } from "./harness/engine";
import { flinkSet, program, test, type Declaration } from "./helpers/jobsets";

const P = DEFAULT_PROJECT_ID;
const pathOf = (jobId: string) => `obs://jobsets-emulator-savepoints/flink/${jobId}/savepoint-1`;

/** The state as JSON with every secret's value blanked: what anyone reading it without the key sees. */
function withoutSecretValues(state: StateResource[]): string {
  return JSON.stringify(state, (_key, value: unknown) => (isSecret(value) ? "[secret]" : value));
}

/** A secret output's value; fails when the output is not a secret. */
function secretValue(value: unknown): unknown {
  expect(isSecret(value), "a secret output").toBe(true);
  return (value as { value: unknown }).value;
}

describe("savepoint paths", () => {
  test("an update that stops removed jobs with a savepoint records each path in a secret output, and prints it", async ({ emu, stack, host }) => {
    const [kept, ...removed] = emu.seedFlinkJobs(P, [{}, {}, {}]);
    const idle = emu.seedFlinkJobs(P, [{ status: "job_finish" }]);
    const args = { teardown: "stop", triggerSavepoint: true };
    await stack.up(await program([flinkSet("streams", { jobIds: [kept, ...removed, ...idle], ...args })]));
    expect(stack.resource("streams")!.outputs.savepoints).toBeUndefined();
    emu.resetCalls();

    await stack.up(await program([flinkSet("streams", { jobIds: [kept], ...args })]));

    const outputs = stack.resource("streams")!.outputs;
    // The job that had already finished was not stopped by us: no savepoint of ours to report.
    expect(secretValue(outputs.savepoints)).toEqual(Object.fromEntries(removed.map((id) => [id, pathOf(id)])));
    for (const id of removed) expect(host.logs()).toContain(`dli-flink: job ${id} savepoint ${pathOf(id)}`);
    // One detail call per stopped job, after the stop; none for the job that was not stopped.
    const calls = emu.calls();
    const details = calls.filter((c) => c.op === "flink.detail");
    expect(details.map((c) => c.path.split("/").pop()).sort()).toEqual([...removed].sort());
    expect(details.every((c) => c.seq > calls.find((s) => s.op === "flink.stop")!.seq)).toBe(true);
    expect(withoutSecretValues(stack.state())).not.toContain("obs://");
    // The stopped jobs stay, stopped, in "stop" mode.
    expect(emu.flinkJobs(P).filter((j) => removed.includes(j.jobId)).map((j) => j.status)).toEqual(["job_cancel_success", "job_cancel_success"]);
  });

  test("secret job IDs: the savepoints output is a secret and the state shows neither IDs nor paths", async ({ emu, stack }) => {
    const [kept, removed] = emu.seedFlinkJobs(P, [{}, {}]);
    const set = { ...flinkSet("streams", { jobIds: [kept, removed], teardown: "stop", triggerSavepoint: true }), secretArgs: ["jobIds"] } as Declaration;
    await stack.up(await program([set]));
    await stack.up(await program([{ ...set, args: { ...set.args, jobIds: [kept] } }]));

    const outputs = stack.resource("streams")!.outputs;
    expect(isSecret(outputs.jobIds)).toBe(true);
    expect(secretValue(outputs.savepoints)).toEqual({ [removed!]: pathOf(removed!) });
    const visible = withoutSecretValues(stack.state());
    expect(visible).not.toContain(removed);
    expect(visible).not.toContain("obs://");
  });

  test("stop-then-delete: each path is read before the delete and printed; a destroy has no outputs to keep", async ({ emu, stack, host }) => {
    const ids = emu.seedFlinkJobs(P, [{}, {}]);
    await stack.up(await program([flinkSet("orders", { jobIds: ids, teardown: "stop-then-delete", triggerSavepoint: true })]));
    emu.resetCalls();

    await stack.destroy();

    const calls = emu.calls();
    const lastDetail = Math.max(...calls.filter((c) => c.op === "flink.detail").map((c) => c.seq));
    expect(calls.filter((c) => c.op === "flink.detail")).toHaveLength(2);
    expect(lastDetail).toBeLessThan(calls.find((c) => c.op === "flink.delete")!.seq);
    for (const id of ids) expect(host.logs()).toContain(`dli-flink: job ${id} savepoint ${pathOf(id)}`);
    expect(emu.flinkJobs(P)).toEqual([]);
  });

  test("without triggerSavepoint nothing is read and nothing is recorded", async ({ emu, stack, host }) => {
    const [kept, removed] = emu.seedFlinkJobs(P, [{}, {}]);
    await stack.up(await program([flinkSet("streams", { jobIds: [kept, removed], teardown: "stop" })]));
    emu.resetCalls();

    await stack.up(await program([flinkSet("streams", { jobIds: [kept], teardown: "stop" })]));

    expect(emu.calls({ op: "flink.stop" })).toHaveLength(1);
    expect(emu.calls({ op: "flink.detail" })).toEqual([]);
    expect(stack.resource("streams")!.outputs.savepoints).toBeUndefined();
    expect(host.logs()).not.toMatch(/savepoint/);
  });
});

describe("when the API names no path", () => {
  test.override({ emulatorOptions: { stopDelayMs: 50, flinkSavepointPath: () => null } });

  test("the line says the savepoint was taken and the API named no path; the output holds an empty path", async ({ emu, stack, host }) => {
    const [kept, removed] = emu.seedFlinkJobs(P, [{}, {}]);
    const args = { teardown: "stop", triggerSavepoint: true };
    await stack.up(await program([flinkSet("streams", { jobIds: [kept, removed], ...args })]));

    await stack.up(await program([flinkSet("streams", { jobIds: [kept], ...args })]));

    expect(host.logs()).toContain(`dli-flink: job ${removed} stopped with a savepoint; the API named no path for it`);
    expect(secretValue(stack.resource("streams")!.outputs.savepoints)).toEqual({ [removed!]: "" });
  });
});

describe("a failed read of the path", () => {
  test("is a warning naming the API's answer; the teardown still succeeds", async ({ emu, stack, host }) => {
    const ids = emu.seedFlinkJobs(P, [{}]);
    await stack.up(await program([flinkSet("orders", { jobIds: ids, teardown: "stop-then-delete", triggerSavepoint: true })]));
    emu.failNext("flink.detail", { status: 400, body: { error_code: "DLI.0001", error_msg: "injected: parameter error" } });

    await stack.destroy();

    expect(host.logs()).toMatch(new RegExp(`dli-flink: job ${ids[0]} stopped with a savepoint; reading where it went failed: .*DLI\\.0001`));
    expect(stack.state()).toEqual([]);
    expect(emu.flinkJobs(P)).toEqual([]);
  });
});

describe("the plugin route", () => {
  test("an update's savepoints output is a secret there too", async ({ emu }) => {
    const [kept, removed] = emu.seedFlinkJobs(P, [{}, {}]);
    const env = { HW_ACCESS_KEY: DEFAULT_ACCESS_KEY, HW_SECRET_KEY: DEFAULT_SECRET_KEY, HW_PROJECT_ID: P, JOBSETS_DLI_ENDPOINT: emu.url, JOBSETS_RETRY_MIN_DELAY_MS: "20" };
    const lines: string[] = [];
    const plugin = new JobSetsProvider({ env: () => env, progress: { log: (m) => lines.push(m), status: () => {}, warn: (m) => lines.push(m) } });
    const U = "urn:pulumi:dev::savepoints::jobsets:dli:FlinkJobSet::streams";
    const checked = await plugin.check(U, {}, { jobIds: [kept, removed], teardown: "stop", triggerSavepoint: true });
    const created = await plugin.create(U, checked.inputs);
    const next = await plugin.check(U, created.outs!, { jobIds: [kept], teardown: "stop", triggerSavepoint: true });

    const updated = await plugin.update(created.id!, U, created.outs!, next.inputs!);

    expect(secretValue(updated.outs!.savepoints)).toEqual({ [removed!]: pathOf(removed!) });
    expect(lines).toContain(`dli-flink: job ${removed} savepoint ${pathOf(removed!)}`);
  });
});
