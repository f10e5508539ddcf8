// The policy pack in examples/policy-pack, run as the Pulumi CLI runs it (test/harness/policy-pack.ts: spawned
// through @pulumi/pulumi's run-policy-pack, type-checked by ts-node, driven over gRPC) on job sets that the fixture
// program really registered (test/harness/program.ts), for a development and a production stack
// (test/helpers/policy-stacks.ts): the pack as the CLI sees it, and each policy passing and violating. Its
// enforcement levels, config and preview's unknown values: policy-pack-config.test.ts.
import { describe, expect, test } from "vitest";
import {
  DEFAULT_MAX_JOBS_PER_SET,
  DEFAULT_MAX_TOTAL_JOBS,
  DEFAULT_MIN_JOBS_TO_PROTECT,
  DEFAULT_MIN_NAME_PREFIX_LENGTH,
  DEFAULT_PRODUCTION_STACKS,
  JOBSET_TYPES,
} from "../sdk/policy";
import type { AnalyzedResource, PolicyPack } from "./harness/policy-pack";
import type { ProgramRun } from "./harness/program";
import { PROJECT } from "./helpers/jobsets";
import { BUDGET, DEV, LARGE, MAX_JOBS, PROD, PROD_PROTECT, SAVEPOINT, SELECTOR, configured, devSets, flinkIds, notApplicable, passes, registered, usePolicyStacks, violation } from "./helpers/policy-stacks";

let devRun: ProgramRun, prodRun: ProgramRun, devPack: PolicyPack, prodPack: PolicyPack;
usePolicyStacks((stacks) => ({ devRun, prodRun, devPack, prodPack } = stacks));

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
