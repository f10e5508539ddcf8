// DLI Spark, MRS and QingCloud EHPC job sets through the real provider host against the emulator, each
// held to the same bar as Flink: the teardown path on the wire (calls, bodies, signatures, order), an
// idempotent rerun, a partial failure named then completed by a rerun, retried transient failures, a bad
// key rejected with a clear error, bad input failing in check with no request; outsiders untouched.
import { describe, expect } from "vitest";
import type { Emulator, RecordedCall } from "../emulator";
import { Stack } from "./harness/engine";
import { DEFAULT_ACCESS_KEY, DEFAULT_QINGCLOUD_ACCESS_KEY_ID, failure, program, test, type Declaration } from "./helpers/jobsets";
import { CLUSTER, EHPC_CLUSTER, EHPC_KIND, MRS_KIND, P, SPARK_KIND, ZONE } from "./helpers/kinds";

/** What differs between kinds; every test below runs once per kind. */
interface KindSpec {
  name: string;
  /** Two members that must be stopped/killed/cancelled, one that has ended; returns [members, outsider]. */
  seed(emu: Emulator): { members: string[]; ended: string; outsider: string };
  declare(ids: string[]): Declaration;
  /** The ops of a teardown, in order, with reads collapsed (see `opsOf`); deletes end with the list that confirms them. */
  path: string[];
  /** The ops that only read, and those a rerun on a torn-down set must send (each at least once). */
  readOps: string[];
  rerunReads: string[];
  /** Where a rerun reads each member on its own: the op, and the member a call reads. */
  rerunReadsEach?: { op: string; memberOf(call: RecordedCall): string | undefined };
  /** Ops whose answers a per-job fault can fail, and the op a transient fault is injected in. */
  failOp: string;
  transientOp: string;
  transientFault: Parameters<Emulator["failNext"]>[1];
  /** The jobs still in the emulator (and not finished, for Spark whose batches are never deleted). */
  alive(emu: Emulator): string[];
  signedBy: string;
  /** Environment that breaks the credential. */
  wrongKey: Record<string, string>;
  wrongKeyMessage: RegExp;
  badInput: { args: Record<string, unknown>; property: string; reason: RegExp };
  checkBodies(emu: Emulator, members: string[]): void;
}

