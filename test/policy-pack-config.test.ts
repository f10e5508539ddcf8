// The policy pack in examples/policy-pack, run as the Pulumi CLI runs it (test/harness/policy-pack.ts) on the job
// sets of test/helpers/policy-stacks.ts: enforcement levels from the config, the config's validation (by the CLI's
// schema and by the pack itself), and the unknown values of a preview, which a test puts into a real registration
// as the engine's unknown sentinel.
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, test } from "vitest";
import { DEFAULT_MAX_JOBS_PER_SET } from "../sdk/policy";
import { PolicyConfigRejectedError, PolicyPackCallError, type AnalyzedResource, type PolicyPack, type PolicyPackConfigFile } from "./harness/policy-pack";
import type { ProgramRun } from "./harness/program";
import { UNKNOWN_VALUE } from "./harness/provider-host";
import { failure } from "./helpers/jobsets";
import { BUDGET, LARGE, MAX_JOBS, PACK_DIR, PROD_PROTECT, SAVEPOINT, configured, diagnostics, flinkIds, passes, registered, usePolicyStacks, violation } from "./helpers/policy-stacks";

let devRun: ProgramRun, prodRun: ProgramRun, devPack: PolicyPack, prodPack: PolicyPack;
usePolicyStacks((stacks) => ({ devRun, prodRun, devPack, prodPack } = stacks));

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
