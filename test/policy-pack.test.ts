// The policy pack in examples/policy-pack, run as the Pulumi CLI runs it (test/harness/policy-pack.ts: spawned
// through @pulumi/pulumi's run-policy-pack, type-checked by ts-node, driven over gRPC) on job sets that the fixture
// program really registered (test/harness/program.ts), for a development and a production stack.
//
// Where a preview would have unknown values, a test puts the engine's unknown sentinel into a real registration.
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  DEFAULT_MAX_JOBS_PER_SET,
  DEFAULT_MAX_TOTAL_JOBS,
  DEFAULT_MIN_JOBS_TO_PROTECT,
  DEFAULT_MIN_NAME_PREFIX_LENGTH,
  DEFAULT_PRODUCTION_STACKS,
  JOBSET_TYPES,
  POLICY_NAMES,
} from "../sdk/policy";
import {
  PolicyConfigRejectedError,
  PolicyPackCallError,
  startPolicyPack,
  type AnalyzedResource,
  type AnalyzeResult,
  type PolicyPack,
  type PolicyPackConfigFile,
} from "./harness/policy-pack";
import { REPO_ROOT, linkPackage, runProgram, type ProgramRun, type RegisteredResource } from "./harness/program";
import { UNKNOWN_VALUE } from "./harness/provider-host";

const PACK_DIR = path.join(REPO_ROOT, "examples", "policy-pack");
const PROGRAM_DIR = path.join(REPO_ROOT, "test", "fixtures", "jobsets-program");
const PROJECT = "jobsets-fixture";
const DEV = "dev";
/** Matches the default production pattern "prod-*". */
const PROD = "prod-eu";

const {
  protectLargeSets: LARGE,
  protectInProduction: PROD_PROTECT,
  streamingSavepointInProduction: SAVEPOINT,
  maxJobsPerSet: MAX_JOBS,
  stackJobBudget: BUDGET,
  guardSelectorSets: SELECTOR,
} = POLICY_NAMES;

// --- job sets, as the fixture program declares them -----------------------------------------------------------

interface Declaration {
  kind: "dli.FlinkJobSet" | "dli.SparkBatchSet" | "mrs.JobExecutionSet" | "ehpc.JobSet";
  name: string;
  args: Record<string, unknown>;
  opts?: { protect?: boolean };
}

const flinkIds = (n: number, from = 1000): number[] => Array.from({ length: n }, (_, i) => from + i);
const uuids = (n: number, group: number): string[] =>
  Array.from({ length: n }, (_, i) => `${group.toString(16).padStart(8, "0")}-0000-4000-8000-${i.toString(16).padStart(12, "0")}`);
const ehpcIds = (n: number): string[] => Array.from({ length: n }, (_, i) => `hpcjob-${i.toString(36)}x`);
const protect = { protect: true };

const devSets: Declaration[] = [
  { kind: "dli.FlinkJobSet", name: "flink-small", args: { jobIds: flinkIds(10) } },
  { kind: "dli.FlinkJobSet", name: "flink-150", args: { jobIds: flinkIds(150) } },
  { kind: "dli.FlinkJobSet", name: "flink-150-protected", args: { jobIds: flinkIds(150) }, opts: protect },
  // 99 distinct jobs written 198 times (number, then string): the provider keeps 99, so do the policies.
  { kind: "dli.FlinkJobSet", name: "flink-99-twice", args: { jobIds: [...flinkIds(99), ...flinkIds(99).map((id) => ` ${id}`)] } },
  { kind: "dli.SparkBatchSet", name: "spark-150", args: { batchIds: uuids(150, 1) } },
  { kind: "mrs.JobExecutionSet", name: "mrs-150", args: { clusterId: "mrs-cluster-1", jobIds: uuids(150, 2) } },
  { kind: "ehpc.JobSet", name: "ehpc-150", args: { clusterId: "ehpc-cluster-1", zone: "pek3", jobIds: ehpcIds(150) } },
  { kind: "dli.FlinkJobSet", name: "flink-1000", args: { jobIds: flinkIds(1000, 10_000) }, opts: protect },
  { kind: "dli.FlinkJobSet", name: "flink-1001", args: { jobIds: flinkIds(1001, 20_000) }, opts: protect },
  // Sets by selector: a queue's nightly batches, protected or not, by a short prefix, by queue alone.
  { kind: "dli.SparkBatchSet", name: "nightly-protected", args: { selector: { namePrefix: "nightly-", queueName: "etl" } }, opts: protect },
  { kind: "dli.SparkBatchSet", name: "nightly-unprotected", args: { selector: { namePrefix: "nightly-", queueName: "etl" } } },
  { kind: "mrs.JobExecutionSet", name: "short-prefix", args: { clusterId: "mrs-cluster-1", selector: { namePrefix: "n-" } }, opts: protect },
  { kind: "ehpc.JobSet", name: "queue-only", args: { clusterId: "ehpc-cluster-1", zone: "pek3", selector: { queueName: "etl" } }, opts: protect },
];

