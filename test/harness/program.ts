// Runs a real Pulumi program the way `pulumi up` would, against recording mocks, and hands back what it registered.
//
// `runProgram` uses a child `node` process (test/harness/program-child.js) because that is what serializes like the
// CLI: modules are loaded by Node's own loader, so they are in `require.cache` and packages under node_modules
// become `require("<pkg>/...")` lines. `runProgramInProcess` loads the program through vitest instead, to show how
// the same program serializes in a unit test. Both run the program inside `runInPulumiStack`, as cmd/run/run.js does.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** Repository root (the `pulumi-jobsets` package), found from here whether this runs as source or compiled into build/. */
export const REPO_ROOT = findPackageRoot(__dirname);
/** Plain JavaScript, so it is run from the source tree in both cases. */
const CHILD_SCRIPT = path.join(REPO_ROOT, "test", "harness", "program-child.js");

function findPackageRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, "package.json");
    if (fs.existsSync(manifest) && JSON.parse(fs.readFileSync(manifest, "utf8")).name === "pulumi-jobsets") return dir;
    if (path.dirname(dir) === dir) throw new Error(`no pulumi-jobsets package.json above ${from}`);
  }
}
const DEFAULT_TIMEOUT_MS = 60_000;
const DEFAULT_STACK = "test";

/** The resource options sent with a registration (from the RegisterResourceRequest the mock monitor received). */
export interface RegisteredResourceOptions {
  custom: boolean;
  parent?: string;
  protect?: boolean;
  dependencies?: string[];
  provider?: string;
  deleteBeforeReplace?: boolean;
  ignoreChanges?: string[];
  replaceOnChanges?: string[];
  additionalSecretOutputs?: string[];
  retainOnDelete?: boolean;
  importId?: string;
  deletedWith?: string;
  customTimeouts?: { create: string; update: string; delete: string };
  /** Registered with `.get()` (a ReadResource), not created by the program. */
  read?: boolean;
}

/** One resource the program registered (the root stack excluded). */
export interface RegisteredResource {
  /** Token, e.g. `pulumi-nodejs:dynamic/fixture:Thing`. */
  type: string;
  name: string;
  /** The URN the engine would give it (parent types joined with `$`, the root stack left out). */
  urn: string;
  /** Inputs as the mocks received them; secrets stay wrapped (`{[SIG_KEY]: SECRET_SIG, value}`). */
  inputs: Record<string, unknown>;
  /** The id the mocks answered (`<name>-id` for custom resources). */
  id?: string;
  opts?: RegisteredResourceOptions;
}

/** Everything a program run produced, in registration order. */
export interface ProgramRun {
  resources: RegisteredResource[];
  /** The program's exports, as registered on the root stack (secrets wrapped). */
  stackOutputs?: Record<string, unknown>;
  project: string;
  stack: string;
  /** The stack config the program saw (namespaced keys); the engine passes the same to Configure. */
  config: Record<string, string>;
  /** Which config keys are secret. */
  secretKeys: string[];
  /** Child runs: the TypeScript and ts-node the program was compiled with (as cmd/run/run.js would pick them). */
  toolchain?: { typescript: string; tsnode: string };
  /** Child stdout/stderr; empty for in-process runs. */
  stdout: string;
  stderr: string;
  durationMs: number;
}

/** Which program to run and with what project, stack, config and environment. */
export interface RunProgramOptions {
  programDir: string;
  /** Relative to programDir. Default: the directory itself (index.js, else index.ts), like `pulumi up`. */
  entry?: string;
  /** Default: `name:` from programDir/Pulumi.yaml, else "project". */
  project?: string;
  /** Default: "test". */
  stack?: string;
  /** Stack config; a key without a namespace gets the project's (`size` → `<project>:size`). */
  config?: Record<string, string>;
  /** Like `config`, but marked secret (PULUMI_CONFIG_SECRET_KEYS), so `getSecret` and `require` treat them so. */
  secretConfig?: Record<string, string>;
  /** Added to the program's environment (child: its env; in process: set for the run, then restored). */
  env?: Record<string, string>;
  /** Milliseconds before the child is killed. */
  timeoutMs?: number;
}

/** A program run that failed; the child's output is in the message and in `stdout`/`stderr`. */
export class ProgramRunError extends Error {
  override readonly name = "ProgramRunError";
  constructor(message: string, readonly stdout: string, readonly stderr: string, readonly exitCode: number | null) {
    super(`${message}\n--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}`);
  }
}

