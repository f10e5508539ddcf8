// examples/quickstart through the real `pulumi` CLI against the emulator, installed as a user would (npm install
// of the packed package, the example's own TypeScript): stack init, preview, up, stack export, refresh after jobs
// vanish out of band, up with IDs added and removed, destroy, checking the emulator's jobs and request log and the
// state file after each.
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import type { Emulator } from "../../emulator";
import { startEmulator } from "../../emulator";
import { REPO_ROOT } from "../harness/program";
import { huaweiApi } from "../helpers/emulator-clients";
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
import { type CliSandbox, cliSandbox, requireCli, runPulumi } from "./cli";
import { copyProject, expectOk, exportStack, installDependencies, jobSets } from "./workspace";

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

const pulumi = (args: string[], program = false) => runPulumi(args, { cwd: workDir, env: sandbox.env, program });

beforeAll(async () => {
  requireCli();
  emu = await startEmulator();
  seeded = seed(emu);
  sandbox = cliSandbox(emulatorEnv(emu));
  workDir = copyProject(path.join(REPO_ROOT, "examples", "quickstart"), sandbox.dir);
  // Outside the repository's node_modules: with @pulumi/pulumi alone, the program would be compiled by its bundled
  // TypeScript 3.8, which cannot read the package's declarations (TS2345 "'teardown' does not exist in type
  // 'FlinkJobSetArgs'"); the example's own devDependency is what makes it work.
  installDependencies(workDir);
}, 5 * 60_000);

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

test("preview plans the seven sets and sends no request that changes anything", async () => {
  emu.resetCalls();
  const result = await pulumi(["preview"], true);
  expectOk(result);
  expect(result.stdout).toMatch(/\+ 8 to create/);
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
  expect(result.stdout).toMatch(/8 created/);
  expect(emu.calls((call) => CHANGING_OPS.test(call.op))).toEqual([]);
  expect(emu.flinkJobs(PROJECT).map((job) => [job.jobId, job.status])).toEqual(before);
});

test("the exported state lists every set and holds no credential", async () => {
  const result = await pulumi(["stack", "export", "--show-secrets"]);
  expectOk(result);
  const state = result.stdout;
  const deployment = JSON.parse(state) as { deployment: { resources?: { type: string; outputs?: Record<string, unknown> }[] } };
  const types = (deployment.deployment.resources ?? []).map((r) => r.type).filter((type) => type.startsWith("pulumi-nodejs:"));
  expect(types.sort()).toEqual([FLINK, FLINK, FLINK, SPARK, SPARK, EHPC, MRS].sort());
  for (const secret of [DEFAULT_SECRET_KEY, DEFAULT_ACCESS_KEY, DEFAULT_QINGCLOUD_SECRET_ACCESS_KEY, DEFAULT_QINGCLOUD_ACCESS_KEY_ID, ...emu.issuedTokens()]) {
    expect(state).not.toContain(secret);
  }
  // The stored job IDs are the ones configured.
  expect(state).toContain(seeded.deleteJobIds[0]);
  expect(state).toContain(seeded.ehpcJobIds[0]);
});

test("refresh after jobs vanish out of band drops them from the state, with a warning, and changes nothing", async () => {
  const [vanished, kept] = seeded.deleteJobIds;
  const gone = await huaweiApi(emu, { method: "POST", path: `/v1.0/${PROJECT}/streaming/jobs/delete`, body: { job_ids: [BigInt(vanished)] } });
  expect(gone.status).toBe(200);
  expect(emu.flinkJobs(PROJECT).some((job) => job.jobId === vanished)).toBe(false);
  emu.resetCalls();

  const result = await pulumi(["refresh", "--yes", "--skip-preview"]);
  expectOk(result);
  // Sent to the engine's log before the read answered, so shown every time (a console line could be lost).
  expect(result.stdout).toMatch(new RegExp(`warning: dli-flink: 1 of \\d jobs no longer exist and leave the state: ${vanished}\\n`));
  expect(emu.calls((call) => CHANGING_OPS.test(call.op))).toEqual([]);

  const { deployment } = await exportStack(STACK, { cwd: workDir, env: sandbox.env, showSecrets: true });
  const etl = jobSets(deployment).find((r) => r.urn.endsWith("::etl-streams"));
  expect(etl?.outputs?.jobIds).toEqual([kept]);
  expect(etl?.outputs?.jobStatuses).toEqual(["job_init"]);
  seeded.deleteJobIds = [kept];
});

test("up with IDs added and removed verifies the added jobs and tears down only the removed ones", async () => {
  const [added] = emu.seedFlinkJobs(PROJECT, [{ name: "etl-3" }]);
  const [keptExecution, removedExecution] = seeded.mrsJobIds;
  expectOk(await pulumi(["config", "set", "--plaintext", "deleteJobIds", JSON.stringify([...seeded.deleteJobIds, added])]));
  expectOk(await pulumi(["config", "set", "--plaintext", "mrsJobIds", JSON.stringify([keptExecution])]));
  emu.resetCalls();

  const result = await pulumi(["up", "--yes", "--skip-preview"], true);
  expectOk(result);
  expect(result.stdout).toMatch(/2 updated/);
  // The removed execution is killed and deleted; nothing else changes.
  const changing = emu.calls((call) => CHANGING_OPS.test(call.op));
  expect(changing.map((call) => call.op).sort()).toEqual(["mrs.batchDelete"]);
  expect(changing[0].body).toContain(removedExecution);
  expect(changing[0].body).not.toContain(keptExecution);
  expect(emu.mrsJobs(PROJECT, MRS_CLUSTER).map((job) => job.jobId)).not.toContain(removedExecution);
  expect(emu.mrsJobs(PROJECT, MRS_CLUSTER).map((job) => job.jobId)).toContain(keptExecution);
  expect(emu.flinkJobs(PROJECT).find((job) => job.jobId === added)?.status).toBe("job_running");

  const { deployment } = await exportStack(STACK, { cwd: workDir, env: sandbox.env, showSecrets: true });
  const sets = jobSets(deployment);
  expect(sets.find((r) => r.urn.endsWith("::etl-streams"))?.outputs?.jobIds).toEqual([...seeded.deleteJobIds, added]);
  expect(sets.find((r) => r.urn.endsWith("::hive-executions"))?.outputs?.jobIds).toEqual([keptExecution]);
  seeded.deleteJobIds = [...seeded.deleteJobIds, added];
  seeded.mrsJobIds = [keptExecution];
});

test("destroy tears down every set's jobs and leaves the outsiders alone", async () => {
  const result = await pulumi(["destroy", "--yes", "--skip-preview"]);
  expectOk(result);
  expect(result.stdout).toMatch(/8 deleted/);

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
