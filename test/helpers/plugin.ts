/**
 * The provider plugin started the way the Pulumi CLI starts a source-based Node plugin: the nodejs language host runs
 * `node <@pulumi/pulumi>/cmd/run-plugin <plugin dir> <engine address>` in the user's project directory (RunPlugin in
 * pulumi-language-nodejs), run-plugin `require`s the package's `main`, and the plugin prints its port as its first
 * stdout line. The `pluginTest` fixtures give a test an emulator, a project directory and `launch`.
 *
 * package.json: `main` is the plugin entry (dist/provider/plugin.js); programs that import the package go through
 * `exports["."]`, the SDK.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expect, test as base } from "vitest";
import { DEFAULT_ACCESS_KEY, DEFAULT_PROJECT_ID, DEFAULT_SECRET_KEY, startEmulator, type Emulator } from "../../emulator";
import { REPO_ROOT, linkPackage } from "../harness/program";
import { RUN_PLUGIN, startProvider, type ProviderHost } from "../harness/provider-host";

export const FLINK = "jobsets:dli:FlinkJobSet";
export const PROJECT = "jobsets-plugin-test";
/** The package.json `main` the plugin needs (see the header). */
export const PLUGIN_MAIN = "dist/provider/plugin.js";
/** A second AK/SK pair the emulator accepts: the one the stack config carries, so requests tell which was used. */
export const CONFIG_AK = "JOBSETSCONFIGAK000002";
export const CONFIG_SK = "jobsetsConfigOnlyTestSecretKey0000000002";
export const MANIFEST = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { version: string; main?: string };

/** Credentials the inherited environment might hold, blanked (a blank variable counts as unset). */
const NO_CREDENTIALS: Record<string, string> = Object.fromEntries(
  ["HW_ACCESS_KEY", "HW_SECRET_KEY", "HW_SECURITY_TOKEN", "HW_AUTH_TOKEN", "HW_USER_NAME", "HW_USER_PASSWORD", "HW_PROJECT_ID", "HW_REGION_NAME", "OS_REGION_NAME", "OS_ACCESS_KEY", "OS_SECRET_KEY", "PULUMI_CONFIG"].map((k) => [k, ""]),
);

/** The plugin runs from dist/: fail clearly when it is missing or older than its source. */
export function assertBuilt(): void {
  for (const name of ["plugin", "plugin-schema", "lifecycle"]) {
    const built = path.join(REPO_ROOT, "dist", "provider", `${name}.js`);
    const source = path.join(REPO_ROOT, "provider", `${name}.ts`);
    if (!fs.existsSync(built) || fs.statSync(built).mtimeMs < fs.statSync(source).mtimeMs) {
      throw new Error(`${path.relative(REPO_ROOT, built)} is missing or older than its source: run \`npm run build\` first`);
    }
  }
}

/** The plugin directory as the CLI sees it: the package installed in the user's project. */
function pluginDir(workdir: string): string {
  expect(MANIFEST.main, "package.json main must be the plugin entry").toBe(PLUGIN_MAIN);
  return linkPackage(workdir);
}

interface Fixtures {
  emu: Emulator;
  /** A user's project directory (the CLI's working directory), with pulumi-jobsets installed (linked). */
  workdir: string;
  /** Starts the plugin as the CLI does, in `workdir`, with these variables added to the environment. */
  launch: (env: Record<string, string>) => Promise<ProviderHost>;
}

export const pluginTest = base.extend<Fixtures>({
  emu: async ({}, use) => {
    const emu = await startEmulator({
      stopDelayMs: 20,
      credentials: [
        { accessKey: DEFAULT_ACCESS_KEY, secretKey: DEFAULT_SECRET_KEY },
        { accessKey: CONFIG_AK, secretKey: CONFIG_SK },
      ],
    });
    try {
      await use(emu);
    } finally {
      await emu.close();
    }
  },
  workdir: async ({}, use) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "jobsets-plugin-"));
    try {
      await use(dir);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
  launch: async ({ workdir }, use) => {
    assertBuilt();
    const started: ProviderHost[] = [];
    try {
      await use(async (env) => {
        const plugin = await startProvider({
          cwd: workdir,
          project: PROJECT,
          env: { ...NO_CREDENTIALS, JOBSETS_RETRY_MIN_DELAY_MS: "20", ...env },
          // The engine passes its own address; the plugin keeps it for construct/call, which job sets don't use.
          command: { script: RUN_PLUGIN, args: (engine) => [pluginDir(workdir), engine] },
        });
        started.push(plugin);
        return plugin;
      });
    } finally {
      await Promise.all(started.map((plugin) => plugin.stop()));
    }
  },
});

/** Environment of a plugin using the emulator's DLI with credentials from the environment. */
export function envCredentials(emu: Emulator): Record<string, string> {
  return { HW_ACCESS_KEY: DEFAULT_ACCESS_KEY, HW_SECRET_KEY: DEFAULT_SECRET_KEY, HW_PROJECT_ID: DEFAULT_PROJECT_ID, JOBSETS_DLI_ENDPOINT: emu.url };
}
