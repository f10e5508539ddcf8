// A set moved from the dynamic-provider route (`pulumi-nodejs:dynamic/jobsets:DliFlinkJobSet`) to the plugin route
// (`jobsets:dli:FlinkJobSet`) through the real `pulumi` CLI against the emulator: with an alias to the old type the
// engine keeps it as the same resource and tears nothing down; without one, it creates a new set and deletes the
// old one, and that delete, run by the other route's provider process, tears down every job the set held.
//
// The plugin is the repository's own (dist/provider/plugin.js), put on PATH as `pulumi-resource-jobsets`: the CLI
// built here has no Node.js language host to run a source plugin, so a script runs the launcher that host would.
import * as fs from "node:fs";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { type Emulator, startEmulator } from "../../emulator";
import { REPO_ROOT, linkPackage } from "../harness/program";
import { RUN_PLUGIN } from "../harness/provider-host";
import { DEFAULT_PROJECT_ID, emulatorEnv } from "../helpers/jobsets";
import { type CliSandbox, type PulumiResult, cliSandbox, requireCli, runPulumi } from "./cli";
import { expectOk, writeJsProject } from "./workspace";

const STACK = "route-move";
const DYNAMIC_TYPE = "pulumi-nodejs:dynamic/jobsets:DliFlinkJobSet";
const PLUGIN_TYPE = "jobsets:dli:FlinkJobSet";
/** Operations that end or remove a job. */
const TEARDOWN_OPS = /^flink\.(stop|delete|deleteOne)$/;
const RUN_TIMEOUT_MS = 4 * 60_000;

/**
 * One set, `orders`, on the route the stack config names; `plugin-alias` points the plugin's set at the dynamic
 * one. Plain JavaScript: the type check is not what this test is about.
 */
const PROGRAM = `
"use strict";
const pulumi = require("@pulumi/pulumi");
const jobsets = require("pulumi-jobsets");

/** The plugin route's set, as an SDK generated from the plugin's schema would declare it. */
class FlinkJobSet extends pulumi.CustomResource {
  constructor(name, args, opts) {
    super("${PLUGIN_TYPE}", name, args, opts);
  }
}

const config = new pulumi.Config();
const jobIds = JSON.parse(config.require("jobIds")); // strings: Flink IDs are above 2^53
const route = config.require("route");
if (route === "dynamic" || route === "dynamic-alias") {
  new jobsets.dli.FlinkJobSet("orders", { jobIds }, { aliases: route === "dynamic-alias" ? [{ type: "${PLUGIN_TYPE}" }] : [] });
} else {
  new FlinkJobSet("orders", { jobIds }, { aliases: route === "plugin-alias" ? [{ type: "${DYNAMIC_TYPE}" }] : [] });
}
`;

let emu: Emulator;
let sandbox: CliSandbox;
let workDir: string;

function writeProject(into: string): string {
  const dir = writeJsProject(into, "route-move", PROGRAM);
  linkPackage(dir);
  fs.symlinkSync(path.join(REPO_ROOT, "node_modules", "@pulumi"), path.join(dir, "node_modules", "@pulumi"), "dir");
  return dir;
}

/** `pulumi-resource-jobsets` on PATH: runs the plugin the way the Node.js language host would. */
function installPlugin(into: string): string {
  const bin = path.join(into, "plugin-bin");
  fs.mkdirSync(bin);
  const script = path.join(bin, "pulumi-resource-jobsets");
  fs.writeFileSync(script, `#!/bin/sh\nexec "${process.execPath}" "${RUN_PLUGIN}" "${REPO_ROOT}" "$@"\n`, { mode: 0o755 });
  return bin;
}

const pulumi = (args: string[], program = false) => runPulumi(args, { cwd: workDir, env: sandbox.env, program, timeoutMs: RUN_TIMEOUT_MS });

async function up(route: string): Promise<PulumiResult> {
  expectOk(await pulumi(["config", "set", "route", route]));
  return pulumi(["up", "--yes", "--skip-preview"], true);
}

