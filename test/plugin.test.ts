// The provider plugin, started the way the Pulumi CLI starts a source-based Node plugin (test/helpers/plugin.ts),
// then called over gRPC as the engine would: Check, Diff, Create, Update, Read, Delete, against the emulator; and the
// ways it is launched. Its schema is tested in plugin-schema.test.ts.
//
// What this cannot show (no Pulumi CLI here): `pulumi package add` generating SDKs, the Python/Go/YAML examples
// running, the engine's own handling of the answers (state files, secrets encryption, ErrorResourceInitFailed).
import * as fs from "node:fs";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { describe, expect } from "vitest";
import { DEFAULT_ACCESS_KEY, DEFAULT_PROJECT_ID, DEFAULT_SECRET_KEY } from "../emulator";
import { configFromEnv } from "../provider/plugin";
import { packageSchema } from "../provider/plugin-schema";
import { REPO_ROOT, linkPackage } from "./harness/program";
import { PULUMI_DIR, SIG_KEY, SECRET_SIG, UNKNOWN_VALUE, secret, startProvider, urn, type ProviderHost, type Props } from "./harness/provider-host";
import { failure, idsSent } from "./helpers/jobsets";
import { CONFIG_AK, CONFIG_SK, FLINK, PLUGIN_MAIN, PROJECT, assertBuilt, envCredentials, pluginTest as test } from "./helpers/plugin";

const P = DEFAULT_PROJECT_ID;

/** What the engine puts in PULUMI_CONFIG for the jobsets plugin: its namespace's keys, un-namespaced, decrypted. */
function engineConfig(values: Record<string, string>): string {
  return JSON.stringify(values);
}

/** Fails with the offending text when a credential shows up in the plugin's output or in what it returned. */
function expectNoCredentials(plugin: ProviderHost, returned: unknown[], credentials: string[]): void {
  const text = plugin.logs() + JSON.stringify(returned);
  for (const credential of credentials) expect(text, `credential ${credential.slice(0, 4)}… leaked`).not.toContain(credential);
}

describe("launching", () => {
  test("programs importing the package still get the SDK (exports['.']), whatever main is", ({ workdir }) => {
    linkPackage(workdir);
    const resolved = require.resolve("pulumi-jobsets", { paths: [workdir] });
    expect(fs.realpathSync(resolved)).toBe(fs.realpathSync(path.join(REPO_ROOT, "dist", "sdk", "index.js")));
  });

  test("importing the plugin module serves nothing", () => {
    assertBuilt();
    const entry = path.join(REPO_ROOT, PLUGIN_MAIN);
    const imported = spawnSync(process.execPath, ["-e", `require(${JSON.stringify(entry)})`], { encoding: "utf8", timeout: 30_000 });
    expect(imported.status).toBe(0);
    expect(imported.stdout).toBe("");
  });

  test("run directly (`node dist/provider/plugin.js <engine>`), it serves too", async ({ workdir }) => {
    assertBuilt();
    const plugin = await startProvider({ cwd: workdir, command: { script: path.join(REPO_ROOT, PLUGIN_MAIN), args: (engine) => [engine] } });
    try {
      expect(JSON.parse(await plugin.getSchema()).name).toBe("jobsets");
    } finally {
      await plugin.stop();
    }
  });

  test("PulumiPlugin.yaml declares the nodejs runtime", () => {
    const yaml = require(require.resolve("js-yaml", { paths: [PULUMI_DIR] })) as { load(text: string): unknown };
    expect(yaml.load(fs.readFileSync(path.join(REPO_ROOT, "PulumiPlugin.yaml"), "utf8"))).toEqual({ runtime: "nodejs" });
  });
});

