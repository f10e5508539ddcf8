// examples/policy-pack through the real CLI: `pulumi up --policy-pack <dir>` with and without
// `--policy-pack-config`. A mandatory violation must stop the update before the set is created (nothing in the
// state, no request to the cloud); the config file must move a threshold both ways.
//
// The CLI starts a Node.js policy pack through its Node.js language host; the suite's stand-in for that host
// (test/e2e/nodejs-plugin-host.js) runs @pulumi/pulumi's own run-policy-pack, as the real host does.
import * as fs from "node:fs";
import * as path from "node:path";
import { beforeAll, expect, test } from "vitest";
import { REPO_ROOT, linkPackage } from "../harness/program";
import { DEFAULT_PROJECT_ID } from "../helpers/jobsets";
import { addStandInLanguageHost } from "./cli";
import { ScenarioStack, scenarioSuite } from "./scenarios";
import { copyProject, expectOk, jobSets } from "./workspace";

const PACK_SOURCE = path.join(REPO_ROOT, "examples", "policy-pack");
const RUN_TIMEOUT_MS = 4 * 60_000;

const suite = scenarioSuite();
let packDir: string;

/** The example pack in the sandbox, its dependencies (the policy SDK, this package, TypeScript) linked. */
function installPack(into: string): string {
  const dir = copyProject(PACK_SOURCE, into);
  linkPackage(dir);
  for (const dependency of ["@pulumi", "@types", "typescript"]) {
    fs.symlinkSync(path.join(REPO_ROOT, "node_modules", dependency), path.join(dir, "node_modules", dependency), "dir");
  }
  return dir;
}

function writeConfig(name: string, config: unknown): string {
  const file = path.join(suite.sandbox.dir, name);
  fs.writeFileSync(file, JSON.stringify(config));
  return file;
}

function upWithPolicies(stack: ScenarioStack, configFile?: string) {
  const args = ["up", "--yes", "--skip-preview", "--policy-pack", packDir];
  if (configFile) args.push("--policy-pack-config", configFile);
  return stack.run(args, { program: true, timeoutMs: RUN_TIMEOUT_MS });
}

beforeAll(() => {
  addStandInLanguageHost(suite.sandbox, "nodejs");
  packDir = installPack(suite.sandbox.dir);
});

test("a mandatory violation blocks the update with the policy's message: nothing is created or sent", async () => {
  const ids = suite.emu.seedFlinkJobs(DEFAULT_PROJECT_ID, [{ name: "prod-1" }, { name: "prod-2" }]);
  // "prod" matches the pack's production stack patterns: every set there must be protected.
  const stack = await ScenarioStack.init(suite, "prod", { sets: [{ kind: "dli.FlinkJobSet", name: "orders", args: { jobIds: ids } }] });
  suite.emu.resetCalls();

  const result = await upWithPolicies(stack);
  const output = `${result.stdout}${result.stderr}`;
  expect(result.code, output).not.toBe(0);
  expect(output).toMatch(/mandatory/);
  expect(output).toMatch(/jobsets-protect-in-production/);
  expect(output).toMatch(/"orders" \(DliFlinkJobSet\) is not protected, and this is a production stack \(stack "prod" matches "prod"\)/);
  expect(suite.emu.calls()).toEqual([]);
  expect(jobSets((await stack.export()).deployment)).toEqual([]);
  expect(ids.map(suite.flinkStatus)).toEqual(["job_running", "job_running"]);
}, RUN_TIMEOUT_MS);

test("--policy-pack-config lowers a threshold so the same set is blocked, and raises it so it passes", async () => {
  const ids = suite.emu.seedFlinkJobs(DEFAULT_PROJECT_ID, [{ name: "batch-1" }, { name: "batch-2" }, { name: "batch-3" }]);
  const stack = await ScenarioStack.init(suite, "dev", { sets: [{ kind: "dli.FlinkJobSet", name: "batch", args: { jobIds: ids } }] });

  const strict = await upWithPolicies(stack, writeConfig("strict.json", { "jobsets-protect-large-sets": { minJobs: 3 } }));
  const strictOutput = `${strict.stdout}${strict.stderr}`;
  expect(strict.code, strictOutput).not.toBe(0);
  expect(strictOutput).toMatch(/jobsets-protect-large-sets/);
  expect(strictOutput).toMatch(/holds 3 jobs and is not protected \(sets of 3 jobs or more must be\)/);
  expect(jobSets((await stack.export()).deployment)).toEqual([]);

  // The same program under the pack's defaults (100 jobs) passes, and the set is created.
  expectOk(await upWithPolicies(stack));
  const lenient = await upWithPolicies(stack, writeConfig("lenient.json", { "jobsets-protect-large-sets": { minJobs: 4 } }));
  expectOk(lenient);
  const [set] = jobSets((await stack.export()).deployment);
  expect(set?.outputs?.jobIds).toEqual(ids);
}, 3 * RUN_TIMEOUT_MS);

test("a config value the policy's schema refuses fails the run, naming the property", async () => {
  const ids = suite.emu.seedFlinkJobs(DEFAULT_PROJECT_ID, [{ name: "typo-1" }]);
  const stack = await ScenarioStack.init(suite, "typo", { sets: [{ kind: "dli.FlinkJobSet", name: "typo", args: { jobIds: ids } }] });
  suite.emu.resetCalls();

  const result = await upWithPolicies(stack, writeConfig("bad.json", { "jobsets-protect-large-sets": { minJobs: 0 } }));
  const output = `${result.stdout}${result.stderr}`;
  expect(result.code, output).not.toBe(0);
  expect(output).toMatch(/minJobs/);
  expect(suite.emu.calls()).toEqual([]);
}, RUN_TIMEOUT_MS);
