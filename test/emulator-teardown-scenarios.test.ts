/**
 * The emulator's scenario controls for verified teardown, on all four kinds: list churn with a constant total (and
 * the naive pagers it defeats), deletes that answer success but leave the jobs, and their admin twins. Each test gets
 * its own emulator (the `emulator` fixture); the kinds are test/helpers/emulator-kinds.ts.
 */
import { describe, expect } from "vitest";
import { DEFAULT_PROJECT_ID, type Emulator } from "../emulator";
import { adminApi, type ApiResult, ehpcApi, emulatorTest as test, huaweiApi } from "./helpers/emulator-clients";
import { flinkPath } from "./helpers/emulator-flink";
import { KINDS, type Kind, MRS_CLUSTER, ehpc, ehpcCluster, flink, mrs, mrsPath, spark } from "./helpers/emulator-kinds";

const PAGE_SIZE = 10;

/** `count` jobs seeded oldest first: the list shows them newest first, so list position p is `ids[count - 1 - p]`. */
function seedLine(kind: Kind, emulator: Emulator, count: number): { ids: string[]; atPosition: (position: number) => string } {
  const ids = kind.seed(emulator, Array.from({ length: count }, (_, index) => ({ name: `job-${index}` })));
  return { ids, atPosition: (position) => ids[count - 1 - position]! };
}

/** The naive pager: the total from page 0, then pages n..1 (the last page first), trusting it. */
async function readBackToFront(kind: Kind, emulator: Emulator): Promise<{ seen: Set<string>; totals: number[] }> {
  const first = await kind.page(emulator, 0, PAGE_SIZE);
  const seen = new Set(first.ids);
  const totals = [first.total];
  for (let index = Math.ceil(first.total / PAGE_SIZE) - 1; index >= 1; index--) {
    const page = await kind.page(emulator, index, PAGE_SIZE);
    for (const id of page.ids) seen.add(id);
    totals.push(page.total);
  }
  return { seen, totals };
}

/** The naive pager the other way: pages 0..n with the total from page 0. */
async function readFrontToBack(kind: Kind, emulator: Emulator): Promise<{ seen: Set<string>; totals: number[] }> {
  const first = await kind.page(emulator, 0, PAGE_SIZE);
  const seen = new Set(first.ids);
  const totals = [first.total];
  for (let index = 1; index < Math.ceil(first.total / PAGE_SIZE); index++) {
    const page = await kind.page(emulator, index, PAGE_SIZE);
    for (const id of page.ids) seen.add(id);
    totals.push(page.total);
  }
  return { seen, totals };
}

// ---------------------------------------------------------------------------------------------------------------