describe("check", () => {
  test("each kind: valid inputs are normalised offline into exactly the declared outputs", async ({ emu, launch }) => {
    const plugin = await launch(envCredentials(emu));
    const samples: Record<string, Props> = {
      [FLINK]: { jobIds: [101, "9223372036854775807"] },
      "jobsets:dli:SparkBatchSet": { batchIds: ["0A324461-D9D9-45DA-A52A-3B3C7A3D809E"], region: "cn-north-4" },
      "jobsets:mrs:JobExecutionSet": { clusterId: "c-1", jobIds: ["0a324461-d9d9-45da-a52a-3b3c7a3d809e"], region: "cn-north-4" },
      "jobsets:ehpc:JobSet": { clusterId: "ehpc-1", zone: "pek3", jobIds: ["hpcjob-bp6rj09f"] },
    };
    const resources = packageSchema("0.0.0").resources;
    for (const [token, inputs] of Object.entries(samples)) {
      const checked = await plugin.check(urn(token, "s", PROJECT), {}, inputs);
      expect(checked.failures, token).toEqual([]);
      const spec = resources[token as keyof typeof resources];
      expect(Object.keys(spec.properties), token).toEqual(expect.arrayContaining(Object.keys(checked.inputs)));
      expect(Object.keys(checked.inputs), token).toEqual(expect.arrayContaining(spec.required));
    }
    expect(emu.calls()).toEqual([]);
  });

  test("bad inputs: failures name the property, and no request is sent", async ({ emu, launch }) => {
    const plugin = await launch(envCredentials(emu));
    const checked = await plugin.check(urn(FLINK, "s", PROJECT), {}, { jobIds: [5, "12a"], teardown: "destroy", tearDown: "stop" });
    const byProperty = Object.fromEntries(checked.failures.map((f) => [f.property, f.reason]));
    expect(byProperty["jobIds[1]"]).toMatch(/string of digits.*received "12a"/);
    expect(byProperty.teardown).toMatch(/"delete", "stop", "stop-then-delete".*received "destroy"/);
    expect(byProperty.tearDown).toMatch(/did you mean "teardown"/);
    expect(emu.calls()).toEqual([]);
  });

  test("a preview with unknown inputs: no failure for them, the known ones still checked", async ({ emu, launch }) => {
    const plugin = await launch(envCredentials(emu));
    const U = urn(FLINK, "s", PROJECT);
    const unknownIds = await plugin.check(U, {}, { jobIds: UNKNOWN_VALUE, teardown: "stop" });
    expect(unknownIds.failures).toEqual([]);
    expect(unknownIds.inputs.jobIds).toBe(UNKNOWN_VALUE);
    const alsoBad = await plugin.check(U, {}, { jobIds: [UNKNOWN_VALUE], teardown: "destroy" });
    expect(alsoBad.failures.map((f) => f.property)).toEqual(["teardown"]);

    const created = await plugin.create(U, (await plugin.check(U, {}, { jobIds: emu.seedFlinkJobs(P, [{}]) })).inputs);
    const diff = await plugin.diff(created.id, U, created.properties, { ...created.properties, jobIds: UNKNOWN_VALUE, projectId: "fedcba9876543210fedcba9876543210" });
    expect(diff).toMatchObject({ changes: true, replaces: ["projectId"] });
  });
});

