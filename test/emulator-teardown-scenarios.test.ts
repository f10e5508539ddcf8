/**
 * The emulator's scenario controls for verified teardown, on all four kinds: list churn with a constant total (and
 * the naive pagers it defeats), deletes that answer success but leave the jobs, statuses outside the documented lists,
 * transient 400s on reads, one emulator under two spellings of the loopback, Flink's savepoint_path, and the name and
 * queue every list entry carries. Each test gets its own emulator (the `emulator` fixture).
 */
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect } from "vitest";
import {
  DEFAULT_PROJECT_ID,
  DEFAULT_STOP_DELAY_MS,
  type Emulator,
  type JobService,
  type ListOp,
  defaultFlinkSavepointPath,
  startEmulator,
} from "../emulator";
import { adminApi, type ApiResult, type EhpcAnswer, ehpcApi, emulatorTest as test, huaweiApi } from "./helpers/emulator-clients";

const OTHER_PROJECT_ID = "fedcba9876543210fedcba9876543210";
const MRS_CLUSTER = "cid-1234";
const EHPC_ZONE = "jn1a";
const EHPC_CLUSTER = "ehpc-8jqdq0mz";
/** Every kind's default stop/cancel/kill delay is 50 ms; waiting three of them leaves a stop time to complete. */
const SETTLE_MS = 3 * DEFAULT_STOP_DELAY_MS;
const PAGE_SIZE = 10;


interface JobSeed {
  status?: string;
  name?: string;
  queue?: string;
  stopDelayMs?: number | null;
}

/** A list entry: the vendor's JSON object for one job. */
type Entry = Record<string, unknown>;

interface Page {
  total: number;
  ids: string[];
  entries: Entry[];
}

/** One kind of job as the tests drive it: its main collection (and another one, for isolation), list, reads, stop. */
interface Kind {
  service: JobService;
  listOp: ListOp;
  /** What a running job shows, and what a stop/cancel/kill ends it as. */
  running: string;
  stopped: string;
  /** The list entry's name and queue fields. */
  nameField: string;
  queueField: string;
  seed(emulator: Emulator, jobs: readonly JobSeed[], other?: boolean): string[];
  /** Current status of the job per the emulator's view (undefined once gone). */
  statusOf(emulator: Emulator, jobId: string): string | undefined;
  count(emulator: Emulator, other?: boolean): number;
  page(emulator: Emulator, index: number, size: number, baseUrl?: string): Promise<Page>;
  /** The read ops (besides the list) and a call of each. */
  reads: Record<string, (emulator: Emulator, jobId: string) => Promise<ApiResult>>;
  stop(emulator: Emulator, jobIds: readonly string[]): Promise<unknown>;
}

const flinkPath = (suffix = "", projectId = DEFAULT_PROJECT_ID) => `/v1.0/${projectId}/streaming/jobs${suffix}`;
const sparkPath = (suffix = "") => `/v2.0/${DEFAULT_PROJECT_ID}/batches${suffix}`;
const mrsPath = (suffix = "") => `/v2/${DEFAULT_PROJECT_ID}/clusters/${MRS_CLUSTER}/job-executions${suffix}`;
const ehpcCluster = { cluster_id: EHPC_CLUSTER, zone: EHPC_ZONE };
const statusIn = <T extends { status?: string; state?: string }>(views: readonly T[], id: (view: T) => string, jobId: string) => {
  const view = views.find((candidate) => id(candidate) === jobId);
  return view?.status ?? view?.state;
};

const flinkDetail = (emulator: Emulator, jobId: string) =>
  huaweiApi<{ job_detail: { savepoint_path: string | null } }>(emulator, { method: "GET", path: flinkPath(`/${jobId}`) });

