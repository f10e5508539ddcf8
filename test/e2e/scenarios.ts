/**
 * Stacks of test/e2e/program (job sets and markers listed in the stack config) for the end-to-end scenarios: one
 * project copy per file, one stack per scenario, all on the sandbox's file backend.
 */
import * as path from "node:path";
import { afterAll, beforeAll } from "vitest";
import { type Emulator, type RecordedCall, startEmulator } from "../../emulator";
import { DEFAULT_PROJECT_ID, emulatorEnv } from "../helpers/jobsets";
import type { MarkerDeclaration, SetDeclaration } from "./program/scenario";
import { type CliSandbox, type PulumiResult, type RunPulumiOptions, cliSandbox, linkDependencies, requireCli, runPulumi } from "./cli";
import { copyProject, expectOk, exportStack } from "./workspace";

export type { MarkerDeclaration, SetDeclaration };

const PROGRAM = path.join(__dirname, "program");

/** Copies the scenario program into the sandbox, its dependencies linked to the repository's. */
export function scenarioProject(sandbox: CliSandbox): string {
  const dir = copyProject(PROGRAM, sandbox.dir);
  linkDependencies(dir);
  return dir;
}

export class ScenarioStack {
  constructor(
    readonly name: string,
    private readonly dir: string,
    private readonly sandbox: CliSandbox,
  ) {}

  /** `pulumi stack init` on the suite's project, and the scenario's config. */
  static async init(suite: ScenarioSuite, name: string, scenario: { markers?: MarkerDeclaration[]; sets: SetDeclaration[] }): Promise<ScenarioStack> {
    const stack = new ScenarioStack(name, suite.dir, suite.sandbox);
    expectOk(await runPulumi(["stack", "init", name], { cwd: suite.dir, env: suite.sandbox.env }));
    await stack.configure(suite.emu, scenario);
    return stack;
  }

  async configure(emu: Emulator, scenario: { markers?: MarkerDeclaration[]; sets: SetDeclaration[] }): Promise<void> {
    const value = JSON.stringify({ endpoint: emu.url, ...scenario });
    expectOk(await this.run(["config", "set", "--plaintext", "scenario", value]));
  }

  /** `pulumi <args> --stack <name>`; `program` when the command runs the program (preview, up). */
  run(args: string[], opts: { program?: boolean } & Pick<RunPulumiOptions, "interruptWhen" | "interrupts" | "timeoutMs"> = {}): Promise<PulumiResult> {
    return runPulumi([...args, "--stack", this.name], { cwd: this.dir, env: this.sandbox.env, ...opts });
  }

  up(): Promise<PulumiResult> {
    return this.run(["up", "--yes", "--skip-preview"], { program: true });
  }

  destroy(opts: Pick<RunPulumiOptions, "interruptWhen" | "interrupts"> = {}): Promise<PulumiResult> {
    return this.run(["destroy", "--yes", "--skip-preview"], opts);
  }

  export(showSecrets = false) {
    return exportStack(this.name, { cwd: this.dir, env: this.sandbox.env, showSecrets });
  }
}

/** The request a marker sent for `event` (create or delete), from the emulator's log. */
export function markerCall(emu: Emulator, marker: string, event: "create" | "delete"): RecordedCall | undefined {
  return emu.calls({ op: "unknown" }).find((call) => call.path === `/__e2e/${encodeURIComponent(marker)}/${event}`);
}

export interface ScenarioSuite {
  emu: Emulator;
  sandbox: CliSandbox;
  /** The copy of the scenario program every stack of the file uses. */
  dir: string;
  /** A Flink job's status in the default project, undefined once it is gone. */
  flinkStatus(id: string): string | undefined;
}

/**
 * One emulator, one CLI sandbox and one copy of the scenario program for a test file: set up before its tests,
 * removed after them. The fields are filled in by the time a test runs.
 */
export function scenarioSuite(): ScenarioSuite {
  const suite = {
    flinkStatus: (id: string) => suite.emu.flinkJobs(DEFAULT_PROJECT_ID).find((job) => job.jobId === id)?.status,
  } as ScenarioSuite;
  beforeAll(async () => {
    requireCli();
    suite.emu = await startEmulator();
    suite.sandbox = cliSandbox(emulatorEnv(suite.emu));
    suite.dir = scenarioProject(suite.sandbox);
  });
  afterAll(async () => {
    await suite.emu?.close();
    suite.sandbox?.dispose();
  });
  return suite;
}
