/**
 * The harness's own tests run against test/fixtures/harness-program: a tiny dynamic provider whose methods append
 * what they were called with to $HARNESS_FIXTURE_LOG (read back through `CallLog`), so a test can see that the host
 * ran the serialized code. `harnessTest` gives each test a call log and a provider host, and each file one run of the
 * fixture program.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test as base } from "vitest";
import { linkPackage, runProgram, type ProgramRun, type RunProgramOptions } from "../harness/program";
import { startProvider, type ProviderHost } from "../harness/provider-host";

export const FIXTURE_DIR = path.join(__dirname, "..", "fixtures", "harness-program");
export const PROJECT = "harness-fixture";
export const THING = "pulumi-nodejs:dynamic/fixture:Thing";
export const GRPC_UNKNOWN = 2;

type Props = Record<string, unknown>;

/** One call the fixture provider recorded: what it received (each method records the fields it has). */
interface Call {
  method: string;
  pid: number;
  payload: { id?: string; inputs?: Props; olds?: Props; news?: Props; props?: Props; greeting?: string; region?: string; token?: string };
}

/** The calls the fixture provider recorded, in order. */
export class CallLog {
  constructor(readonly file: string) {}
  all(): Call[] {
    if (!fs.existsSync(this.file)) return [];
    return fs
      .readFileSync(this.file, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Call);
  }
  methods(): string[] {
    return this.all().map((c) => c.method);
  }
  last(method: string): Call | undefined {
    return this.all().filter((c) => c.method === method).pop();
  }
}

/** Runs the fixture program in a child process (the default config gives one Thing of size 1). */
export function runFixture(opts: Partial<RunProgramOptions> = {}): Promise<ProgramRun> {
  return runProgram({ programDir: FIXTURE_DIR, ...opts });
}

export function thingA(run: ProgramRun) {
  const found = run.resources.find((r) => r.name === "thing-a");
  if (!found) throw new Error(`thing-a not registered: ${JSON.stringify(run.resources.map((r) => r.name))}`);
  return found;
}

export const harnessTest = base.extend<{ callLog: CallLog; host: ProviderHost; run: ProgramRun }>({
  callLog: async ({}, use) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "harness-calls-"));
    try {
      await use(new CallLog(path.join(dir, "calls.jsonl")));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
  // A fresh provider host per test, in the fixture dir (whose node_modules links pulumi-jobsets); always stopped.
  host: async ({ callLog }, use) => {
    linkPackage(FIXTURE_DIR);
    const host = await startProvider({ cwd: FIXTURE_DIR, project: PROJECT, env: { HARNESS_FIXTURE_LOG: callLog.file } });
    try {
      await use(host);
    } finally {
      await host.stop();
    }
  },
  // One default run of the fixture program, shared by the tests of this file.
  run: [
    async ({}, use) => {
      linkPackage(FIXTURE_DIR);
      await use(await runFixture({ config: { greeting: "hello" }, secretConfig: { note: "s3cr3t-note" } }));
    },
    { scope: "file" },
  ],
});
