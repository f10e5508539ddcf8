// The rest of the Pulumi lifecycle through the real provider host, for every kind: refresh after
// out-of-band deletions, import from an ID alone, update with added and removed IDs; and check's handling
// of a preview's unknown values, of mistyped stack config keys and of the per-set ceiling; and the
// mass-teardown guard (refused sets untouched, the override honoured, a budget spanning several sets).
import { describe, expect } from "vitest";
import { UNKNOWN_VALUE, urn } from "./harness/provider-host";
import { FLINK, PROJECT, failure, flinkSet, idsSent, program, test } from "./helpers/jobsets";
import { P, TEST_KINDS } from "./helpers/kinds";

for (const kind of TEST_KINDS) {
  describe(kind.name, () => {
    test("refresh: jobs deleted out of band leave the state, the others' statuses are recorded", async ({ emu, stack, host }) => {
      const ids = kind.seed(emu, 3);
      await stack.up(await program([kind.declare("set", ids)]));
      kind.vanish(emu, [ids[1]!]);
      emu.resetCalls();

      await stack.refresh();

      const set = stack.resource("set")!;
      expect(set.outputs[kind.idsProperty]).toEqual([ids[0], ids[2]]);
      expect(set.outputs.jobStatuses).toHaveLength(2);
      expect((set.outputs.jobStatuses as string[]).every((status) => typeof status === "string" && status.length > 0)).toBe(true);
      expect(set.inputs[kind.idsProperty]).toEqual([ids[0], ids[2]]);
      // A warning, sent to the engine's log before the read answered (the dynamic host is not told the URN).
      expect(host.engineMessages()).toContainEqual({ severity: "warning", message: expect.stringContaining(`: 1 of 3 jobs no longer exist and leave the state: ${ids[1]}`), urn: "", ephemeral: false });
      // Reads only.
      expect(emu.calls().every((c) => /\.(list|state|detail)$/.test(c.op))).toBe(true);
    });

    test("import from an ID alone: where and which jobs come from the ID", async ({ emu, host }) => {
      await host.configure({});
      const ids = kind.seed(emu, 2);
      const run = await program([kind.declare("set", ids)]);
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
      const run = await program([kind.declare("set", ids)]);
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
      await stack.up(await program([kind.declare("set", [a!, b!])]));
      await stack.up(await program([kind.declare("set", [a!, c!])]));
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
