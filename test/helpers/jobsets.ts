// Shared fixtures for the job-set tests: each test gets its own emulator and its own real provider host
// (the dynamic-provider host of @pulumi/pulumi, driven over gRPC), and runs the fixture program, a real
// Pulumi program, to get each set's registration (including the real serialized `__provider`).
import * as path from "node:path";
import { test as base } from "vitest";
import type { Emulator, EmulatorOptions } from "../../emulator";
import { emulatorEnv } from "./emulator-env";
import { emulatorFixture } from "./emulator-fixture";
import { Stack } from "../harness/engine";
import { linkPackage, runProgram, type ProgramRun } from "../harness/program";
import { startProvider, type ProviderHost } from "../harness/provider-host";

export const PROGRAM_DIR = path.join(__dirname, "..", "fixtures", "jobsets-program");
export const PROJECT = "jobsets-fixture";
export const FLINK = "pulumi-nodejs:dynamic/jobsets:DliFlinkJobSet";
export const SPARK = "pulumi-nodejs:dynamic/jobsets:DliSparkBatchSet";
export const MRS = "pulumi-nodejs:dynamic/jobsets:MrsJobExecutionSet";
export const EHPC = "pulumi-nodejs:dynamic/jobsets:EhpcJobSet";
export { DEFAULT_ACCESS_KEY, DEFAULT_PROJECT_ID, DEFAULT_QINGCLOUD_ACCESS_KEY_ID, DEFAULT_QINGCLOUD_SECRET_ACCESS_KEY, DEFAULT_SECRET_KEY } from "../../emulator";
export { emulatorEnv };

linkPackage(PROGRAM_DIR);

export interface Declaration {
  kind: "dli.FlinkJobSet" | "dli.SparkBatchSet" | "mrs.JobExecutionSet" | "ehpc.JobSet";
  name: string;
  args: Record<string, unknown>;
  opts?: Record<string, unknown>;
}


/** Runs the fixture program with these job sets, in a child Node process as `pulumi up` would. */
export function program(sets: Declaration[], opts: { config?: Record<string, string>; secretConfig?: Record<string, string> } = {}): Promise<ProgramRun> {
  return runProgram({ programDir: PROGRAM_DIR, config: { sets: JSON.stringify(sets), ...opts.config }, secretConfig: opts.secretConfig });
}

export function flinkSet(name: string, args: Record<string, unknown>): Declaration {
  return { kind: "dli.FlinkJobSet", name, args };
}

export function sparkSet(name: string, args: Record<string, unknown>): Declaration {
  return { kind: "dli.SparkBatchSet", name, args };
}

export function mrsSet(name: string, args: Record<string, unknown>): Declaration {
  return { kind: "mrs.JobExecutionSet", name, args };
}

export function ehpcSet(name: string, args: Record<string, unknown>): Declaration {
  return { kind: "ehpc.JobSet", name, args };
}

/** In `hostEnv` values, stands for the running emulator's URL (unknown until the test starts). */
export const EMULATOR_URL = "{emulator-url}";
export type HostEnv = Record<string, string>;

interface Fixtures {
  emulatorOptions: EmulatorOptions;
  hostEnv: HostEnv;
  emu: Emulator;
  host: ProviderHost;
  stack: Stack;
}

/**
 * `emu`: a fresh emulator (options from `emulatorOptions`); `host`: a provider host whose environment is
 * `emulatorEnv(emu)` plus `hostEnv`; `stack`: the harness engine over that host. All are closed after the test.
 */
export const test = base.extend<Fixtures>({
  emulatorOptions: { stopDelayMs: 50 },
  hostEnv: {},
  emu: emulatorFixture,
  host: async ({ emu, hostEnv }, use) => {
    const extra = Object.fromEntries(Object.entries(hostEnv).map(([k, v]) => [k, v.replace(EMULATOR_URL, emu.url)]));
    const host = await startProvider({ cwd: PROGRAM_DIR, project: PROJECT, env: emulatorEnv(emu, extra) });
    try {
      await use(host);
    } finally {
      await host.stop();
    }
  },
  stack: async ({ host }, use) => {
    await use(new Stack(host));
  },
});

/** The job IDs a set of recorded batch calls carried, in order (exact: read from the raw body). */
export function idsSent(emu: Emulator, op: string): string[] {
  return emu
    .calls({ op })
    .flatMap((call) => /"job_ids"\s*:\s*\[([^\]]*)\]/.exec(call.body)?.[1]?.split(",").map((s) => s.trim()).filter(Boolean) ?? []);
}

/** The error `promise` rejects with; fails the test when it resolves instead. */
export async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected the operation to fail, but it succeeded");
}
