/**
 * `npm run demo`: the main job, end to end, on the embedded emulator.
 *
 * 1. Starts the emulator (Huawei IAM, DLI, MRS and QingCloud EHPC on 127.0.0.1) and seeds jobs of every kind, plus one job of each kind that belongs
 *    to no set (they must survive).
 * 2. Runs examples/quickstart (one job set per teardown mode): when the pulumi CLI has been built
 *    (`npm run build:cli` into .pulumi-cli/bin), a real `pulumi up` and `pulumi destroy` through the Automation
 *    API, the program inline (served to the CLI by this process, as the Automation API runs inline programs: the
 *    CLI built here has no Node.js language host), offline on a file backend in a temp folder; without it, the
 *    same program the way the engine runs it (under `setMocks`, then the real dynamic-provider host over gRPC),
 *    saying how to build the CLI. JOBSETS_DEMO_ROUTE=harness takes the second route even with the CLI built.
 * 3. Prints the emulator's jobs before and after, and exits non-zero if any set's job is still running
 *    or still present when its mode deletes it, or if the outsider was touched.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import {
  DEFAULT_ACCESS_KEY,
  DEFAULT_PROJECT_ID,
  DEFAULT_QINGCLOUD_ACCESS_KEY_ID,
  DEFAULT_QINGCLOUD_SECRET_ACCESS_KEY,
  DEFAULT_SECRET_KEY,
  startEmulator,
  type Emulator,
} from "../emulator";
import { Stack } from "../test/harness/engine";
import { REPO_ROOT, linkPackage, runProgram } from "../test/harness/program";
import { startProvider } from "../test/harness/provider-host";
import { CLI_BIN, cliSandbox, linkDependencies } from "../test/e2e/cli";

const QUICKSTART = path.join(REPO_ROOT, "examples", "quickstart");
const PROJECT = DEFAULT_PROJECT_ID;
const MRS_CLUSTER = "6f8b4c1e-2a3d-4e5f-8a9b-0c1d2e3f4a5b";
const EHPC_ZONE = "pek3";
const EHPC_CLUSTER = "ehpc-demo0001";
/** Long enough to see jobs pass through job_canceling / job_savepointing in the provider's progress lines. */
const STOP_DELAY_MS = 1_500;

interface Seeded {
  deleteJobIds: string[];
  stopJobIds: string[];
  savepointJobIds: string[];
  sparkBatchIds: string[];
  mrsJobIds: string[];
  ehpcJobIds: string[];
  /** One job of each kind that belongs to no set: all must survive. */
  outsiders: { flink: string[]; spark: string[]; mrs: string[]; ehpc: string[] };
}

function seed(emu: Emulator): Seeded {
  const named = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => ({ name: `${prefix}-${i + 1}` }));
  return {
    deleteJobIds: emu.seedFlinkJobs(PROJECT, [...named("etl", 3), { name: "etl-draft", status: "job_init" }]),
    stopJobIds: emu.seedFlinkJobs(PROJECT, named("metrics", 2)),
    savepointJobIds: emu.seedFlinkJobs(PROJECT, named("orders", 3)),
    sparkBatchIds: emu.seedSparkBatches(PROJECT, [{ state: "running" }, { state: "starting" }, { state: "success" }]),
    mrsJobIds: emu.seedMrsJobs(PROJECT, MRS_CLUSTER, [{ state: "RUNNING" }, { state: "ACCEPTED" }, { state: "FINISHED" }]),
    ehpcJobIds: emu.seedEhpcJobs(EHPC_ZONE, EHPC_CLUSTER, [{ status: "running" }, { status: "pending" }, { status: "finished" }]),
    outsiders: {
      flink: emu.seedFlinkJobs(PROJECT, [{ name: "not-in-any-set" }]),
      spark: emu.seedSparkBatches(PROJECT, [{ state: "running" }]),
      mrs: emu.seedMrsJobs(PROJECT, MRS_CLUSTER, [{ state: "RUNNING" }]),
      ehpc: emu.seedEhpcJobs(EHPC_ZONE, EHPC_CLUSTER, [{ status: "running" }]),
    },
  };
}

