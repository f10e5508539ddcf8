// The Pulumi lifecycle of a DLI Flink job set through the real provider host: check (offline), create
// (existence verified with list calls), diff (ignoring __provider), update (removed jobs torn down, added
// jobs verified) and replacement.
import { describe, expect } from "vitest";
import { CheckFailedError, StepError } from "./harness/engine";
import { FLINK, DEFAULT_PROJECT_ID, flinkSet, idsSent, program, test, failure } from "./helpers/jobsets";
import { urn } from "./harness/provider-host";

const P = DEFAULT_PROJECT_ID;
const OTHER_PROJECT = "fedcba9876543210fedcba9876543210";

describe("check", () => {
  const badInputs: [string, Record<string, unknown>, string, RegExp][] = [
    ["negative ID", { jobIds: [5, -1] }, "jobIds[1]", /positive integer.*received -1/],
    ["fractional ID", { jobIds: [1.5] }, "jobIds[0]", /positive integer.*received 1\.5/],
    ["non-numeric ID", { jobIds: ["12a"] }, "jobIds[0]", /string of digits.*received "12a"/],
    ["ID above 2^53 as a number", { jobIds: [2 ** 60] }, "jobIds[0]", /lost precision.*pass it as a string/],
    ["unknown teardown", { jobIds: [1], teardown: "destroy" }, "teardown", /"delete", "stop", "stop-then-delete".*received "destroy"/],
    ["savepoint with delete", { jobIds: [1], triggerSavepoint: true }, "triggerSavepoint", /teardown "delete"/],
    ["typo in a property", { jobIds: [1], tearDown: "stop" }, "tearDown", /did you mean "teardown"/],
    ["http endpoint off loopback", { jobIds: [1], endpoint: "http://dli.example.com" }, "endpoint", /only for loopback/],
  ];
  for (const [scenario, args, property, reason] of badInputs) {
    test(`${scenario}: fails at ${property}, no request sent`, async ({ emu, stack }) => {
      const error = await failure(stack.up(await program([flinkSet("bad", args)])));
      expect(error).toBeInstanceOf(CheckFailedError);
      const failures = (error as CheckFailedError).failures;
      expect(failures.map((f) => f.property)).toContain(property);
      expect(failures.find((f) => f.property === property)!.reason).toMatch(reason);
      expect(emu.calls()).toEqual([]);
      expect(stack.state()).toEqual([]);
    });
  }

  test("duplicates collapse to one, with a warning in the host's output", async ({ emu, stack, host }) => {
    const [id] = emu.seedFlinkJobs(P, [{}]);
    await stack.up(await program([flinkSet("dupes", { jobIds: [id, id, id] })]));
    expect(stack.resource("dupes")!.outputs.jobIds).toEqual([id]);
    expect(host.logs()).toMatch(/2 duplicate job IDs in jobIds were collapsed/);
  });
});

