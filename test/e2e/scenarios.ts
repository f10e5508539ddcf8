/**
 * Stacks of test/e2e/program (job sets and markers listed in the stack config) for the end-to-end scenarios: one
 * project copy per file, one stack per scenario, all on the sandbox's file backend.
 */
import * as path from "node:path";
import type { Emulator, RecordedCall } from "../../emulator";
import type { MarkerDeclaration, SetDeclaration } from "./program/scenario";
import { type CliSandbox, type PulumiResult, type RunPulumiOptions, runPulumi } from "./cli";
import { copyProject, expectOk, exportStack, linkDependencies } from "./workspace";

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

  /** `pulumi stack init` and the scenario's config. */
  static async init(
    name: string,
    dir: string,
    sandbox: CliSandbox,
    emu: Emulator,
    scenario: { markers?: MarkerDeclaration[]; sets: SetDeclaration[] },
  ): Promise<ScenarioStack> {
    const stack = new ScenarioStack(name, dir, sandbox);
    expectOk(await runPulumi(["stack", "init", name], { cwd: dir, env: sandbox.env }));
    await stack.configure(emu, scenario);
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
