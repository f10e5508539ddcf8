// Secret inputs stay secret: a program that passes its job IDs as secrets (`pulumi.secret`) gets them back as secret
// outputs of the same name, as the engine marks them (annotateSecrets: an output is secret when the input of the
// same name was), in state after create and after an update; the plain IDs appear nowhere else in state, nor in
// the host's output; and the teardown, which receives them stripped of their secretness, still works. After a
// refresh they stay secret too (a regression test: they once leaked through `jobStatuses`).
//
// The paths that name jobs are held to the same bar: a partial teardown's error, a wait that times out and a refresh
// that finds jobs gone each report what happened (how many jobs, which step) without printing a secret job ID, an AK,
// SK, security token or QingCloud key in the error, the host's output or the state.
//
// The credentials side of the fault scenarios (no AK, SK, security token, IAM password or token, QingCloud key in
// state, the serialized provider, the hosts' output or any error) is checked at the end of the fault suite,
// test/reliability/faults.test.ts, which has those runs at hand.
import { describe, expect } from "vitest";
import { isSecret, type StateResource } from "./harness/engine";
import { DEFAULT_PROJECT_ID, ehpcSet, failure, flinkSet, mrsSet, program, sparkSet, test, type Declaration } from "./helpers/jobsets";
import { emulatorCredentials, leaks, makeCredentials, secretValues } from "./helpers/reliability";

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

/** Credentials made up for this file, so a leak is found by exact match (the defaults appear in fixtures). */
const creds = makeCredentials();
const credentialsEnv = {
  HW_ACCESS_KEY: creds.accessKey,
  HW_SECRET_KEY: creds.secretKey,
  HW_SECURITY_TOKEN: creds.securityToken,
  QY_ACCESS_KEY_ID: creds.qingcloudAccessKeyId,
  QY_SECRET_ACCESS_KEY: creds.qingcloudSecretAccessKey,
};

/** A set of each kind over `ids`, its IDs wrapped in `pulumi.secret`. */
function secretSets(ids: { flink: string[]; spark: string[]; mrs: string[]; ehpc: string[] }, args: Record<string, unknown> = {}): Declaration[] {
  return [
    secretly(flinkSet("flink", { jobIds: ids.flink, ...args }), "jobIds"),
    secretly(sparkSet("spark", { batchIds: ids.spark, ...args }), "batchIds"),
    secretly(mrsSet("mrs", { clusterId: CLUSTER, jobIds: ids.mrs, ...args }), "jobIds"),
    secretly(ehpcSet("ehpc", { zone: ZONE, clusterId: EHPC_CLUSTER, jobIds: ids.ehpc, ...args }), "jobIds"),
  ];
}

/** The secret job IDs, by name, for leak scans. */
function jobNeedles(ids: Record<string, string[]>): Record<string, string> {
  return Object.fromEntries(Object.entries(ids).flatMap(([kind, list]) => list.map((id, i) => [`secret ${kind} job ID #${i + 1}`, id] as const)));
}

/**
 * What a user or a log reader sees, scanned for the credentials, then for the secret job IDs (two assertions, so a
 * failure says which kind of secret leaked, and where).
 */
function expectNoSecrets(haystacks: Record<string, string>, ids: Record<string, string[]>): void {
  expect(leaks(haystacks, secretValues(creds)), "credentials").toEqual([]);
  expect(leaks(haystacks, jobNeedles(ids)), "secret job IDs").toEqual([]);
}

