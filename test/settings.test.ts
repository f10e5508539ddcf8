// Settings that tell the truth: every setting is a stack config key (`jobsets:<name>`) and an environment
// variable, the config winning; an invalid value fails loudly naming the setting, before any request, instead of
// falling back to a default in silence. One table in code (provider/config.ts) feeds check's unknown-key hint,
// the plugin schema's config variables and the README's table; the tests below hold each of them to it, and
// drive the real provider host against the emulator.
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, vi } from "vitest";
import type { RecordedCall } from "../emulator";
import { SETTINGS, settingsTable, type SettingName } from "../provider/config";
import { packageSchema } from "../provider/plugin-schema";
import { CheckFailedError, Stack, StepErrors } from "./harness/engine";
import { REPO_ROOT } from "./harness/program";
import { startProvider, urn } from "./harness/provider-host";
import { DEFAULT_PROJECT_ID, FLINK, PROGRAM_DIR, PROJECT, emulatorEnv, failure, flinkSet, program, sparkSet, test } from "./helpers/jobsets";

const P = DEFAULT_PROJECT_ID;

/** The most calls of `op` the emulator was answering at once (from arrival and answer times). */
function mostInFlight(calls: RecordedCall[]): number {
  const edges = calls.flatMap((call) => [
    { at: call.at, delta: 1 },
    { at: call.answeredAt, delta: -1 },
  ]);
  // An answer and an arrival at the same instant: the answer first (the two did not overlap).
  edges.sort((a, b) => a.at - b.at || a.delta - b.delta);
  let now = 0;
  let most = 0;
  for (const edge of edges) {
    now += edge.delta;
    most = Math.max(most, now);
  }
  return most;
}

describe("one table", () => {
  test("the README's settings table is the one in provider/config.ts", () => {
    const readme = fs.readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");
    const table = /<!-- settings table: provider\/config\.ts settingsTable\(\) -->\n([\s\S]*?)\n<!-- end of settings table -->/.exec(readme)?.[1];
    expect(table, "README.md lacks the settings table markers").toBeDefined();
    expect(table, `README.md's settings table differs from the code; it should read:\n${settingsTable()}`).toBe(settingsTable());
    // Every setting that is not a credential is a row, named both ways.
    for (const [name, spec] of Object.entries(SETTINGS)) {
      if ("credential" in spec) continue;
      expect(table).toContain(`| \`jobsets:${name}\` | ${spec.env.map((v) => `\`${v}\``).join(" or ")} |`);
    }
  });

  test("the plugin schema's config variables are the settings, typed, each naming its environment variable", () => {
    const variables = packageSchema("1.0.0").config.variables;
    expect(Object.keys(variables).sort()).toEqual(Object.keys(SETTINGS).sort());
    for (const [name, spec] of Object.entries(SETTINGS)) {
      const variable = variables[name]!;
      expect(variable.description).toContain(`\`${spec.env[0]}\``);
      expect("type" in variable && variable.type).toBe(spec.value.type === "integer" ? "integer" : spec.value.type === "flag" ? "boolean" : "string");
      expect(variable.secret ?? false).toBe("secret" in spec && spec.secret);
    }
  });

  test("every setting is a known stack config key: check takes each, and hints at a typo of any", async ({ emu, host }) => {
    const run = await program([flinkSet("s", { jobIds: [1] })]);
    const valid: Record<SettingName, string> = {
      accessKey: "ak", secretKey: "sk", securityToken: "t", authToken: "t", qingcloudAccessKeyId: "q", qingcloudSecretAccessKey: "q",
      projectId: P, region: "cn-north-4", cloud: "myhuaweicloud.com", dliEndpoint: emu.url, mrsEndpoint: emu.url, ehpcEndpoint: emu.url,
      maxJobsPerSet: "10", maxJobsPerTeardown: "10", maxJobsPerDestroy: "10", allowMassTeardown: "false",
      concurrency: "4", rateLimitDli: "50/s", rateLimitMrs: "off", rateLimitEhpc: "2000/h", rateLimitIam: "10/min",
      maxRetries: "3", retryMinDelayMs: "20", httpTimeoutMs: "5000",
    };
    await host.configure({ ...Object.fromEntries(Object.entries(valid).map(([k, v]) => [`jobsets:${k}`, v])), "jobsets:concurency": "4" });
    const result = await host.check(urn(FLINK, "s", PROJECT), {}, run.resources[0]!.inputs);
    expect(result.failures).toEqual([
      expect.objectContaining({ property: "jobsets:concurency", reason: expect.stringContaining('did you mean "jobsets:concurrency"?') }),
    ]);
    expect(emu.calls()).toEqual([]);
  });
});

