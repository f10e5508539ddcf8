// Sets by selector, for every kind, through the real dynamic-provider host against the emulator: a set holds the jobs
// whose name starts with `namePrefix` in queue `queueName`, matched at up and refresh and again at destroy, so jobs
// submitted after the last up are torn down too, and its neighbours (the prefix in another queue, the queue without
// the prefix, the prefix only inside the name) are never touched.
import { describe, expect } from "vitest";
import type { Emulator } from "../emulator";
import { isSecret } from "./harness/engine";
import { failure, program, test, type Declaration } from "./helpers/jobsets";
import { CLUSTER, EHPC_CLUSTER, P, TEST_KINDS, ZONE, type TestKind } from "./helpers/kinds";

/** A job as a pipeline submits it: a name and a queue. */
interface Submitted {
  name: string;
  queue: string;
}

/** Seeds running jobs with these names and queues where each kind's sets live; returns their IDs in order. */
function submit(kind: TestKind, emu: Emulator, jobs: Submitted[]): string[] {
  switch (kind.kind) {
    case "dli.FlinkJobSet":
      return emu.seedFlinkJobs(P, jobs.map((job) => ({ ...job, status: "job_running" })));
    case "dli.SparkBatchSet":
      return emu.seedSparkBatches(P, jobs.map((job) => ({ ...job, state: "running" })));
    case "mrs.JobExecutionSet":
      return emu.seedMrsJobs(P, CLUSTER, jobs.map((job) => ({ ...job, state: "RUNNING" as const })));
    case "ehpc.JobSet":
      return emu.seedEhpcJobs(ZONE, EHPC_CLUSTER, jobs.map((job) => ({ ...job, status: "running" as const })));
  }
}

const LIST_OP: Record<TestKind["kind"], string> = {
  "dli.FlinkJobSet": "flink.list",
  "dli.SparkBatchSet": "spark.list",
  "mrs.JobExecutionSet": "mrs.list",
  "ehpc.JobSet": "ehpc.list",
};

/** The op that deletes, for the kinds whose teardown deletes (Spark batches are cancelled and stay listed). */
const DELETE_OP: Partial<Record<TestKind["kind"], string>> = {
  "dli.FlinkJobSet": "flink.delete",
  "mrs.JobExecutionSet": "mrs.batchDelete",
  "ehpc.JobSet": "ehpc.delete",
};

/** The list filters a selection of SELECTOR sends. */
const FILTERS: Record<TestKind["kind"], Record<string, string>> = {
  "dli.FlinkJobSet": { name: "nightly-", queue_name: "etl" },
  "dli.SparkBatchSet": { job_name: "nightly-", queue_name: "etl" },
  "mrs.JobExecutionSet": { job_name: "nightly-" },
  "ehpc.JobSet": { search_word: "nightly-", queue_name: "etl" },
};

/** A set of `kind` that holds only what `selector` matches (no IDs), where `submit` puts jobs. */
function selectorSet(kind: TestKind, selector: Record<string, unknown>, extra: Record<string, unknown> = {}): Declaration {
  const declared = kind.declare("nightly", [], { selector, waitTimeoutSeconds: 30, ...extra });
  const { [kind.idsProperty]: _ids, ...args } = declared.args;
  return { ...declared, args };
}

const SELECTOR = { namePrefix: "nightly-", queueName: "etl" };

/** One matching job, and the neighbours no selector of ours may touch. */
function neighbourhood(kind: TestKind, emu: Emulator) {
  const [member] = submit(kind, emu, [{ name: "nightly-2026-12-01", queue: "etl" }]);
  const neighbours = submit(kind, emu, [
    { name: "nightly-2026-12-01", queue: "adhoc" }, // the prefix in another queue
    { name: "hourly-0400", queue: "etl" }, // the queue without the prefix
    { name: "rerun-nightly-2026-12-01", queue: "etl" }, // the prefix inside the name: a substring filter matches it
  ]);
  return { member: member!, neighbours };
}

/** The value of a secret output; fails when the output is not a secret. */
function secretValue(value: unknown): unknown {
  expect(isSecret(value), "a secret output").toBe(true);
  return (value as { value: unknown }).value;
}