describe("list churn: creations at the front and deletions, total constant", () => {
  test.for(KINDS)("$listOp: each answer deletes the next listed outsiders then creates as many running jobs at the front, in that collection only", async (kind, { emulator }) => {
    const { ids } = seedLine(kind, emulator, 6);
    kind.seed(emulator, [{}, {}], true);
    emulator.churnLists({ op: kind.listOp, create: 2, remove: [ids[0]!, "not-a-job", ids[1]!, ids[2]!] });

    const first = await kind.page(emulator, 0, 100);
    expect(first.total).toBe(6); // the answer is the list before the churn
    const created = emulator.churnCreated();
    expect(created).toHaveLength(2);
    expect(emulator.churnRemoved()).toEqual([ids[0], ids[1]]); // an ID the collection doesn't hold is passed over

    const second = await kind.page(emulator, 0, 100);
    expect(second.total).toBe(6);
    expect(second.ids.slice(0, 2)).toEqual([created[1], created[0]]); // newest first
    expect(second.ids).not.toContain(ids[0]);
    for (const [index, jobId] of created.entries()) {
      expect(kind.statusOf(emulator, jobId)).toBe(kind.running);
      expect(second.entries[second.ids.indexOf(jobId)][kind.nameField]).toBe(`churn-${index + 1}`);
    }
    // The ID list ran out after one more deletion: from then on only creations, so the total grows.
    expect(emulator.churnRemoved()).toEqual([ids[0], ids[1], ids[2]]);
    expect((await kind.page(emulator, 0, 100)).total).toBe(6 - 1 + 2);
    expect(kind.count(emulator, true)).toBe(2); // the other collection was never touched
  });

  test.for(KINDS)("$listOp: a back-to-front pager trusting an unchanged total misses a job that is still listed", async (kind, { emulator }) => {
    const { atPosition } = seedLine(kind, emulator, 25);
    const member = atPosition(18); // two places before the boundary between pages 1 and 2
    const control = await readBackToFront(kind, emulator);
    expect(control.seen.has(member)).toBe(true); // without churn the pager sees every job

    // Each answer: one new job at the front, the oldest outsider gone; every page says 25.
    emulator.churnLists({ op: kind.listOp, create: 1, remove: [atPosition(24), atPosition(23), atPosition(22)] });
    const { seen, totals } = await readBackToFront(kind, emulator);
    expect(totals).toEqual([25, 25, 25]);
    expect(seen.has(member)).toBe(false);
    expect(kind.statusOf(emulator, member)).toBe(kind.running);
  });

  test.for(KINDS)("$listOp: a front-to-back pager misses a job when a deletion ahead of it comes before the creation", async (kind, { emulator }) => {
    const { atPosition } = seedLine(kind, emulator, 25);
    const member = atPosition(10); // first of page 1
    // Lockstep churn never moves a job forward, so a front-to-back reader sees everything (some twice).
    emulator.churnLists({ op: kind.listOp, create: 1, remove: [atPosition(5), atPosition(6)], times: 2 });
    const lockstep = await readFrontToBack(kind, emulator);
    expect(lockstep.totals).toEqual([25, 25, 25]);
    expect(lockstep.seen.has(member)).toBe(true);

    emulator.reset();
    const line = seedLine(kind, emulator, 25);
    const target = line.atPosition(10);
    emulator.churnLists({ op: kind.listOp, create: 0, remove: [line.atPosition(5)], times: 1 });
    emulator.churnLists({ op: kind.listOp, create: 1, times: 1 });
    const { seen, totals } = await readFrontToBack(kind, emulator);
    expect(totals).toEqual([25, 24, 25]); // the first and the last page agree
    expect(seen.has(target)).toBe(false);
    expect(kind.statusOf(emulator, target)).toBe(kind.running);
  });

  test("remove as a number: the oldest jobs churn created after earlier answers, so the total grows once", async ({ emulator }) => {
    seedLine(spark, emulator, 3);
    emulator.churnLists({ op: "spark.list", create: 1, remove: 1 });
    expect((await spark.page(emulator, 0, 100)).total).toBe(3);
    expect((await spark.page(emulator, 0, 100)).total).toBe(4);
    expect((await spark.page(emulator, 0, 100)).total).toBe(4);
    const created = emulator.churnCreated();
    expect(created).toHaveLength(3);
    expect(emulator.churnRemoved()).toEqual([created[0], created[1]]);
  });

  test("rules queue per op with times; churnLists(undefined), stopChurn() and reset() end churn; bad rules are refused", async ({ emulator }) => {
    seedLine(flink, emulator, 2);
    emulator.churnLists({ op: "flink.list", create: 1, times: 2 });
    emulator.churnLists({ op: "flink.list", create: 3, times: 1 });
    for (let read = 0; read < 4; read++) await flink.page(emulator, 0, 100);
    expect(emulator.churnCreated()).toHaveLength(1 + 1 + 3);

    emulator.churnLists({ op: "flink.list" });
    expect(() => emulator.churnLists({ op: "flink.list", times: 1 })).toThrow(/without times is already active/);
    emulator.churnLists(undefined);
    await flink.page(emulator, 0, 100);
    expect(emulator.churnCreated()).toHaveLength(5);
    emulator.churnLists({ op: "flink.list" });
    emulator.stopChurn();
    await flink.page(emulator, 0, 100);
    expect(emulator.churnCreated()).toHaveLength(5);
    emulator.churnLists({ op: "flink.list" });
    emulator.reset();
    expect(emulator.churnCreated()).toEqual([]);
    emulator.seedFlinkJobs(DEFAULT_PROJECT_ID, [{}]);
    await flink.page(emulator, 0, 100);
    expect(emulator.churnCreated()).toEqual([]);

    expect(() => emulator.churnLists({ op: "flink.detail" as never })).toThrow(/op must be one of flink.list, spark.list, mrs.list, ehpc.list/);
    expect(() => emulator.churnLists({ op: "spark.list", create: -1 })).toThrow(/create/);
    expect(() => emulator.churnLists({ op: "spark.list", remove: 1.5 })).toThrow(/remove/);
    expect(() => emulator.churnLists({ op: "spark.list", times: 0 })).toThrow(/times/);
    expect(() => emulator.churnLists({ op: "spark.list", create: 0 })).toThrow(/neither creates nor removes/);
  });

  test("only a listing the client receives churns: faults, errors and unknown clusters don't", async ({ emulator }) => {
    seedLine(ehpc, emulator, 2);
    emulator.churnLists({ op: "ehpc.list", create: 1, times: 1 });
    emulator.failNext("ehpc.list", { status: 500 });
    await ehpcApi(emulator, { method: "GET", path: "/api/job/list", parameters: ehpcCluster });
    await ehpcApi(emulator, { method: "GET", path: "/api/job/list", parameters: { ...ehpcCluster, cluster_id: "ehpc-nowhere0" } });
    emulator.failNext("ehpc.list", { drop: "after" });
    await expect(ehpcApi(emulator, { method: "GET", path: "/api/job/list", parameters: ehpcCluster })).rejects.toThrow();
    expect(emulator.churnCreated()).toEqual([]);
    await ehpc.page(emulator, 0, 100);
    expect(emulator.churnCreated()).toHaveLength(1);
  });
});