const flink: Kind = {
  service: "dli-flink",
  listOp: "flink.list",
  running: "job_running",
  stopped: "job_cancel_success",
  nameField: "name",
  queueField: "queue_name",
  seed: (emulator, jobs, other) => emulator.seedFlinkJobs(other ? OTHER_PROJECT_ID : DEFAULT_PROJECT_ID, jobs),
  statusOf: (emulator, jobId) => statusIn(emulator.flinkJobs(DEFAULT_PROJECT_ID), (job) => job.jobId, jobId),
  count: (emulator, other) => emulator.flinkJobs(other ? OTHER_PROJECT_ID : DEFAULT_PROJECT_ID).length,
  page: async (emulator, index, size, baseUrl) => {
    const answer = await huaweiApi<{ job_list: { total_count: number; jobs: (Entry & { job_id: bigint | number })[] } }>(emulator, {
      method: "GET",
      path: flinkPath(`?offset=${index * size}&limit=${size}`),
      ...(baseUrl ? { baseUrl } : {}),
    });
    expect(answer.status).toBe(200);
    const entries = answer.json.job_list.jobs;
    return { total: answer.json.job_list.total_count, ids: entries.map((entry) => String(entry.job_id)), entries };
  },
  reads: { "flink.detail": (emulator, jobId) => flinkDetail(emulator, jobId) },
  stop: (emulator, jobIds) => huaweiApi(emulator, { method: "POST", path: flinkPath("/stop"), body: { job_ids: jobIds.map(BigInt) } }),
};

const spark: Kind = {
  service: "dli-spark",
  listOp: "spark.list",
  running: "running",
  stopped: "dead",
  nameField: "name",
  queueField: "queue",
  seed: (emulator, jobs, other) => emulator.seedSparkBatches(other ? OTHER_PROJECT_ID : DEFAULT_PROJECT_ID, jobs.map(({ status, ...rest }) => ({ ...rest, ...(status ? { state: status } : {}) }))),
  statusOf: (emulator, jobId) => statusIn(emulator.sparkBatches(DEFAULT_PROJECT_ID), (batch) => batch.id, jobId),
  count: (emulator, other) => emulator.sparkBatches(other ? OTHER_PROJECT_ID : DEFAULT_PROJECT_ID).length,
  page: async (emulator, index, size, baseUrl) => {
    const answer = await huaweiApi<{ total: number; sessions: (Entry & { id: string })[] }>(emulator, {
      method: "GET",
      path: sparkPath(`?from=${index * size}&size=${size}`),
      ...(baseUrl ? { baseUrl } : {}),
    });
    expect(answer.status).toBe(200);
    const entries = answer.json.sessions;
    return { total: answer.json.total, ids: entries.map((entry) => entry.id), entries };
  },
  reads: {
    "spark.detail": (emulator, jobId) => huaweiApi(emulator, { method: "GET", path: sparkPath(`/${jobId}`) }),
    "spark.state": (emulator, jobId) => huaweiApi(emulator, { method: "GET", path: sparkPath(`/${jobId}/state`) }),
  },
  stop: async (emulator, jobIds) => {
    for (const jobId of jobIds) await huaweiApi(emulator, { method: "DELETE", path: sparkPath(`/${jobId}`) });
  },
};

const mrs: Kind = {
  service: "mrs",
  listOp: "mrs.list",
  running: "RUNNING",
  stopped: "KILLED",
  nameField: "job_name",
  queueField: "queue",
  seed: (emulator, jobs, other) =>
    emulator.seedMrsJobs(DEFAULT_PROJECT_ID, other ? "cid-other" : MRS_CLUSTER, jobs.map(({ status, ...rest }) => ({ ...rest, ...(status ? { state: status } : {}) }))),
  statusOf: (emulator, jobId) => statusIn(emulator.mrsJobs(DEFAULT_PROJECT_ID, MRS_CLUSTER), (job) => job.jobId, jobId),
  count: (emulator, other) => emulator.mrsJobs(DEFAULT_PROJECT_ID, other ? "cid-other" : MRS_CLUSTER).length,
  page: async (emulator, index, size, baseUrl) => {
    // MRS's offset is a page number from 1.
    const answer = await huaweiApi<{ total_record: number; job_list: (Entry & { job_id: string })[] }>(emulator, {
      method: "GET",
      path: mrsPath(`?offset=${index + 1}&limit=${size}`),
      ...(baseUrl ? { baseUrl } : {}),
    });
    expect(answer.status).toBe(202);
    const entries = answer.json.job_list;
    return { total: answer.json.total_record, ids: entries.map((entry) => entry.job_id), entries };
  },
  reads: { "mrs.detail": (emulator, jobId) => huaweiApi(emulator, { method: "GET", path: mrsPath(`/${jobId}`) }) },
  stop: async (emulator, jobIds) => {
    for (const jobId of jobIds) await huaweiApi(emulator, { method: "POST", path: mrsPath(`/${jobId}/kill`) });
  },
};

