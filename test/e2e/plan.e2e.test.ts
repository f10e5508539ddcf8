// `jobsets plan` on a real `pulumi stack export`: a small program (a DLI Flink set by IDs, a DLI Spark set by
// selector) is brought up through the real `pulumi` CLI against the emulator, a pipeline then submits another
// nightly batch, and the built command (dist/provider/cli/jobsets.js) reads the stack's export, plain and with
// `--show-secrets`, and prints what a destroy would do now: for the selector set, what its selector matches now
// beside what `up` recorded, and never a neighbour it leaves alone. It sends list and detail requests only.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type Emulator, startEmulator } from "../../emulator";
import { DEFAULT_PROJECT_ID, emulatorEnv } from "../helpers/jobsets";
import { runJobsetsCommand } from "../helpers/jobsets-command";
import { type CliSandbox, cliSandbox, linkDependencies, requireCli, runPulumi } from "./cli";
import { expectOk, exportStack, writeJsProject } from "./workspace";

const P = DEFAULT_PROJECT_ID;
const STACK = "plan";
/** Requests that end or remove a job: the plan must send none. */
const CHANGING_OPS = /\.(stop|delete|deleteOne|batchDelete|cancel|kill)$/;

/** Plain JavaScript: the type check is not what this test is about. */
const PROGRAM = `
"use strict";
const pulumi = require("@pulumi/pulumi");
const jobsets = require("pulumi-jobsets");

const config = new pulumi.Config();
new jobsets.dli.FlinkJobSet("etl-streams", { jobIds: JSON.parse(config.require("flinkJobIds")), teardown: "delete" });
new jobsets.dli.SparkBatchSet("nightly-batches", { selector: { namePrefix: "nightly-", queueName: "etl" } });
`;

let emu: Emulator;
let sandbox: CliSandbox;
let workDir: string;
let flinkJobIds: string[];
/** The batch `up` found, the one submitted after it, and the neighbours the selector leaves alone. */
let batches: { recorded: string; late: string; neighbours: string[] };

const pulumi = (args: string[], program = false) => runPulumi(args, { cwd: workDir, env: sandbox.env, program });

/** The built command, with the sandbox's credentials (the sets' endpoints are in their state). */
const jobsets = (args: string[], stdin: string) => runJobsetsCommand(args, stdin, sandbox.env);

interface JsonPlan {
  sets: { urn: string; type: string; jobs: { id: string; status: string; actions: string[]; selected?: boolean }[] | null; notes?: string[] }[];
}

/** Set name → [id, status, actions, "selected"?][]. */
function bySet(plan: JsonPlan) {
  return Object.fromEntries(
    plan.sets.map((set) => [set.urn.split("::").pop(), set.jobs?.map((job) => [job.id, job.status, job.actions, ...(job.selected ? ["selected"] : [])])]),
  );
}

/** Every job's status now, for "the plan changed nothing". */
const everyStatus = () => JSON.stringify([emu.flinkJobs(P), emu.sparkBatches(P)]);

beforeAll(async () => {
  requireCli();
  emu = await startEmulator();
  flinkJobIds = emu.seedFlinkJobs(P, [{ name: "etl-1" }, { name: "etl-2", status: "job_init" }]);
  const [recorded, ...neighbours] = emu.seedSparkBatches(P, [
    { name: "nightly-2026-12-03", queue: "etl", state: "success" },
    { name: "nightly-2026-12-03", queue: "adhoc", state: "running" },
    { name: "hourly-2026-12-03", queue: "etl", state: "running" },
  ]);
  sandbox = cliSandbox(emulatorEnv(emu));
  workDir = writeJsProject(sandbox.dir, "jobsets-plan", PROGRAM);
  linkDependencies(workDir);
  expectOk(await pulumi(["stack", "init", STACK]));
  expectOk(await pulumi(["config", "set", "flinkJobIds", JSON.stringify(flinkJobIds)]));
  expectOk(await pulumi(["up", "--yes", "--skip-preview"], true));
  // The pipeline's next run, after `up`: only the selector can know it.
  const [late] = emu.seedSparkBatches(P, [{ name: "nightly-2026-12-04", queue: "etl", state: "running" }]);
  batches = { recorded: recorded!, late: late!, neighbours };
}, 10 * 60_000);

afterAll(async () => {
  await emu?.close();
  sandbox?.dispose();
});

describe("jobsets plan on the export of a stack brought up by the pulumi CLI", () => {
  test("--json, plain export: the Flink set by its IDs, the selector set by what its selector matches now; reads only", async () => {
    const { text, deployment } = await exportStack(STACK, { cwd: workDir, env: sandbox.env });
    const nightly = deployment.resources?.find((resource) => resource.urn.endsWith("::nightly-batches"));
    // What `up` recorded is a secret: encrypted here, so the plan has only what the selector matches now.
    expect(nightly?.outputs?.selectedIds).toMatchObject({ ciphertext: expect.any(String) });
    const before = everyStatus();
    emu.resetCalls();

    const run = await jobsets(["plan", "-", "--json"], text);

    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const plan = JSON.parse(run.stdout) as JsonPlan;
    // In the state's order, which is the order the engine created them in: either.
    expect(plan.sets.map((set) => set.type).sort()).toEqual(["pulumi-nodejs:dynamic/jobsets:DliFlinkJobSet", "pulumi-nodejs:dynamic/jobsets:DliSparkBatchSet"]);
    expect(bySet(plan)).toEqual({
      "etl-streams": [
        [flinkJobIds[0], "job_running", ["delete"]],
        [flinkJobIds[1], "job_init", ["delete"]],
      ],
      // The list's order: newest first.
      "nightly-batches": [
        [batches.late, "running", ["cancel"], "selected"],
        [batches.recorded, "success", [], "selected"],
      ],
    });
    expect(plan.sets.find((set) => set.urn.endsWith("::nightly-batches"))?.notes).toEqual([expect.stringMatching(/^the members its selector matched at the last up or refresh \(selectedIds\) are encrypted/)]);
    for (const neighbour of batches.neighbours) expect(run.stdout).not.toContain(neighbour);
    const ops = emu.calls().map((call) => call.op);
    expect(ops).toContain("spark.list");
    expect(ops.filter((op) => CHANGING_OPS.test(op))).toEqual([]);
    expect(everyStatus()).toBe(before);
  });

  test("text, --show-secrets export: the recorded member read from selectedIds, then the late one, held by the selector", async () => {
    const { text } = await exportStack(STACK, { cwd: workDir, env: sandbox.env, showSecrets: true });
    emu.resetCalls();

    const run = await jobsets(["plan", "-"], text);

    expect(run.code, run.stderr).toBe(0);
    const block = run.stdout.split("\n\n").find((part) => part.startsWith("nightly-batches (")) ?? "";
    expect(block.split("\n").slice(2)).toEqual([
      expect.stringMatching(/^ {2}JOB {3,}HELD BY {3,}STATUS {3,}A DESTROY WOULD$/),
      expect.stringMatching(new RegExp(`^  ${batches.recorded} {3,}selector {3,}success {3,}nothing$`)),
      expect.stringMatching(new RegExp(`^  ${batches.late} {3,}selector {3,}running {3,}cancel$`)),
    ]);
    expect(block).toMatch(/^nightly-batches \(dli-spark: .*; selector: names starting with "nightly-" in queue "etl"\)/);
    expect(run.stdout).toMatch(/^Summary: 2 sets, 4 jobs: 1 to stop, 2 to delete, 0 already gone, 1 left as it is\.$/m);
    expect(emu.calls().filter((call) => CHANGING_OPS.test(call.op))).toEqual([]);
  });
});