describe("the lifecycle against the emulator", () => {
  test("credentials from the environment: create, diff, update (a removed ID torn down), read, delete", async ({ emu, launch }) => {
    const [a, b] = emu.seedFlinkJobs(P, [{}, {}]);
    const plugin = await launch(envCredentials(emu));
    const U = urn(FLINK, "streams", PROJECT);

    const checked = await plugin.check(U, {}, { jobIds: [a, b], teardown: "stop-then-delete" });
    expect(checked.failures).toEqual([]);
    const created = await plugin.create(U, checked.inputs);
    expect(created.id).toMatch(new RegExp(`^dli-flink/${P}/set-[0-9a-f]{16}$`));
    expect(created.properties).toEqual({
      jobIds: [a, b],
      projectId: P,
      endpoint: emu.url,
      teardown: "stop-then-delete",
      triggerSavepoint: false,
      batchSize: 100,
      waitTimeoutSeconds: 1200,
    });
    expect(emu.calls().map((c) => c.op).every((op) => op === "flink.list")).toBe(true);
    expect(emu.calls().every((c) => c.authenticatedAs === DEFAULT_ACCESS_KEY)).toBe(true);

    const next = await plugin.check(U, created.properties, { jobIds: [a], teardown: "stop-then-delete" });
    const diff = await plugin.diff(created.id, U, created.properties, next.inputs);
    expect(diff).toMatchObject({ changes: true, replaces: [], deleteBeforeReplace: false });
    const same = await plugin.diff(created.id, U, created.properties, checked.inputs);
    expect(same.changes).toBe(false);

    emu.resetCalls();
    const updated = await plugin.update(created.id, U, created.properties, next.inputs);
    expect(updated.properties.jobIds).toEqual([a]);
    expect(idsSent(emu, "flink.stop")).toEqual([b]);
    expect(idsSent(emu, "flink.delete")).toEqual([b]);
    expect(emu.flinkJobs(P).map((job) => job.jobId)).toEqual([a]);

    // Refresh: one list pass; the job's status is recorded. Import by an ID that names the jobs works; a
    // create-made ID (a digest) is refused, naming the form to use.
    emu.resetCalls();
    const read = await plugin.read(created.id, U, updated.properties);
    expect(read.id).toBe(created.id);
    expect(read.properties).toMatchObject({ jobIds: [a], jobStatuses: ["job_running"] });
    expect(emu.calls().map((call) => call.op)).toEqual(["flink.list"]);
    const imported = await plugin.read(`dli-flink/${P}/${a}`, U, {});
    expect(imported.properties).toMatchObject({ jobIds: [a], projectId: P });
    const refused = await failure(plugin.read(created.id, U, {}));
    expect(refused.message).toMatch(/was made by create and names no jobs; import with dli-flink\/<projectId>\/<id>,<id>/);

    await plugin.delete(created.id, U, updated.properties);
    expect(emu.flinkJobs(P)).toEqual([]);
    expectNoCredentials(plugin, [checked, created, next, updated, read], [DEFAULT_SECRET_KEY, DEFAULT_ACCESS_KEY]);
  });

  test("credentials from PULUMI_CONFIG (secret config, as the engine passes it): used for every call, never shown", async ({ emu, launch }) => {
    const [a, b] = emu.seedFlinkJobs(P, [{}, {}]);
    // No credentials nor project in the environment: only the stack config has them.
    const plugin = await launch({
      JOBSETS_DLI_ENDPOINT: emu.url,
      PULUMI_CONFIG: engineConfig({ accessKey: CONFIG_AK, secretKey: CONFIG_SK, projectId: P }),
    });
    // The engine also sends the default provider's config to Configure; provider.main's server answers it
    // itself (acceptSecrets) and drops the values, which is why PULUMI_CONFIG is the route.
    const configured = await plugin.configure(
      { "jobsets:accessKey": "NOT-USED-AK", "jobsets:secretKey": "NOT-USED-SK" },
      { secretKeys: ["jobsets:accessKey", "jobsets:secretKey"] },
    );
    expect(configured.acceptSecrets).toBe(true);
    const U = urn(FLINK, "streams", PROJECT);
    const checked = await plugin.check(U, {}, { jobIds: [a, b] });
    expect(checked.inputs.projectId).toBe(P);
    const created = await plugin.create(U, checked.inputs);
    const next = await plugin.check(U, created.properties, { jobIds: [b] });
    const updated = await plugin.update(created.id, U, created.properties, next.inputs);
    await plugin.delete(created.id, U, updated.properties);

    expect(emu.flinkJobs(P)).toEqual([]);
    expect(emu.calls().length).toBeGreaterThan(0);
    expect(emu.calls().every((c) => c.authenticatedAs === CONFIG_AK)).toBe(true);
    expectNoCredentials(plugin, [checked, created, next, updated], [CONFIG_SK, CONFIG_AK, "NOT-USED-SK"]);
  });

  test("without credentials anywhere, create fails before any request, listing where they may come from", async ({ emu, launch }) => {
    const [a] = emu.seedFlinkJobs(P, [{}]);
    const plugin = await launch({ JOBSETS_DLI_ENDPOINT: emu.url, HW_PROJECT_ID: P });
    const U = urn(FLINK, "s", PROJECT);
    const error = await failure(plugin.create(U, (await plugin.check(U, {}, { jobIds: [a] })).inputs));
    expect(error.message).toMatch(/No Huawei Cloud credentials found: .*jobsets:accessKey/);
    expect(emu.calls()).toEqual([]);
  });

  test("secret inputs are unwrapped for the lifecycle, and their outputs stay secret", async ({ emu, launch }) => {
    const ids = emu.seedFlinkJobs(P, [{}, {}]);
    const plugin = await launch(envCredentials(emu));
    const U = urn(FLINK, "s", PROJECT);
    const checked = await plugin.check(U, {}, { jobIds: secret(ids), projectId: secret(P) });
    expect(checked.failures).toEqual([]);
    expect(checked.inputs.jobIds).toEqual({ [SIG_KEY]: SECRET_SIG, value: ids });
    const created = await plugin.create(U, checked.inputs);
    expect(created.properties.jobIds).toEqual({ [SIG_KEY]: SECRET_SIG, value: ids });
    expect(created.properties.projectId).toEqual({ [SIG_KEY]: SECRET_SIG, value: P });
    expect(created.properties.teardown).toBe("delete");
    expect(created.id).not.toContain(SIG_KEY);
    // The engine sends stored outputs back wrapped: diff and delete see through them.
    expect((await plugin.diff(created.id, U, created.properties, checked.inputs)).changes).toBe(false);
    await plugin.delete(created.id, U, created.properties);
    expect(emu.flinkJobs(P)).toEqual([]);
  });

  test("a set by selector: selectedIds is a secret output, and delete tears down what the selector matches then", async ({ emu, launch }) => {
    const [member, neighbour] = emu.seedFlinkJobs(P, [
      { name: "nightly-1", queue: "etl" },
      { name: "nightly-1", queue: "adhoc" },
    ]);
    const plugin = await launch(envCredentials(emu));
    const U = urn(FLINK, "nightly", PROJECT);
    const checked = await plugin.check(U, {}, { selector: { namePrefix: "nightly-", queueName: "etl" } });
    expect(checked.failures).toEqual([]);
    const created = await plugin.create(U, checked.inputs);
    expect(created.properties.selectedIds).toEqual({ [SIG_KEY]: SECRET_SIG, value: [member] });
    expect(created.properties).toMatchObject({ jobIds: [], selector: { namePrefix: "nightly-", queueName: "etl" } });
    const [late] = emu.seedFlinkJobs(P, [{ name: "nightly-2", queue: "etl" }]);

    await plugin.delete(created.id, U, created.properties);

    expect(emu.flinkJobs(P).map((job) => job.jobId)).toEqual([neighbour]);
    expect(late).toBeDefined();
  });

  test("an update whose teardown partly fails answers ErrorResourceInitFailed with the jobs still to tear down", async ({ emu, launch }) => {
    const [a, b, c] = emu.seedFlinkJobs(P, [{}, {}, {}]);
    const plugin = await launch(envCredentials(emu));
    const U = urn(FLINK, "s", PROJECT);
    const created = await plugin.create(U, (await plugin.check(U, {}, { jobIds: [a, b, c] })).inputs);
    emu.failJobs("flink.delete", [c!], "Failed to delete the job: locked");

    const next = await plugin.check(U, created.properties, { jobIds: [a] });
    const error = await failure(plugin.update(created.id, U, created.properties, next.inputs));
    expect(error.message).toContain(`dli-flink job ${c}: Failed to delete the job: locked`);
    const partial = (error as Error & { partial?: { id: string; properties: Props; reasons: string[] } }).partial;
    expect(partial).toBeDefined();
    expect(partial!.id).toBe(created.id);
    expect(partial!.properties).toMatchObject({ jobIds: [a, c], projectId: P, teardown: "delete", endpoint: emu.url });
    expect(partial!.reasons.join("\n")).toContain(c);
    expect(emu.flinkJobs(P).map((job) => job.jobId)).toEqual([a, c]);

    // The next update starts from the outputs the engine kept, and finishes the job.
    emu.clearFaults();
    emu.resetCalls();
    const retried = await plugin.update(created.id, U, partial!.properties, next.inputs);
    expect(idsSent(emu, "flink.delete")).toEqual([c]);
    expect(retried.properties.jobIds).toEqual([a]);
  });
});