const ehpc: Kind = {
  service: "ehpc",
  listOp: "ehpc.list",
  running: "running",
  stopped: "stopped",
  nameField: "job_name",
  queueField: "queue_name",
  seed: (emulator, jobs, other) => emulator.seedEhpcJobs(EHPC_ZONE, other ? "ehpc-other000" : EHPC_CLUSTER, jobs),
  statusOf: (emulator, jobId) => statusIn(emulator.ehpcJobs(EHPC_ZONE, EHPC_CLUSTER), (job) => job.jobId, jobId),
  count: (emulator, other) => emulator.ehpcJobs(EHPC_ZONE, other ? "ehpc-other000" : EHPC_CLUSTER).length,
  page: async (emulator, index, size, baseUrl) => {
    const parameters = { ...ehpcCluster, offset: index * size, limit: size };
    type EhpcList = EhpcAnswer & { total_count: number; hpc_job_set: (Entry & { hpcjob_uuid: string })[] };
    const answer = await ehpcApi<EhpcList>(emulator, { method: "GET", path: "/api/job/list", parameters, ...(baseUrl ? { baseUrl } : {}) });
    expect(answer.json.ret_code).toBe(0);
    const entries = answer.json.hpc_job_set;
    return { total: answer.json.total_count, ids: entries.map((entry) => entry.hpcjob_uuid), entries };
  },
  reads: {
    "ehpc.detail": (emulator, jobId) => ehpcApi(emulator, { method: "GET", path: `/api/job/jobdetail/${jobId}`, parameters: ehpcCluster }),
  },
  stop: (emulator, jobIds) => ehpcApi(emulator, { method: "POST", path: "/api/job/stopJobs", body: { ...ehpcCluster, job_ids: jobIds } }),
};

const KINDS = [flink, spark, mrs, ehpc];

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

const UNKNOWN_STATUS: Record<JobService, string> = {
  "dli-flink": "job_migrating",
  "dli-spark": "Queued",
  mrs: "SUSPENDED",
  ehpc: "suspended",
};