describe.each(TEST_KINDS)("a set by selector: $name", (kind) => {
  test("up records what the selector matches; destroy also tears down a job submitted since, and nothing else", async ({ emu, stack }) => {
    const { member, neighbours } = neighbourhood(kind, emu);
    await stack.up(await program([selectorSet(kind, SELECTOR)]));
    const outputs = stack.resource("nightly")!.outputs;
    expect(secretValue(outputs.selectedIds)).toEqual([member]);
    expect(outputs.selector).toEqual(SELECTOR);
    expect(outputs[kind.idsProperty]).toEqual([]);
    const [late] = submit(kind, emu, [{ name: "nightly-2026-12-02", queue: "etl" }]);
    emu.resetCalls();

    await stack.destroy();

    expect(kind.alive(emu).sort()).toEqual([...neighbours].sort());
    expect(kind.alive(emu)).not.toContain(late);
    expect(stack.state()).toEqual([]);
    // The list was read with the API's own filters (MRS has none for the queue).
    expect(emu.calls({ op: LIST_OP[kind.kind] })[0]!.query).toMatchObject(FILTERS[kind.kind]);
  });

  test("IDs and a selector together: the set holds both", async ({ emu, stack }) => {
    const { member, neighbours } = neighbourhood(kind, emu);
    const [declared] = submit(kind, emu, [{ name: "manual-1", queue: "adhoc" }]);
    const set = selectorSet(kind, SELECTOR);
    await stack.up(await program([{ ...set, args: { ...set.args, [kind.idsProperty]: [declared] } }]));
    expect(secretValue(stack.resource("nightly")!.outputs.selectedIds)).toEqual([member]);

    await stack.destroy();

    expect(kind.alive(emu).sort()).toEqual([...neighbours].sort());
  });

  test("refresh records the jobs submitted since the last up", async ({ emu, stack }) => {
    const { member } = neighbourhood(kind, emu);
    await stack.up(await program([selectorSet(kind, SELECTOR)]));
    const late = submit(kind, emu, [
      { name: "nightly-2026-12-02", queue: "etl" },
      { name: "nightly-2026-12-03", queue: "etl" },
    ]);

    await stack.refresh();

    expect((secretValue(stack.resource("nightly")!.outputs.selectedIds) as string[]).sort()).toEqual([member, ...late].sort());
  });

  test("a changed selector is an update in place that tears down the jobs it drops, with the set's mode", async ({ emu, stack }) => {
    const { member, neighbours } = neighbourhood(kind, emu);
    await stack.up(await program([selectorSet(kind, SELECTOR)]));
    const [late] = submit(kind, emu, [{ name: "nightly-2026-12-02", queue: "etl" }]);
    const [other] = submit(kind, emu, [{ name: "weekly-49", queue: "etl" }]);
    const idBefore = stack.resource("nightly")!.id;

    await stack.up(await program([selectorSet(kind, { namePrefix: "weekly-", queueName: "etl" })]));

    expect(stack.resource("nightly")!.id).toBe(idBefore);
    expect(secretValue(stack.resource("nightly")!.outputs.selectedIds)).toEqual([other]);
    // Both the recorded member and the one submitted since were the old selector's: both are gone.
    expect(kind.alive(emu)).not.toContain(member);
    expect(kind.alive(emu)).not.toContain(late);
    expect(kind.alive(emu).sort()).toEqual([...neighbours, other].sort());
  });

  test("a selector that matches nothing yet is a warning, not a failure", async ({ emu, stack, host }) => {
    submit(kind, emu, [{ name: "hourly-0400", queue: "etl" }]);

    await stack.up(await program([selectorSet(kind, { namePrefix: "nightly-" })]));

    expect(secretValue(stack.resource("nightly")!.outputs.selectedIds)).toEqual([]);
    expect(host.logs()).toMatch(/the selector \(names starting with "nightly-"\) matches no job yet/);
  });

  describe("the mass-teardown guard", () => {
    test.override({ hostEnv: { JOBSETS_MAX_JOBS_PER_TEARDOWN: "2" } });

    test("counts what the selector matches at the destroy, jobs submitted since included", async ({ emu, stack }) => {
      neighbourhood(kind, emu);
      await stack.up(await program([selectorSet(kind, SELECTOR)]));
      const late = submit(kind, emu, [
        { name: "nightly-2026-12-02", queue: "etl" },
        { name: "nightly-2026-12-03", queue: "etl" },
      ]);
      const aliveBefore = kind.alive(emu).sort();
      emu.resetCalls();

      const error = await failure(stack.destroy());

      expect(error.message).toMatch(/refusing to tear down 3 jobs of set .*: more than jobsets:maxJobsPerTeardown/);
      expect(kind.alive(emu).sort()).toEqual(aliveBefore);
      expect(kind.alive(emu)).toEqual(expect.arrayContaining(late));
      // Only list calls: nothing was stopped, cancelled, killed or deleted.
      expect(emu.calls().every((call) => call.op === LIST_OP[kind.kind] || call.op.startsWith("iam."))).toBe(true);
      expect(stack.state()).toHaveLength(1);
    });
  });
});

