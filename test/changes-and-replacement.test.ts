// What a change of each property does, through the real provider host against the emulator, for every kind:
// a change of endpoint only (given, or the default from another environment) is an update in place that sends
// no teardown request; a replacement (create-before-delete) never tears down a job the new set holds in the same
// place, however its endpoint is spelled; a change of place tears down the jobs left behind.
import { describe, expect } from "vitest";
import type { Emulator } from "../emulator";
import { Stack } from "./harness/engine";
import { startProvider, urn } from "./harness/provider-host";
import { PROGRAM_DIR, PROJECT, emulatorEnv, flinkSet, mrsSet, program, test } from "./helpers/jobsets";
import { CLUSTER, P, TEST_KINDS } from "./helpers/kinds";

const OTHER_CLUSTER = "c6d2e4f3-9a5b-4d7c-8e3f-1b2c3d4e5f60";

/** Every request that stops, cancels, kills or deletes a job: none may be sent by a change that keeps the jobs. */
const TEARDOWN_OPS = new Set(["flink.stop", "flink.delete", "flink.deleteOne", "spark.cancel", "mrs.kill", "mrs.batchDelete", "ehpc.stop", "ehpc.delete"]);

function teardownCalls(emu: Emulator): string[] {
  return emu.calls().filter((call) => TEARDOWN_OPS.has(call.op)).map((call) => call.op);
}

/** The emulator's endpoint as first written, and respelled: `localhost` for `127.0.0.1`, the same server and port. */
const written = (emu: Emulator) => emu.urlFor("127.0.0.1");
const respelled = (emu: Emulator) => emu.urlFor("localhost");

// The emulator answers on 127.0.0.1 and ::1 alike, so `localhost` reaches it wherever it resolves.
// (Its `url`, which the provider host's environment points at, is the 127.0.0.1 spelling.)
test.override({ emulatorOptions: { host: "localhost", stopDelayMs: 50 } });

for (const kind of TEST_KINDS) {
  describe(kind.name, () => {
    test("an endpoint respelled (127.0.0.1 → localhost, same port) is an update in place: no teardown request", async ({ emu, stack }) => {
      const ids = kind.seed(emu, 2);
      await stack.up(await program([kind.declare("set", ids, { endpoint: written(emu) })]));
      const id = stack.resource("set")!.id;
      emu.resetCalls();

      const steps = await stack.up(await program([kind.declare("set", ids, { endpoint: respelled(emu) })]));

      expect(steps.map((step) => step.op)).toEqual(["update"]);
      expect(teardownCalls(emu)).toEqual([]);
      expect(kind.alive(emu).sort()).toEqual([...ids].sort());
      const set = stack.resource("set")!;
      expect(set.id).toBe(id);
      expect(set.outputs.endpoint).toBe(respelled(emu));

      // The set's jobs are torn down through the endpoint it now records.
      emu.resetCalls();
      await stack.destroy();
      expect(kind.alive(emu)).toEqual([]);
      expect(emu.calls().length).toBeGreaterThan(0);
      expect(emu.calls().every((call) => call.headers.host === new URL(respelled(emu)).host)).toBe(true);
    });

    test("a replacement whose new set holds the same jobs in the same place tears none of them down", async ({ emu, host }) => {
      // What the engine does for `pulumi up --replace` (or `replaceOnChanges`): Check, Create of the new set, and at
      // the end of the run Delete of the old one with its old outputs. The new set reaches the jobs by another
      // spelling of the endpoint: the same place.
      await host.configure({});
      const [kept, dropped] = kind.seed(emu, 2);
      const [before, after] = (await program([kind.declare("set", [kept!, dropped!]), kind.declare("next", [kept!], { endpoint: respelled(emu) })])).resources;
      const u = urn(before!.type, "set", PROJECT);
      const old = await host.create(u, (await host.check(u, {}, before!.inputs)).inputs);
      const replacement = await host.create(u, (await host.check(u, {}, after!.inputs)).inputs);
      expect(replacement.id).not.toBe(old.id);
      emu.resetCalls();

      await host.delete(old.id, u, old.properties);

      // Only the job the new set dropped is torn down.
      expect(kind.alive(emu)).toEqual([kept]);
      expect(host.logs()).toContain(`1 of the 2 jobs to tear down for set ${old.id} are left alone: set ${replacement.id} now holds them in the same place`);

      // Once the new set is deleted too, nothing holds the job: it is torn down.
      await host.delete(replacement.id, u, replacement.properties);
      expect(kind.alive(emu)).toEqual([]);
    });

    test("a set renamed without an alias: the old set's delete leaves the jobs the new set holds", async ({ emu, stack }) => {
      const [a, b, c] = kind.seed(emu, 3);
      await stack.up(await program([kind.declare("old-name", [a!, b!, c!])]));
      emu.resetCalls();

      const steps = await stack.up(await program([kind.declare("new-name", [a!, b!])]));

      expect(steps.map((step) => `${step.op} ${step.urn.split("::").pop()}`)).toEqual(["create new-name", "delete old-name"]);
      expect(kind.alive(emu).sort()).toEqual([a, b].sort());
    });
  });
}

describe("the default endpoint", () => {
  test("computed from another environment (another shell, CI runner): an update in place, no teardown request", async ({ emu, stack }) => {
    const ids = emu.seedFlinkJobs(P, [{}, {}]);
    await stack.up(await program([flinkSet("set", { jobIds: ids })]));
    expect(stack.resource("set")!.outputs.endpoint).toBe(written(emu));
    emu.resetCalls();

    // The same program and state, run where JOBSETS_DLI_ENDPOINT spells the endpoint differently.
    const elsewhere = await startProvider({ cwd: PROGRAM_DIR, project: PROJECT, env: emulatorEnv(emu, { JOBSETS_DLI_ENDPOINT: respelled(emu) }) });
    try {
      const later = new Stack(elsewhere, { state: stack.state() });
      const steps = await later.up(await program([flinkSet("set", { jobIds: ids })]));
      expect(steps.map((step) => step.op)).toEqual(["update"]);
      expect(teardownCalls(emu)).toEqual([]);
      expect(emu.flinkJobs(P).map((j) => j.jobId).sort()).toEqual([...ids].sort());
      expect(later.resource("set")!.outputs.endpoint).toBe(respelled(emu));
    } finally {
      await elsewhere.stop();
    }
  });
});

describe("a change of place", () => {
  test("another MRS cluster replaces the set: the new executions are adopted, the old ones torn down", async ({ emu, stack }) => {
    const [old] = emu.seedMrsJobs(P, CLUSTER, [{ state: "RUNNING" }]);
    const [moved] = emu.seedMrsJobs(P, OTHER_CLUSTER, [{ state: "RUNNING" }]);
    await stack.up(await program([mrsSet("set", { clusterId: CLUSTER, jobIds: [old] })]));

    const steps = await stack.up(await program([mrsSet("set", { clusterId: OTHER_CLUSTER, jobIds: [moved] })]));

    expect(steps.map((step) => step.op)).toEqual(["replace", "create-replacement", "delete-replaced"]);
    expect(emu.mrsJobs(P, CLUSTER)).toEqual([]);
    expect(emu.mrsJobs(P, OTHER_CLUSTER).map((j) => j.jobId)).toEqual([moved]);
  });
});