describe("secret job IDs and credentials when a teardown fails, times out or a refresh finds jobs gone", () => {
  test.override({ emulatorOptions: { stopDelayMs: 50, ...emulatorCredentials(creds) }, hostEnv: credentialsEnv });

  test("a partial teardown says how many jobs of each kind failed and why, and prints no secret", async ({ emu, stack, host }) => {
    const ids = {
      flink: emu.seedFlinkJobs(P, [{ status: "job_cancel_success" }, { status: "job_cancel_success" }]),
      spark: emu.seedSparkBatches(P, [{ state: "running" }, { state: "running" }]),
      mrs: emu.seedMrsJobs(P, CLUSTER, [{ state: "FINISHED" }, { state: "FINISHED" }]),
      ehpc: emu.seedEhpcJobs(ZONE, EHPC_CLUSTER, [{ status: "finished" }, { status: "finished" }]),
    };
    await stack.up(await program(secretSets(ids, { waitTimeoutSeconds: 5 })));
    for (const [op, kind] of [["flink.delete", "flink"], ["spark.cancel", "spark"], ["mrs.batchDelete", "mrs"], ["ehpc.delete", "ehpc"]] as const) {
      emu.failJobs(op, [ids[kind][0]!], "injected: this job is locked");
    }

    const error = await failure(stack.destroy());

    // The failure is reported, kind by kind, with the API's reason: one of each set's two jobs is left.
    for (const service of ["dli-flink", "dli-spark", "mrs", "ehpc"]) expect(error.message).toMatch(new RegExp(`${service}.*1 of 2`, "s"));
    expect(error.message).toMatch(/injected: this job is locked|InternalError/);
    expect(stack.state()).toHaveLength(4);
    expectNoSecrets({ error: error.message, "host output": host.logs(), state: withoutSecretValues(stack.state()) }, ids);
  });

  test("a wait that times out names the step and the count, and prints no secret", async ({ emu, stack, host }) => {
    // Stops that never complete.
    const ids = {
      flink: emu.seedFlinkJobs(P, [{ stopDelayMs: null }, { stopDelayMs: null }]),
      spark: emu.seedSparkBatches(P, [{ state: "running", cancelDelayMs: null }, { state: "running", cancelDelayMs: null }]),
      mrs: emu.seedMrsJobs(P, CLUSTER, [{ state: "RUNNING", killDelayMs: null }, { state: "RUNNING", killDelayMs: null }]),
      ehpc: emu.seedEhpcJobs(ZONE, EHPC_CLUSTER, [{ status: "running", stopDelayMs: null }, { status: "running", stopDelayMs: null }]),
    };
    const sets = secretSets(ids, { waitTimeoutSeconds: 1 });
    sets[0]!.args.teardown = "stop";
    await stack.up(await program(sets));

    const error = await failure(stack.destroy());

    expect(error.message).toMatch(/dli-flink.*not stopped after 1 s/s);
    expect(error.message).toMatch(/dli-spark.*not cancelled after 1 s/s);
    expect(error.message).toMatch(/mrs.*not ended after 1 s/s);
    expect(error.message).toMatch(/ehpc.*not stopped after 1 s/s);
    expect(stack.state()).toHaveLength(4);
    expectNoSecrets({ error: error.message, "host output": host.logs(), state: withoutSecretValues(stack.state()) }, ids);
  });

  test("a refresh that finds jobs gone warns how many left the state, and prints no secret", async ({ emu, stack, host }) => {
    const ids = {
      flink: emu.seedFlinkJobs(P, [{}, {}]),
      spark: emu.seedSparkBatches(P, [{ state: "running" }, { state: "running" }]),
      mrs: emu.seedMrsJobs(P, CLUSTER, [{ state: "RUNNING" }, { state: "RUNNING" }]),
      ehpc: emu.seedEhpcJobs(ZONE, EHPC_CLUSTER, [{ status: "running" }, { status: "running" }]),
    };
    await stack.up(await program(secretSets(ids)));
    const before = host.logs().length;
    // Each set keeps one job; the other is gone (the clusters stay, seeded again with the kept job under its ID).
    emu.reset();
    emu.seedFlinkJobs(P, [{ jobId: ids.flink[1]! }]);
    emu.seedSparkBatches(P, [{ id: ids.spark[1]!, state: "running" }]);
    emu.seedMrsJobs(P, CLUSTER, [{ jobId: ids.mrs[1]!, state: "RUNNING" }]);
    emu.seedEhpcJobs(ZONE, EHPC_CLUSTER, [{ jobId: ids.ehpc[1]!, status: "running" }]);

    await stack.refresh();

    const warnings = host.logs().slice(before);
    for (const service of ["dli-flink", "dli-spark", "mrs", "ehpc"]) expect(warnings).toMatch(new RegExp(`${service}: 1 of 2 jobs no longer exist`));
    for (const name of ["flink", "spark", "mrs", "ehpc"] as const) {
      const entry = stack.resource(name)!;
      const property = name === "spark" ? "batchIds" : "jobIds";
      expect(isSecret(entry.outputs[property]), `${name}: ${property} still secret`).toBe(true);
      expect((entry.outputs[property] as { value: unknown }).value).toEqual([ids[name][1]]);
    }
    expectNoSecrets({ "host output": host.logs(), state: withoutSecretValues(stack.state()) }, ids);
  });
});
