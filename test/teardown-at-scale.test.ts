// Teardown at scale (issue 6). The snapshot's paging (`snapshotPaged`) against scripted lists that move while
// they are read: the sets of one project are deleted in parallel, so jobs vanish (and sometimes appear) between
// page reads; then the paths a large set takes through `provider/lifecycle.ts` against the emulator: a Spark set of a
// page or more reads the list rather than each batch, a small set in a long list is looked up job by job, sets
// of one project read each page once between them, and such sets lose no member while other teams create and delete
// jobs in the project with the list's total unchanged (`churnLists`).
import { describe, expect } from "vitest";
import { DEFAULT_PROJECT_ID, type Emulator } from "../emulator";
import * as lifecycle from "../provider/lifecycle";
import { snapshotPaged, type ListPage, type PagedListing } from "../provider/resources/teardown";
import { emulatorEnv } from "./helpers/emulator-env";
import { servicesFor, test } from "./helpers/lifecycle";

const P = DEFAULT_PROJECT_ID;
const PAGE = 100;

/**
 * A newest-first list of `size` items ("i0000" oldest), paged by offset like the APIs', whose `beforeRead(page)`
 * may change it just before a page is cut (another set deleting, a job created). Records the pages read and the
 * lookups made.
 */
function movingList(size: number, beforeRead: (items: string[], pageIndex: number) => void = () => {}, key = "list", addressing: "offset" | "page" = "offset") {
  let items = Array.from({ length: size }, (_, i) => `i${String(i).padStart(4, "0")}`).reverse();
  const reads: number[] = [];
  const lookups: string[][] = [];
  const listing: PagedListing<string> = {
    pageSize: PAGE,
    addressing,
    concurrency: 4,
    key,
    fetch: async ({ offset, limit }): Promise<ListPage<string>> => {
      // Windows of an offset list overlap by one record (offset = index × 99): `reads` records the window index.
      const index = Math.round(offset / (addressing === "offset" ? PAGE - 1 : PAGE));
      beforeRead(items, index);
      reads.push(index);
      return { total: items.length, items: items.slice(offset, offset + limit) };
    },
    idOf: (item) => item,
    lookup: async (ids) => {
      lookups.push(ids);
      return ids.filter((id) => items.includes(id));
    },
  };
  return {
    listing,
    reads,
    lookups,
    remove: (predicate: (item: string) => boolean, count: number) => {
      let left = count;
      items = items.filter((item) => !(left > 0 && predicate(item) && left--));
    },
    insertNewest: (ids: string[]) => (items = [...ids, ...items]),
    items: () => items,
  };
}

const ids = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `i${String(from + i).padStart(4, "0")}`);

