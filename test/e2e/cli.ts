/**
 * Running the real `pulumi` CLI (built by scripts/build-pulumi-cli.sh into .pulumi-cli/bin) hermetically:
 * its own PULUMI_HOME and HOME, a file:// backend and the passphrase secrets provider in a temp folder, and every
 * switch that would make it reach out (update check, plugin acquisition, registry resolution, Neo) turned off.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { REPO_ROOT, linkPackage } from "../harness/program";

export const CLI_BIN = path.join(REPO_ROOT, ".pulumi-cli", "bin");
const CLIENT_HOST = path.join(__dirname, "client-host.js");
const PYTHON_CLIENT_HOST = path.join(__dirname, "python-client-host.py");
/** The stack's secrets passphrase: a test constant, not a secret. */
export const PASSPHRASE = "jobsets-e2e-passphrase";
const DEFAULT_TIMEOUT_MS = 5 * 60_000;

/** Throws, saying how to build it, when the CLI has not been built. */
export function requireCli(): void {
  if (!fs.existsSync(path.join(CLI_BIN, "pulumi"))) {
    throw new Error(`no pulumi CLI in ${CLI_BIN}: build it once with \`npm run build:cli\` (needs Go; see README)`);
  }
}

export interface CliSandbox {
  /** The environment to run the CLI with. */
  env: NodeJS.ProcessEnv;
  /** The sandbox's root folder (PULUMI_HOME, HOME and the backend are inside it). */
  dir: string;
  /** Where the file backend keeps stacks. */
  backendDir: string;
  /** Removes the sandbox's folder. */
  dispose(): void;
}

/**
 * Variables the tests must not inherit from the developer's shell: Pulumi's own (an access token or a cloud
 * backend URL would send the run elsewhere) and the cloud credentials and endpoints the provider reads.
 */
const INHERITED_PREFIXES = ["PULUMI_", "HW_", "OS_", "QY_", "QINGCLOUD_", "JOBSETS_"];

/**
 * A fresh, offline environment for the CLI. `extra` is added last (the provider's credentials and the emulator's
 * endpoints, for instance).
 */
export function cliSandbox(extra: Record<string, string> = {}): CliSandbox {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "jobsets-e2e-"));
  const home = path.join(dir, "home");
  const backendDir = path.join(dir, "state");
  fs.mkdirSync(home);
  fs.mkdirSync(backendDir);
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!INHERITED_PREFIXES.some((prefix) => key.startsWith(prefix))) env[key] = value;
  }
  Object.assign(env, {
    // The built CLI first, and the Node.js running the tests (for pulumi-resource-pulumi-nodejs' `node`).
    PATH: [CLI_BIN, path.dirname(process.execPath), process.env.PATH ?? ""].join(path.delimiter),
    HOME: home,
    PULUMI_HOME: path.join(home, ".pulumi"),
    PULUMI_BACKEND_URL: `file://${backendDir}`,
    PULUMI_CONFIG_PASSPHRASE: PASSPHRASE,
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    PULUMI_DISABLE_REGISTRY_RESOLVE: "true",
    PULUMI_SKIP_CONFIRMATIONS: "true",
    PULUMI_NEO: "false",
    PULUMI_SUPPRESS_NEO_LINK: "true",
    PULUMI_DIY_BACKEND_NO_LEGACY_WARNING: "true",
    // Type-check the program as the Node.js host does by default (the engine harness only transpiles).
    PULUMI_NODEJS_TRANSPILE_ONLY: "false",
    // Plain output: no colours or progress redraws in the text the tests read.
    NO_COLOR: "1",
    ...extra,
  });
  return { env, dir, backendDir, dispose: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** The suite's stand-ins for the language hosts the Go module proxy does not serve (see each file's header). */
const STAND_IN_HOSTS = {
  /** Runs Node.js source plugins (this repository as a provider) and Node.js policy packs (`--policy-pack <dir>`). */
  nodejs: path.join(__dirname, "nodejs-plugin-host.js"),
  /** Compiles and runs Go programs. */
  go: path.join(__dirname, "go-language-host.js"),
  /** Answers the CLI's questions outside a program run (Python programs run through python-client-host.py). */
  python: path.join(__dirname, "python-language-host.js"),
};