function printJobs(title: string, emu: Emulator): void {
  const flink = emu.flinkJobs(PROJECT);
  const spark = emu.sparkBatches(PROJECT);
  const mrs = emu.mrsJobs(PROJECT, MRS_CLUSTER);
  const ehpc = emu.ehpcJobs(EHPC_ZONE, EHPC_CLUSTER);
  console.log(`\n${title}: ${flink.length + spark.length + mrs.length + ehpc.length} jobs in the emulator`);
  for (const job of flink) {
    console.log(`  DLI Flink   ${job.jobId.padEnd(38)} ${(job.name ?? "").padEnd(16)} ${job.status}${job.savepoint ? "  (savepoint taken)" : ""}`);
  }
  for (const batch of spark) console.log(`  DLI Spark   ${batch.id.padEnd(38)} ${"".padEnd(16)} ${batch.state}`);
  for (const job of mrs) console.log(`  MRS         ${job.jobId.padEnd(38)} ${"".padEnd(16)} ${job.state}`);
  for (const job of ehpc) console.log(`  EHPC        ${job.jobId.padEnd(38)} ${"".padEnd(16)} ${job.status}`);
}

/** The CLI `npm run build:cli` builds, unless JOBSETS_DEMO_ROUTE=harness asks for the route without it. */
function builtCli(): string | undefined {
  const pulumi = path.join(CLI_BIN, "pulumi");
  return process.env.JOBSETS_DEMO_ROUTE !== "harness" && fs.existsSync(pulumi) ? pulumi : undefined;
}

function providerEnv(emu: Emulator): Record<string, string> {
  return {
    HW_ACCESS_KEY: DEFAULT_ACCESS_KEY,
    HW_SECRET_KEY: DEFAULT_SECRET_KEY,
    HW_PROJECT_ID: PROJECT,
    JOBSETS_DLI_ENDPOINT: emu.url,
    JOBSETS_MRS_ENDPOINT: emu.url,
    JOBSETS_EHPC_ENDPOINT: emu.url,
    QY_ACCESS_KEY_ID: DEFAULT_QINGCLOUD_ACCESS_KEY_ID,
    QY_SECRET_ACCESS_KEY: DEFAULT_QINGCLOUD_SECRET_ACCESS_KEY,
  };
}

/** The quickstart's stack config: which jobs each set holds, and where the MRS and EHPC jobs live. */
function programConfig(seeded: Seeded): Record<string, string> {
  return {
    deleteJobIds: JSON.stringify(seeded.deleteJobIds),
    stopJobIds: JSON.stringify(seeded.stopJobIds),
    savepointJobIds: JSON.stringify(seeded.savepointJobIds),
    sparkBatchIds: JSON.stringify(seeded.sparkBatchIds),
    mrsJobIds: JSON.stringify(seeded.mrsJobIds),
    mrsClusterId: MRS_CLUSTER,
    ehpcJobIds: JSON.stringify(seeded.ehpcJobIds),
    ehpcClusterId: EHPC_CLUSTER,
    ehpcZone: EHPC_ZONE,
  };
}

/**
 * A real `pulumi up` and `pulumi destroy` through the Automation API, offline: PULUMI_HOME, the file backend and
 * the passphrase-protected stack in a temp folder, update checks and plugin downloads off (test/e2e/cli.ts).
 */
async function runWithCli(emu: Emulator, seeded: Seeded): Promise<void> {
  const { LocalWorkspace, PulumiCommand } = await import("@pulumi/pulumi/automation");
  const sandbox = cliSandbox(providerEnv(emu));
  try {
    // The inline program's folder: the dynamic-provider host the CLI starts there loads @pulumi/pulumi and
    // pulumi-jobsets from its node_modules.
    const workDir = path.join(sandbox.dir, "quickstart");
    fs.mkdirSync(workDir);
    linkDependencies(workDir);
    const program = quickstartProgram();
    const pulumiCommand = await PulumiCommand.get({ root: path.dirname(CLI_BIN) });
    const envVars = Object.fromEntries(Object.entries(sandbox.env).filter((entry): entry is [string, string] => entry[1] !== undefined));
    const stack = await LocalWorkspace.createOrSelectStack(
      { stackName: "demo", projectName: "jobsets-quickstart", program },
      { workDir, pulumiCommand, pulumiHome: envVars.PULUMI_HOME, envVars, projectSettings: { name: "jobsets-quickstart", runtime: "nodejs" } },
    );
    await stack.setAllConfig(
      Object.fromEntries(Object.entries(programConfig(seeded)).map(([key, value]) => [`jobsets-quickstart:${key}`, { value }])),
    );
    const print = (line: string) => process.stdout.write(line);
    console.log(`\n$ pulumi up   (pulumi v${pulumiCommand.version?.format() ?? "?"} from ${CLI_BIN})`);
    await stack.up({ onOutput: print });
    printJobs("After pulumi up (nothing is torn down yet)", emu);
    console.log("\n$ pulumi destroy");
    await stack.destroy({ onOutput: print });
    const left = (await stack.exportStack()).deployment?.resources?.length ?? 0;
    console.log(`\nState after destroy: ${left} resources`);
  } finally {
    sandbox.dispose();
  }
}