const prodSets: Declaration[] = [
  { kind: "dli.FlinkJobSet", name: "orders", args: { jobIds: flinkIds(5), teardown: "stop-then-delete", triggerSavepoint: true }, opts: protect },
  { kind: "dli.FlinkJobSet", name: "clicks-default", args: { jobIds: flinkIds(5) }, opts: protect },
  { kind: "dli.FlinkJobSet", name: "metrics-stop", args: { jobIds: flinkIds(5), teardown: "stop", triggerSavepoint: true }, opts: protect },
  { kind: "dli.FlinkJobSet", name: "unprotected-streams", args: { jobIds: flinkIds(5), teardown: "stop-then-delete", triggerSavepoint: true } },
  { kind: "dli.SparkBatchSet", name: "spark-unprotected", args: { batchIds: uuids(3, 3) } },
  { kind: "ehpc.JobSet", name: "ehpc-protected", args: { clusterId: "ehpc-cluster-1", zone: "pek3", jobIds: ehpcIds(3) }, opts: protect },
];

// --- fixtures: one program run and one pack per stack, as the CLI starts one analyzer per update -------------------

let devRun: ProgramRun;
let prodRun: ProgramRun;
let devPack: PolicyPack;
let prodPack: PolicyPack;

beforeAll(async () => {
  // The pack imports "pulumi-jobsets/policy", as a user's pack would: without the export it cannot start.
  const manifest = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { exports?: Record<string, unknown> };
  if (!manifest.exports?.["./policy"]) throw new Error('package.json has no exports["./policy"]: examples/policy-pack imports "pulumi-jobsets/policy"');
  linkPackage(PROGRAM_DIR);
  const program = (stack: string, sets: Declaration[]) =>
    runProgram({ programDir: PROGRAM_DIR, project: PROJECT, stack, config: { sets: JSON.stringify(sets) } });
  const pack = (stack: string) => startPolicyPack({ dir: PACK_DIR, stack, project: PROJECT });
  const [dev, prod, packs] = await Promise.allSettled([program(DEV, devSets), program(PROD, prodSets), Promise.allSettled([pack(DEV), pack(PROD)])]);
  // Keep whichever pack started, so afterAll stops it even when the other failed.
  const [devStarted, prodStarted] = packs.status === "fulfilled" ? packs.value : [];
  if (devStarted?.status === "fulfilled") devPack = devStarted.value;
  if (prodStarted?.status === "fulfilled") prodPack = prodStarted.value;
  for (const settled of [dev, prod, devStarted, prodStarted]) if (settled?.status === "rejected") throw settled.reason;
  devRun = (dev as PromiseFulfilledResult<ProgramRun>).value;
  prodRun = (prod as PromiseFulfilledResult<ProgramRun>).value;
}, 120_000);

afterAll(async () => {
  await Promise.all([devPack?.stop(), prodPack?.stop()]);
});

/** What the engine would analyze for the set named `name`: its real registration. */
function registered(run: ProgramRun, name: string): RegisteredResource {
  const found = run.resources.find((r) => r.name === name);
  if (!found) throw new Error(`the program registered no resource named ${name}`);
  return structuredClone(found);
}

/** Configure the pack as a fresh `pulumi preview --policy-pack-config` would, with these stack tags. */
async function configured(pack: PolicyPack, config: PolicyPackConfigFile = {}, tags: Record<string, string> = {}): Promise<PolicyPack> {
  await pack.configureStack({ tags });
  await pack.configure(config);
  return pack;
}

function diagnostics(result: AnalyzeResult, policy: string) {
  return result.diagnostics.filter((d) => d.policyName === policy);
}

function notApplicable(result: AnalyzeResult, policy: string): string | undefined {
  return result.notApplicable.find((n) => n.policyName === policy)?.reason;
}

