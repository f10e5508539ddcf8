/**
 * Python for the end-to-end suite: a virtualenv with the Pulumi SDK from PyPI, and the SDK of this package generated
 * and installed into it the way `pulumi package add` would (get the schema from the plugin, generate the Python SDK
 * into the project's `sdks/jobsets`, `pip install` it). `pulumi package add` itself needs pulumi-language-python,
 * which the Go module proxy does not serve: the schema comes from the real CLI (`pulumi package get-schema`), the
 * code from the same pkg/v3 generator (gen-python-sdk, built beside the CLI).
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO_ROOT } from "../harness/program";
import { CLI_BIN, type CliSandbox, runPulumi } from "./cli";
import { expectOk } from "./workspace";

const REQUIREMENTS = path.join(__dirname, "python-requirements.txt");
const PIP_TIMEOUT_MS = 5 * 60_000;

/**
 * A virtualenv in `dir` with the pinned Pulumi SDK; returns its interpreter. pip runs in the caller's environment
 * (its cache and index settings), not the CLI sandbox's.
 */
export function pythonVirtualenv(dir: string): string {
  execFileSync("python3", ["-m", "venv", dir], { stdio: ["ignore", "ignore", "pipe"], timeout: PIP_TIMEOUT_MS });
  const python = path.join(dir, "bin", "python");
  pip(python, ["-r", REQUIREMENTS]);
  return python;
}

function pip(python: string, args: string[]): void {
  execFileSync(python, ["-m", "pip", "install", "--quiet", "--disable-pip-version-check", ...args], {
    stdio: ["ignore", "ignore", "pipe"],
    timeout: PIP_TIMEOUT_MS,
  });
}

/** Generates this package's Python SDK into `<project>/sdks/jobsets` and installs it into the virtualenv. */
export async function addPythonSdk(project: string, python: string, sandbox: CliSandbox): Promise<void> {
  const schema = await runPulumi(["package", "get-schema", REPO_ROOT], { cwd: project, env: sandbox.env });
  expectOk(schema);
  const schemaFile = path.join(sandbox.dir, "jobsets-schema.json");
  fs.writeFileSync(schemaFile, schema.stdout);
  const sdk = path.join(project, "sdks", "jobsets");
  execFileSync(path.join(CLI_BIN, "gen-python-sdk"), [schemaFile, sdk], { stdio: ["ignore", "ignore", "pipe"] });
  pip(python, [sdk]);
}
