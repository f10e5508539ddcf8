// The plugin route through the real CLI from YAML (examples/yaml, its language host built beside the CLI), Python
// (examples/python, the Pulumi SDK from PyPI in a virtualenv) and Go (examples/go), the package named by
// `packages:` in Pulumi.yaml: `pulumi package get-schema` (which binds the plugin's schema and fails on any error in
// it), preview, up, refresh after a job vanishes out of band, `pulumi import` of a set by its documented ID form,
// and destroy, each checked against the emulator's jobs and request log and the state.
//
// The CLI starts this Node.js source plugin through pulumi-language-nodejs, which the Go module proxy does not
// serve: the suite's stand-in (test/e2e/nodejs-plugin-host.js) runs @pulumi/pulumi's run-plugin as that host does.
// Python programs reach the CLI through test/e2e/python-client-host.py (the SDK's own inline-program server), Go
// programs through test/e2e/go-language-host.js (go build, then run with the SDK's environment variables).
// Not `pulumi package add`: in a YAML project it ends by asking the YAML host to link the package, which the host
// built here (pulumi-language-yaml v1.25.0, the newest that builds beside this CLI) answers "method Link not
// implemented"; in Python and Go ones it generates and installs the SDK through their language hosts, which are not
// served. `packages:` is what it would have written; test/e2e/sdks.ts generates and installs the SDKs.
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type Emulator, startEmulator } from "../../emulator";
import { REPO_ROOT } from "../harness/program";
import { huaweiApi } from "../helpers/emulator-clients";
import { DEFAULT_PROJECT_ID, emulatorEnv } from "../helpers/jobsets";
import { type CliSandbox, addStandInLanguageHost, cliSandbox, requireCli, runPulumi } from "./cli";
import { addGoEnvironment, addGoSdk, addPythonSdk, pythonVirtualenv } from "./sdks";
import { copyProject, expectOk, exportStack } from "./workspace";

const PROJECT = DEFAULT_PROJECT_ID;
const SET_TYPE = "jobsets:dli:FlinkJobSet";
/** Operations that change something in the cloud. */
const CHANGING_OPS = /\.(stop|delete|deleteOne|batchDelete|cancel|kill)$/;
/** The examples' placeholder IDs (the same in both), replaced by seeded ones in the copy. */
const EXAMPLE_IDS = ['"268435"', '"268436"'];
const SETUP_TIMEOUT_MS = 5 * 60_000;

interface Language {
  name: string;
  /** The example's folder and the file its job IDs are written in. */
  example: string;
  programFile: string;
  /** What the language needs beside the copied project; returns the Python interpreter for a Python program. */
  prepare(project: string, sandbox: CliSandbox): Promise<string | undefined>;
}

const LANGUAGES: Language[] = [
  { name: "YAML", example: "yaml", programFile: "Pulumi.yaml", prepare: async () => undefined },
  {
    name: "Python",
    example: "python",
    programFile: "__main__.py",
    prepare: async (project, sandbox) => {
      // `pulumi import` asks the project's language host for its plugins, and takes no `--client`.
      addStandInLanguageHost(sandbox, "python");
      const python = pythonVirtualenv(path.join(sandbox.dir, "venv"));
      await addPythonSdk(project, python, sandbox);
      return python;
    },
  },
  {
    name: "Go",
    example: "go",
    programFile: "main.go",
    prepare: async (project, sandbox) => {
      addStandInLanguageHost(sandbox, "go");
      addGoEnvironment(sandbox);
      await addGoSdk(project, sandbox);
      return undefined;
    },
  },
];