/**
 * examples/quickstart as an inline program: its index.ts compiled as the Node.js language host would (the
 * TypeScript that @pulumi/pulumi picks, the example's tsconfig) and run afresh for each operation.
 */
function quickstartProgram(): () => Promise<Record<string, unknown>> {
  // Plain CommonJS shared with the engine harness (not compiled into build/).
  const child = require(path.join(REPO_ROOT, "test", "harness", "program-child.js")) as {
    registerTypeScript(pulumiDir: string, programDir: string): unknown;
    resolvePulumiDir(programDir: string): string;
  };
  process.env.PULUMI_NODEJS_TSCONFIG_PATH = path.join(QUICKSTART, "tsconfig.json");
  child.registerTypeScript(child.resolvePulumiDir(QUICKSTART), QUICKSTART);
  const entry = path.join(QUICKSTART, "index.ts");
  return async () => {
    delete require.cache[entry];
    return require(entry) as Record<string, unknown>;
  };
}

/** The same program the way the engine runs it, without the CLI. */
async function runWithHarness(emu: Emulator, seeded: Seeded): Promise<void> {
  const run = await runProgram({ programDir: QUICKSTART, config: programConfig(seeded) });
  console.log(`\nThe program registered ${run.resources.length} resources:`);
  for (const r of run.resources) console.log(`  ${r.type}  ${r.name}`);

  const host = await startProvider({ cwd: QUICKSTART, project: run.project, env: providerEnv(emu) });
  try {
    const stack = new Stack(host);
    console.log("\n== up (Check, Create through the provider host)");
    for (const step of await stack.up(run)) console.log(`  ${step.op.padEnd(8)} ${step.urn}`);
    printJobs("After up (nothing is torn down yet)", emu);
    const mark = host.logs().length;
    console.log("\n== destroy (Delete through the provider host)");
    for (const step of await stack.destroy()) console.log(`  ${step.op.padEnd(8)} ${step.urn}`);
    console.log("\nWhat the provider reported during the destroy:");
    for (const line of host.logs().slice(mark).split("\n").filter(Boolean)) console.log(`  | ${line}`);
    console.log(`\nState after destroy: ${stack.state().length} resources`);
  } finally {
    await host.stop();
  }
}

/** What must be true after the destroy; returns the problems found. */
function verify(emu: Emulator, seeded: Seeded): string[] {
  const flink = new Map(emu.flinkJobs(PROJECT).map((j) => [j.jobId, j]));
  const spark = new Map(emu.sparkBatches(PROJECT).map((b) => [b.id, b]));
  const mrs = new Set(emu.mrsJobs(PROJECT, MRS_CLUSTER).map((j) => j.jobId));
  const ehpc = new Set(emu.ehpcJobs(EHPC_ZONE, EHPC_CLUSTER).map((j) => j.jobId));
  const problems: string[] = [];
  for (const id of [...seeded.deleteJobIds, ...seeded.savepointJobIds]) if (flink.has(id)) problems.push(`Flink job ${id} should be deleted`);
  for (const id of seeded.stopJobIds) if (flink.get(id)?.status !== "job_cancel_success") problems.push(`Flink job ${id} should be stopped`);
  for (const id of seeded.savepointJobIds) {
    const stop = emu.calls({ op: "flink.stop" }).find((c) => c.body.includes(id));
    if (!stop?.body.includes('"trigger_savepoint":true')) problems.push(`Flink job ${id} should have been stopped with a savepoint`);
  }
  for (const id of seeded.sparkBatchIds) {
    const state = spark.get(id)?.state.toLowerCase();
    if (state !== "dead" && state !== "success") problems.push(`Spark batch ${id} should be cancelled (state ${state})`);
  }
  for (const id of seeded.mrsJobIds) if (mrs.has(id)) problems.push(`MRS execution ${id} should be deleted`);
  for (const id of seeded.ehpcJobIds) if (ehpc.has(id)) problems.push(`EHPC job ${id} should be deleted`);
  const { outsiders } = seeded;
  if (outsiders.flink.some((id) => flink.get(id)?.status !== "job_running")) problems.push("a Flink job in no set was touched");
  if (outsiders.spark.some((id) => spark.get(id)?.state !== "running")) problems.push("a Spark batch in no set was touched");
  if (outsiders.mrs.some((id) => !mrs.has(id) || emu.mrsJobs(PROJECT, MRS_CLUSTER).find((j) => j.jobId === id)?.state !== "RUNNING")) problems.push("an MRS execution in no set was touched");
  if (outsiders.ehpc.some((id) => emu.ehpcJobs(EHPC_ZONE, EHPC_CLUSTER).find((j) => j.jobId === id)?.status !== "running")) problems.push("an EHPC job in no set was touched");
  return problems;
}