/**
 * Exactly one diagnostic from `policy`, returned for further checks. A resource policy's diagnostic carries no URN:
 * the engine attaches the analyzed resource's; a stack policy's has one only if the policy names a resource.
 */
function violation(result: AnalyzeResult, policy: string) {
  const found = diagnostics(result, policy);
  expect(found, JSON.stringify(result, null, 2)).toHaveLength(1);
  return found[0]!;
}

function passes(result: AnalyzeResult, policy: string): void {
  expect(diagnostics(result, policy), JSON.stringify(result, null, 2)).toEqual([]);
  expect(notApplicable(result, policy)).toBeUndefined();
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected the call to fail, but it succeeded");
}

// --- the pack as the CLI sees it -------------------------------------------------------------------------------

describe("the pack", () => {
  test("GetAnalyzerInfo: name, version, six policies with their default levels and config schemas", async () => {
    const info = await devPack.getAnalyzerInfo();
    expect(info).toMatchObject({ name: "jobsets-guard", version: "0.1.0", supportsConfig: true });
    const byName = Object.fromEntries(info.policies.map((p) => [p.name, p]));
    expect(Object.keys(byName).sort()).toEqual([BUDGET, MAX_JOBS, LARGE, PROD_PROTECT, SAVEPOINT, SELECTOR].sort());
    expect(byName[SELECTOR]).toMatchObject({ type: "resource", enforcementLevel: "mandatory" });
    expect(byName[SELECTOR]!.configSchema!.properties.minNamePrefixLength).toMatchObject({ type: "integer", minimum: 0, default: DEFAULT_MIN_NAME_PREFIX_LENGTH });
    expect(byName[LARGE]).toMatchObject({ type: "resource", enforcementLevel: "mandatory" });
    expect(byName[PROD_PROTECT]).toMatchObject({ type: "resource", enforcementLevel: "mandatory" });
    expect(byName[SAVEPOINT]).toMatchObject({ type: "resource", enforcementLevel: "mandatory" });
    expect(byName[MAX_JOBS]).toMatchObject({ type: "resource", enforcementLevel: "mandatory" });
    expect(byName[BUDGET]).toMatchObject({ type: "stack", enforcementLevel: "advisory" });
    expect(byName[LARGE]!.configSchema!.properties.minJobs).toMatchObject({ type: "integer", minimum: 1, default: DEFAULT_MIN_JOBS_TO_PROTECT });
    expect(byName[MAX_JOBS]!.configSchema!.properties.maxJobs).toMatchObject({ type: "integer", default: DEFAULT_MAX_JOBS_PER_SET });
    expect(byName[BUDGET]!.configSchema!.properties.maxTotalJobs).toMatchObject({ type: "integer", default: DEFAULT_MAX_TOTAL_JOBS });
    for (const name of [PROD_PROTECT, SAVEPOINT]) {
      expect(byName[name]!.configSchema!.properties.productionStacks).toMatchObject({ type: "array", default: [...DEFAULT_PRODUCTION_STACKS] });
      expect(byName[name]!.configSchema!.properties.productionStackTags).toMatchObject({ type: "array", default: ["environment=production"] });
    }
    // No policy sees a deletion: every description says these guard before the fact.
    for (const policy of info.policies) expect(policy.description).toContain("pulumi/pulumi-policy#154");
  });

  test("the policies recognise exactly the four type tokens the SDK registers", () => {
    const types = new Set([...devRun.resources, ...prodRun.resources].map((r) => r.type));
    expect([...types].sort()).toEqual([...JOBSET_TYPES].sort());
  });

  test("a resource that is not a job set: every resource policy is not applicable", async () => {
    const pack = await configured(devPack);
    const bucket: AnalyzedResource = { type: "aws:s3/bucket:Bucket", name: "b", urn: `urn:pulumi:${DEV}::${PROJECT}::aws:s3/bucket:Bucket::b`, inputs: {} };
    const result = await pack.analyze(bucket);
    expect(result.diagnostics).toEqual([]);
    for (const policy of [LARGE, PROD_PROTECT, SAVEPOINT, MAX_JOBS]) expect(notApplicable(result, policy)).toMatch(/applies to job sets only/);
  });
});

// --- each policy: passing and violating ------------------------------------------------------------------------