const kinds: KindSpec[] = [
  {
    name: SPARK_KIND.name,
    seed: (emu) => {
      const [a, b, ended] = emu.seedSparkBatches(P, [{ state: "running" }, { state: "starting" }, { state: "Success" }]);
      const [outsider] = emu.seedSparkBatches(P, [{ state: "running" }]);
      return { members: [a!, b!, ended!], ended: ended!, outsider: outsider! };
    },
    declare: (ids) => SPARK_KIND.declare("batches", ids),
    path: ["spark.state", "spark.cancel", "spark.state"],
    readOps: ["spark.state", "spark.detail", "spark.list"],
    rerunReads: ["spark.state"],
    // Batches are never deleted: a rerun finds each one ended by its state call.
    rerunReadsEach: { op: "spark.state", memberOf: (call) => call.path.split("/").at(-2) },
    failOp: "spark.cancel",
    transientOp: "spark.cancel",
    transientFault: { status: 503 },
    alive: (emu) => emu.sparkBatches(P).filter((b) => !["dead", "success"].includes(b.state.toLowerCase())).map((b) => b.id),
    signedBy: DEFAULT_ACCESS_KEY,
    wrongKey: { HW_SECRET_KEY: "wrong-secret-key-000000000000000000000001" },
    wrongKeyMessage: /dli-spark.*\(HTTP 401 APIG\.0301\).*Check the credentials/s,
    badInput: { args: { batchIds: ["not-a-uuid"] }, property: "batchIds[0]", reason: /UUID.*received "not-a-uuid"/ },
    checkBodies: (emu, members) => {
      const cancelled = emu.calls({ op: "spark.cancel" }).map((c) => c.path.split("/").pop());
      expect(cancelled.sort()).toEqual(members.slice(0, 2).sort());
      for (const call of emu.calls({ op: "spark.cancel" })) expect(call.method).toBe("DELETE");
    },
  },
  {
    name: MRS_KIND.name,
    seed: (emu) => {
      const [a, b, ended] = emu.seedMrsJobs(P, CLUSTER, [{ state: "RUNNING" }, { state: "ACCEPTED" }, { state: "FINISHED" }]);
      const [outsider] = emu.seedMrsJobs(P, CLUSTER, [{ state: "RUNNING" }]);
      return { members: [a!, b!, ended!], ended: ended!, outsider: outsider! };
    },
    declare: (ids) => MRS_KIND.declare("executions", ids),
    path: ["mrs.list", "mrs.kill", "mrs.list", "mrs.batchDelete", "mrs.list"],
    readOps: ["mrs.list", "mrs.detail"],
    rerunReads: ["mrs.list"],
    failOp: "mrs.batchDelete",
    transientOp: "mrs.batchDelete",
    transientFault: { status: 500 }, // 0161: "Failed to delete jobs in batches" (the seed's "success" slip)
    alive: MRS_KIND.alive,
    signedBy: DEFAULT_ACCESS_KEY,
    wrongKey: { HW_SECRET_KEY: "wrong-secret-key-000000000000000000000001" },
    wrongKeyMessage: /mrs.*\(HTTP 401 APIG\.0301\).*Check the credentials/s,
    badInput: { args: { clusterId: "", jobIds: ["48c45725-b699-4aa9-9bfd-f7ff87eb6fe8"] }, property: "clusterId", reason: /must not be empty/ },
    checkBodies: (emu, members) => {
      const killed = emu.calls({ op: "mrs.kill" }).map((c) => c.path.split("/").at(-2));
      expect(killed.sort()).toEqual(members.slice(0, 2).sort());
      for (const call of emu.calls({ op: "mrs.kill" })) expect(call.body).toBe("");
      const deleted = emu.calls({ op: "mrs.batchDelete" }).flatMap((c) => (c.json as { job_id_list: string[] }).job_id_list);
      expect(deleted.sort()).toEqual([...members].sort());
    },
  },
  {
    name: EHPC_KIND.name,
    seed: (emu) => {
      const [a, b, ended] = emu.seedEhpcJobs(ZONE, EHPC_CLUSTER, [{ status: "running" }, { status: "pending" }, { status: "finished" }]);
      const [outsider] = emu.seedEhpcJobs(ZONE, EHPC_CLUSTER, [{ status: "running" }]);
      return { members: [a!, b!, ended!], ended: ended!, outsider: outsider! };
    },
    declare: (ids) => EHPC_KIND.declare("hpc", ids),
    path: ["ehpc.list", "ehpc.stop", "ehpc.list", "ehpc.delete", "ehpc.list"],
    readOps: ["ehpc.list", "ehpc.detail"],
    rerunReads: ["ehpc.list"],
    failOp: "ehpc.delete",
    transientOp: "ehpc.stop",
    transientFault: { status: 200, body: { ret_code: 5100, message: "ServerBusy, try again later" } },
    alive: EHPC_KIND.alive,
    signedBy: DEFAULT_QINGCLOUD_ACCESS_KEY_ID,
    wrongKey: { QY_SECRET_ACCESS_KEY: "wrong-qingcloud-secret-000000000001" },
    wrongKeyMessage: /ehpc.*1200/s,
    badInput: { args: { clusterId: EHPC_CLUSTER, zone: ZONE, jobIds: ["job-1234"] }, property: "jobIds[0]", reason: /hpcjob-/ },
    checkBodies: (emu, members) => {
      const stop = emu.calls({ op: "ehpc.stop" })[0]!;
      // The exact bytes the official SDK sends: json.dumps(sort_keys=True).
      const sent: string[] = JSON.parse(stop.body).job_ids;
      expect(stop.body).toBe(`{"cluster_id": "${EHPC_CLUSTER}", "job_ids": [${sent.map((id) => `"${id}"`).join(", ")}], "zone": "${ZONE}"}`);
      expect([...sent].sort()).toEqual(members.slice(0, 2).sort());
      const deleted = emu.calls({ op: "ehpc.delete" }).flatMap((c) => JSON.parse(c.body).job_ids as string[]);
      expect(deleted.sort()).toEqual([...members].sort());
    },
  },
];

/** The ops of the recorded calls, with consecutive repeats of a read collapsed (polls vary in number). */
function opsOf(calls: RecordedCall[]): string[] {
  const ops: string[] = [];
  for (const { op } of calls) if (ops.at(-1) !== op || !/\.(list|state|detail)$/.test(op)) ops.push(op);
  return ops.filter((op, i) => op !== ops[i - 1]);
}