// ---------------------------------------------------------------------------------------------------------------

interface LyingDelete {
  op: string;
  kind: Kind;
  /** An ended status, so MRS and EHPC accept the delete. */
  ended: string;
  call(emulator: Emulator, jobIds: readonly string[]): Promise<ApiResult>;
  /** The whole answer of a successful delete of `jobIds`. */
  success(jobIds: readonly string[]): Partial<ApiResult>;
}

const lyingDeletes: LyingDelete[] = [
  {
    op: "flink.delete",
    kind: flink,
    ended: "job_cancel_success",
    call: (emulator, jobIds) => huaweiApi(emulator, { method: "POST", path: flinkPath("/delete"), body: { job_ids: jobIds.map(BigInt) } }),
    success: (jobIds) => ({ status: 200, json: jobIds.map(() => ({ is_success: "true", message: "The job is deleted." })) }),
  },
  {
    op: "mrs.batchDelete",
    kind: mrs,
    ended: "FINISHED",
    call: (emulator, jobIds) => huaweiApi(emulator, { method: "POST", path: mrsPath("/batch-delete"), body: { job_id_list: jobIds } }),
    success: () => ({ status: 200, text: "" }),
  },
  {
    op: "ehpc.delete",
    kind: ehpc,
    ended: "finished",
    call: (emulator, jobIds) => ehpcApi(emulator, { method: "POST", path: "/api/job/deleteJobs", body: { ...ehpcCluster, job_ids: jobIds } }),
    success: () => ({ status: 200, json: { action: "HpcJobDeleteJobsResponse", ret_code: 0 } }),
  },
];

