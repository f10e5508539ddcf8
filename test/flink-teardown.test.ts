// DLI Flink job sets through the real provider host against the emulator: each teardown mode on the wire,
// the savepoint flag, idempotent reruns, partial failures, retries, and a large set in chunks.
import { describe, expect } from "vitest";
import { Stack, StepErrors } from "./harness/engine";
import { DEFAULT_PROJECT_ID, flinkSet, idsSent, program, test, failure } from "./helpers/jobsets";

const P = DEFAULT_PROJECT_ID;

describe("teardown modes", () => {
  test("delete: one batch delete of every job, no stop", async ({ emu, stack }) => {
    const ids = emu.seedFlinkJobs(P, [{}, {}, { status: "job_init" }]);
    const outsider = emu.seedFlinkJobs(P, [{}]);
    await stack.up(await program([flinkSet("etl", { jobIds: ids })]));
    expect(stack.resource("etl")?.outputs.jobIds).toEqual(ids);
    emu.resetCalls();

    await stack.destroy();

    // The last list confirms the delete: a delete's "success" is not taken on trust.
    expect(emu.calls().map((c) => c.op)).toEqual(["flink.list", "flink.delete", "flink.list"]);
    expect(idsSent(emu, "flink.delete").sort()).toEqual([...ids].sort());
    expect(emu.flinkJobs(P).map((j) => j.jobId)).toEqual(outsider);
    expect(stack.state()).toEqual([]);
  });

  test("stop: running jobs are stopped and waited for, then kept; idle ones are not sent", async ({ emu, stack }) => {
    const running = emu.seedFlinkJobs(P, [{}, {}]);
    const draft = emu.seedFlinkJobs(P, [{ status: "job_init" }]);
    await stack.up(await program([flinkSet("metrics", { jobIds: [...running, ...draft], teardown: "stop" })]));
    emu.resetCalls();

    await stack.destroy();

    const ops = emu.calls().map((c) => c.op);
    expect(ops[0]).toBe("flink.list");
    expect(ops[1]).toBe("flink.stop");
    expect(ops.slice(2).every((op) => op === "flink.list")).toBe(true);
    expect(ops).not.toContain("flink.delete");
    expect(idsSent(emu, "flink.stop").sort()).toEqual([...running].sort());
    expect(JSON.parse(emu.calls({ op: "flink.stop" })[0]!.body).trigger_savepoint).toBe(false);
    const left = new Map(emu.flinkJobs(P).map((j) => [j.jobId, j.status]));
    for (const id of running) expect(left.get(id)).toBe("job_cancel_success");
    expect(left.get(draft[0]!)).toBe("job_init");
  });

  test("stop-then-delete with a savepoint: trigger_savepoint on the wire, stopped before deleted", async ({ emu, stack }) => {
    const ids = emu.seedFlinkJobs(P, [{}, {}, {}]);
    await stack.up(await program([flinkSet("orders", { jobIds: ids, teardown: "stop-then-delete", triggerSavepoint: true })]));
    emu.resetCalls();

    await stack.destroy();

    const calls = emu.calls();
    const stop = calls.findIndex((c) => c.op === "flink.stop");
    const del = calls.findIndex((c) => c.op === "flink.delete");
    expect(stop).toBeGreaterThan(-1);
    expect(del).toBeGreaterThan(stop);
    expect(calls[stop]!.body).toMatch(/"trigger_savepoint":true/);
    // The delete came only after a list showed every job stopped.
    const listsBetween = calls.slice(stop + 1, del).filter((c) => c.op === "flink.list");
    expect(listsBetween.length).toBeGreaterThan(0);
    expect(JSON.parse(listsBetween.at(-1)!.responseBody as string).job_list.jobs.every((j: { status: string }) => j.status === "job_cancel_success")).toBe(true);
    expect(emu.flinkJobs(P)).toEqual([]);
  });
});

