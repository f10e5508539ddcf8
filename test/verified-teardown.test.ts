// Verified teardown: no job is reported torn down while the API still shows it, for every kind, through the real
// dynamic-provider host against the emulator. One scenario per way the promise used to break: lists that move under
// the snapshot with a constant total, deletes answered "success" that did nothing, statuses we do not know,
// ambiguous error answers, an EHPC stop answered ambiguously while a job ended, and request-rate waits that outlast
// the set's waitTimeoutSeconds.
import { describe, expect } from "vitest";
import type { Emulator } from "../emulator";
import { finishTeardown, TeardownAccountingError, TeardownLedger } from "../provider/resources/teardown";
import { silentProgress } from "../provider/wait/progress";
import { DEFAULT_PROJECT_ID, ehpcSet, failure, flinkSet, mrsSet, program, sparkSet, test, type Declaration } from "./helpers/jobsets";

const P = DEFAULT_PROJECT_ID;
const CLUSTER = "b5c1d3e2-8f4a-4c6b-9d2e-0a1b2c3d4e5f";
const ZONE = "pek3";
const EHPC_CLUSTER = "ehpc-k8s00001";

type ListOp = "flink.list" | "spark.list" | "mrs.list" | "ehpc.list";

/** What differs between kinds. */
interface Kind {
  name: string;
  listOp: ListOp;
  /** Seeds `count` running jobs (oldest first: the API lists them newest first), with optional statuses. */
  seed(emu: Emulator, count: number, status?: string): string[];
  declare(ids: string[], args?: Record<string, unknown>): Declaration;
  /** The members that are not torn down yet (still listed; for Spark, whose batches stay listed: not ended). */
  alive(emu: Emulator, ids: string[]): string[];
  /** Every job the API still holds, whatever its state. */
  all(emu: Emulator): string[];
  /** A status outside the kind's documented list. */
  unknownStatus: string;
  /** The op that stops/cancels/kills. */
  stopOp: string;
}

const flink: Kind = {
  name: "DLI Flink",
  listOp: "flink.list",
  seed: (emu, count, status) => emu.seedFlinkJobs(P, Array.from({ length: count }, () => (status ? { status } : {}))),
  declare: (ids, args = {}) => flinkSet("s", { jobIds: ids, teardown: "stop-then-delete", ...args }),
  alive: (emu, ids) => emu.flinkJobs(P).map((job) => job.jobId).filter((id) => ids.includes(id)),
  all: (emu) => emu.flinkJobs(P).map((job) => job.jobId),
  unknownStatus: "job_reviving",
  stopOp: "flink.stop",
};

const spark: Kind = {
  name: "DLI Spark",
  listOp: "spark.list",
  seed: (emu, count, status) => emu.seedSparkBatches(P, Array.from({ length: count }, () => (status ? { state: status } : {}))),
  declare: (ids, args = {}) => sparkSet("s", { batchIds: ids, ...args }),
  alive: (emu, ids) =>
    emu
      .sparkBatches(P)
      .filter((batch) => ids.includes(batch.id) && !["dead", "success"].includes(batch.state.toLowerCase()))
      .map((batch) => batch.id),
  all: (emu) => emu.sparkBatches(P).map((batch) => batch.id),
  unknownStatus: "busy",
  stopOp: "spark.cancel",
};

const mrs: Kind = {
  name: "MRS",
  listOp: "mrs.list",
  seed: (emu, count, status) => emu.seedMrsJobs(P, CLUSTER, Array.from({ length: count }, () => (status ? { state: status } : {}))),
  declare: (ids, args = {}) => mrsSet("s", { clusterId: CLUSTER, jobIds: ids, ...args }),
  alive: (emu, ids) => emu.mrsJobs(P, CLUSTER).map((job) => job.jobId).filter((id) => ids.includes(id)),
  all: (emu) => emu.mrsJobs(P, CLUSTER).map((job) => job.jobId),
  unknownStatus: "SUSPENDED",
  stopOp: "mrs.kill",
};

const ehpc: Kind = {
  name: "EHPC",
  listOp: "ehpc.list",
  seed: (emu, count, status) => emu.seedEhpcJobs(ZONE, EHPC_CLUSTER, Array.from({ length: count }, () => (status ? { status } : {}))),
  declare: (ids, args = {}) => ehpcSet("s", { zone: ZONE, clusterId: EHPC_CLUSTER, jobIds: ids, ...args }),
  alive: (emu, ids) => emu.ehpcJobs(ZONE, EHPC_CLUSTER).map((job) => job.jobId).filter((id) => ids.includes(id)),
  all: (emu) => emu.ehpcJobs(ZONE, EHPC_CLUSTER).map((job) => job.jobId),
  unknownStatus: "suspended",
  stopOp: "ehpc.stop",
};