describe(LARGE, () => {
  test("passes: a protected set of 150, and an unprotected set of 10", async () => {
    const pack = await configured(devPack);
    passes(await pack.analyze(registered(devRun, "flink-150-protected")), LARGE);
    passes(await pack.analyze(registered(devRun, "flink-small")), LARGE);
  });

  test("violates: an unprotected set of 150 DLI Flink jobs", async () => {
    const pack = await configured(devPack);
    const set = registered(devRun, "flink-150");
    const found = violation(await pack.analyze(set), LARGE);
    expect(found).toMatchObject({ enforcementLevel: "mandatory", severity: "high" });
    expect(found.message).toContain('job set "flink-150" (DliFlinkJobSet) holds 150 jobs and is not protected');
    expect(found.message).toContain("Set protect: true on it, or split it into sets of fewer than 100 jobs");
  });

  test.each(["spark-150", "mrs-150", "ehpc-150"])("counts the right input of every kind: %s violates", async (name) => {
    const pack = await configured(devPack);
    const found = violation(await pack.analyze(registered(devRun, name)), LARGE);
    expect(found.message).toContain("holds 150 jobs");
  });

  test("counts distinct jobs as the provider does: 99 IDs written twice pass", async () => {
    const pack = await configured(devPack);
    const set = registered(devRun, "flink-99-twice");
    expect((set.inputs.jobIds as unknown[]).length).toBe(198);
    passes(await pack.analyze(set), LARGE);
    // With the threshold at 99 the same set violates, and says 99.
    await pack.configure({ [LARGE]: { minJobs: 99 } });
    expect(violation(await pack.analyze(set), LARGE).message).toContain("holds 99 jobs");
  });

  test("minJobs from the config: 10 makes the 10-job set violate", async () => {
    const pack = await configured(devPack, { [LARGE]: { minJobs: 10 } });
    expect(violation(await pack.analyze(registered(devRun, "flink-small")), LARGE).message).toContain("fewer than 10 jobs");
  });
});

describe(PROD_PROTECT, () => {
  test("passes: every set protected in production", async () => {
    const pack = await configured(prodPack);
    for (const name of ["orders", "clicks-default", "ehpc-protected"]) passes(await pack.analyze(registered(prodRun, name)), PROD_PROTECT);
  });

  test("violates: an unprotected set in a stack named like production", async () => {
    const pack = await configured(prodPack);
    const set = registered(prodRun, "spark-unprotected");
    const found = violation(await pack.analyze(set), PROD_PROTECT);
    expect(found.message).toContain(`job set "spark-unprotected" (DliSparkBatchSet) is not protected, and this is a production stack (stack "${PROD}" matches "prod-*")`);
    expect(found.message).toContain("Set protect: true on it.");
  });

  test("not applicable in a development stack; a production stack tag makes it apply", async () => {
    const set = registered(devRun, "flink-small");
    const pack = await configured(devPack);
    expect(notApplicable(await pack.analyze(set), PROD_PROTECT)).toMatch(/not a production stack: "dev" matches none of prod, production/);
    await configured(devPack, {}, { environment: "production" });
    expect(violation(await devPack.analyze(set), PROD_PROTECT).message).toContain('stack tag environment=production matches "environment=production"');
  });

  test("productionStacks from the config: the same prod stack is not production when only live-* is", async () => {
    const pack = await configured(prodPack, { [PROD_PROTECT]: { productionStacks: ["live-*"], productionStackTags: [] } });
    expect(notApplicable(await pack.analyze(registered(prodRun, "spark-unprotected")), PROD_PROTECT)).toMatch(/matches none of live-\*/);
  });
});

describe(SAVEPOINT, () => {
  test("passes: a production Flink set with stop-then-delete and a savepoint", async () => {
    const pack = await configured(prodPack);
    passes(await pack.analyze(registered(prodRun, "orders")), SAVEPOINT);
  });

  test("violates: the default teardown (delete, no savepoint)", async () => {
    const pack = await configured(prodPack);
    const set = registered(prodRun, "clicks-default");
    const found = violation(await pack.analyze(set), SAVEPOINT);
    expect(found.message).toContain('teardown is not set (so "delete") and triggerSavepoint is not set (so false)');
    expect(found.message).toContain('Set teardown: "stop-then-delete" and triggerSavepoint: true.');
  });

  test('violates: teardown "stop", even with a savepoint', async () => {
    const pack = await configured(prodPack);
    const found = violation(await pack.analyze(registered(prodRun, "metrics-stop")), SAVEPOINT);
    expect(found.message).toContain('but teardown is "stop":');
  });

  test("not applicable to batch sets, nor outside production", async () => {
    const pack = await configured(prodPack);
    expect(notApplicable(await pack.analyze(registered(prodRun, "spark-unprotected")), SAVEPOINT)).toMatch(/streaming \(DLI Flink\) job sets only/);
    await configured(devPack);
    expect(notApplicable(await devPack.analyze(registered(devRun, "flink-small")), SAVEPOINT)).toMatch(/not a production stack/);
  });
});