describe("statuses outside the documented lists behave as running", () => {
  test.for(KINDS)("$service: a seeded unknown status is listed as given, and a stop ends it after the usual delay", async (kind, { emulator }) => {
    const status = UNKNOWN_STATUS[kind.service];
    const [jobId] = kind.seed(emulator, [{ status }]);
    expect((await kind.page(emulator, 0, 10)).entries[0]).toMatchObject(
      kind.service === "dli-spark" ? { state: status } : kind.service === "mrs" ? { job_state: status } : kind.service === "ehpc" ? { job_status: status } : { status },
    );
    await kind.stop(emulator, [jobId!]);
    await sleep(SETTLE_MS);
    expect(kind.statusOf(emulator, jobId!)).toBe(kind.stopped);
  });

  test.for(KINDS)("$service: setJobStatus moves a job to any status at any time, a stop under way included", async (kind, { emulator }) => {
    const [jobId] = kind.seed(emulator, [{}]);
    await kind.stop(emulator, [jobId!]);
    emulator.setJobStatus(kind.service, jobId!, UNKNOWN_STATUS[kind.service]);
    await sleep(SETTLE_MS);
    expect(kind.statusOf(emulator, jobId!)).toBe(UNKNOWN_STATUS[kind.service]); // the earlier stop no longer completes
    await kind.stop(emulator, [jobId!]);
    await sleep(SETTLE_MS);
    expect(kind.statusOf(emulator, jobId!)).toBe(kind.stopped);
    emulator.setJobStatus(kind.service, jobId!, kind.running);
    expect(kind.statusOf(emulator, jobId!)).toBe(kind.running);
  });

  test.for(KINDS)("$service: stopDelayMs null on the seed: the stop is accepted and never completes", async (kind, { emulator }) => {
    const [stuck, normal] = kind.seed(emulator, [{ stopDelayMs: null }, {}]);
    await kind.stop(emulator, [stuck!, normal!]);
    await sleep(SETTLE_MS);
    expect(kind.statusOf(emulator, stuck!)).toBe(kind.service === "dli-flink" ? "job_canceling" : kind.running);
    expect(kind.statusOf(emulator, normal!)).toBe(kind.stopped);
  });

  test("setJobStatus: an unknown ID, an ID in two projects without `where`, an empty status or service are refused", ({ emulator }) => {
    emulator.seedFlinkJobs(DEFAULT_PROJECT_ID, [{ jobId: 7 }]);
    emulator.seedFlinkJobs(OTHER_PROJECT_ID, [{ jobId: 7 }]);
    expect(() => emulator.setJobStatus("dli-flink", 7, "job_idle")).toThrow(`dli-flink job 7 is in project ${DEFAULT_PROJECT_ID} and project ${OTHER_PROJECT_ID}`);
    emulator.setJobStatus("dli-flink", 7, "job_idle", { projectId: OTHER_PROJECT_ID });
    expect(emulator.flinkJobs().map((job) => job.status)).toEqual(["job_running", "job_idle"]);
    expect(() => emulator.setJobStatus("dli-flink", 8, "job_idle")).toThrow(/no dli-flink job 8/);
    expect(() => emulator.setJobStatus("dli-flink", 7, "", { projectId: OTHER_PROJECT_ID })).toThrow(/status must be a non-empty string/);
    expect(() => emulator.setJobStatus("iam" as never, 7, "x")).toThrow(/service must be one of dli-flink, dli-spark, mrs, ehpc/);
    expect(() => emulator.seedSparkBatches(DEFAULT_PROJECT_ID, [{ cancelDelayMs: 10, stopDelayMs: 20 }])).toThrow(/cancelDelayMs and stopDelayMs/);
    expect(() => emulator.seedEhpcJobs(EHPC_ZONE, EHPC_CLUSTER, [{ stopDelayMs: -1 }])).toThrow(/stopDelayMs must be a number ≥ 0 or null/);
  });
});

// ---------------------------------------------------------------------------------------------------------------

/** A list call answering the raw result (the kinds' `page` expects success). */
const listCall = (kind: Kind) => (emulator: Emulator): Promise<ApiResult> => {
  if (kind === flink) return huaweiApi(emulator, { method: "GET", path: flinkPath() });
  if (kind === spark) return huaweiApi(emulator, { method: "GET", path: sparkPath() });
  if (kind === mrs) return huaweiApi(emulator, { method: "GET", path: mrsPath() });
  return ehpcApi(emulator, { method: "GET", path: "/api/job/list", parameters: ehpcCluster });
};
const DLI_PARAMETER_ERROR = { error_code: "DLI.0001", error_msg: "parameter error" };
const MRS_PARAMETER_ERROR = { error_code: "0002", error_msg: "parameter error" };
const EHPC_PARAMETER_ERROR = { ret_code: 1100, message: "InvalidParameter, parameter error" };

