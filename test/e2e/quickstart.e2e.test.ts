// examples/quickstart through the real `pulumi` CLI against the emulator: stack init, preview, up, stack export,
// destroy, checking the emulator's jobs and request log and the state file after each.
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import type { Emulator } from "../../emulator";
import { startEmulator } from "../../emulator";
import { REPO_ROOT, linkPackage } from "../harness/program";
import {
  DEFAULT_ACCESS_KEY,
  DEFAULT_PROJECT_ID,
  DEFAULT_QINGCLOUD_ACCESS_KEY_ID,
  DEFAULT_QINGCLOUD_SECRET_ACCESS_KEY,
  DEFAULT_SECRET_KEY,
  EHPC,
  FLINK,
  MRS,
  SPARK,
  emulatorEnv,
} from "../helpers/jobsets";
import { type CliSandbox, type PulumiResult, cliSandbox, requireCli, runPulumi } from "./cli";

const PROJECT = DEFAULT_PROJECT_ID;
const MRS_CLUSTER = "0b7a1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d";
const EHPC_ZONE = "pek3";
const EHPC_CLUSTER = "ehpc-e2e00001";
const STACK = "e2e";
/** Operations that change something in the cloud; a preview must send none. */
const CHANGING_OPS = /\.(stop|delete|deleteOne|batchDelete|cancel|kill)$/;

let emu: Emulator;
let sandbox: CliSandbox;
let workDir: string;
let seeded: ReturnType<typeof seed>;

function seed(e: Emulator) {
  return {
    deleteJobIds: e.seedFlinkJobs(PROJECT, [{ name: "etl-1" }, { name: "etl-2", status: "job_init" }]),
    stopJobIds: e.seedFlinkJobs(PROJECT, [{ name: "metrics-1" }]),
    savepointJobIds: e.seedFlinkJobs(PROJECT, [{ name: "orders-1" }, { name: "orders-2" }]),
    sparkBatchIds: e.seedSparkBatches(PROJECT, [{ state: "running" }, { state: "success" }]),
    mrsJobIds: e.seedMrsJobs(PROJECT, MRS_CLUSTER, [{ state: "RUNNING" }, { state: "FINISHED" }]),
    ehpcJobIds: e.seedEhpcJobs(EHPC_ZONE, EHPC_CLUSTER, [{ status: "running" }, { status: "pending" }]),
    outsiders: {
      flink: e.seedFlinkJobs(PROJECT, [{ name: "not-in-any-set" }]),
      spark: e.seedSparkBatches(PROJECT, [{ state: "running" }]),
      mrs: e.seedMrsJobs(PROJECT, MRS_CLUSTER, [{ state: "RUNNING" }]),
      ehpc: e.seedEhpcJobs(EHPC_ZONE, EHPC_CLUSTER, [{ status: "running" }]),
    },
  };
}

/** Copies the example without anything installed, then makes `pulumi-jobsets` and `@pulumi/pulumi` resolvable. */
function copyQuickstart(into: string): string {
  const dir = path.join(into, "quickstart");
  fs.cpSync(path.join(REPO_ROOT, "examples", "quickstart"), dir, {
    recursive: true,
    filter: (src) => !src.split(path.sep).includes("node_modules") && !/Pulumi\..+\.yaml$/.test(path.basename(src)),
  });
  linkPackage(dir);
  fs.mkdirSync(path.join(dir, "node_modules", "@pulumi"), { recursive: true });
  fs.symlinkSync(path.join(REPO_ROOT, "node_modules", "@pulumi", "pulumi"), path.join(dir, "node_modules", "@pulumi", "pulumi"), "dir");
  return dir;
}

const pulumi = (args: string[], program = false) => runPulumi(args, { cwd: workDir, env: sandbox.env, program });

function expectOk(result: PulumiResult): void {
  expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
}

beforeAll(async () => {
  requireCli();
  emu = await startEmulator();
  seeded = seed(emu);
  sandbox = cliSandbox(emulatorEnv(emu));
  workDir = copyQuickstart(sandbox.dir);
});

afterAll(async () => {
  await emu?.close();
  sandbox?.dispose();
});

test("stack init and config on a file backend", async () => {
  expectOk(await pulumi(["stack", "init", STACK]));
  const config = {
    deleteJobIds: seeded.deleteJobIds,
    stopJobIds: seeded.stopJobIds,
    savepointJobIds: seeded.savepointJobIds,
    sparkBatchIds: seeded.sparkBatchIds,
    mrsJobIds: seeded.mrsJobIds,
    ehpcJobIds: seeded.ehpcJobIds,
  };
  const pairs = Object.entries(config).map(([key, ids]) => `${key}=${JSON.stringify(ids)}`);
  pairs.push(`mrsClusterId=${MRS_CLUSTER}`, `ehpcClusterId=${EHPC_CLUSTER}`, `ehpcZone=${EHPC_ZONE}`);
  expectOk(await pulumi(["config", "set-all", ...pairs.flatMap((pair) => ["--plaintext", pair])]));
  expect(fs.existsSync(path.join(sandbox.backendDir, ".pulumi", "stacks", "jobsets-quickstart", `${STACK}.json`))).toBe(true);
});

