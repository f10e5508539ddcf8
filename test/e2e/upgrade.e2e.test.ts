// Upgrading the package under a live stack, through the real CLI: stacks brought up with the previous release
// (test/e2e/fixtures/pulumi-jobsets-0.1.0.tgz, `npm pack` of the last 0.1.0 commit, 3dd8792^) and destroyed after
// `npm install` of the current package run the current code, because the provider stored in the state only
// `require`s the installed package (sdk/provider-shim.ts).
//
// What tells the two releases apart: a delete that answers success but leaves the job listed (the emulator's
// lieOnDelete). 0.1.0 took the answer at its word and left the job running; the current release confirms each
// delete by listing and sends it again. A control stack destroyed while 0.1.0 is still installed shows the old
// code really is what ran before the upgrade.
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { type Emulator, startEmulator } from "../../emulator";
import { REPO_ROOT } from "../harness/program";
import { DEFAULT_PROJECT_ID, emulatorEnv } from "../helpers/jobsets";
import { type CliSandbox, type PulumiResult, cliSandbox, requireCli, runPulumi } from "./cli";
import { expectOk, exportStack, installDependencies, jobSets, writeJsProject } from "./workspace";

const PREVIOUS_RELEASE = path.join(__dirname, "fixtures", "pulumi-jobsets-0.1.0.tgz");
const RUN_TIMEOUT_MS = 4 * 60_000;

/** One Flink set; plain JavaScript, so that both releases run it as they are (no type check against either). */
const PROGRAM = `"use strict";
const pulumi = require("@pulumi/pulumi");
const jobsets = require("pulumi-jobsets");
new jobsets.dli.FlinkJobSet("orders", { jobIds: new pulumi.Config().requireObject("jobIds") });
`;

let emu: Emulator;
let sandbox: CliSandbox;
let dir: string;

const pulumi = (stack: string, args: string[], program = false): Promise<PulumiResult> =>
  runPulumi([...args, "--stack", stack], { cwd: dir, env: sandbox.env, program, timeoutMs: RUN_TIMEOUT_MS });
const installedVersion = () =>
  (JSON.parse(fs.readFileSync(path.join(dir, "node_modules", "pulumi-jobsets", "package.json"), "utf8")) as { version: string }).version;
const flinkStatus = (id: string) => emu.flinkJobs(DEFAULT_PROJECT_ID).find((job) => job.jobId === id)?.status;

/** A stack of the program over its own two jobs, brought up with whatever release is installed. */
async function bringUp(stack: string): Promise<string[]> {
  const ids = emu.seedFlinkJobs(DEFAULT_PROJECT_ID, [{ name: `${stack}-1` }, { name: `${stack}-2` }]);
  expectOk(await runPulumi(["stack", "init", stack], { cwd: dir, env: sandbox.env }));
  expectOk(await pulumi(stack, ["config", "set", "jobIds", JSON.stringify(ids)]));
  expectOk(await pulumi(stack, ["up", "--yes", "--skip-preview"], true));
  return ids;
}

beforeAll(async () => {
  requireCli();
  emu = await startEmulator();
  sandbox = cliSandbox(emulatorEnv(emu));
  dir = writeJsProject(sandbox.dir, "jobsets-upgrade", PROGRAM);
  installDependencies(dir, PREVIOUS_RELEASE);
}, 5 * 60_000);

afterAll(async () => {
  await emu?.close();
  sandbox?.dispose();
});

test("a stack made with 0.1.0 and destroyed after installing the current package runs the current teardown", async () => {
  expect(installedVersion()).toBe("0.1.0");
  const upgraded = await bringUp("upgraded");
  const control = await bringUp("control");
  // The state holds no code of the release that wrote it: the stored provider only loads the installed package.
  const { text } = await exportStack("upgraded", { cwd: dir, env: sandbox.env });
  const [set] = jobSets(JSON.parse(text).deployment);
  const stored = String(set?.outputs?.__provider ?? "");
  expect(stored).toContain("pulumi-jobsets/d");
  expect(stored.length).toBeLessThan(2048);

  // Each set's first batch delete answers success and leaves the jobs listed.
  emu.lieOnDelete("flink.delete", [...upgraded, ...control], { times: 1 });

  // Still on 0.1.0: the lying answer is believed, the destroy succeeds, and the jobs keep running.
  expectOk(await pulumi("control", ["destroy", "--yes", "--skip-preview"]));
  expect(control.map(flinkStatus)).toEqual(["job_running", "job_running"]);

  installDependencies(dir);
  expect(installedVersion()).toBe(JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")).version);
  emu.resetCalls();
  expectOk(await pulumi("upgraded", ["destroy", "--yes", "--skip-preview"]));
  // The current release saw the jobs still listed after the first delete and deleted them again.
  expect(upgraded.map(flinkStatus)).toEqual([undefined, undefined]);
  const deletes = emu.calls({ service: "dli-flink" }).filter((call) => /^flink\.(delete|deleteOne)$/.test(call.op));
  expect(deletes.length).toBeGreaterThanOrEqual(2);
  const { deployment } = await exportStack("upgraded", { cwd: dir, env: sandbox.env });
  expect(deployment.resources ?? []).toEqual([]);
}, 8 * RUN_TIMEOUT_MS);