for (const kind of kinds) {
  describe(kind.name, () => {
    test("teardown path on the wire, signed, in order; outsiders untouched", async ({ emu, stack }) => {
      const { members, outsider } = kind.seed(emu);
      await stack.up(await program([kind.declare(members)]));
      emu.resetCalls();

      await stack.destroy();

      expect(opsOf(emu.calls())).toEqual(kind.path);
      for (const call of emu.calls()) expect(call.authenticatedAs).toBe(kind.signedBy);
      kind.checkBodies(emu, members);
      expect(kind.alive(emu)).toEqual([outsider]);
      expect(stack.state()).toEqual([]);
    });

    // Protects: a destroy run again on state whose jobs are already torn down looks them up, finds nothing to do,
    // sends nothing that changes a job, and succeeds.
    test("a rerun of the destroy on the same state only reads, and succeeds", async ({ emu, stack, host }) => {
      const { members, outsider } = kind.seed(emu);
      await stack.up(await program([kind.declare(members)]));
      const saved = stack.state();
      await stack.destroy();
      const after = kind.alive(emu);
      emu.resetCalls();

      const rerun = new Stack(host, { state: saved, configure: false });
      await rerun.destroy();

      const ops = emu.calls().map((c) => c.op);
      // It did look: the reads a snapshot of these jobs needs were sent (an empty record would prove nothing).
      for (const op of kind.rerunReads) expect(ops, `a rerun sends ${op}`).toContain(op);
      expect(ops.filter((op) => !kind.readOps.includes(op)), "calls other than reads").toEqual([]);
      if (kind.rerunReadsEach) {
        const { op, memberOf } = kind.rerunReadsEach;
        expect(emu.calls({ op }).map(memberOf).sort()).toEqual([...members].sort());
      }
      expect(rerun.state()).toEqual([]);
      expect(kind.alive(emu)).toEqual(after);
      expect(after).toEqual([outsider]);
    });

    test("a per-job failure is named with the API's reason; a rerun completes", async ({ emu, stack }) => {
      const { members, outsider } = kind.seed(emu);
      await stack.up(await program([kind.declare(members)]));
      emu.failJobs(kind.failOp, [members[0]!], "injected: this job is locked");

      const error = await failure(stack.destroy());
      expect(error.message).toContain(members[0]);
      expect(error.message).toContain("injected: this job is locked");
      expect(stack.state()).toHaveLength(1);

      emu.clearFaults();
      await stack.destroy();
      expect(kind.alive(emu)).toEqual([outsider]);
      expect(stack.state()).toEqual([]);
    });

    test("a transient failure is retried and the teardown completes", async ({ emu, stack }) => {
      const { members, outsider } = kind.seed(emu);
      await stack.up(await program([kind.declare(members)]));
      emu.failNext(kind.transientOp, { ...kind.transientFault, times: 2 });
      emu.resetCalls();

      await stack.destroy();

      expect(emu.calls({ op: kind.transientOp }).length).toBeGreaterThanOrEqual(3);
      expect(kind.alive(emu)).toEqual([outsider]);
    });

    test("bad input fails in check, naming the property, with no request", async ({ emu, stack }) => {
      const error = await failure(stack.up(await program([{ ...kind.declare([]), args: kind.badInput.args }])));
      const failures = (error as unknown as { failures: { property: string; reason: string }[] }).failures;
      const hit = failures.find((f) => f.property === kind.badInput.property);
      expect(hit?.reason).toMatch(kind.badInput.reason);
      expect(emu.calls()).toEqual([]);
    });
  });

  describe(`${kind.name} with a wrong key`, () => {
    test.override({ hostEnv: kind.wrongKey });

    test("is rejected with a clear error, the secret never shown, nothing torn down", async ({ emu, stack, host }) => {
      const { members } = kind.seed(emu);
      const error = await failure(stack.up(await program([kind.declare(members)])));
      expect(error.message).toMatch(kind.wrongKeyMessage);
      const secret = Object.values(kind.wrongKey)[0]!;
      expect(error.message).not.toContain(secret);
      expect(host.logs()).not.toContain(secret);
      expect(stack.state()).toEqual([]);
      expect(kind.alive(emu).length).toBeGreaterThanOrEqual(2);
    });
  });
}