test("preview plans the six sets and sends no request that changes anything", async () => {
  emu.resetCalls();
  const result = await pulumi(["preview"], true);
  expectOk(result);
  expect(result.stdout).toMatch(/\+ 7 to create/);
  for (const name of ["etl-streams", "metrics-streams", "orders-streams", "nightly-reports", "hive-executions", "simulations"]) {
    expect(result.stdout).toContain(name);
  }
  expect(emu.calls((call) => CHANGING_OPS.test(call.op))).toEqual([]);
});

test("up creates the sets without touching a job", async () => {
  emu.resetCalls();
  const before = emu.flinkJobs(PROJECT).map((job) => [job.jobId, job.status]);
  const result = await pulumi(["up", "--yes", "--skip-preview"], true);
  expectOk(result);
  expect(result.stdout).toMatch(/7 created/);
  expect(emu.calls((call) => CHANGING_OPS.test(call.op))).toEqual([]);
  expect(emu.flinkJobs(PROJECT).map((job) => [job.jobId, job.status])).toEqual(before);
});

test("the exported state lists every set and holds no credential", async () => {
  const result = await pulumi(["stack", "export", "--show-secrets"]);
  expectOk(result);
  const state = result.stdout;
  const deployment = JSON.parse(state) as { deployment: { resources?: { type: string; outputs?: Record<string, unknown> }[] } };
  const types = (deployment.deployment.resources ?? []).map((r) => r.type).filter((type) => type.startsWith("pulumi-nodejs:"));
  expect(types.sort()).toEqual([FLINK, FLINK, FLINK, SPARK, EHPC, MRS].sort());
  for (const secret of [DEFAULT_SECRET_KEY, DEFAULT_ACCESS_KEY, DEFAULT_QINGCLOUD_SECRET_ACCESS_KEY, DEFAULT_QINGCLOUD_ACCESS_KEY_ID, ...emu.issuedTokens()]) {
    expect(state).not.toContain(secret);
  }
  // The stored job IDs are the ones configured.
  expect(state).toContain(seeded.deleteJobIds[0]);
  expect(state).toContain(seeded.ehpcJobIds[0]);
});

test("destroy tears down every set's jobs and leaves the outsiders alone", async () => {
  const result = await pulumi(["destroy", "--yes", "--skip-preview"]);
  expectOk(result);
  expect(result.stdout).toMatch(/7 deleted/);

  const flink = new Map(emu.flinkJobs(PROJECT).map((job) => [job.jobId, job]));
  for (const id of [...seeded.deleteJobIds, ...seeded.savepointJobIds]) expect(flink.has(id), `Flink job ${id}`).toBe(false);
  for (const id of seeded.stopJobIds) expect(flink.get(id)?.status).toBe("job_cancel_success");
  const stops = emu.calls({ op: "flink.stop" }).filter((call) => seeded.savepointJobIds.some((id) => call.body.includes(id)));
  expect(stops.length).toBeGreaterThan(0);
  for (const stop of stops) expect(stop.body).toContain('"trigger_savepoint":true');
  const spark = new Map(emu.sparkBatches(PROJECT).map((batch) => [batch.id, batch.state.toLowerCase()]));
  for (const id of seeded.sparkBatchIds) expect(["dead", "success"]).toContain(spark.get(id));
  const mrs = emu.mrsJobs(PROJECT, MRS_CLUSTER);
  const ehpc = emu.ehpcJobs(EHPC_ZONE, EHPC_CLUSTER);
  for (const id of seeded.mrsJobIds) expect(mrs.some((job) => job.jobId === id), `MRS execution ${id}`).toBe(false);
  for (const id of seeded.ehpcJobIds) expect(ehpc.some((job) => job.jobId === id), `EHPC job ${id}`).toBe(false);

  const { outsiders } = seeded;
  expect(outsiders.flink.map((id) => flink.get(id)?.status)).toEqual(["job_running"]);
  expect(outsiders.spark.map((id) => spark.get(id))).toEqual(["running"]);
  expect(outsiders.mrs.map((id) => mrs.find((job) => job.jobId === id)?.state)).toEqual(["RUNNING"]);
  expect(outsiders.ehpc.map((id) => ehpc.find((job) => job.jobId === id)?.status)).toEqual(["running"]);

  const after = await pulumi(["stack", "export"]);
  expectOk(after);
  const left = (JSON.parse(after.stdout) as { deployment: { resources?: unknown[] } }).deployment.resources ?? [];
  expect(left).toEqual([]);
});