describe("lieOnDelete: success answered, the jobs stay listed", () => {
  test.for(lyingDeletes)("$op: the named jobs stay (times: 1 → once), the call's others are deleted", async (lying, { emulator }) => {
    const [liar, honest] = lying.kind.seed(emulator, [{ status: lying.ended }, { status: lying.ended }]);
    emulator.lieOnDelete(lying.op, [liar!], { times: 1 });
    expect(await lying.call(emulator, [liar!, honest!])).toMatchObject(lying.success([liar!, honest!]));
    expect(lying.kind.statusOf(emulator, liar!)).toBe(lying.ended);
    expect(lying.kind.statusOf(emulator, honest!)).toBeUndefined();
    expect((await lying.kind.page(emulator, 0, 100)).ids).toEqual([liar]);
    expect(await lying.call(emulator, [liar!])).toMatchObject(lying.success([liar!]));
    expect(lying.kind.statusOf(emulator, liar!)).toBeUndefined();
  });

  test.for(lyingDeletes)("$op: without times the job stays through every delete until clearFaults()", async (lying, { emulator }) => {
    const [liar] = lying.kind.seed(emulator, [{ status: lying.ended }]);
    emulator.lieOnDelete(lying.op, [liar!]);
    for (let attempt = 0; attempt < 3; attempt++) expect(await lying.call(emulator, [liar!])).toMatchObject(lying.success([liar!]));
    expect(lying.kind.statusOf(emulator, liar!)).toBe(lying.ended);
    emulator.clearFaults();
    await lying.call(emulator, [liar!]);
    expect(lying.kind.statusOf(emulator, liar!)).toBeUndefined();
  });

  test("a refused call uses up nothing; ops without a delete and bad times are refused", async ({ emulator }) => {
    const [running] = mrs.seed(emulator, [{}]);
    emulator.lieOnDelete("mrs.batchDelete", [running!], { times: 1 });
    expect((await lyingDeletes[1]!.call(emulator, [running!])).json).toEqual({ errorCode: "0183", errorMsg: "The job is running." });
    emulator.setJobStatus("mrs", running!, "FINISHED");
    await lyingDeletes[1]!.call(emulator, [running!]);
    expect(mrs.statusOf(emulator, running!)).toBe("FINISHED"); // the one lie was still there

    expect(() => emulator.lieOnDelete("flink.stop", ["1"])).toThrow(/flink\.stop.*lieOnDelete applies to/);
    expect(() => emulator.lieOnDelete("spark.cancel", ["1"])).toThrow(/spark\.cancel/);
    expect(() => emulator.lieOnDelete("ehpc.delete", ["hpcjob-aaaaaaaa"], { times: 0 })).toThrow(/times/);
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe("admin twins", () => {
  test("churn, lie-on-delete and job-status do what the programmatic calls do; bad input → 400 naming the field", async ({ emulator }) => {
    const { ids } = seedLine(mrs, emulator, 3);
    expect((await adminApi(emulator, "POST", "/__admin/churn", { op: "mrs.list", create: 1, remove: [ids[0]], times: 1 })).status).toBe(204);
    await mrs.page(emulator, 0, 10);
    const record = await adminApi<{ created: string[]; removed: string[] }>(emulator, "GET", "/__admin/churn");
    expect(record.json).toEqual({ created: emulator.churnCreated(), removed: [ids[0]] });
    expect(record.json.created).toHaveLength(1);
    expect((await adminApi(emulator, "POST", "/__admin/churn", { op: "mrs.list" })).status).toBe(204);
    expect((await adminApi(emulator, "DELETE", "/__admin/churn")).status).toBe(204);
    await mrs.page(emulator, 0, 10);
    expect(emulator.churnCreated()).toHaveLength(1);

    expect((await adminApi(emulator, "POST", "/__admin/job-status", { service: "mrs", jobId: ids[1], status: "FINISHED", clusterId: MRS_CLUSTER })).status).toBe(204);
    expect(mrs.statusOf(emulator, ids[1]!)).toBe("FINISHED");
    expect((await adminApi(emulator, "POST", "/__admin/lie-on-delete", { op: "mrs.batchDelete", jobIds: [ids[1]], times: 1 })).status).toBe(204);
    expect(await lyingDeletes[1]!.call(emulator, [ids[1]!])).toMatchObject({ status: 200, text: "" });
    expect(mrs.statusOf(emulator, ids[1]!)).toBe("FINISHED");

    const badChurn = await adminApi(emulator, "POST", "/__admin/churn", { op: "mrs.detail" });
    expect(badChurn.status).toBe(400);
    expect(badChurn.json.error).toContain("op");
    expect((await adminApi(emulator, "POST", "/__admin/lie-on-delete", { op: "mrs.kill", jobIds: [ids[2]] })).json.error).toContain("mrs.kill");
    expect((await adminApi(emulator, "POST", "/__admin/job-status", { service: "mrs", jobId: "nope", status: "RUNNING" })).json.error).toContain("no mrs job nope");
    expect((await adminApi(emulator, "POST", "/__admin/job-status", { service: "mrs", jobId: ids[2], status: "" })).json.error).toContain("status");
  });
});
