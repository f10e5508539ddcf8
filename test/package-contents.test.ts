// What `npm pack` would publish: the provider, the SDK with its policies and the emulator, compiled, and nothing
// that only tests, benchmarks or demos (those compile into build/, see tsconfig.dev.json). Every entry point the
// manifest names is in the tarball, and every module in it loads only modules in it, its dependencies or Node's.
// Reads dist/ as `npm test` leaves it (the pretest step builds it).
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import { builtinModules } from "node:module";
import * as path from "node:path";
import { beforeAll, describe, expect, test } from "vitest";

const REPO_ROOT = path.join(__dirname, "..");
const manifest = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as {
  name: string;
  main: string;
  types: string;
  exports: Record<string, string | Record<string, string>>;
  bin?: string | Record<string, string>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
};

/** Published folders: what users run. */
const PUBLISHED_DIRS = ["dist/provider/", "dist/sdk/", "dist/emulator/"];
const PUBLISHED_FILES = ["package.json", "README.md", "CHANGELOG.md", "PulumiPlugin.yaml"];

let packed: Set<string>;

beforeAll(() => {
  // --ignore-scripts: list what dist/ holds now, without rebuilding it under the other tests' feet.
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const out = execFileSync(npm, ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: REPO_ROOT, encoding: "utf8" });
  const [pack] = JSON.parse(out) as { files: { path: string }[] }[];
  packed = new Set(pack!.files.map((file) => file.path));
  if (![...packed].some((file) => file.startsWith("dist/"))) throw new Error("dist/ is empty: run `npm run build` first");
});

/** The package-relative path `target` (`./dist/x.js`) names, as npm lists it. */
const normal = (target: string): string => path.posix.normalize(target).replace(/^\.\//, "");

function entryPoints(): string[] {
  const targets = [manifest.main, manifest.types];
  for (const entry of Object.values(manifest.exports)) targets.push(...(typeof entry === "string" ? [entry] : Object.values(entry)));
  if (manifest.bin) targets.push(...(typeof manifest.bin === "string" ? [manifest.bin] : Object.values(manifest.bin)));
  return targets.map(normal);
}

/** The module a relative `require` in `from` loads, if the tarball holds it. */
function resolvePacked(from: string, request: string): string | undefined {
  const base = path.posix.join(path.posix.dirname(from), request);
  return [base, `${base}.js`, `${base}/index.js`].find((candidate) => packed.has(candidate));
}

/** `@scope/name/sub` → `@scope/name`; `name/sub` → `name`. */
const packageOf = (request: string): string => request.split("/").slice(0, request.startsWith("@") ? 2 : 1).join("/");

describe("npm pack", () => {
  test("publishes only the provider, the SDK, the policies and the emulator, plus the manifest and documents", () => {
    const stray = [...packed].filter((file) => !PUBLISHED_FILES.includes(file) && !PUBLISHED_DIRS.some((dir) => file.startsWith(dir)));
    expect(stray).toEqual([]);
    for (const dir of PUBLISHED_DIRS) expect([...packed].some((file) => file.startsWith(dir)), dir).toBe(true);
    expect([...packed].filter((file) => /(^|\/)(test|bench|demo|harness)(\/|$)|\.test\.js$/.test(file))).toEqual([]);
  });

  test("holds every entry point package.json names", () => {
    const missing = entryPoints().filter((target) => !packed.has(target));
    expect(missing).toEqual([]);
  });

  test("every published module loads only published modules, its dependencies and Node's own", () => {
    const allowed = new Set([...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.peerDependencies ?? {})]);
    const exported = new Set(Object.keys(manifest.exports).map((key) => path.posix.join(manifest.name, key)));
    const problems: string[] = [];
    for (const file of [...packed].filter((f) => f.endsWith(".js"))) {
      const source = fs.readFileSync(path.join(REPO_ROOT, file), "utf8");
      for (const [, request] of source.matchAll(/\brequire\("([^"]+)"\)/g)) {
        if (request!.startsWith(".")) {
          if (!resolvePacked(file, request!)) problems.push(`${file}: require("${request}") is not in the package`);
        } else if (packageOf(request!) === manifest.name) {
          if (!exported.has(request!)) problems.push(`${file}: require("${request}") is not one of package.json's exports`);
        } else if (!request!.startsWith("node:") && !builtinModules.includes(request!) && !allowed.has(packageOf(request!))) {
          problems.push(`${file}: require("${request}") is neither a dependency nor a peer dependency`);
        }
      }
    }
    expect(problems).toEqual([]);
  });
});