describe(SELECTOR, () => {
  test("passes: a protected set of a queue's nightly batches; not applicable to a set of IDs only", async () => {
    const pack = await configured(devPack);
    passes(await pack.analyze(registered(devRun, "nightly-protected")), SELECTOR);
    expect(notApplicable(await pack.analyze(registered(devRun, "flink-small")), SELECTOR)).toMatch(/applies to job sets with a selector only/);
  });

  test("violates: a selector set that is not protected", async () => {
    const pack = await configured(devPack);
    const found = violation(await pack.analyze(registered(devRun, "nightly-unprotected")), SELECTOR);
    expect(found.message).toMatch(/job set "nightly-unprotected" \(DliSparkBatchSet\) holds jobs by selector, but it is not protected: a destroy tears down every job the selector matches then/);
  });

  test("violates: a namePrefix shorter than minNamePrefixLength, or none (a whole queue), even when protected", async () => {
    const pack = await configured(devPack);
    expect(violation(await pack.analyze(registered(devRun, "short-prefix")), SELECTOR).message).toMatch(/its namePrefix "n-" is shorter than 4 characters/);
    expect(violation(await pack.analyze(registered(devRun, "queue-only")), SELECTOR).message).toMatch(/its selector has no namePrefix \(it takes a whole queue\)/);
  });

  test("minNamePrefixLength from the config: 0 allows a selector by queue alone, 2 the short prefix", async () => {
    const pack = await configured(devPack, { [SELECTOR]: { minNamePrefixLength: 0 } });
    passes(await pack.analyze(registered(devRun, "queue-only")), SELECTOR);
    passes(await pack.analyze(registered(devRun, "short-prefix")), SELECTOR);
  });
});

describe(MAX_JOBS, () => {
  test("passes: 1000 jobs", async () => {
    const pack = await configured(devPack);
    passes(await pack.analyze(registered(devRun, "flink-1000")), MAX_JOBS);
  });

  test("violates: 1001 jobs, protected or not", async () => {
    const pack = await configured(devPack);
    const set = registered(devRun, "flink-1001");
    const found = violation(await pack.analyze(set), MAX_JOBS);
    expect(found.message).toContain('job set "flink-1001" (DliFlinkJobSet) holds 1001 jobs, more than the 1000 a set may hold');
  });

  test("maxJobs from the config: 100 makes a set of 150 violate", async () => {
    const pack = await configured(devPack, { [MAX_JOBS]: { maxJobs: 100 } });
    expect(violation(await pack.analyze(registered(devRun, "spark-150")), MAX_JOBS).message).toContain("more than the 100 a set may hold");
  });
});

describe(BUDGET, () => {
  const all = (): AnalyzedResource[] => devRun.resources.map((r) => structuredClone(r));
  const total = 10 + 150 + 150 + 99 + 150 + 150 + 150 + 1000 + 1001;

  test("passes: the development stack's sets are within the default budget", async () => {
    const pack = await configured(devPack);
    passes(await pack.analyzeStack(all()), BUDGET);
  });

  test("violates: over a budget set in the config; a stack-level diagnostic naming the largest sets", async () => {
    const pack = await configured(devPack, { [BUDGET]: { maxTotalJobs: 2000 } });
    const found = violation(await pack.analyzeStack(all()), BUDGET);
    expect(found).toMatchObject({ enforcementLevel: "advisory", urn: "" });
    expect(found.message).toContain(`its ${devSets.length} job sets hold ${total} jobs, more than its budget of 2000`);
    expect(found.message).toContain('largest: "flink-1001" (1001), "flink-1000" (1000)');
  });

  test("counts outputs when the engine sends them (after an update)", async () => {
    const pack = await configured(devPack, { [BUDGET]: { maxTotalJobs: 10 } });
    const set = registered(devRun, "flink-small");
    passes(await pack.analyzeStack([{ ...set, outputs: { ...set.inputs, jobIds: flinkIds(10).map(String) } }]), BUDGET);
    violation(await pack.analyzeStack([{ ...set, outputs: { ...set.inputs, jobIds: flinkIds(11).map(String) } }]), BUDGET);
  });
});