describe("snapshotPaged", () => {
  test("issue-6: a set's members are all found while another set deletes the jobs listed before them", async () => {
    // 1,000 jobs; the set holds the oldest 300 (the list's last pages); a newer set's jobs (the first pages) are
    // deleted, 60 before each page read: read front to back, the members would slide into pages already read.
    const members = ids(0, 300);
    const list = movingList(1_000, (_items, pageIndex) => {
      if (pageIndex > 0) list.remove((item) => item >= "i0300", 60);
    });
    const snapshot = await snapshotPaged(list.listing, members);
    expect([...snapshot.found.keys()].sort()).toEqual(members);
    // Back to front, no member could be missed: no lookup was needed.
    expect(list.lookups).toEqual([]);
    expect(list.reads[0]).toBe(0);
    expect(list.reads.slice(1)).toEqual([...list.reads.slice(1)].sort((a, b) => b - a));
  });

  test("issue-6: jobs created while we page push members towards pages already read: the listing moved, the members not seen are looked up", async () => {
    const members = ids(0, 300);
    let created = 0;
    const list = movingList(1_000, (_items, pageIndex) => {
      if (pageIndex > 0) list.insertNewest(Array.from({ length: 70 }, () => `n${String(created++).padStart(4, "0")}`));
    });
    const snapshot = await snapshotPaged(list.listing, members);
    expect([...snapshot.found.keys()].sort()).toEqual(members);
    expect(list.lookups).toHaveLength(1);
    expect(list.lookups[0]!.length).toBeGreaterThan(0);
    // Only members the pages did not show were looked up.
    expect(list.lookups[0]!.every((id) => members.includes(id))).toBe(true);
  });

  test("a member gone for real stays gone, even after a lookup", async () => {
    const members = ids(0, 300);
    let deleted = false;
    const list = movingList(1_000, (_items, pageIndex) => {
      if (pageIndex === 0 || deleted) return;
      deleted = true;
      list.remove((item) => item === "i0042", 1);
      list.remove((item) => item >= "i0300", 60);
    });
    const snapshot = await snapshotPaged(list.listing, members);
    expect(snapshot.found.has("i0042")).toBe(false);
    expect(snapshot.found.size).toBe(299);
    expect(list.lookups).toEqual([["i0042"]]);
  });

  test("one creation at the front and one deletion behind it per page read, total unchanged: the member that slips into a page already read is looked up, not lost", async () => {
    // The set holds i0500..i0599; outsiders newer than them are deleted one per read while one job is created at the
    // front: `total` never changes, yet every member between the two shifts one place towards the back.
    const members = ids(500, 600);
    let created = 0;
    const list = movingList(1_000, (_items, pageIndex) => {
      if (pageIndex === 0) return;
      list.insertNewest([`n${String(created++).padStart(4, "0")}`]);
      list.remove((item) => item >= "i0600", 1);
    });
    const snapshot = await snapshotPaged(list.listing, [...members, "i0999"]);
    expect(list.items()).toHaveLength(1_000);
    expect([...snapshot.found.keys()].sort()).toEqual([...members, "i0999"].sort().filter((id) => list.items().includes(id)));
    // The pass could not prove the list still: whatever it did not show was asked for by its detail call.
    expect(list.lookups.flat().every((id) => members.includes(id) || id === "i0999")).toBe(true);
  });

  test("members gone for real from a list nobody touches: the overlapping windows prove it, no lookup", async () => {
    const list = movingList(1_000);
    const snapshot = await snapshotPaged(list.listing, [...ids(0, 300), "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11"]);
    expect(snapshot.found.size).toBe(300);
    expect(list.lookups).toEqual([]);
    // 1,000 records in windows of 100 that overlap by one: 11 windows, each read once.
    expect([...list.reads].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  test("a list read by page numbers (MRS) proves nothing over several pages: members not seen are looked up", async () => {
    const list = movingList(1_000, () => {}, "mrs", "page");
    const absent = Array.from({ length: 11 }, (_, i) => `x${i}`);
    const snapshot = await snapshotPaged(list.listing, [...ids(0, 300), ...absent]);
    expect(snapshot.found.size).toBe(300);
    expect(list.lookups).toEqual([absent]);
  });

  test("a list that fits one answer proves absence at once", async () => {
    const list = movingList(40);
    const snapshot = await snapshotPaged(list.listing, ["i0001", "gone-1", "gone-2"]);
    expect([...snapshot.found.keys()]).toEqual(["i0001"]);
    expect(list.reads).toEqual([0]);
    expect(list.lookups).toEqual([]);
  });

  test("a few members in a long list are looked up one by one rather than paged", async () => {
    const list = movingList(5_000);
    const snapshot = await snapshotPaged(list.listing, ["i0001", "i0002", "i4999", "gone"]);
    // Window 0 (the newest 100) holds i4999; the 3 others cost 3 lookups, not 50 windows.
    expect(list.reads).toEqual([0]);
    expect(list.lookups).toEqual([["i0001", "i0002", "gone"]]);
    expect([...snapshot.found.keys()].sort()).toEqual(["i0001", "i0002", "i4999"]);
  });

  test("snapshots of one list at the same time share each page read; of different lists, they do not", async () => {
    const shared = movingList(1_000, () => {}, "project-a");
    const [a, b] = await Promise.all([snapshotPaged(shared.listing, ids(0, 100)), snapshotPaged(shared.listing, ids(0, 100))]);
    expect(a.found.size).toBe(100);
    expect(b.found.size).toBe(100);
    expect(shared.reads.filter((page) => page === 0)).toHaveLength(1);
    expect(new Set(shared.reads).size).toBe(shared.reads.length);

    const other = movingList(1_000, () => {}, "project-b");
    const third = movingList(1_000, () => {}, "project-c");
    await Promise.all([snapshotPaged(other.listing, ids(0, 100)), snapshotPaged(third.listing, ids(0, 100))]);
    expect(other.reads.length + third.reads.length).toBe(2 * other.reads.length);
  });
});

function checked(type: string, services: lifecycle.Services, inputs: Record<string, unknown>) {
  const result = lifecycle.check(type, inputs, services);
  expect(result.failures).toEqual([]);
  return result.inputs;
}

describe("large sets through the lifecycle", () => {
  test("a Spark set of a page or more reads the project's list, not each batch; cancels each active batch once", async ({ emu, http, progress }) => {
    const services = servicesFor({ http, progress }, emulatorEnv(emu));
    const running = emu.seedSparkBatches(P, Array.from({ length: 120 }, () => ({ state: "running" })));
    const finished = emu.seedSparkBatches(P, Array.from({ length: 30 }, () => ({ state: "success" })));
    const [outsider] = emu.seedSparkBatches(P, [{ state: "running" }]);
    const inputs = checked("DliSparkBatchSet", services, { batchIds: [...running, ...finished] });

    await lifecycle.remove("DliSparkBatchSet", "x", inputs, services);

    const ops = emu.calls().map((call) => call.op);
    const cancels = emu.calls({ op: "spark.cancel" }).map((call) => call.path.split("/").pop());
    expect(cancels.sort()).toEqual([...running].sort());
    // The snapshot and the confirmation read the 151-batch list, 2 pages a pass; a state call per batch would be 270.
    expect(ops.filter((op) => op === "spark.list").length).toBeGreaterThanOrEqual(4);
    expect(ops.filter((op) => op === "spark.state").length).toBeLessThan(running.length);
    const states = new Map(emu.sparkBatches(P).map((batch) => [batch.id, batch.state.toLowerCase()]));
    expect(running.every((id) => states.get(id) === "dead")).toBe(true);
    expect(states.get(outsider!)).toBe("running");
  });

  test("refresh of a large Spark set reads the list", async ({ emu, http, progress }) => {
    const services = servicesFor({ http, progress }, emulatorEnv(emu));
    const batches = emu.seedSparkBatches(P, Array.from({ length: 120 }, (_, i) => ({ state: i % 2 ? "running" : "success" })));
    const inputs = checked("DliSparkBatchSet", services, { batchIds: batches });
    const result = await lifecycle.read("DliSparkBatchSet", "x", inputs, services);
    expect(emu.calls().every((call) => call.op === "spark.list")).toBe(true);
    expect((result.outs.batchIds as string[]).length).toBe(120);
  });

  test("a small Flink set in a busy project: its jobs are looked up, not the project's 10 pages", async ({ emu, http, progress }) => {
    const services = servicesFor({ http, progress }, emulatorEnv(emu));
    const members = emu.seedFlinkJobs(P, [{}, {}, { status: "job_cancel_success" }]);
    emu.seedFlinkJobs(P, Array.from({ length: 1_000 }, () => ({})));
    const inputs = checked("DliFlinkJobSet", services, { jobIds: members, teardown: "delete" });

    await lifecycle.remove("DliFlinkJobSet", "x", inputs, services);

    // Snapshot: one window, then a detail call per member; delete; then the same to confirm the jobs are gone
    // (each detail call answers DLI.16001), since a delete's "success" is not taken on trust.
    const detail = ["flink.detail", "flink.detail", "flink.detail"];
    expect(emu.calls().map((call) => call.op)).toEqual(["flink.list", ...detail, "flink.delete", "flink.list", ...detail]);
    expect(emu.flinkJobs(P).filter((job) => members.includes(job.jobId))).toEqual([]);
  });

  test("sets of one project torn down in parallel: every job torn down, each page read about once", async ({ emu, http, progress }) => {
    const services = servicesFor({ http, progress }, emulatorEnv(emu));
    const sets = [0, 1, 2].map(() => emu.seedFlinkJobs(P, Array.from({ length: 300 }, () => ({ status: "job_cancel_success" as const }))));
    const states = sets.map((jobIds) => checked("DliFlinkJobSet", services, { jobIds, teardown: "delete" }));

    await Promise.all(states.map((state, i) => lifecycle.remove("DliFlinkJobSet", `set-${i}`, state, services)));

    expect(emu.flinkJobs(P)).toEqual([]);
    // 9 pages of 100; three snapshots each reading them all would be 27.
    expect(emu.calls({ op: "flink.list" }).length).toBeLessThan(18);
  });
});

/** The paged kinds, as a parallel teardown of several sets of one listing needs them; every job seeded running. */
const PAGED_KINDS = [
  {
    name: "DLI Flink (offset windows)",
    type: "DliFlinkJobSet",
    listOp: "flink.list" as const,
    seed: (emu: Emulator, count: number) => emu.seedFlinkJobs(P, Array.from({ length: count }, () => ({}))),
    inputs: (jobIds: string[]) => ({ jobIds, teardown: "stop-then-delete" }),
    all: (emu: Emulator) => new Map(emu.flinkJobs(P).map((job) => [job.jobId, job.status])),
  },
  {
    name: "MRS (page numbers)",
    type: "MrsJobExecutionSet",
    listOp: "mrs.list" as const,
    seed: (emu: Emulator, count: number) => emu.seedMrsJobs(P, "mrs-churn", Array.from({ length: count }, () => ({ state: "RUNNING" as const }))),
    inputs: (jobIds: string[]) => ({ clusterId: "mrs-churn", jobIds }),
    all: (emu: Emulator) => new Map(emu.mrsJobs(P, "mrs-churn").map((job) => [job.jobId, job.state])),
  },
  {
    name: "QingCloud EHPC (offset windows)",
    type: "EhpcJobSet",
    listOp: "ehpc.list" as const,
    seed: (emu: Emulator, count: number) => emu.seedEhpcJobs("pek3", "ehpc-churn", Array.from({ length: count }, () => ({ status: "running" as const }))),
    inputs: (jobIds: string[]) => ({ zone: "pek3", clusterId: "ehpc-churn", jobIds, teardown: "stop-then-delete" }),
    all: (emu: Emulator) => new Map(emu.ehpcJobs("pek3", "ehpc-churn").map((job) => [job.jobId, job.status])),
  },
];

describe.each(PAGED_KINDS)("sets of one listing torn down in parallel while other teams churn it, total unchanged: $name", (kind) => {
  // Protects: no member is counted gone because the list moved under the snapshot. After every list answer one
  // outsider older than the sets is deleted and one job is created at the front, so `total` never changes while
  // every member moves one place back: read back to front, a member on a window's edge slides into a window
  // already read. Three sets share the page reads, as the engine deletes a project's sets at once.
  test("every member of every set is torn down; outside the sets only the churn changed anything", async ({ emu, http, progress, home }) => {
    const services = servicesFor({ http, progress }, {
      ...emulatorEnv(emu),
      HOME: home,
    });
    const older = kind.seed(emu, 150);
    const sets = [0, 1, 2].map(() => kind.seed(emu, 130));
    const newer = kind.seed(emu, 40);
    const members = sets.flat();
    const states = sets.map((jobIds) => checked(kind.type, services, kind.inputs(jobIds)));
    emu.churnLists({ op: kind.listOp, create: 1, remove: older, times: 120 });

    await Promise.all(states.map((state, i) => lifecycle.remove(kind.type, `set-${i}`, state, services)));

    // The churn struck, one deletion for each creation.
    const removed = emu.churnRemoved();
    expect(removed.length).toBeGreaterThan(0);
    expect(emu.churnCreated()).toHaveLength(removed.length);
    const left = kind.all(emu);
    expect(members.filter((id) => left.has(id)).map((id) => `${id}: ${left.get(id)}`), "members left behind").toEqual([]);
    const untouched = [...older.filter((id) => !removed.includes(id)), ...newer, ...emu.churnCreated()];
    expect(untouched.filter((id) => !left.has(id)), "outsiders gone").toEqual([]);
  });
});