const kinds = [flink, spark, mrs, ehpc];
/** The kinds whose teardown deletes (Spark batches are cancelled and stay listed). */
const deleting = [flink, mrs, ehpc];

/** The IDs the state still holds for the set (whichever property lists them). */
function membersInState(stack: { state(): { outputs: Record<string, unknown> }[] }): string[] {
  return stack.state().flatMap((resource) => (resource.outputs.jobIds ?? resource.outputs.batchIds ?? []) as string[]);
}

describe.each(kinds)("a list that moves under the snapshot with a constant total: $name", (kind) => {
  test("every member is torn down; only the churn's own jobs are touched by anyone else", async ({ emu, stack }) => {
    // Newest first: 50 outsiders, then the 250 members, then 100 older outsiders. Each list answer deletes one old
    // outsider and creates one job at the front: `total` never changes, yet every member moves one place back, so
    // read back to front a member on a window boundary slides into a window already read.
    const older = kind.seed(emu, 100);
    const members = kind.seed(emu, 250);
    const newer = kind.seed(emu, 50);
    await stack.up(await program([kind.declare(members, { waitTimeoutSeconds: 30 })]));
    emu.churnLists({ op: kind.listOp, create: 1, remove: older, times: 60 });
    emu.resetCalls();

    await stack.destroy();

    expect(kind.alive(emu, members)).toEqual([]);
    expect(stack.state()).toEqual([]);
    // Nobody but the churn touched a job outside the set.
    const removedByChurn = new Set(emu.churnRemoved());
    const outsiders = [...older, ...newer].filter((id) => !removedByChurn.has(id));
    expect(kind.all(emu)).toEqual(expect.arrayContaining([...outsiders, ...emu.churnCreated()]));
    expect(removedByChurn.size).toBeGreaterThan(0);
  });
});

describe.each(deleting)("a delete answered \"success\" that left the job listed: $name", (kind) => {
  test("once: the job is seen still listed, deleted again, and only then counted torn down", async ({ emu, stack }) => {
    const ids = kind.seed(emu, 3, kind === flink ? "job_cancel_success" : kind === mrs ? "FINISHED" : "finished");
    const [outsider] = kind.seed(emu, 1);
    await stack.up(await program([kind.declare(ids, { waitTimeoutSeconds: 10 })]));
    const deleteOp = kind === flink ? "flink.delete" : kind === mrs ? "mrs.batchDelete" : "ehpc.delete";
    emu.lieOnDelete(deleteOp, [ids[1]!], { times: 1 });
    emu.resetCalls();

    await stack.destroy();

    expect(kind.all(emu)).toEqual([outsider]);
    expect(emu.calls({ op: deleteOp })).toHaveLength(2);
  });

  test("every time: the destroy fails naming the job and what the API last said; the set stays in state; a rerun finishes", async ({ emu, stack }) => {
    const ids = kind.seed(emu, 3, kind === flink ? "job_cancel_success" : kind === mrs ? "FINISHED" : "finished");
    await stack.up(await program([kind.declare(ids, { waitTimeoutSeconds: 1 })]));
    const deleteOp = kind === flink ? "flink.delete" : kind === mrs ? "mrs.batchDelete" : "ehpc.delete";
    emu.lieOnDelete(deleteOp, [ids[0]!]);

    const error = await failure(stack.destroy());

    expect(error.message).toMatch(new RegExp(`job ${ids[0]}: the delete was answered, but the API still lists the job after 1 s \\((status|state) \\w+\\)`));
    expect(kind.all(emu)).toEqual([ids[0]]);
    // A failed delete leaves the resource as it was (the engine takes no outputs from Delete): it still names the
    // job left, and the ones deleted are "already gone" to the rerun.
    expect(membersInState(stack)).toContain(ids[0]);

    emu.clearFaults();
    emu.resetCalls();
    await stack.destroy();
    expect(kind.all(emu)).toEqual([]);
    expect(stack.state()).toEqual([]);
  });
});