/**
 * Puts a stand-in on the sandbox's PATH as `pulumi-language-<language>`, where the CLI looks for the language host
 * when it needs one. Node.js programs still go through client-host.js.
 */
export function addStandInLanguageHost(sandbox: CliSandbox, language: keyof typeof STAND_IN_HOSTS): void {
  const bin = path.join(sandbox.dir, "language-bin");
  fs.mkdirSync(bin, { recursive: true });
  const script = `#!/bin/sh\nexec "${process.execPath}" "${STAND_IN_HOSTS[language]}" "$@"\n`;
  fs.writeFileSync(path.join(bin, `pulumi-language-${language}`), script, { mode: 0o755 });
  if (!sandbox.env.PATH?.split(path.delimiter).includes(bin)) sandbox.env.PATH = [bin, sandbox.env.PATH ?? ""].join(path.delimiter);
}

export interface PulumiResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunPulumiOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /**
   * The command runs the project's program (preview, up, refresh with --run-program): serve it through
   * test/e2e/client-host.js (or python-client-host.py), since the CLI built here has no language host for it.
   */
  program?: boolean;
  /** The program is Python: serve it through test/e2e/python-client-host.py with this interpreter (a virtualenv's). */
  python?: string;
  timeoutMs?: number;
  /**
   * Polled every 50 ms while the command runs; the first time it returns true, SIGINT goes to the command's
   * process group, as Ctrl-C in a terminal would (the CLI starts its plugins in process groups of their own).
   */
  interruptWhen?: () => boolean;
  /** How many SIGINTs, 200 ms apart (default 1: the CLI cancels; a second one makes it terminate at once). */
  interrupts?: number;
}

/** Runs `pulumi <args>` non-interactively; resolves with its exit code and output (never rejects on a failure). */
export function runPulumi(args: readonly string[], opts: RunPulumiOptions): Promise<PulumiResult> {
  requireCli();
  const fullArgs = [...args, "--non-interactive"];
  const [command, commandArgs] = !opts.program
    ? [path.join(CLI_BIN, "pulumi"), fullArgs]
    : opts.python
      ? [opts.python, [PYTHON_CLIENT_HOST, opts.cwd, ...fullArgs]]
      : [process.execPath, [CLIENT_HOST, opts.cwd, ...fullArgs]];
  return new Promise((resolve, reject) => {
    // A process group of its own, so that a command that hangs is killed with everything it started (the CLI,
    // its provider hosts), not only the process spawned here.
    const child = spawn(command, commandArgs, { cwd: opts.cwd, env: opts.env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    const timer = setTimeout(() => {
      if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
      reject(new Error(`pulumi ${args.join(" ")} did not finish within ${opts.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms:\n${stdout}\n${stderr}`));
    }, opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    const { interruptWhen } = opts;
    let interruptsLeft = opts.interrupts ?? 1;
    let interrupter: NodeJS.Timeout | undefined;
    const interrupt = () => {
      if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, "SIGINT");
      if (--interruptsLeft > 0) interrupter = setTimeout(interrupt, 200);
    };
    const poller =
      interruptWhen &&
      setInterval(() => {
        if (!interruptWhen()) return;
        clearInterval(poller);
        interrupt();
      }, 50);
    const done = () => {
      clearTimeout(timer);
      clearTimeout(interrupter);
      if (poller) clearInterval(poller);
    };
    child.on("error", (err) => {
      done();
      reject(err);
    });
    child.on("close", (code) => {
      done();
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * Makes `pulumi-jobsets` (the repository) and the repository's `@pulumi/pulumi` resolvable from `dir`: the program
 * and the dynamic-provider host the CLI starts there (`pulumi-resource-pulumi-nodejs` runs
 * ./node_modules/@pulumi/pulumi from the project folder) load them.
 */
export function linkDependencies(dir: string): void {
  linkPackage(dir);
  fs.mkdirSync(path.join(dir, "node_modules", "@pulumi"), { recursive: true });
  fs.symlinkSync(path.join(REPO_ROOT, "node_modules", "@pulumi", "pulumi"), path.join(dir, "node_modules", "@pulumi", "pulumi"), "dir");
}