describe("what the dynamic provider has too", () => {
  test("read returns the inputs that describe the set, so the engine accepts an import through the plugin", async ({ emu, launch }) => {
    const [a, b] = emu.seedFlinkJobs(P, [{}, {}]);
    const plugin = await launch(envCredentials(emu));
    const U = urn(FLINK, "imported", PROJECT);

    const imported = await plugin.read(`dli-flink/${P}/${a},${b}`, U, {});

    const inputs = { jobIds: [a, b], projectId: P, endpoint: emu.url, teardown: "delete", triggerSavepoint: false, batchSize: 100, waitTimeoutSeconds: 1200 };
    expect(imported.inputs).toEqual(inputs);
    expect(imported.properties).toEqual({ ...inputs, jobStatuses: ["job_running", "job_running"] });
    // The inputs pass check as they are, and diff against the imported state finds nothing to change.
    const checked = await plugin.check(U, {}, imported.inputs!);
    expect(checked.failures).toEqual([]);
    expect((await plugin.diff(imported.id, U, imported.properties, checked.inputs)).changes).toBe(false);
  });

  test("the settings the dynamic provider reads: JOBSETS_HTTP_TIMEOUT_MS applies, a bad JOBSETS_CONCURRENCY fails naming it", async ({ emu, launch }) => {
    const [a] = emu.seedFlinkJobs(P, [{}]);
    const U = urn(FLINK, "s", PROJECT);
    const slow = await launch({ ...envCredentials(emu), JOBSETS_HTTP_TIMEOUT_MS: "200", JOBSETS_MAX_RETRIES: "0" });
    const inputs = (await slow.check(U, {}, { jobIds: [a] })).inputs;
    emu.failNext("flink.list", { delayMs: 2_000 });
    const timedOut = await failure(slow.create(U, inputs));
    expect(timedOut.message).toMatch(/timeout/i);

    const bad = await launch({ ...envCredentials(emu), JOBSETS_CONCURRENCY: "abc" });
    const checked = await bad.check(U, {}, { jobIds: [a] });
    expect(checked.failures).toEqual([
      { property: "jobsets:concurrency", reason: 'JOBSETS_CONCURRENCY (or jobsets:concurrency) must be a whole number from 1 to 1,000, received "abc"' },
    ]);
    emu.resetCalls();
    const refused = await failure(bad.create(U, inputs));
    expect(refused.message).toContain("JOBSETS_CONCURRENCY (or jobsets:concurrency) must be a whole number");
    expect(emu.calls()).toEqual([]);
  });

  test("each set's progress has its own throttle: the last line of every set shows, even when sets tear down at once", async ({ emu, launch }) => {
    const small = emu.seedFlinkJobs(P, [{}, {}]);
    const large = emu.seedFlinkJobs(P, [{}, {}, {}]);
    const plugin = await launch(envCredentials(emu));
    const sets = await Promise.all(
      [small, large].map(async (jobIds, i) => {
        const U = urn(FLINK, `set${i}`, PROJECT);
        const created = await plugin.create(U, (await plugin.check(U, {}, { jobIds, teardown: "stop" })).inputs);
        return { U, created };
      }),
    );

    await Promise.all(sets.map(({ U, created }) => plugin.delete(created.id, U, created.properties)));

    // Each set's final count, at once (not a trailing line printed seconds later, or never), sent to the engine
    // under that set's URN before its delete answered; none left to the engine's reader of the console.
    for (const [{ U }, n] of [[sets[0]!, 2], [sets[1]!, 3]] as const) {
      const own = plugin.engineMessages().filter((m) => m.urn === U);
      expect(own.map((m) => m.message)).toContainEqual(expect.stringMatching(new RegExp(`^dli-flink: \\w+ ${n} of ${n} jobs`)));
    }
    expect(plugin.stdout()).not.toMatch(/dli-flink:/);
  });
});

