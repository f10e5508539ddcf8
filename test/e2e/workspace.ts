/**
 * Pulumi projects for the end-to-end suite: copied into a sandbox, their dependencies either installed as a user
 * would (`npm install` of the packed package) or linked to the repository's, and their state read back.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { expect } from "vitest";
import { REPO_ROOT } from "../harness/program";
import { type PulumiResult, runPulumi } from "./cli";

const NPM_TIMEOUT_MS = 5 * 60_000;

/** Copies a project without anything installed and without stack config files. */
export function copyProject(source: string, into: string): string {
  const dir = path.join(into, path.basename(source));
  fs.cpSync(source, dir, {
    recursive: true,
    filter: (src) => !src.split(path.sep).includes("node_modules") && !/^Pulumi\..+\.yaml$/.test(path.basename(src)),
  });
  return dir;
}

/** A Node.js project of one plain-JavaScript program (`index.js`), nothing installed: `<into>/<name>`. */
export function writeJsProject(into: string, name: string, program: string): string {
  const dir = path.join(into, name);
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, "Pulumi.yaml"), `name: ${name}\nruntime: nodejs\n`);
  fs.writeFileSync(path.join(dir, "index.js"), program);
  fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name, private: true, main: "index.js" }));
  return dir;
}

/** The @pulumi/pulumi version installed in the repository (the one the suite runs with). */
export function pulumiSdkVersion(): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "node_modules", "@pulumi", "pulumi", "package.json"), "utf8")) as { version: string };
  return pkg.version;
}

/**
 * Installs the project's dependencies as a user would: `npm install` with `pulumi-jobsets` replaced by the package
 * as `npm pack` makes it (built dist/, the published files only) and @pulumi/pulumi pinned to the version the suite
 * runs with; everything else (TypeScript, for one) is what the project's package.json asks for. Uses the caller's
 * environment (npm's cache and registry settings), not the CLI sandbox's. `tarball`: a packed release of
 * pulumi-jobsets to install instead of the repository (an earlier release, for an upgrade).
 */
export function installDependencies(dir: string, tarball?: string): void {
  let filename: string;
  if (tarball) {
    filename = path.basename(tarball);
    fs.copyFileSync(tarball, path.join(dir, filename));
  } else {
    const packed = execFileSync("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", dir, REPO_ROOT], {
      encoding: "utf8",
      timeout: NPM_TIMEOUT_MS,
    });
    [{ filename }] = JSON.parse(packed) as { filename: string }[];
  }
  const manifestPath = path.join(dir, "package.json");
  const manifest = JSON.parse(fs.readFileSync(manifestPath, "utf8")) as { dependencies?: Record<string, string> };
  manifest.dependencies ??= {};
  manifest.dependencies["pulumi-jobsets"] = `file:./${filename}`;
  manifest.dependencies["@pulumi/pulumi"] = pulumiSdkVersion();
  fs.writeFileSync(manifestPath, JSON.stringify(manifest, null, 2));
  execFileSync("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"], {
    cwd: dir,
    stdio: ["ignore", "ignore", "pipe"],
    timeout: NPM_TIMEOUT_MS,
  });
}

export function expectOk(result: PulumiResult): void {
  expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
}

export interface StateResource {
  urn: string;
  type: string;
  id?: string;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
  protect?: boolean;
  retainOnDelete?: boolean;
  dependencies?: string[];
}

export interface Deployment {
  resources?: StateResource[];
  pending_operations?: { resource: StateResource; type: string }[];
}

/** `pulumi stack export` (secrets stay ciphertext unless `showSecrets`): the deployment and its raw text. */
export async function exportStack(
  stack: string,
  opts: { cwd: string; env: NodeJS.ProcessEnv; showSecrets?: boolean },
): Promise<{ deployment: Deployment; text: string }> {
  const result = await runPulumi(["stack", "export", "--stack", stack, ...(opts.showSecrets ? ["--show-secrets"] : [])], opts);
  expectOk(result);
  return { deployment: (JSON.parse(result.stdout) as { deployment: Deployment }).deployment, text: result.stdout };
}

/** The job-set resources of a deployment (dynamic resources other than the test's markers). */
export function jobSets(deployment: Deployment): StateResource[] {
  return (deployment.resources ?? []).filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/jobsets:"));
}