// --- enforcement levels ------------------------------------------------------------------------------------------

describe("enforcement levels", () => {
  const unprotected150 = () => registered(devRun, "flink-150");

  test("a level from the config replaces the default", async () => {
    const pack = await configured(devPack, { [LARGE]: "advisory" });
    expect(violation(await pack.analyze(unprotected150()), LARGE).enforcementLevel).toBe("advisory");
  });

  test('"disabled" silences the policy; "all" applies to every policy', async () => {
    const pack = await configured(devPack, { [LARGE]: { enforcementLevel: "disabled" } });
    expect(diagnostics(await pack.analyze(unprotected150()), LARGE)).toEqual([]);
    await pack.configure({ all: "disabled" });
    expect((await pack.analyze(unprotected150())).diagnostics).toEqual([]);
    expect((await pack.analyzeStack([unprotected150()])).diagnostics).toEqual([]);
  });

  test('"remediate": nothing here can be remediated (protect is an option, not a property), so it reports as mandatory', async () => {
    const pack = await configured(devPack, { [LARGE]: "remediate" });
    expect(violation(await pack.analyze(unprotected150()), LARGE).enforcementLevel).toBe("mandatory");
  });

  test("the budget's advisory default can be made mandatory", async () => {
    const pack = await configured(devPack, { [BUDGET]: { enforcementLevel: "mandatory", maxTotalJobs: 1 } });
    expect(violation(await pack.analyzeStack([unprotected150()]), BUDGET).enforcementLevel).toBe("mandatory");
  });
});

// --- config validation ----------------------------------------------------------------------------------------------

describe("policy config", () => {
  test("defaults fill in what the config leaves out; the example config.json is accepted", async () => {
    const reconciled = await devPack.configure({ [LARGE]: { minJobs: 20 } });
    expect(reconciled[LARGE]).toEqual({ enforcementLevel: "mandatory", properties: { minJobs: 20 } });
    expect(reconciled[MAX_JOBS]).toEqual({ enforcementLevel: "mandatory", properties: { maxJobs: DEFAULT_MAX_JOBS_PER_SET } });
    const example = JSON.parse(fs.readFileSync(path.join(PACK_DIR, "config.json"), "utf8")) as PolicyPackConfigFile;
    const fromExample = await devPack.configure(example);
    expect(fromExample[BUDGET]).toEqual({ enforcementLevel: "mandatory", properties: { maxTotalJobs: 10000 } });
  });

  test.each<[string, PolicyPackConfigFile, RegExp]>([
    ["minJobs below 1", { [LARGE]: { minJobs: 0 } }, /jobsets-protect-large-sets: minJobs: Must be greater than or equal to 1/],
    ["maxJobs not a number", { [MAX_JOBS]: { maxJobs: "many" } }, /jobsets-max-jobs-per-set: maxJobs: Invalid type\. Expected: integer, given: string/],
    ["maxJobs above the provider's ceiling", { [MAX_JOBS]: { maxJobs: 60_000 } }, /maxJobs: Must be less than or equal to 50000/],
    ["productionStacks not a list", { [PROD_PROTECT]: { productionStacks: "prod" } }, /productionStacks: Invalid type\. Expected: array, given: string/],
    ["a stack pattern with an organization", { [SAVEPOINT]: { productionStacks: ["acme/prod"] } }, /productionStacks\.0: Does not match pattern/],
    ["an unknown enforcement level", { [BUDGET]: { enforcementLevel: "strict" } }, /"strict" is not a valid enforcement level/],
  ])("the CLI rejects a bad config before Configure: %s", async (_, config, message) => {
    const error = await failure(devPack.configure(config));
    expect(error).toBeInstanceOf(PolicyConfigRejectedError);
    expect(error.message).toMatch(message);
  });

  test("the pack checks its config itself: a misspelt key the CLI lets through fails the policy run, naming it", async () => {
    // The CLI's schema has no additionalProperties: false, so `minJob` passes its validation...
    const reconciled = await devPack.configure({ [LARGE]: { minJob: 5 } });
    expect(reconciled[LARGE]!.properties).toEqual({ minJobs: 100, minJob: 5 });
    // ...and the pack refuses it when the policy runs, as an error (the preview fails), not a violation.
    const error = await failure(devPack.analyze(registered(devRun, "flink-small")));
    expect(error).toBeInstanceOf(PolicyPackCallError);
    expect(error.message).toContain('invalid config for policy "jobsets-protect-large-sets"');
    expect(error.message).toContain('unknown property "minJob" (did you mean "minJobs"?)');
  });

  test("Configure itself accepts anything: a value the schema forbids, sent directly, fails the policy run", async () => {
    await devPack.configureRaw({ [MAX_JOBS]: { enforcementLevel: "mandatory", properties: { maxJobs: -1 } } });
    const error = await failure(devPack.analyze(registered(devRun, "flink-small")));
    expect(error.message).toContain("maxJobs: expected at least 1, received -1");
  });

  test("with no config at all (no Configure, or an empty one) the pack applies the schema defaults itself", async () => {
    await devPack.configureStack({ tags: {} });
    await devPack.configureRaw({});
    const result = await devPack.analyze(registered(devRun, "flink-150"));
    expect(violation(result, LARGE).enforcementLevel).toBe("mandatory");
    expect(violation(result, LARGE).message).toContain("fewer than 100 jobs");
  });
});

