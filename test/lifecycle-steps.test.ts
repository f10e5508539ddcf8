// The rest of the Pulumi lifecycle through the real provider host, for every kind: refresh after
// out-of-band deletions, import from an ID alone, update with added and removed IDs; and check's handling
// of a preview's unknown values, of mistyped stack config keys and of the per-set ceiling; and the
// mass-teardown guard (refused sets untouched, the override honoured, a budget spanning several sets).
import { describe, expect } from "vitest";
import type { Emulator } from "../emulator";
import { UNKNOWN_VALUE, urn } from "./harness/provider-host";
import {
  DEFAULT_PROJECT_ID,
  EHPC,
  FLINK,
  MRS,
  PROJECT,
  SPARK,
  ehpcSet,
  failure,
  flinkSet,
  idsSent,
  mrsSet,
  program,
  sparkSet,
  test,
  type Declaration,
} from "./helpers/jobsets";

const P = DEFAULT_PROJECT_ID;
const CLUSTER = "b5c1d3e2-8f4a-4c6b-9d2e-0a1b2c3d4e5f";
const ZONE = "pek3";
const EHPC_CLUSTER = "ehpc-k8s00001";

interface KindCase {
  name: string;
  token: string;
  idsProperty: string;
  seed(emu: Emulator, n: number): string[];
  declare(ids: string[]): Declaration;
  /** Deletes a job out of band (another tool, the console). */
  vanish(emu: Emulator, ids: string[]): void;
  importId(ids: string[]): string;
  alive(emu: Emulator): string[];
}

const kinds: KindCase[] = [
  {
    name: "DLI Flink",
    token: FLINK,
    idsProperty: "jobIds",
    seed: (emu, n) => emu.seedFlinkJobs(P, Array.from({ length: n }, () => ({}))),
    declare: (ids) => flinkSet("set", { jobIds: ids }),
    vanish: (emu, ids) => {
      const keep = emu.flinkJobs(P).filter((j) => !ids.includes(j.jobId));
      emu.reset();
      emu.seedFlinkJobs(P, keep.map((j) => ({ jobId: j.jobId, status: j.status })));
    },
    importId: (ids) => `dli-flink/${P}/${ids.join(",")}`,
    alive: (emu) => emu.flinkJobs(P).map((j) => j.jobId),
  },
  {
    name: "DLI Spark",
    token: SPARK,
    idsProperty: "batchIds",
    seed: (emu, n) => emu.seedSparkBatches(P, Array.from({ length: n }, () => ({ state: "running" }))),
    declare: (ids) => sparkSet("set", { batchIds: ids }),
    vanish: (emu, ids) => {
      const keep = emu.sparkBatches(P).filter((b) => !ids.includes(b.id));
      emu.reset();
      emu.seedSparkBatches(P, keep.map((b) => ({ id: b.id, state: b.state })));
    },
    importId: (ids) => `dli-spark/${P}/${ids.join(",")}`,
    alive: (emu) => emu.sparkBatches(P).filter((b) => b.state === "running").map((b) => b.id),
  },
  {
    name: "MRS",
    token: MRS,
    idsProperty: "jobIds",
    seed: (emu, n) => emu.seedMrsJobs(P, CLUSTER, Array.from({ length: n }, () => ({ state: "RUNNING" as const }))),
    declare: (ids) => mrsSet("set", { clusterId: CLUSTER, jobIds: ids }),
    vanish: (emu, ids) => {
      const keep = emu.mrsJobs(P, CLUSTER).filter((j) => !ids.includes(j.jobId));
      emu.reset();
      emu.seedMrsJobs(P, CLUSTER, keep.map((j) => ({ jobId: j.jobId, state: j.state })));
    },
    importId: (ids) => `mrs/${P}/${CLUSTER}/${ids.join(",")}`,
    alive: (emu) => emu.mrsJobs(P, CLUSTER).map((j) => j.jobId),
  },
  {
    name: "QingCloud EHPC",
    token: EHPC,
    idsProperty: "jobIds",
    seed: (emu, n) => emu.seedEhpcJobs(ZONE, EHPC_CLUSTER, Array.from({ length: n }, () => ({ status: "running" as const }))),
    declare: (ids) => ehpcSet("set", { clusterId: EHPC_CLUSTER, zone: ZONE, jobIds: ids }),
    vanish: (emu, ids) => {
      const keep = emu.ehpcJobs(ZONE, EHPC_CLUSTER).filter((j) => !ids.includes(j.jobId));
      emu.reset();
      emu.seedEhpcJobs(ZONE, EHPC_CLUSTER, keep.map((j) => ({ jobId: j.jobId, status: j.status })));
    },
    importId: (ids) => `ehpc/${ZONE}/${EHPC_CLUSTER}/${ids.join(",")}`,
    alive: (emu) => emu.ehpcJobs(ZONE, EHPC_CLUSTER).map((j) => j.jobId),
  },
];