/** Each job set in the state: its type and the package of the provider that manages it. */
async function setsInState(): Promise<string[]> {
  const exported = await pulumi(["stack", "export"]);
  expectOk(exported);
  const resources = (JSON.parse(exported.stdout) as { deployment: { resources?: { type: string; provider?: string }[] } }).deployment.resources ?? [];
  return resources
    .filter((resource) => resource.type === DYNAMIC_TYPE || resource.type === PLUGIN_TYPE)
    .map((resource) => `${resource.type} via ${/::pulumi:providers:([^:]+)::/.exec(resource.provider ?? "")?.[1]}`);
}

const teardownCalls = () => emu.calls().filter((call) => TEARDOWN_OPS.test(call.op));
const liveJobs = (jobIds: readonly string[]) => emu.flinkJobs(DEFAULT_PROJECT_ID).filter((job) => jobIds.includes(job.jobId));

describe("moving a set from the dynamic-provider route to the plugin route", () => {
  let jobIds: string[];

  beforeEach(async () => {
    requireCli();
    emu = await startEmulator();
    jobIds = emu.seedFlinkJobs(DEFAULT_PROJECT_ID, [{ name: "orders-1" }, { name: "orders-2" }]);
    const base = cliSandbox(emulatorEnv(emu));
    const pluginBin = installPlugin(base.dir);
    sandbox = { ...base, env: { ...base.env, PATH: [pluginBin, base.env.PATH ?? ""].join(path.delimiter) } };
    workDir = writeProject(sandbox.dir);
    expectOk(await pulumi(["stack", "init", STACK]));
    expectOk(await pulumi(["config", "set", "jobIds", JSON.stringify(jobIds)]));
    expectOk(await up("dynamic"));
    expect(await setsInState()).toEqual([`${DYNAMIC_TYPE} via pulumi-nodejs`]);
    emu.resetCalls();
  }, 2 * RUN_TIMEOUT_MS);

  afterEach(async () => {
    await emu?.close();
    sandbox?.dispose();
  });

  /**
   * The `up` that moved the set kept it as the same resource on the other route (`nowIn`), with nothing torn down;
   * then a destroy tears its jobs down through that route.
   */
  async function expectMovedThenDestroyed(moved: PulumiResult, nowIn: string): Promise<void> {
    expectOk(moved);
    expect(moved.stdout).toMatch(/2 unchanged/);
    expect(moved.stdout).not.toMatch(/replace|delete/i);
    expect(await setsInState()).toEqual([nowIn]);
    expect(teardownCalls()).toEqual([]);
    expect(liveJobs(jobIds).map((job) => job.status)).toEqual(["job_running", "job_running"]);

    expectOk(await pulumi(["destroy", "--yes", "--skip-preview"]));
    expect(await setsInState()).toEqual([]);
    expect(liveJobs(jobIds)).toEqual([]);
  }

  test("with an alias to the dynamic type: the same resource, nothing torn down; destroy then tears down through the plugin", async () => {
    const moved = await up("plugin-alias");
    // The jobsets plugin diffs the old state (the dynamic route's outputs, its `__provider` text included) against
    // the inputs and finds nothing to change.
    await expectMovedThenDestroyed(moved, `${PLUGIN_TYPE} via jobsets`);
  }, 3 * RUN_TIMEOUT_MS);

  test("and back, with an alias to the plugin type: the dynamic route takes the set over, nothing torn down", async () => {
    expectOk(await up("plugin-alias"));
    expect(await setsInState()).toEqual([`${PLUGIN_TYPE} via jobsets`]);
    emu.resetCalls();

    await expectMovedThenDestroyed(await up("dynamic-alias"), `${DYNAMIC_TYPE} via pulumi-nodejs`);
  }, 4 * RUN_TIMEOUT_MS);

  test("without an alias: a new set, and the old one's delete tears down the jobs the new set declares", async () => {
    expectOk(await up("plugin"));
    expect(await setsInState()).toEqual([`${PLUGIN_TYPE} via jobsets`]);
    expect(teardownCalls().length).toBeGreaterThan(0);
    expect(liveJobs(jobIds)).toEqual([]);
  }, 2 * RUN_TIMEOUT_MS);
});