describe.each(kinds)("a status the reference does not list: $name", (kind) => {
  test("is treated as possibly running: stopped (or cancelled, killed) and waited for, never counted stopped as is", async ({ emu, stack }) => {
    const [odd] = kind.seed(emu, 1, kind.unknownStatus);
    await stack.up(await program([kind.declare([odd!], kind === flink || kind === ehpc ? { teardown: "stop" } : {})]));
    emu.resetCalls();

    await stack.destroy();

    expect(emu.calls({ op: kind.stopOp })).toHaveLength(1);
    // Flink and EHPC in "stop" mode keep the job, stopped; the Spark batch is dead; the MRS execution killed, then deleted.
    if (kind === flink) expect(emu.flinkJobs(P).map((job) => job.status)).toEqual(["job_cancel_success"]);
    if (kind === ehpc) expect(emu.ehpcJobs(ZONE, EHPC_CLUSTER).map((job) => job.status)).toEqual(["stopped"]);
    if (kind === spark) expect(emu.sparkBatches(P).map((batch) => batch.state)).toEqual(["dead"]);
    if (kind === mrs) expect(mrs.all(emu)).toEqual([]);
  });

  test("one whose stop never completes fails at waitTimeoutSeconds, named with its status", async ({ emu, stack }) => {
    const [stuck] = kind === flink
      ? emu.seedFlinkJobs(P, [{ status: kind.unknownStatus, stopDelayMs: null }])
      : kind === spark
        ? emu.seedSparkBatches(P, [{ state: kind.unknownStatus, stopDelayMs: null }])
        : kind === mrs
          ? emu.seedMrsJobs(P, CLUSTER, [{ state: kind.unknownStatus, stopDelayMs: null }])
          : emu.seedEhpcJobs(ZONE, EHPC_CLUSTER, [{ status: kind.unknownStatus, stopDelayMs: null }]);
    await stack.up(await program([kind.declare([stuck!], { waitTimeoutSeconds: 1 })]));

    const error = await failure(stack.destroy());

    expect(error.message).toMatch(new RegExp(`job ${stuck}: not (stopped|cancelled|ended) after 1 s \\(last status: \\w+\\)`));
    expect(membersInState(stack)).toEqual([stuck]);
  });
});

describe("error answers that do not say the job is gone", () => {
  test("DLI Spark: a 400 DLI.0001 on the state call is confirmed by the batch detail, and the batch is cancelled", async ({ emu, stack }) => {
    const [batch] = emu.seedSparkBatches(P, [{ state: "running" }]);
    await stack.up(await program([sparkSet("s", { batchIds: [batch] })]));
    emu.failNext("spark.state", { status: 400, body: { error_code: "DLI.0001", error_msg: "Parameter error." } });
    emu.resetCalls();

    await stack.destroy();

    expect(emu.calls({ op: "spark.detail" })).toHaveLength(1);
    expect(emu.calls({ op: "spark.cancel" })).toHaveLength(1);
    expect(emu.sparkBatches(P)[0]!.state.toLowerCase()).toBe("dead");
  });

  test("DLI Spark: state and detail both refused with DLI.0001: the batch fails, is not counted gone, stays in state", async ({ emu, stack }) => {
    const [batch] = emu.seedSparkBatches(P, [{ state: "running" }]);
    await stack.up(await program([sparkSet("s", { batchIds: [batch] })]));
    const refusal = { status: 400, body: { error_code: "DLI.0001", error_msg: "Parameter error." } };
    emu.failNext("spark.state", refusal);
    emu.failNext("spark.detail", refusal);

    const error = await failure(stack.destroy());

    expect(error.message).toContain(`dli-spark job ${batch}: reading the batch failed (state and detail calls both refused)`);
    expect(membersInState(stack)).toEqual([batch]);
    expect(emu.sparkBatches(P)[0]!.state).toBe("running");
  });

  test("DLI Flink: a gateway 404 on a job's detail call is an error, not 'gone'", async ({ emu, stack }) => {
    // A small set in a busy project: its members are asked for by their detail call.
    const [member] = emu.seedFlinkJobs(P, [{}]);
    emu.seedFlinkJobs(P, Array.from({ length: 250 }, () => ({})));
    await stack.up(await program([flinkSet("s", { jobIds: [member], teardown: "delete" })]));
    emu.failNext("flink.detail", { status: 404, body: { error_code: "APIG.0101", error_msg: "The API does not exist or has not been published." }, times: 8 });

    const error = await failure(stack.destroy());

    expect(error.message).toContain("APIG.0101");
    expect(emu.flinkJobs(P).map((job) => job.jobId)).toContain(member);
    expect(membersInState(stack)).toEqual([member]);
  });

  test("MRS: a 12000003 on the list is confirmed execution by execution; they exist, so they are torn down", async ({ emu, stack }) => {
    const ids = mrs.seed(emu, 2);
    await stack.up(await program([mrs.declare(ids)]));
    emu.failNext("mrs.list", { status: 400, body: { error_code: "12000003", error_msg: "The cluster does not exist." } });
    emu.resetCalls();

    await stack.destroy();

    expect(emu.calls({ op: "mrs.detail" }).length).toBeGreaterThanOrEqual(2);
    expect(emu.calls({ op: "mrs.kill" })).toHaveLength(2);
    expect(mrs.all(emu)).toEqual([]);
  });

  test("EHPC: a 2100 on the cluster's list is confirmed job by job; they exist, so they are torn down", async ({ emu, stack }) => {
    const ids = ehpc.seed(emu, 2);
    await stack.up(await program([ehpc.declare(ids)]));
    emu.failNext("ehpc.list", { status: 404 }); // EHPC's shape: HTTP 200, ret_code 2100
    emu.resetCalls();

    await stack.destroy();

    expect(emu.calls({ op: "ehpc.detail" }).length).toBeGreaterThanOrEqual(2);
    expect(emu.calls({ op: "ehpc.stop" })).toHaveLength(1);
    expect(ehpc.all(emu)).toEqual([]);
  });
});

