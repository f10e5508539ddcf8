/**
 * This package's SDKs for the plugin route's Python and Go examples, made the way `pulumi package add` makes them:
 * the schema from the plugin (through the real CLI, `pulumi package get-schema`), the SDK generated into the
 * project's `sdks/jobsets` by the same pkg/v3 code generators (gen-sdk, built beside the CLI), then installed:
 * `pip install` into a virtualenv with the Pulumi SDK from PyPI, or a `replace` in go.mod and `go mod tidy`.
 * `pulumi package add` itself reaches those generators through pulumi-language-python and -go, which the Go
 * module proxy does not serve.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO_ROOT } from "../harness/program";
import { CLI_BIN, type CliSandbox, runPulumi } from "./cli";
import { expectOk } from "./workspace";

const PYTHON_REQUIREMENTS = path.join(__dirname, "python-requirements.txt");
const INSTALL_TIMEOUT_MS = 5 * 60_000;

/** Generates this package's SDK for `language` into `<project>/sdks/jobsets`; returns that folder. */
async function generateSdk(language: "python" | "go", project: string, sandbox: CliSandbox): Promise<string> {
  const schema = await runPulumi(["package", "get-schema", REPO_ROOT], { cwd: project, env: sandbox.env });
  expectOk(schema);
  const schemaFile = path.join(sandbox.dir, "jobsets-schema.json");
  fs.writeFileSync(schemaFile, schema.stdout);
  const sdk = path.join(project, "sdks", "jobsets");
  execFileSync(path.join(CLI_BIN, "gen-sdk"), [language, schemaFile, sdk], { stdio: ["ignore", "ignore", "pipe"] });
  return sdk;
}

/**
 * A virtualenv in `dir` with the pinned Pulumi SDK; returns its interpreter. pip runs in the caller's environment
 * (its cache and index settings), not the CLI sandbox's.
 */
export function pythonVirtualenv(dir: string): string {
  execFileSync("python3", ["-m", "venv", dir], { stdio: ["ignore", "ignore", "pipe"], timeout: INSTALL_TIMEOUT_MS });
  const python = path.join(dir, "bin", "python");
  pip(python, ["-r", PYTHON_REQUIREMENTS]);
  return python;
}

function pip(python: string, args: string[]): void {
  execFileSync(python, ["-m", "pip", "install", "--quiet", "--disable-pip-version-check", ...args], {
    stdio: ["ignore", "ignore", "pipe"],
    timeout: INSTALL_TIMEOUT_MS,
  });
}

/** Generates the Python SDK into the project and installs it into the virtualenv. */
export async function addPythonSdk(project: string, python: string, sandbox: CliSandbox): Promise<void> {
  pip(python, [await generateSdk("python", project, sandbox)]);
}

/**
 * Lets the sandbox run `go`: the CLI sandbox has a HOME of its own, which would move Go's module and build caches
 * there (and download and compile everything again), so they are named explicitly; the machine's Go, modules
 * from go.sum only.
 */
export function addGoEnvironment(sandbox: CliSandbox): void {
  const goEnv = JSON.parse(execFileSync("go", ["env", "-json", "GOPATH", "GOMODCACHE", "GOCACHE"], { encoding: "utf8" })) as Record<string, string>;
  Object.assign(sandbox.env, goEnv, { GOTOOLCHAIN: "local", GOFLAGS: "-mod=readonly" });
}

/** Generates the Go SDK into the project, points go.mod at it with a `replace`, and runs `go mod tidy`. */
export async function addGoSdk(project: string, sandbox: CliSandbox): Promise<void> {
  const sdk = await generateSdk("go", project, sandbox);
  const modulePath = /^module\s+(\S+)/m.exec(fs.readFileSync(path.join(sdk, "go.mod"), "utf8"))?.[1];
  if (!modulePath) throw new Error(`no module line in ${sdk}/go.mod`);
  fs.appendFileSync(path.join(project, "go.mod"), `\nreplace ${modulePath} => ./${path.relative(project, sdk)}\n`);
  execFileSync("go", ["mod", "tidy"], {
    cwd: project,
    env: { ...sandbox.env, GOFLAGS: "-mod=mod" },
    stdio: ["ignore", "ignore", "pipe"],
    timeout: INSTALL_TIMEOUT_MS,
  });
}