// --- preview: values not known yet ----------------------------------------------------------------------------------

describe("unknown values at preview", () => {
  const withIds = (name: string, ids: unknown): AnalyzedResource => {
    const set = registered(devRun, name);
    return { ...set, inputs: { ...set.inputs, jobIds: ids } };
  };

  test("a job list not known at all: an advisory note that the update decides, not a silent pass", async () => {
    const pack = await configured(devPack);
    const found = violation(await pack.analyze(withIds("flink-150", UNKNOWN_VALUE)), LARGE);
    expect(found.enforcementLevel).toBe("advisory");
    expect(found.message).toContain("can't run policy 'jobsets-protect-large-sets'");
    expect(found.message).toContain("during preview");
    expect(found.message).toContain("holds a job list not known until the update");
    expect(found.message).toContain("checked again when the update runs");
  });

  test("known IDs that already settle it: 120 known and 1 unknown violate (mandatory)", async () => {
    const pack = await configured(devPack);
    const found = violation(await pack.analyze(withIds("flink-150", [...flinkIds(120), UNKNOWN_VALUE])), LARGE);
    expect(found.message).toContain("holds 120 known jobs and 1 not known until the update and is not protected");
  });

  test("known IDs that cannot settle it: 50 known and 1 unknown, an advisory note", async () => {
    const pack = await configured(devPack, { [LARGE]: { minJobs: 51 } });
    const found = violation(await pack.analyze(withIds("flink-150", [...flinkIds(50), UNKNOWN_VALUE])), LARGE);
    expect(found.enforcementLevel).toBe("advisory");
    expect(found.message).toContain("whether it reaches 51 is not known yet");
  });

  test("unknowns that cannot change the answer pass: a protected set, and 50 + 1 under a maximum of 1000", async () => {
    const pack = await configured(devPack);
    passes(await pack.analyze(withIds("flink-150-protected", UNKNOWN_VALUE)), LARGE);
    passes(await pack.analyze(withIds("flink-small", [...flinkIds(50), UNKNOWN_VALUE])), MAX_JOBS);
  });

  test("a streaming teardown not known yet, and a stack with an unknown list: advisory notes", async () => {
    await configured(prodPack);
    const set = registered(prodRun, "clicks-default");
    const teardown = violation(await prodPack.analyze({ ...set, inputs: { ...set.inputs, teardown: UNKNOWN_VALUE } }), SAVEPOINT);
    expect(teardown.enforcementLevel).toBe("advisory");
    expect(teardown.message).toContain("its teardown settings are not known yet");
    const pack = await configured(devPack, { [BUDGET]: { enforcementLevel: "mandatory" } });
    const stack = violation(await pack.analyzeStack([withIds("flink-small", UNKNOWN_VALUE)]), BUDGET);
    expect(stack.enforcementLevel).toBe("advisory");
    expect(stack.message).toContain("whether the stack exceeds 10000 is not known yet");
  });
});