describe("EHPC: a stop answered ambiguously (2100) while a job ended meanwhile", () => {
  test("stop-then-delete still deletes the ended job: the re-check asks whether it exists, not whether it runs", async ({ emu, stack }) => {
    const [running, ending] = ehpc.seed(emu, 2);
    await stack.up(await program([ehpc.declare([running!, ending!], { waitTimeoutSeconds: 10 })]));
    // The stop's answer is held 600 ms, then says 2100 without doing anything; meanwhile one job ends by itself.
    emu.failNext("ehpc.stop", { status: 404, delayMs: 600 });
    emu.resetCalls();

    const destroying = stack.destroy();
    while (emu.calls({ op: "ehpc.list" }).length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    emu.setJobStatus("ehpc", ending!, "finished");
    await destroying;

    expect(ehpc.all(emu)).toEqual([]);
    const deleted = emu.calls({ op: "ehpc.delete" }).flatMap((call) => (call.json as { job_ids: string[] }).job_ids);
    expect(deleted.sort()).toEqual([running!, ending!].sort());
  });
});

describe("every job handed to a teardown is accounted for", () => {
  test("a job that ended neither done nor failed fails the teardown loudly, named, and nothing is reported torn down", () => {
    const ledger = new TeardownLedger(3);
    ledger.done.add("1");
    ledger.fail("2", "refused");
    const error = (() => {
      try {
        finishTeardown("dli-flink", ["1", "2", "3"], ledger, silentProgress, "delete");
      } catch (caught) {
        return caught;
      }
      throw new Error("finishTeardown accepted a job it could not account for");
    })();
    expect(error).toBeInstanceOf(TeardownAccountingError);
    expect((error as TeardownAccountingError).unaccounted).toEqual(["3"]);
    expect((error as Error).message).toMatch(/1 of 3 jobs were neither torn down nor failed: 3\b/);
  });

  test("a job first counted done and later failed is reported failed, not done", () => {
    const ledger = new TeardownLedger(1);
    ledger.done.add("1");
    ledger.fail("1", "still listed");
    expect(() => finishTeardown("mrs", ["1"], ledger, silentProgress, "delete")).toThrow(/mrs job 1: still listed/);
  });
});

describe("request-rate waits count against waitTimeoutSeconds", () => {
  test.override({ hostEnv: { JOBSETS_RATE_LIMIT_EHPC: "2/h" } });

  test("EHPC with 2 calls an hour: the teardown fails at once naming the ceiling, sends nothing more, keeps the jobs", async ({ emu, stack, host }) => {
    const ids = ehpc.seed(emu, 2);
    // The create's list takes one of the two calls of the hour.
    await stack.up(await program([ehpc.declare(ids, { waitTimeoutSeconds: 5 })]));
    emu.resetCalls();
    const started = Date.now();

    const error = await failure(stack.destroy());

    expect(Date.now() - started).toBeLessThan(4_000);
    expect(error.message).toMatch(/request-rate ceiling of 2\/h \(JOBSETS_RATE_LIMIT_EHPC\) holds the next call for longer, past this operation's waitTimeoutSeconds \(until \d\d:\d\d:\d\d UTC\); nothing was sent/);
    // The destroy's snapshot took the hour's second call; the stop was never sent.
    expect(emu.calls().map((call) => call.op)).toEqual(["ehpc.list"]);
    expect(ehpc.alive(emu, ids).sort()).toEqual([...ids].sort());
    expect(membersInState(stack).sort()).toEqual([...ids].sort());
    expect(host.logs()).not.toMatch(/waiting for the request-rate ceiling .* until/);
  });
});