/** Every read op of the four kinds, a call of it, and a 400 body in its service's shape as a test would choose it. */
const transientReads = [
  { op: "spark.state", kind: spark, body: DLI_PARAMETER_ERROR, call: spark.reads["spark.state"]! },
  { op: "spark.detail", kind: spark, body: DLI_PARAMETER_ERROR, call: spark.reads["spark.detail"]! },
  { op: "spark.list", kind: spark, body: DLI_PARAMETER_ERROR, call: listCall(spark) },
  { op: "flink.detail", kind: flink, body: DLI_PARAMETER_ERROR, call: flink.reads["flink.detail"]! },
  { op: "flink.list", kind: flink, body: DLI_PARAMETER_ERROR, call: listCall(flink) },
  { op: "mrs.detail", kind: mrs, body: MRS_PARAMETER_ERROR, call: mrs.reads["mrs.detail"]! },
  { op: "mrs.list", kind: mrs, body: MRS_PARAMETER_ERROR, call: listCall(mrs) },
  { op: "ehpc.list", kind: ehpc, body: EHPC_PARAMETER_ERROR, call: listCall(ehpc) },
  { op: "ehpc.detail", kind: ehpc, body: EHPC_PARAMETER_ERROR, call: ehpc.reads["ehpc.detail"]! },
];

