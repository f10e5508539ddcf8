// Secret inputs stay secret: a program that passes its job IDs as secrets (`pulumi.secret`) gets them back as secret
// outputs of the same name, as the engine marks them (annotateSecrets: an output is secret when the input of the
// same name was), in state after create and after an update; the plain IDs appear nowhere else in state, nor in
// the host's output; and the teardown, which receives them stripped of their secretness, still works. After a
// refresh they stay secret too (a regression test: they once leaked through `jobStatuses`).
//
// The credentials side (no AK, SK, security token, IAM password or token, QingCloud key in state, the serialized
// provider, the hosts' output or any error across the fault scenarios) is checked at the end of the fault suite,
// test/reliability/faults.test.ts, which has those runs at hand.
import { describe, expect } from "vitest";
import { isSecret, type StateResource } from "./harness/engine";
import { DEFAULT_PROJECT_ID, ehpcSet, flinkSet, mrsSet, program, sparkSet, test, type Declaration } from "./helpers/jobsets";

const P = DEFAULT_PROJECT_ID;
const CLUSTER = "mrs-secrets";
const ZONE = "pek3";
const EHPC_CLUSTER = "ehpc-secrets";

/** A declaration whose listed arguments the fixture program wraps in `pulumi.secret`. */
function secretly(declaration: Declaration, ...secretArgs: string[]): Declaration {
  return { ...declaration, secretArgs } as Declaration;
}

/** The state as JSON with every secret's value blanked: what anyone reading it without the key sees. */
function withoutSecretValues(state: StateResource[]): string {
  return JSON.stringify(state, (_key, value: unknown) => (isSecret(value) ? "[secret]" : value));
}

describe("job IDs passed as secrets", () => {
  test("stay secret outputs of every kind, through create and update, and are still torn down", async ({ emu, stack, host }) => {
    const flink = emu.seedFlinkJobs(P, [{}, {}]);
    const spark = emu.seedSparkBatches(P, [{}, {}]);
    const mrs = emu.seedMrsJobs(P, CLUSTER, [{ state: "FINISHED" }, { state: "FINISHED" }]);
    const ehpc = emu.seedEhpcJobs(ZONE, EHPC_CLUSTER, [{ status: "finished" }, { status: "finished" }]);
    const sets = (keep: number) => [
      secretly(flinkSet("flink", { jobIds: flink.slice(0, keep) }), "jobIds"),
      secretly(sparkSet("spark", { batchIds: spark.slice(0, keep) }), "batchIds"),
      secretly(mrsSet("mrs", { clusterId: CLUSTER, jobIds: mrs.slice(0, keep) }), "jobIds"),
      secretly(ehpcSet("ehpc", { zone: ZONE, clusterId: EHPC_CLUSTER, jobIds: ehpc.slice(0, keep) }), "jobIds"),
    ];
    const ids = { flink: "jobIds", spark: "batchIds", mrs: "jobIds", ehpc: "jobIds" } as const;
    const allIds = [...flink, ...spark, ...mrs, ...ehpc];

    const run = await program(sets(2));
    // The program really registered secrets.
    for (const resource of run.resources) expect(isSecret(resource.inputs[ids[resource.name as keyof typeof ids]])).toBe(true);
    await stack.up(run);
    for (const [name, property] of Object.entries(ids)) {
      const entry = stack.resource(name)!;
      expect(isSecret(entry.inputs[property]), `${name}: input ${property}`).toBe(true);
      expect(isSecret(entry.outputs[property]), `${name}: output ${property}`).toBe(true);
      expect((entry.outputs[property] as { value: unknown }).value).toHaveLength(2);
    }
    expect(allIds.filter((id) => withoutSecretValues(stack.state()).includes(id))).toEqual([]);


    // An update that drops one job from each set (tearing it down) keeps the rest secret.
    await stack.up(await program(sets(1)));
    for (const [name, property] of Object.entries(ids)) {
      const entry = stack.resource(name)!;
      expect(isSecret(entry.outputs[property]), `${name}: output ${property} after the update`).toBe(true);
      expect((entry.outputs[property] as { value: unknown }).value).toHaveLength(1);
    }
    expect(allIds.filter((id) => withoutSecretValues(stack.state()).includes(id))).toEqual([]);

    await stack.destroy();
    expect(stack.state()).toEqual([]);
    expect(emu.flinkJobs(P)).toEqual([]);
    expect(emu.sparkBatches(P).every((b) => b.state === "dead")).toBe(true);
    expect(emu.mrsJobs(P, CLUSTER)).toEqual([]);
    expect(emu.ehpcJobs(ZONE, EHPC_CLUSTER)).toEqual([]);
    // Progress lines count jobs; they never list secret IDs.
    expect(allIds.filter((id) => host.logs().includes(id))).toEqual([]);
  });
});

describe("job IDs passed as secrets, after a refresh", () => {
  // Regression: `jobStatuses` was once a map keyed by job ID; the engine keeps an output secret only when the
  // input of the same name was secret, so secret IDs used as keys landed in state in plain text. It is now a
  // list in the order of jobIds.
  test("a refresh records statuses without writing the secret IDs in plain text", async ({ emu, stack }) => {
    const flink = emu.seedFlinkJobs(P, [{}, {}]);
    await stack.up(await program([secretly(flinkSet("flink", { jobIds: flink }), "jobIds")]));
    expect(flink.filter((id) => withoutSecretValues(stack.state()).includes(id))).toEqual([]);

    await stack.refresh();

    const entry = stack.resource("flink")!;
    expect(isSecret(entry.outputs.jobIds)).toBe(true);
    expect(entry.outputs.jobStatuses).toEqual(["job_running", "job_running"]);
    expect(flink.filter((id) => withoutSecretValues(stack.state()).includes(id))).toEqual([]);
  });
});
