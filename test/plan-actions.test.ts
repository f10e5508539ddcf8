// What `jobsets plan` says a teardown would send, from each job's status (planJobs in provider/plan.ts), for every
// kind and teardown mode, and for a selector set's members.
import { describe, expect, test } from "vitest";
import { GONE, planJobs } from "../provider/plan";

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