describe("create", () => {
  test("verifies existence with list calls (100 a page), records everything delete needs", async ({ emu, stack }) => {
    emu.seedFlinkJobs(P, Array.from({ length: 250 }, () => ({})));
    const ids = emu.seedFlinkJobs(P, [{}, {}]);
    emu.resetCalls();
    await stack.up(await program([flinkSet("s", { jobIds: ids, teardown: "stop", region: "cn-north-4" })]));
    const ops = emu.calls().map((c) => c.op);
    expect(ops.every((op) => op === "flink.list")).toBe(true);
    expect(ops.length).toBeLessThanOrEqual(3);
    for (const call of emu.calls()) expect(call.query).toMatchObject({ limit: "100" });
    expect(stack.resource("s")!.outputs).toMatchObject({
      jobIds: ids,
      projectId: P,
      region: "cn-north-4",
      teardown: "stop",
      triggerSavepoint: false,
      batchSize: 100,
      waitTimeoutSeconds: 1200,
    });
    expect(String(stack.resource("s")!.outputs.endpoint)).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  test("unknown jobs fail the create, named, and nothing enters the state", async ({ emu, stack }) => {
    const [known] = emu.seedFlinkJobs(P, [{}]);
    const error = await failure(stack.up(await program([flinkSet("s", { jobIds: [known, "424242", "9007199254740999999"] })])));
    expect(error.message).toMatch(/2 of 3 jobs do not exist in project [0-9a-f]{32}: 424242, 9007199254740999999/);
    expect(stack.state()).toEqual([]);
    expect(emu.calls().every((c) => c.op === "flink.list")).toBe(true);
  });

  test("IDs above 2^53 stay exact in state and on the wire", async ({ emu, stack }) => {
    const ids = emu.seedFlinkJobs(P, [{ jobId: "9223372036854775807" }, { jobId: "9007199254740993" }]);
    await stack.up(await program([flinkSet("big", { jobIds: ids })]));
    expect(stack.resource("big")!.outputs.jobIds).toEqual(["9223372036854775807", "9007199254740993"]);
    await stack.destroy();
    expect(emu.calls({ op: "flink.delete" })[0]!.body).toBe('{"job_ids":[9223372036854775807,9007199254740993]}');
  });
});

describe("diff and update", () => {
  test("a new version of the provider code is not a change", async ({ emu, stack, host }) => {
    const ids = emu.seedFlinkJobs(P, [{}]);
    const run = await program([flinkSet("s", { jobIds: ids })]);
    await stack.up(run);
    const old = stack.resource("s")!;
    const upgraded = `${run.resources[0]!.inputs.__provider}\n// a newer pulumi-jobsets\n`;
    const diff = await host.diff(old.id, urn(FLINK, "s", "jobsets-fixture"), old.outputs, { ...old.inputs, __provider: upgraded });
    expect(diff.changes).toBe(false);
    expect(diff.replaces).toEqual([]);
  });

  test("teardown options change in place with no request; the order of IDs is not a change", async ({ emu, stack }) => {
    const ids = emu.seedFlinkJobs(P, [{}, {}]);
    await stack.up(await program([flinkSet("s", { jobIds: ids })]));
    emu.resetCalls();
    const steps = await stack.up(await program([flinkSet("s", { jobIds: [...ids].reverse(), teardown: "stop", waitTimeoutSeconds: 60 })]));
    expect(steps.map((s) => s.op)).toContain("update");
    expect(emu.calls()).toEqual([]);
    expect(stack.resource("s")!.outputs).toMatchObject({ teardown: "stop", waitTimeoutSeconds: 60 });

    const again = await stack.up(await program([flinkSet("s", { jobIds: ids, teardown: "stop", waitTimeoutSeconds: 60 })]));
    expect(again.map((s) => s.op)).toContain("same");
  });

  test("removed IDs are torn down with the set's mode, added IDs are verified", async ({ emu, stack }) => {
    const [a, b, c] = emu.seedFlinkJobs(P, [{}, {}, {}]);
    const [d] = emu.seedFlinkJobs(P, [{}]);
    await stack.up(await program([flinkSet("s", { jobIds: [a, b, c] })]));
    emu.resetCalls();

    await stack.up(await program([flinkSet("s", { jobIds: [a, d] })]));

    expect(idsSent(emu, "flink.delete").sort()).toEqual([b, c].sort());
    expect(emu.flinkJobs(P).map((j) => j.jobId).sort()).toEqual([a, d].sort());
    expect(stack.resource("s")!.outputs.jobIds).toEqual([a, d]);
  });

  test("an added ID that does not exist fails the update before anything is torn down", async ({ emu, stack }) => {
    const [a, b] = emu.seedFlinkJobs(P, [{}, {}]);
    await stack.up(await program([flinkSet("s", { jobIds: [a, b] })]));
    emu.resetCalls();
    const error = await failure(stack.up(await program([flinkSet("s", { jobIds: [a, "777"] })])));
    expect(error.message).toMatch(/do not exist.*777/);
    expect(emu.calls({ op: "flink.delete" })).toEqual([]);
    expect(stack.resource("s")!.outputs.jobIds).toEqual([a, b]);
  });

  test("a removed job that fails to tear down stays in the outputs, and the next up retries it", async ({ emu, stack }) => {
    const [a, b, c] = emu.seedFlinkJobs(P, [{}, {}, {}]);
    await stack.up(await program([flinkSet("s", { jobIds: [a, b, c] })]));
    emu.failJobs("flink.delete", [c!], "Failed to delete the job: locked");

    const error = await failure(stack.up(await program([flinkSet("s", { jobIds: [a] })])));
    expect(error).toBeInstanceOf(StepError);
    expect((error as Error).message).toContain(`dli-flink job ${c}: Failed to delete the job: locked`);
    expect(stack.resource("s")!.outputs.jobIds).toEqual([a, c]);
    expect(typeof stack.resource("s")!.outputs.__provider).toBe("string");

    emu.clearFaults();
    emu.resetCalls();
    await stack.up(await program([flinkSet("s", { jobIds: [a] })]));
    expect(idsSent(emu, "flink.delete")).toEqual([c]);
    expect(stack.resource("s")!.outputs.jobIds).toEqual([a]);
    expect(emu.flinkJobs(P).map((j) => j.jobId)).toEqual([a]);
  });

  test("a project change replaces the set: the new jobs are verified, the old ones torn down", async ({ emu, stack }) => {
    const old = emu.seedFlinkJobs(P, [{}]);
    const moved = emu.seedFlinkJobs(OTHER_PROJECT, [{}]);
    await stack.up(await program([flinkSet("s", { jobIds: old })]));
    const steps = await stack.up(await program([flinkSet("s", { jobIds: moved, projectId: OTHER_PROJECT })]));
    expect(steps.map((s) => s.op)).toEqual(expect.arrayContaining(["create-replacement", "delete-replaced"]));
    expect(emu.flinkJobs(P)).toEqual([]);
    expect(emu.flinkJobs(OTHER_PROJECT).map((j) => j.jobId)).toEqual(moved);
    expect(stack.resource("s")!.outputs.projectId).toBe(OTHER_PROJECT);
  });
});