describe.each(LANGUAGES)("the plugin route from $name", (language) => {
  const stack = language.example;
  let emu: Emulator;
  let sandbox: CliSandbox;
  let dir: string;
  let python: string | undefined;
  let declared: string[];
  let adopted: string[];
  let outsider: string;

  // A YAML program is run by the YAML language host the CLI starts; a Python one is served by python-client-host.py.
  const pulumi = (args: string[], program = false) => runPulumi(args, { cwd: dir, env: sandbox.env, program: program && python !== undefined, python });
  const flinkStatus = (id: string) => emu.flinkJobs(PROJECT).find((job) => job.jobId === id)?.status;
  const changingCalls = () => emu.calls((call) => CHANGING_OPS.test(call.op));
  async function sets() {
    const { deployment } = await exportStack(stack, { cwd: dir, env: sandbox.env, showSecrets: true });
    return (deployment.resources ?? []).filter((resource) => resource.type === SET_TYPE);
  }

  /** Replaces `from` in the copy's file by `to`, once, and checks that it was there. */
  function rewrite(file: string, from: string, to: string): void {
    const text = fs.readFileSync(path.join(dir, file), "utf8");
    expect(text, `${language.example}/${file}`).toContain(from);
    fs.writeFileSync(path.join(dir, file), text.replace(from, to));
  }

  beforeAll(async () => {
    requireCli();
    emu = await startEmulator();
    declared = emu.seedFlinkJobs(PROJECT, [{ name: "streams-1" }, { name: "streams-2" }]);
    adopted = emu.seedFlinkJobs(PROJECT, [{ name: "adopted-1" }, { name: "adopted-2" }]);
    [outsider] = emu.seedFlinkJobs(PROJECT, [{ name: "not-in-any-set" }]);
    sandbox = cliSandbox(emulatorEnv(emu));
    addStandInLanguageHost(sandbox, "nodejs");
    dir = copyProject(path.join(REPO_ROOT, "examples", language.example), sandbox.dir);
    // The copy is elsewhere: its `packages:` path must name the repository. Job IDs: the seeded ones.
    rewrite("Pulumi.yaml", "\n  jobsets: ../..\n", `\n  jobsets: ${REPO_ROOT}\n`);
    for (const [i, placeholder] of EXAMPLE_IDS.entries()) rewrite(language.programFile, placeholder, JSON.stringify(declared[i]));
    python = await language.prepare(dir, sandbox);
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await emu?.close();
    sandbox?.dispose();
  });

  test("pulumi package get-schema binds the plugin's schema without an error", async () => {
    const result = await pulumi(["package", "get-schema", REPO_ROOT]);
    expectOk(result);
    const schema = JSON.parse(result.stdout) as { name: string; resources: Record<string, unknown> };
    expect(schema.name).toBe("jobsets");
    expect(Object.keys(schema.resources).sort()).toEqual(["jobsets:dli:FlinkJobSet", "jobsets:dli:SparkBatchSet", "jobsets:ehpc:JobSet", "jobsets:mrs:JobExecutionSet"]);
    expect(result.stderr).not.toMatch(/failed to bind|error:/);
  });

  test("preview plans the set and sends nothing that changes a job; up creates it without touching one", async () => {
    expectOk(await runPulumi(["stack", "init", stack], { cwd: dir, env: sandbox.env }));
    emu.resetCalls();
    const preview = await pulumi(["preview"], true);
    expectOk(preview);
    expect(preview.stdout).toMatch(/\+ 2 to create/);
    expect(changingCalls()).toEqual([]);

    expectOk(await pulumi(["up", "--yes", "--skip-preview"], true));
    expect(changingCalls()).toEqual([]);
    expect(declared.map(flinkStatus)).toEqual(["job_running", "job_running"]);
    const [set] = await sets();
    expect(set?.outputs?.jobIds).toEqual(declared);
    expect(set?.outputs?.teardown).toBe("stop-then-delete");
  });

  test("refresh after a job vanishes out of band drops it from the state and changes nothing", async () => {
    const [vanished, kept] = declared;
    const gone = await huaweiApi(emu, { method: "POST", path: `/v1.0/${PROJECT}/streaming/jobs/delete`, body: { job_ids: [BigInt(vanished!)] } });
    expect(gone.status).toBe(200);
    emu.resetCalls();

    const result = await pulumi(["refresh", "--yes", "--skip-preview"]);
    expectOk(result);
    // Sent to the engine's log under the set before the read answered: among the set's diagnostics, every time.
    expect(result.stdout).toMatch(new RegExp(`jobsets:dli:FlinkJobSet \\(streams\\):\\n\\s+warning: dli-flink: 1 of 2 jobs no longer exist and leave the state: ${vanished}\\n`));
    expect(changingCalls()).toEqual([]);
    const [set] = await sets();
    expect(set?.outputs?.jobIds).toEqual([kept]);
    declared = [kept!];
  });

  test("pulumi import adopts running jobs by the documented ID form, and reads them without changing any", async () => {
    emu.resetCalls();
    const id = `dli-flink/${PROJECT}/${adopted.join(",")}`;
    const result = await pulumi(["import", SET_TYPE, "adopted", id, "--yes", "--generate-code=false"]);
    expectOk(result);
    expect(changingCalls()).toEqual([]);
    const imported = (await sets()).find((resource) => resource.urn.endsWith("::adopted"));
    expect(imported?.id).toBe(id);
    expect(imported?.outputs?.jobIds).toEqual(adopted);
    expect(imported?.outputs?.jobStatuses).toEqual(["job_running", "job_running"]);
    // The CLI protects what it imports: adopting jobs never puts them one destroy away from being torn down.
    expect(imported?.protect).toBe(true);
    expect(adopted.map(flinkStatus)).toEqual(["job_running", "job_running"]);
  });

  test("destroy tears down the declared and the imported set's jobs once it is unprotected, and nothing else", async () => {
    const adoptedUrn = (await sets()).find((resource) => resource.urn.endsWith("::adopted"))?.urn;
    expectOk(await pulumi(["state", "unprotect", adoptedUrn!, "--yes"]));
    const result = await pulumi(["destroy", "--yes", "--skip-preview"]);
    expectOk(result);
    expect(declared.map(flinkStatus)).toEqual(declared.map(() => undefined));
    expect(adopted.map(flinkStatus)).toEqual(adopted.map(() => undefined));
    // The examples' set tears down with a savepoint.
    const stops = emu.calls({ op: "flink.stop" }).filter((call) => declared.some((jobId) => call.body.includes(jobId)));
    expect(stops.length).toBeGreaterThan(0);
    for (const stop of stops) expect(stop.body).toContain('"trigger_savepoint":true');
    expect(flinkStatus(outsider!)).toBe("job_running");
    expect(await sets()).toEqual([]);
  });
});