async function main(): Promise<void> {
  linkPackage(QUICKSTART);
  const emu = await startEmulator({ stopDelayMs: STOP_DELAY_MS });
  try {
    console.log(`Emulator (Huawei IAM + DLI) listening on ${emu.url}`);
    const seeded = seed(emu);
    printJobs("Seeded", emu);
    console.log(
      `\nexamples/quickstart declares a job set of every kind:\n` +
        `  etl-streams      DLI Flink, teardown "delete"            ${seeded.deleteJobIds.length} jobs\n` +
        `  metrics-streams  DLI Flink, teardown "stop"              ${seeded.stopJobIds.length} jobs (stopped, kept)\n` +
        `  orders-streams   DLI Flink, teardown "stop-then-delete"  ${seeded.savepointJobIds.length} jobs, with a savepoint\n` +
        `  nightly-reports  DLI Spark, cancel                       ${seeded.sparkBatchIds.length} batches\n` +
        `  hive-executions  MRS, kill then batch delete             ${seeded.mrsJobIds.length} executions\n` +
        `  simulations      QingCloud EHPC, stop then delete        ${seeded.ehpcJobIds.length} jobs\n` +
        `  and one job of each kind belongs to no set: those must survive.`,
    );
    const cli = builtCli();
    if (cli) {
      console.log(`\nThe pulumi CLI is built (${cli}): running a real \`pulumi up\` and \`pulumi destroy\` (local file backend).`);
      await runWithCli(emu, seeded);
    } else {
      console.log(
        "\nNo pulumi CLI built: running the program the way the engine does instead: the program under\n" +
          "pulumi.runtime.setMocks (in a child Node process), then the real dynamic-provider host of\n" +
          "@pulumi/pulumi over gRPC for Check, Create and Delete. To run a real `pulumi up` and `pulumi destroy`,\n" +
          "build the CLI once with `npm run build:cli` (needs Go 1.26.6 or newer; about 10 minutes) and rerun.",
      );
      await runWithHarness(emu, seeded);
    }
    printJobs("After destroy", emu);
    const requests = emu.calls().filter((c) => c.service !== "iam");
    console.log(`\n${requests.length} API requests in all: ${summarize(requests.map((c) => c.op))}`);
    const problems = verify(emu, seeded);
    if (problems.length) {
      console.error(`\nDEMO FAILED:\n  ${problems.join("\n  ")}`);
      process.exitCode = 1;
    } else {
      console.log(
        "\nEvery job of a deleting set is gone; the Spark batches are dead or finished; the \"stop\" set's Flink jobs\n" +
          "are stopped (job_cancel_success, no longer billed) and kept, as that mode intends; the jobs outside every\n" +
          "set are untouched.",
      );
    }
  } finally {
    await emu.close();
  }
}

function summarize(ops: string[]): string {
  const counts = new Map<string, number>();
  for (const op of ops) counts.set(op, (counts.get(op) ?? 0) + 1);
  return [...counts].map(([op, n]) => `${n} × ${op}`).join(", ");
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