for (const kind of kinds) {
  describe(kind.name, () => {
    test("refresh: jobs deleted out of band leave the state, the others' statuses are recorded", async ({ emu, stack, host }) => {
      const ids = kind.seed(emu, 3);
      await stack.up(await program([kind.declare(ids)]));
      kind.vanish(emu, [ids[1]!]);
      emu.resetCalls();

      await stack.refresh();

      const set = stack.resource("set")!;
      expect(set.outputs[kind.idsProperty]).toEqual([ids[0], ids[2]]);
      expect(set.outputs.jobStatuses).toHaveLength(2);
      expect((set.outputs.jobStatuses as string[]).every((status) => typeof status === "string" && status.length > 0)).toBe(true);
      expect(set.inputs[kind.idsProperty]).toEqual([ids[0], ids[2]]);
      expect(host.logs()).toContain(`1 of 3 jobs no longer exist and leave the state: ${ids[1]}`);
      // Reads only.
      expect(emu.calls().every((c) => /\.(list|state|detail)$/.test(c.op))).toBe(true);
    });

    test("import from an ID alone: where and which jobs come from the ID", async ({ emu, host }) => {
      await host.configure({});
      const ids = kind.seed(emu, 2);
      const run = await program([kind.declare(ids)]);
      const provider = run.resources[0]!.inputs.__provider;
      const result = await host.read(kind.importId(ids), urn(kind.token, "imported", PROJECT), { __provider: provider });
      expect(result.id).toBe(kind.importId(ids));
      expect(result.properties[kind.idsProperty]).toEqual(ids);
      expect(result.properties.jobStatuses).toHaveLength(ids.length);
      // IDs made by create name no jobs (a random suffix now, a digest before): refused, naming the form that works.
      const place = kind.importId(ids).split("/").slice(0, -1).join("/");
      for (const made of [`${place}/set-0123456789abcdef`, `${place}/sha-0123456789abcdef`]) {
        const error = await failure(host.read(made, urn(kind.token, "x", PROJECT), { __provider: provider }));
        expect(error.message).toMatch(/was made by create and names no jobs; import with .*<id>,<id>/);
      }
    });

    test("a create-made ID ends in a random suffix, not in anything derived from the job IDs", async ({ emu, host }) => {
      await host.configure({});
      const ids = kind.seed(emu, 2);
      const run = await program([kind.declare(ids)]);
      const set = run.resources[0]!;
      const checked = await host.check(set.urn, {}, set.inputs);
      const first = await host.create(set.urn, checked.inputs);
      const second = await host.create(set.urn, checked.inputs);
      const place = kind.importId(ids).split("/").slice(0, -1).join("/");
      for (const made of [first.id, second.id]) expect(made).toMatch(new RegExp(`^${place}/set-[0-9a-f]{16}$`));
      // The same jobs in the same place get different IDs: a digest of the job IDs would give the same one twice.
      expect(first.id).not.toBe(second.id);
    });

    test("update: removed IDs are torn down, added IDs verified and adopted", async ({ emu, stack }) => {
      const [a, b, c] = kind.seed(emu, 3);
      await stack.up(await program([kind.declare([a!, b!])]));
      await stack.up(await program([kind.declare([a!, c!])]));
      expect(stack.resource("set")!.outputs[kind.idsProperty]).toEqual([a, c]);
      expect(kind.alive(emu).sort()).toEqual([a, c].sort());
    });
  });
}

describe("check", () => {
  test("a preview's unknown job list is not judged; known inputs still are; no request", async ({ emu, host }) => {
    const run = await program([flinkSet("s", { jobIds: [1] })]);
    const provider = run.resources[0]!.inputs.__provider;
    const u = urn(FLINK, "s", PROJECT);
    const unknownIds = await host.check(u, {}, { __provider: provider, jobIds: UNKNOWN_VALUE });
    expect(unknownIds.failures).toEqual([]);
    const unknownElement = await host.check(u, {}, { __provider: provider, jobIds: [UNKNOWN_VALUE, 5], teardown: "nuke" });
    expect(unknownElement.failures.map((f) => f.property)).toEqual(["teardown"]);
    expect(emu.calls()).toEqual([]);
  });

  test("a mistyped jobsets: config key fails check, naming it with a likely fix", async ({ emu, host }) => {
    const run = await program([flinkSet("s", { jobIds: [1] })]);
    await host.configure({ "jobsets:acessKey": "x", "jobsets:region": "cn-north-4", "jobsets-fixture:sets": "[]" });
    const result = await host.check(urn(FLINK, "s", PROJECT), {}, run.resources[0]!.inputs);
    expect(result.failures).toEqual([
      expect.objectContaining({ property: "jobsets:acessKey", reason: expect.stringContaining('did you mean "jobsets:accessKey"?') }),
    ]);
    expect(emu.calls()).toEqual([]);
  });
});