describe("reruns and partial failures", () => {
  test("a second destroy of the same state sends no stop or delete and succeeds", async ({ emu, stack, host }) => {
    const ids = emu.seedFlinkJobs(P, [{}, {}]);
    await stack.up(await program([flinkSet("etl", { jobIds: ids, teardown: "stop-then-delete" })]));
    const saved = stack.state();
    await stack.destroy();
    emu.resetCalls();

    await new Stack(host, { state: saved, configure: false }).destroy();

    expect(emu.calls().map((c) => c.op)).toEqual(["flink.list"]);
  });

  test("a job that fails is named with the API's reason; a rerun finishes without resending the others", async ({ emu, stack }) => {
    const ids = emu.seedFlinkJobs(P, [{}, {}, {}, {}]);
    const outsider = emu.seedFlinkJobs(P, [{}]);
    await stack.up(await program([flinkSet("etl", { jobIds: ids })]));
    emu.failJobs("flink.delete", [ids[2]!], "Failed to delete the job: DLI is busy");

    const error = await failure(stack.destroy());
    expect(error).toBeInstanceOf(StepErrors);
    const message = (error as Error).message;
    expect(message).toContain(`dli-flink job ${ids[2]}: Failed to delete the job: DLI is busy`);
    expect(message).toMatch(/1 of 4 jobs were not torn down \(3 done/);
    // The set stays in state, and only the failed job still exists.
    expect(stack.resource("etl")).toBeDefined();
    expect(emu.flinkJobs(P).map((j) => j.jobId).sort()).toEqual([ids[2]!, ...outsider].sort());

    emu.clearFaults();
    emu.resetCalls();
    await stack.destroy();

    expect(idsSent(emu, "flink.delete")).toEqual([ids[2]]);
    expect(emu.flinkJobs(P).map((j) => j.jobId)).toEqual(outsider);
    expect(stack.state()).toEqual([]);
  });

  test("jobs deleted out of band do not break the destroy", async ({ emu, stack }) => {
    const ids = emu.seedFlinkJobs(P, [{}, {}, {}]);
    await stack.up(await program([flinkSet("etl", { jobIds: ids })]));
    emu.reset(); // every job vanishes
    await stack.destroy();
    expect(stack.state()).toEqual([]);
    expect(emu.calls().map((c) => c.op)).toEqual(["flink.list"]);
  });

  test("a batch refused because one job vanished meanwhile (400 DLI.16001) is resolved by listing again", async ({ emu, stack }) => {
    const ids = emu.seedFlinkJobs(P, [{}, {}, {}]);
    await stack.up(await program([flinkSet("etl", { jobIds: ids })]));
    emu.failNext("flink.delete", { status: 400, body: { error_code: "DLI.16001", error_msg: `The job ${ids[0]} does not exist.` } });
    emu.resetCalls();

    await stack.destroy();

    expect(emu.calls().map((c) => c.op)).toEqual(["flink.list", "flink.delete", "flink.list", "flink.delete", "flink.list"]);
    expect(emu.flinkJobs(P)).toEqual([]);
  });

});

describe("an API that refuses a whole batch when one ID does not exist", () => {
  test.override({ emulatorOptions: { stopDelayMs: 50, missingJobAnswer: "error" } });

  test("a delete whose answer was lost is retried, refused (400 DLI.16001), and resolved by listing: all gone", async ({ emu, stack }) => {
    const ids = emu.seedFlinkJobs(P, [{}, {}]);
    await stack.up(await program([flinkSet("etl", { jobIds: ids })]));
    emu.failNext("flink.delete", { drop: "after" });
    emu.resetCalls();

    await stack.destroy();

    expect(emu.calls().map((c) => `${c.op} ${c.status}`)).toEqual(["flink.list 200", "flink.delete 200", "flink.delete 400", "flink.list 200"]);
    expect(emu.calls({ op: "flink.delete" })[1]!.responseBody).toMatch(/DLI\.16001/);
    expect(emu.flinkJobs(P)).toEqual([]);
    expect(stack.state()).toEqual([]);
  });
});

describe("stops that do not finish", () => {
  test("a failed stop is reported even when the wait then times out on another job; neither is deleted", async ({ emu, stack }) => {
    const [failedStop] = emu.seedFlinkJobs(P, [{ status: "job_cancel_fail" }]);
    const [stuck] = emu.seedFlinkJobs(P, [{ status: "job_canceling", stopDelayMs: null }]);
    const [fine] = emu.seedFlinkJobs(P, [{}]);
    await stack.up(await program([flinkSet("s", { jobIds: [failedStop, stuck, fine], teardown: "stop-then-delete", waitTimeoutSeconds: 2 })]));

    const error = await failure(stack.destroy());

    expect(error.message).toContain(`dli-flink job ${failedStop}: the stop failed twice: status job_cancel_fail`);
    expect(error.message).toMatch(new RegExp(`dli-flink job ${stuck}: .*not stopped after 2 s`));
    expect(emu.flinkJobs(P).map((j) => j.jobId).sort()).toEqual([failedStop, stuck].sort());
    expect(idsSent(emu, "flink.delete")).toEqual([fine]);
  });
});

describe("transient failures", () => {
  test("429 with Retry-After and 5xx are retried until the batch goes through", async ({ emu, stack }) => {
    const ids = emu.seedFlinkJobs(P, [{}, {}]);
    await stack.up(await program([flinkSet("etl", { jobIds: ids })]));
    emu.failNext("flink.delete", { status: 429, retryAfterS: 1 });
    emu.failNext("flink.list", { status: 503, times: 2 });
    emu.resetCalls();

    await stack.destroy();

    const statuses = emu.calls().map((c) => `${c.op} ${c.status}`);
    expect(statuses).toEqual(["flink.list 503", "flink.list 503", "flink.list 200", "flink.delete 429", "flink.delete 200", "flink.list 200"]);
    expect(emu.flinkJobs(P)).toEqual([]);
  });

  test("a connection dropped after the delete happened: the retry finds the jobs gone, the destroy succeeds", async ({ emu, stack }) => {
    const ids = emu.seedFlinkJobs(P, [{}, {}]);
    await stack.up(await program([flinkSet("etl", { jobIds: ids })]));
    emu.failNext("flink.delete", { drop: "after" });
    await stack.destroy();
    expect(emu.flinkJobs(P)).toEqual([]);
    expect(stack.state()).toEqual([]);
  });

  test("a 4xx that is not transient fails at once with the API's code and message", async ({ emu, stack }) => {
    const ids = emu.seedFlinkJobs(P, [{}]);
    await stack.up(await program([flinkSet("etl", { jobIds: ids })]));
    emu.failNext("flink.delete", { status: 400, body: [{ error_code: "DLI.0001", error_msg: "Parameter error: job_ids" }] });
    emu.resetCalls();

    const error = await failure(stack.destroy());
    expect(error.message).toContain(`dli-flink job ${ids[0]}: dli-flink: batch delete failed: Parameter error: job_ids (HTTP 400 DLI.0001)`);
    expect(emu.calls({ op: "flink.delete" })).toHaveLength(1);
    expect(emu.flinkJobs(P)).toHaveLength(1);
  });
});

describe("large sets", () => {
  // Above the mass-teardown guard's default of 1,000 per set: the operator raised the limit.
  test.override({ hostEnv: { JOBSETS_MAX_JOBS_PER_TEARDOWN: "5000" } });

  test("2,500 jobs are deleted in chunks of 100, each job exactly once", async ({ emu, stack }) => {
    const ids = emu.seedFlinkJobs(P, Array.from({ length: 2500 }, () => ({ status: "job_cancel_success" as const })));
    await stack.up(await program([flinkSet("platform", { jobIds: ids })]));
    emu.resetCalls();

    await stack.destroy();

    const deletes = emu.calls({ op: "flink.delete" });
    expect(deletes).toHaveLength(25);
    const sent = idsSent(emu, "flink.delete");
    expect(sent).toHaveLength(2500);
    expect(new Set(sent).size).toBe(2500);
    expect([...sent].sort()).toEqual([...ids].sort());
    expect(emu.flinkJobs(P)).toEqual([]);
  });
});