describe.each(TEST_KINDS.filter((kind) => DELETE_OP[kind.kind]))("selected members of a deleting set: $name", (kind) => {
  test("follow the verified-teardown rules: a delete answered \"success\" that left the job listed is sent again", async ({ emu, stack }) => {
    const { member, neighbours } = neighbourhood(kind, emu);
    await stack.up(await program([selectorSet(kind, SELECTOR)]));
    const [late] = submit(kind, emu, [{ name: "nightly-2026-12-02", queue: "etl" }]);
    const deleteOp = DELETE_OP[kind.kind]!;
    emu.lieOnDelete(deleteOp, [late!], { times: 1 });
    emu.resetCalls();

    await stack.destroy();

    expect(kind.alive(emu).sort()).toEqual([...neighbours].sort());
    expect(kind.alive(emu)).not.toContain(member);
    expect(emu.calls({ op: deleteOp }).length).toBeGreaterThanOrEqual(2);
  });
});

describe("DLI Flink: a list entry without the name or queue", () => {
  test("is read by its detail call before it is judged (DLI's list may leave those out)", async ({ emu, stack }) => {
    const kind = TEST_KINDS[0]!;
    const [member, neighbour] = submit(kind, emu, [
      { name: "nightly-2026-12-01", queue: "etl" },
      { name: "nightly-2026-12-01", queue: "adhoc" },
    ]);
    const bare = (jobId: string) => ({ job_id: jobId, status: "job_running" });
    emu.failNext("flink.list", { status: 200, body: { is_success: "true", message: "", job_list: { total_count: 2, jobs: [bare(member!), bare(neighbour!)] } } });
    emu.resetCalls();

    await stack.up(await program([selectorSet(kind, SELECTOR)]));

    expect(secretValue(stack.resource("nightly")!.outputs.selectedIds)).toEqual([member]);
    expect(emu.calls({ op: "flink.detail" }).map((call) => call.path.split("/").pop()).sort()).toEqual([member, neighbour].sort());
  });
});

describe("bad selectors fail check, and nothing is sent", () => {
  const bad: { defect: string; args: Record<string, unknown>; reason: RegExp }[] = [

    { defect: "an empty selector", args: { selector: {} }, reason: /a selector must give a non-empty namePrefix, queueName, or both/ },
    { defect: "a selector of empty strings", args: { selector: { namePrefix: "", queueName: "" } }, reason: /a selector must give a non-empty namePrefix, queueName, or both/ },
    { defect: "a selector that is a string", args: { selector: "nightly-" }, reason: /expected selector as an object \{ namePrefix\?, queueName\? \}, received "nightly-"/ },
  ];

  test.for(TEST_KINDS.flatMap((kind) => bad.map((row) => ({ ...row, kind, name: kind.name }))))("$name: $defect", async ({ kind, args, reason }, { emu, host }) => {
    const run = await program([selectorSet(kind, SELECTOR)]);
    await host.configure(run.config, { secretKeys: run.secretKeys });
    const resource = run.resources.find((r) => r.name === "nightly")!;
    const { selector: _valid, ...rest } = resource.inputs;
    emu.resetCalls();

    const { failures } = await host.check(resource.urn, {}, { ...rest, ...args });

    expect(failures.map((f) => f.property)).toEqual(["selector"]);
    expect(failures[0]!.reason).toMatch(reason);
    expect(emu.calls()).toEqual([]);
  });

  test.for(TEST_KINDS)("$name: neither IDs nor a selector fails at the ID list, naming the selector", async (kind, { emu, host }) => {
    const run = await program([selectorSet(kind, SELECTOR)]);
    await host.configure(run.config, { secretKeys: run.secretKeys });
    const resource = run.resources.find((r) => r.name === "nightly")!;
    const { selector: _valid, ...rest } = resource.inputs;
    emu.resetCalls();

    const { failures } = await host.check(resource.urn, {}, rest);

    expect(failures.map((f) => f.property)).toEqual([kind.idsProperty]);
    expect(failures[0]!.reason).toMatch(new RegExp(`expected a list of .*, received undefined; a set needs ${kind.idsProperty}, a selector \\(\\{ namePrefix\\?, queueName\\? \\}\\), or both`));
    expect(emu.calls()).toEqual([]);
  });

  test("a selector field that is not a string is named by its path", async ({ emu, host }) => {
    const kind = TEST_KINDS[1]!;
    const run = await program([selectorSet(kind, SELECTOR)]);
    await host.configure(run.config, { secretKeys: run.secretKeys });
    const resource = run.resources.find((r) => r.name === "nightly")!;
    emu.resetCalls();

    const { failures } = await host.check(resource.urn, {}, { ...resource.inputs, selector: { namePrefix: 7 } });

    expect(failures).toEqual([{ property: "selector.namePrefix", reason: "expected selector.namePrefix as a string, received 7" }]);
    expect(emu.calls()).toEqual([]);
  });
});