/** Reads `name:` from Pulumi.yaml (enough for the harness; the CLI parses the whole file). */
export function projectName(programDir: string): string | undefined {
  const file = path.join(programDir, "Pulumi.yaml");
  if (!fs.existsSync(file)) return undefined;
  const match = /^name:\s*["']?([^"'\s#]+)/m.exec(fs.readFileSync(file, "utf8"));
  return match?.[1];
}

interface ResolvedOptions {
  project: string;
  stack: string;
  config: Record<string, string>;
  secretKeys: string[];
}

function resolveOptions(opts: RunProgramOptions): ResolvedOptions {
  const project = opts.project ?? projectName(opts.programDir) ?? "project";
  const namespaced = (key: string): string => (key.includes(":") ? key : `${project}:${key}`);
  const config: Record<string, string> = {};
  for (const [k, v] of Object.entries(opts.config ?? {})) config[namespaced(k)] = v;
  const secretKeys: string[] = [];
  for (const [k, v] of Object.entries(opts.secretConfig ?? {})) {
    config[namespaced(k)] = v;
    secretKeys.push(namespaced(k));
  }
  return { project, stack: opts.stack ?? DEFAULT_STACK, config, secretKeys };
}

/**
 * Makes `dir/node_modules/pulumi-jobsets` a symlink to the repository root, as `npm install` of
 * `"pulumi-jobsets": "file:../.."` does. Idempotent, and safe when several test files call it at once:
 * the link is made under a unique name and renamed into place (rename replaces atomically).
 *
 * Note: Node resolves the symlink to its real path, which is outside node_modules, so Pulumi's closure
 * serializer treats modules loaded through it as local files (captured by value), where a package installed
 * from the registry would be captured as `require("pulumi-jobsets/...")`.
 */
export function linkPackage(dir: string): string {
  const nodeModules = path.join(dir, "node_modules");
  const link = path.join(nodeModules, "pulumi-jobsets");
  fs.mkdirSync(nodeModules, { recursive: true });
  const target = path.relative(nodeModules, REPO_ROOT) || ".";
  if (pointsToRepo(link)) return link;
  let existing: fs.Stats | undefined;
  try {
    existing = fs.lstatSync(link);
  } catch {
    existing = undefined;
  }
  if (existing && !existing.isSymbolicLink()) {
    throw new Error(`${link} exists and is not a symlink (an installed copy?); remove it to let the harness link the repo`);
  }
  const temp = `${link}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  fs.symlinkSync(target, temp, "dir");
  try {
    fs.renameSync(temp, link);
  } catch (err) {
    fs.rmSync(temp, { force: true });
    if (!pointsToRepo(link)) throw err;
  }
  return link;
}

function pointsToRepo(link: string): boolean {
  try {
    return fs.realpathSync(link) === fs.realpathSync(REPO_ROOT);
  } catch {
    return false;
  }
}

/**
 * Runs the program in a child `node` process, as `pulumi up` would (TypeScript through the vendored ts-node,
 * transpile-only; PULUMI_CONFIG for config; the program inside `runInPulumiStack`; done when the event loop is
 * empty), and returns what it registered. Rejects with the child's output if the program fails.
 */
export async function runProgram(opts: RunProgramOptions): Promise<ProgramRun> {
  const resolved = resolveOptions(opts);
  const resultDir = fs.mkdtempSync(path.join(os.tmpdir(), "harness-program-"));
  const resultFile = path.join(resultDir, "result.json");
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...opts.env,
    // What the language host sets for a program (sdk/nodejs/cmd/run and runtime/state.js read these).
    PULUMI_CONFIG: JSON.stringify(resolved.config),
    PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(resolved.secretKeys),
    PULUMI_NODEJS_PROJECT: resolved.project,
    PULUMI_NODEJS_STACK: resolved.stack,
    PULUMI_NODEJS_DRY_RUN: "false",
  };
  const childOpts = { project: resolved.project, stack: resolved.stack, entry: opts.entry, resultFile };
  const started = Date.now();
  try {
    const { stdout, stderr, code, signal } = await runChild(CHILD_SCRIPT, [JSON.stringify(childOpts)], opts.programDir, env, opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    if (code !== 0 || !fs.existsSync(resultFile)) {
      const why = signal ? `was killed (${signal})` : code !== 0 ? `exited with code ${code}` : "exited without results";
      throw new ProgramRunError(`program ${opts.programDir} ${why}`, stdout, stderr, code);
    }
    const result = JSON.parse(fs.readFileSync(resultFile, "utf8")) as Pick<ProgramRun, "resources" | "stackOutputs" | "toolchain">;
    return { ...result, ...resolved, stdout, stderr, durationMs: Date.now() - started };
  } finally {
    fs.rmSync(resultDir, { recursive: true, force: true });
  }
}

function runChild(
  script: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
): Promise<{ stdout: string; stderr: string; code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
    child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.once("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, code, signal });
    });
  });
}

interface ChildModule {
  resolvePulumiDir(fromDir: string): string;
  installRecordingMocks(
    pulumiDir: string,
    opts: { project: string; stack: string; config?: Record<string, string>; secretKeys?: string[] },
  ): {
    pulumi: { runtime: { runInPulumiStack(init: () => Promise<unknown>): Promise<unknown> } };
    recorded: { resources: RegisteredResource[]; stackOutputs?: Record<string, unknown> };
    settle(): Promise<void>;
  };
}

let inProcessRuns = 0;

/**
 * Runs the program inside the current process, loading it with `import()` — under vitest, through vitest's module
 * loader, exactly as a unit test importing the program would — in its own Pulumi store (`withLocalStorage`), so runs
 * do not share mocks or config. The program's modules are loaded afresh each run (a query string busts the cache)
 * but modules it imports are cached. stdout/stderr are not captured. Rejects with ProgramRunError (the unhandled
 * rejections in `stderr`) if a registration failed, as `pulumi up` would.
 */
export async function runProgramInProcess(opts: RunProgramOptions): Promise<ProgramRun> {
  const resolved = resolveOptions(opts);
  const child = require(CHILD_SCRIPT) as ChildModule;
  const pulumiDir = child.resolvePulumiDir(opts.programDir);
  const state = require(path.join(pulumiDir, "runtime", "state")) as {
    withLocalStorage<T>(callback: () => Promise<T>): Promise<T>;
  };
  const entry = path.resolve(opts.programDir, opts.entry ?? (fs.existsSync(path.join(opts.programDir, "index.js")) ? "index.js" : "index.ts"));
  const savedEnv = applyEnv(opts.env ?? {});
  // Pulumi reports a failed registration (e.g. a provider that cannot be serialized) only as an unhandled
  // rejection, which the language host turns into a failed run. Do the same for the duration of the run: vitest's
  // own listeners are set aside and put back afterwards.
  const rejections: unknown[] = [];
  const savedListeners = process.listeners("unhandledRejection");
  const onRejection = (reason: unknown): void => {
    rejections.push(reason);
  };
  process.removeAllListeners("unhandledRejection");
  process.on("unhandledRejection", onRejection);
  const started = Date.now();
  try {
    const recorded = await state.withLocalStorage(async () => {
      const { pulumi, recorded, settle } = child.installRecordingMocks(pulumiDir, { ...resolved });
      await pulumi.runtime.runInPulumiStack(async () => {
        const programExport: unknown = await import(`${entry}?harness-run=${++inProcessRuns}`);
        return typeof programExport === "function" ? (programExport as () => unknown)() : programExport;
      });
      await settle();
      return recorded;
    });
    if (rejections.length > 0) {
      const messages = rejections.map((r) => (r instanceof Error ? (r.stack ?? r.message) : String(r))).join("\n");
      throw new ProgramRunError(`program ${opts.programDir} failed in process`, "", messages, null);
    }
    return {
      resources: recorded.resources,
      stackOutputs: recorded.stackOutputs,
      ...resolved,
      stdout: "",
      stderr: "",
      durationMs: Date.now() - started,
    };
  } finally {
    process.off("unhandledRejection", onRejection);
    for (const listener of savedListeners) process.on("unhandledRejection", listener);
    applyEnv(savedEnv);
  }
}

/** Sets (or, for `undefined`, deletes) environment variables; returns the previous values. */
function applyEnv(values: Record<string, string | undefined>): Record<string, string | undefined> {
  const previous: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(values)) {
    previous[key] = process.env[key];
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  return previous;
}

/** The dynamic resources of a run (type `pulumi-nodejs:dynamic...`), in registration order. */
export function dynamicResources(run: ProgramRun): RegisteredResource[] {
  return run.resources.filter((r) => r.type.startsWith("pulumi-nodejs:dynamic") && r.opts?.custom !== false && !r.opts?.read);
}