describe("config", () => {
  test("PULUMI_CONFIG: the engine's un-namespaced keys, the namespaced spellings, nothing else", () => {
    const engine = configFromEnv({ PULUMI_CONFIG: JSON.stringify({ accessKey: "ak", region: "cn-north-4" }) });
    expect(engine("jobsets:accessKey")).toBe("ak");
    expect(engine("jobsets:region")).toBe("cn-north-4");
    expect(engine("jobsets:secretKey")).toBeUndefined();
    expect(engine("other:accessKey")).toBeUndefined();
    const namespaced = configFromEnv({ PULUMI_CONFIG: JSON.stringify({ "jobsets:accessKey": "ak1", "jobsets:config:secretKey": "sk1", "aws:region": "x" }) });
    expect(namespaced("jobsets:accessKey")).toBe("ak1");
    expect(namespaced("jobsets:secretKey")).toBe("sk1");
    expect(namespaced("jobsets:region")).toBeUndefined();
    expect(configFromEnv({})("jobsets:accessKey")).toBeUndefined();
    expect(() => configFromEnv({ PULUMI_CONFIG: '{"secretKey": "hunter2"' })).toThrow(/not valid JSON \(its content is not shown/);
    expect(() => configFromEnv({ PULUMI_CONFIG: '{"secretKey": "hunter2"' })).not.toThrow(/hunter2/);
  });
});