describe("check with a lower ceiling", () => {
  test.override({ hostEnv: { JOBSETS_MAX_JOBS_PER_SET: "3" } });

  test("a set above jobsets:maxJobsPerSet fails at its ID list, no request", async ({ emu, stack }) => {
    const error = await failure(stack.up(await program([flinkSet("big", { jobIds: [1, 2, 3, 4] })])));
    expect((error as unknown as { failures: { property: string; reason: string }[] }).failures).toEqual([
      { property: "jobIds", reason: "a set holds at most 3 jobs (jobsets:maxJobsPerSet), received 4: split it into several sets" },
    ]);
    expect(emu.calls()).toEqual([]);
  });
});

describe("mass-teardown guard", () => {
  describe("per set", () => {
    test.override({ hostEnv: { JOBSETS_MAX_JOBS_PER_TEARDOWN: "3" } });

    test("a set above the limit is refused before any request and left untouched; the message says how to proceed", async ({ emu, stack }) => {
      const ids = emu.seedFlinkJobs(P, [{}, {}, {}, {}]);
      await stack.up(await program([flinkSet("big", { jobIds: ids })]));
      emu.resetCalls();

      const error = await failure(stack.destroy());

      expect(error.message).toMatch(/refusing to tear down 4 jobs of set dli-flink\/[0-9a-f]{32}\/set-[0-9a-f]{16}: more than jobsets:maxJobsPerTeardown \(JOBSETS_MAX_JOBS_PER_TEARDOWN\) = 3/);
      expect(error.message).toContain("Nothing was sent");
      expect(error.message).toContain("JOBSETS_ALLOW_MASS_TEARDOWN=1");
      expect(emu.calls()).toEqual([]);
      expect(emu.flinkJobs(P).map((j) => j.jobId).sort()).toEqual([...ids].sort());
      expect(stack.resource("big")).toBeDefined();
    });

    test("an update removing more IDs than the limit is refused, nothing torn down; at the limit it goes", async ({ emu, stack }) => {
      const ids = emu.seedFlinkJobs(P, [{}, {}, {}, {}, {}]);
      await stack.up(await program([flinkSet("s", { jobIds: ids })]));
      emu.resetCalls();

      const error = await failure(stack.up(await program([flinkSet("s", { jobIds: ids.slice(4) })])));
      expect(error.message).toMatch(/refusing to tear down 4 jobs/);
      expect(emu.calls()).toEqual([]);
      expect(stack.resource("s")!.outputs.jobIds).toEqual(ids);

      await stack.up(await program([flinkSet("s", { jobIds: ids.slice(3) })]));
      expect(idsSent(emu, "flink.delete").sort()).toEqual(ids.slice(0, 3).sort());
      expect(stack.resource("s")!.outputs.jobIds).toEqual(ids.slice(3));
    });
  });

  describe("per set, with the override", () => {
    test.override({ hostEnv: { JOBSETS_MAX_JOBS_PER_TEARDOWN: "3", JOBSETS_ALLOW_MASS_TEARDOWN: "1" } });

    test("JOBSETS_ALLOW_MASS_TEARDOWN=1 lets the large teardown go ahead", async ({ emu, stack }) => {
      const ids = emu.seedFlinkJobs(P, [{}, {}, {}, {}]);
      await stack.up(await program([flinkSet("big", { jobIds: ids })]));
      await stack.destroy();
      expect(emu.flinkJobs(P)).toEqual([]);
    });
  });

  describe("per destroy", () => {
    test.override({ hostEnv: { JOBSETS_MAX_JOBS_PER_DESTROY: "5" } });

    test("a budget spanning several sets: the set that would pass it is refused and untouched, the others go", async ({ emu, stack }) => {
      const first = emu.seedFlinkJobs(P, [{}, {}, {}]);
      const second = emu.seedFlinkJobs(P, [{}, {}, {}]);
      await stack.up(await program([flinkSet("first", { jobIds: first }), flinkSet("second", { jobIds: second })]));

      const error = await failure(stack.destroy());

      expect(error.message).toMatch(/with the 3 already torn down by this run that would pass jobsets:maxJobsPerDestroy \(JOBSETS_MAX_JOBS_PER_DESTROY\) = 5/);
      // One set went, the other is untouched and still in state.
      expect(stack.state()).toHaveLength(1);
      const left = stack.state()[0]!.outputs.jobIds as string[];
      expect(emu.flinkJobs(P).map((j) => j.jobId).sort()).toEqual([...left].sort());
    });
  });
});