describe("a transient 400 on a read: failNext({ status: 400, body, times })", () => {
  test.for(transientReads)("$op: two answers of 400 with the test's body, then the normal answer; the job unchanged", async (read, { emulator }) => {
    const [jobId] = read.kind.seed(emulator, [{}]);
    emulator.failNext(read.op, { status: 400, body: read.body, times: 2 });
    for (let attempt = 0; attempt < 2; attempt++) {
      const { status, text, json } = await read.call(emulator, jobId!);
      expect({ status, text, json }).toEqual({ status: 400, text: JSON.stringify(read.body), json: read.body });
    }
    const normal = await read.call(emulator, jobId!);
    expect(normal.status).toBe(read.op === "mrs.list" ? 202 : 200); // an MRS detail alternates 200, 202, … from 200
    expect(normal.text).toContain(jobId);
    if (read.kind === ehpc) expect(normal.json).toMatchObject({ ret_code: 0 });
    expect(emulator.calls({ op: read.op }).map((recorded) => recorded.status)).toEqual([400, 400, normal.status]);
    expect(read.kind.statusOf(emulator, jobId!)).toBe(read.kind.running);
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('one emulator under two spellings: host "localhost"', () => {
  test.override({ emulatorOptions: { host: "localhost" } });

  test("127.0.0.1, ::1 and localhost reach the same state; each signature covers the Host it was sent with", async ({ emulator }) => {
    const ipv4 = emulator.urlFor("127.0.0.1");
    const named = emulator.urlFor("localhost");
    expect(ipv4).toBe(`http://127.0.0.1:${emulator.port}`);
    expect(named).toBe(`http://localhost:${emulator.port}`);
    expect(emulator.urlFor("::1")).toBe(`http://[::1]:${emulator.port}`);
    expect(emulator.url).toBe(ipv4);

    const [jobId] = flink.seed(emulator, [{}]);
    expect((await flink.page(emulator, 0, 10, named)).ids).toEqual([jobId]);
    expect((await flink.page(emulator, 0, 10, emulator.urlFor("::1"))).ids).toEqual([jobId]);
    const deleted = await huaweiApi(emulator, { method: "POST", path: flinkPath("/delete"), body: { job_ids: [BigInt(jobId!)] }, baseUrl: named });
    expect(deleted.json).toEqual([{ is_success: "true", message: "The job is deleted." }]);
    expect((await flink.page(emulator, 0, 10, ipv4)).total).toBe(0);
    expect(emulator.calls({ op: "flink.list" }).map((call) => call.headers.host)).toEqual([
      `localhost:${emulator.port}`,
      `[::1]:${emulator.port}`,
      `127.0.0.1:${emulator.port}`,
    ]);

    // Signed for 127.0.0.1 but sent to localhost: the Host the gateway sees is not the signed one.
    const mismatched = await huaweiApi(emulator, { method: "GET", path: flinkPath(), baseUrl: named, signedHost: new URL(ipv4).host });
    expect(mismatched).toMatchObject({ status: 401, json: { error_code: "APIG.0301" } });
    ehpc.seed(emulator, [{}]);
    expect((await ehpc.page(emulator, 0, 10, named)).total).toBe(1);
  });

  test("close() stops both listeners", async () => {
    const emulator = await startEmulator({ host: "localhost" });
    const urls = [emulator.urlFor("127.0.0.1"), emulator.urlFor("::1")];
    await emulator.close();
    for (const url of urls) await expect(fetch(`${url}/__admin/now`)).rejects.toThrow();
  });
});

describe("the default host listens on 127.0.0.1 only", () => {
  test("urlFor('localhost') is refused (it may resolve to ::1), ::1 is not listened on", async ({ emulator }) => {
    expect(emulator.urlFor("127.0.0.1")).toBe(emulator.url);
    expect(() => emulator.urlFor("localhost")).toThrow(/start it with host: "localhost"/);
    expect(() => emulator.urlFor("::1")).toThrow(/listens on 127\.0\.0\.1/);
    await expect(fetch(`http://[::1]:${emulator.port}/__admin/now`)).rejects.toThrow();
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe("Flink savepoint_path and the list entries' names and queues", () => {
  const detail = async (emulator: Emulator, jobId: string) => (await flinkDetail(emulator, jobId)).json.job_detail;
  const stop = (emulator: Emulator, jobIds: readonly string[], savepoint: boolean) =>
    huaweiApi(emulator, { method: "POST", path: flinkPath("/stop"), body: { job_ids: jobIds.map(BigInt), trigger_savepoint: savepoint } });

  test("null until a stop with trigger_savepoint=true completes, then the job's OBS path; a plain stop leaves it null", async ({ emulator }) => {
    const [saved, plain] = flink.seed(emulator, [{}, {}]);
    expect(await detail(emulator, saved!)).toMatchObject({ savepoint_path: null });
    await stop(emulator, [saved!], true);
    await stop(emulator, [plain!], false);
    expect(await detail(emulator, saved!)).toMatchObject({ status: "job_savepointing", savepoint_path: null });
    await sleep(SETTLE_MS);
    expect(await detail(emulator, saved!)).toMatchObject({ status: "job_cancel_success", savepoint_path: defaultFlinkSavepointPath(saved!) });
    expect(defaultFlinkSavepointPath(saved!)).toMatch(new RegExp(`^obs://.*${saved}`));
    expect(await detail(emulator, plain!)).toMatchObject({ status: "job_cancel_success", savepoint_path: null });
    expect(emulator.flinkJobs().map((job) => job.savepointPath)).toEqual([defaultFlinkSavepointPath(saved!), null]);
  });

  describe("flinkSavepointPath: null (DLI leaving it empty)", () => {
    test.override({ emulatorOptions: { flinkSavepointPath: (jobId) => (jobId.endsWith("1") ? null : `obs://bucket/sp/${jobId}`) } });

    test("the option decides the path per job", async ({ emulator }) => {
      const [first, second] = emulator.seedFlinkJobs(DEFAULT_PROJECT_ID, [{ jobId: 11 }, { jobId: 12 }]);
      await stop(emulator, [first!, second!], true);
      await sleep(SETTLE_MS);
      expect((await detail(emulator, first!)).savepoint_path).toBeNull();
      expect((await detail(emulator, second!)).savepoint_path).toBe("obs://bucket/sp/12");
    });
  });

  test.for(KINDS)("$service: list entries carry the seeded name and queue (defaults: generated name, queue 'default')", async (kind, { emulator }) => {
    const [named] = kind.seed(emulator, [{ name: "nightly-etl", queue: "etl_queue" }]);
    kind.seed(emulator, [{}]);
    const { ids, entries } = await kind.page(emulator, 0, 10);
    const namedEntry = entries[ids.indexOf(named!)];
    expect(namedEntry).toMatchObject({ [kind.nameField]: "nightly-etl", [kind.queueField]: "etl_queue" });
    expect(entries[1 - ids.indexOf(named!)]).toMatchObject({ [kind.nameField]: expect.any(String), [kind.queueField]: "default" });
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