describe("a setting from the stack config", () => {
  test("jobsets:concurrency limits the calls in flight per set, as JOBSETS_CONCURRENCY does", async ({ emu, stack }) => {
    const one = emu.seedSparkBatches(P, Array.from({ length: 6 }, () => ({ state: "running" })));
    const many = emu.seedSparkBatches(P, Array.from({ length: 6 }, () => ({ state: "running" })));
    // Cancels are one call per batch: answered slowly, they overlap as far as the setting lets them.
    emu.failNext("spark.cancel", { delayMs: 40, times: 12 });
    const limited = await startProvider({ cwd: PROGRAM_DIR, project: PROJECT, env: emulatorEnv(emu) });
    try {
      const serial = new Stack(limited);
      await serial.up(await program([sparkSet("one", { batchIds: one })], { config: { "jobsets:concurrency": "1" } }));
      await stack.up(await program([sparkSet("many", { batchIds: many })]));
      emu.resetCalls();
      await serial.destroy();
      const serialCancels = emu.calls({ op: "spark.cancel" });
      emu.resetCalls();
      await stack.destroy();
      const parallelCancels = emu.calls({ op: "spark.cancel" });

      expect(serialCancels).toHaveLength(6);
      expect(mostInFlight(serialCancels)).toBe(1);
      // The measure sees overlap where the default (16) allows it.
      expect(mostInFlight(parallelCancels)).toBeGreaterThan(1);
    } finally {
      await limited.stop();
    }
  });

  test("jobsets:httpTimeoutMs and jobsets:maxRetries reach the HTTP client", async ({ emu, stack }) => {
    const [a] = emu.seedFlinkJobs(P, [{}]);
    // One slow answer: with the default timeout (30 s) it would arrive, and with retries a second call would succeed.
    emu.failNext("flink.list", { delayMs: 2_000 });
    const run = await program([flinkSet("s", { jobIds: [a] })], { config: { "jobsets:httpTimeoutMs": "200", "jobsets:maxRetries": "0" } });
    emu.resetCalls();
    const error = await failure(stack.up(run));
    // A headers timeout before the 2 s answer: the 200 ms applied.
    expect(error.message).toMatch(/no answer from .* \(UND_ERR_HEADERS_TIMEOUT\)/);
    // The emulator records a call when it answers: once the slow answer is in, it is the only call (no retry).
    await vi.waitFor(() => expect(emu.calls().some((call) => call.answeredAt - call.at >= 2_000)).toBe(true), { timeout: 10_000 });
    expect(emu.calls().map((call) => call.op)).toEqual(["flink.list"]);
    expect(stack.resource("s")).toBeUndefined();
  });
});

describe("an invalid setting", () => {
  describe("in the environment", () => {
    test.override({ hostEnv: { JOBSETS_CONCURRENCY: "abc" } });

    test("fails check naming the setting and where it came from; no request", async ({ emu, stack }) => {
      const error = await failure(stack.up(await program([flinkSet("s", { jobIds: [1] })])));
      expect(error).toBeInstanceOf(CheckFailedError);
      expect((error as CheckFailedError).failures).toEqual([
        { property: "jobsets:concurrency", reason: 'JOBSETS_CONCURRENCY (or jobsets:concurrency) must be a whole number from 1 to 1,000, received "abc"' },
      ]);
      expect(emu.calls()).toEqual([]);
    });
  });

  test("in the stack config: jobsets:httpTimeoutMs=-1 fails check naming it", async ({ emu, stack }) => {
    const error = await failure(stack.up(await program([flinkSet("s", { jobIds: [1] })], { config: { "jobsets:httpTimeoutMs": "-1" } })));
    expect((error as CheckFailedError).failures).toEqual([
      { property: "jobsets:httpTimeoutMs", reason: 'jobsets:httpTimeoutMs (or JOBSETS_HTTP_TIMEOUT_MS) must be a whole number from 1 to 3,600,000, received "-1"' },
    ]);
    expect(emu.calls()).toEqual([]);
  });

  test("fails a destroy before any request, naming it; the set and its jobs stay", async ({ emu, stack }) => {
    const ids = emu.seedFlinkJobs(P, [{}, {}]);
    await stack.up(await program([flinkSet("s", { jobIds: ids })]));
    emu.resetCalls();
    // A later `pulumi destroy` from a shell where a setting is mistyped.
    const elsewhere = await startProvider({ cwd: PROGRAM_DIR, project: PROJECT, env: emulatorEnv(emu, { JOBSETS_RATE_LIMIT_DLI: "fast" }) });
    try {
      const later = new Stack(elsewhere, { state: stack.state() });
      const error = await failure(later.destroy());
      expect(error).toBeInstanceOf(StepErrors);
      expect(error.message).toContain('JOBSETS_RATE_LIMIT_DLI (or jobsets:rateLimitDli) must be a request count per window, like "2000/h", "50/s", "300/min", or "off", received "fast"');
      expect(emu.calls()).toEqual([]);
      expect(later.resource("s")).toBeDefined();
      expect(emu.flinkJobs(P).map((j) => j.jobId).sort()).toEqual([...ids].sort());
    } finally {
      await elsewhere.stop();
    }
  });

  test("a flag that is neither true nor false fails instead of counting as false", async ({ emu, stack }) => {
    const error = await failure(stack.up(await program([flinkSet("s", { jobIds: [1] })], { config: { "jobsets:allowMassTeardown": "yes please" } })));
    expect((error as CheckFailedError).failures).toEqual([
      { property: "jobsets:allowMassTeardown", reason: 'jobsets:allowMassTeardown (or JOBSETS_ALLOW_MASS_TEARDOWN) must be true or false (or 1 or 0), received "yes please"' },
    ]);
    expect(emu.calls()).toEqual([]);
  });
});
