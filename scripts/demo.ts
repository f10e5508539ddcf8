/**
 * `npm run demo`: the main job, end to end, on the embedded emulator.
 *
 * 1. Starts the emulator (Huawei IAM + DLI on 127.0.0.1) and seeds Flink jobs, plus one job that belongs
 *    to no set (it must survive).
 * 2. Runs examples/quickstart (one job set per teardown mode): with a `pulumi` CLI on the PATH, a real
 *    `pulumi up` and `pulumi destroy` on a local file backend through the Automation API; without one,
 *    the same program the way the engine runs it (under `setMocks`, then the real dynamic-provider host
 *    over gRPC), and says so.
 * 3. Prints the emulator's jobs before and after, and exits non-zero if any set's job is still running
 *    or still present when its mode deletes it, or if the outsider was touched.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { DEFAULT_ACCESS_KEY, DEFAULT_PROJECT_ID, DEFAULT_SECRET_KEY, startEmulator, type Emulator } from "../emulator";
import { Stack } from "../test/harness/engine";
import { REPO_ROOT, linkPackage, runProgram } from "../test/harness/program";
import { startProvider } from "../test/harness/provider-host";

const QUICKSTART = path.join(REPO_ROOT, "examples", "quickstart");
const PROJECT = DEFAULT_PROJECT_ID;
/** Long enough to see jobs pass through job_canceling / job_savepointing in the provider's progress lines. */
const STOP_DELAY_MS = 1_500;

interface Seeded {
  deleteJobIds: string[];
  stopJobIds: string[];
  savepointJobIds: string[];
  outsider: string[];
}

function seed(emu: Emulator): Seeded {
  const named = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => ({ name: `${prefix}-${i + 1}` }));
  return {
    deleteJobIds: emu.seedFlinkJobs(PROJECT, [...named("etl", 3), { name: "etl-draft", status: "job_init" }]),
    stopJobIds: emu.seedFlinkJobs(PROJECT, named("metrics", 2)),
    savepointJobIds: emu.seedFlinkJobs(PROJECT, named("orders", 3)),
    outsider: emu.seedFlinkJobs(PROJECT, [{ name: "not-in-any-set" }]),
  };
}

function printJobs(title: string, emu: Emulator): void {
  const jobs = emu.flinkJobs(PROJECT);
  console.log(`\n${title}: ${jobs.length} Flink jobs in the emulator`);
  for (const job of jobs) {
    console.log(`  ${job.jobId.padEnd(20)} ${(job.name ?? "").padEnd(16)} ${job.status}${job.savepoint ? "  (savepoint taken)" : ""}`);
  }
}

function hasPulumiCli(): boolean {
  const probe = spawnSync("pulumi", ["version"], { encoding: "utf8" });
  return probe.status === 0;
}

function providerEnv(emu: Emulator): Record<string, string> {
  return {
    HW_ACCESS_KEY: DEFAULT_ACCESS_KEY,
    HW_SECRET_KEY: DEFAULT_SECRET_KEY,
    HW_PROJECT_ID: PROJECT,
    JOBSETS_DLI_ENDPOINT: emu.url,
  };
}

/** A real `pulumi up` and `pulumi destroy`, through the Automation API, on a throwaway file backend. */
async function runWithCli(emu: Emulator, seeded: Seeded): Promise<void> {
  const { LocalWorkspace } = await import("@pulumi/pulumi/automation");
  const backend = fs.mkdtempSync(path.join(os.tmpdir(), "jobsets-demo-state-"));
  const envVars = { ...providerEnv(emu), PULUMI_BACKEND_URL: `file://${backend}`, PULUMI_CONFIG_PASSPHRASE: "jobsets-demo" };
  const stack = await LocalWorkspace.createOrSelectStack({ stackName: "demo", workDir: QUICKSTART }, { envVars });
  await stack.setAllConfig({
    "jobsets-quickstart:deleteJobIds": { value: JSON.stringify(seeded.deleteJobIds) },
    "jobsets-quickstart:stopJobIds": { value: JSON.stringify(seeded.stopJobIds) },
    "jobsets-quickstart:savepointJobIds": { value: JSON.stringify(seeded.savepointJobIds) },
  });
  const print = (line: string) => process.stdout.write(line);
  console.log("\n$ pulumi up");
  await stack.up({ onOutput: print });
  printJobs("After pulumi up (nothing is torn down yet)", emu);
  console.log("\n$ pulumi destroy");
  await stack.destroy({ onOutput: print });
  await stack.workspace.removeStack("demo");
}

/** The same program the way the engine runs it, without the CLI. */
async function runWithHarness(emu: Emulator, seeded: Seeded): Promise<void> {
  const run = await runProgram({
    programDir: QUICKSTART,
    config: {
      deleteJobIds: JSON.stringify(seeded.deleteJobIds),
      stopJobIds: JSON.stringify(seeded.stopJobIds),
      savepointJobIds: JSON.stringify(seeded.savepointJobIds),
    },
  });
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
  const jobs = new Map(emu.flinkJobs(PROJECT).map((j) => [j.jobId, j]));
  const problems: string[] = [];
  for (const id of [...seeded.deleteJobIds, ...seeded.savepointJobIds]) if (jobs.has(id)) problems.push(`job ${id} should be deleted`);
  for (const id of seeded.stopJobIds) if (jobs.get(id)?.status !== "job_cancel_success") problems.push(`job ${id} should be stopped`);
  for (const id of seeded.savepointJobIds) {
    const stop = emu.calls({ op: "flink.stop" }).find((c) => c.body.includes(id));
    if (!stop?.body.includes('"trigger_savepoint":true')) problems.push(`job ${id} should have been stopped with a savepoint`);
  }
  for (const id of seeded.outsider) if (jobs.get(id)?.status !== "job_running") problems.push(`job ${id} (in no set) was touched`);
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
      `\nexamples/quickstart declares three FlinkJobSets:\n` +
        `  etl-streams      teardown "delete"            ${seeded.deleteJobIds.length} jobs\n` +
        `  metrics-streams  teardown "stop"              ${seeded.stopJobIds.length} jobs (stopped, kept)\n` +
        `  orders-streams   teardown "stop-then-delete"  ${seeded.savepointJobIds.length} jobs, with a savepoint\n` +
        `  and job ${seeded.outsider[0]} belongs to no set: it must survive.`,
    );
    if (hasPulumiCli()) {
      console.log("\nA pulumi CLI is on the PATH: running a real `pulumi up` and `pulumi destroy` (local file backend).");
      await runWithCli(emu, seeded);
    } else {
      console.log(
        "\nNo pulumi CLI on the PATH: running the program the way the engine does instead: the program under\n" +
          "pulumi.runtime.setMocks (in a child Node process), then the real dynamic-provider host of\n" +
          "@pulumi/pulumi over gRPC for Check, Create and Delete. (Install the CLI to run a real up/destroy.)",
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
        "\nEvery seeded job of a deleting set is gone; the \"stop\" set's jobs are stopped (job_cancel_success, no longer billed)\n" +
          "and kept, as that mode intends; the job outside every set is untouched.",
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
