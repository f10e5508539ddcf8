// A stand-in for `pulumi-language-go`, put on the CLI sandbox's PATH under that name by the end-to-end suite.
//
// Why: the Go module proxy refuses the real host (github.com/pulumi/pulumi/sdk/go/pulumi-language-go/v3 answers 403
// "This module version is not available"). Run does what the real host does by default: compile the program in its
// folder (`go build`) and run the binary in the CLI's folder with the run's settings in the environment variables
// the Go SDK reads (pulumi.Run: PULUMI_MONITOR, PULUMI_ENGINE, PULUMI_PROJECT, PULUMI_STACK, PULUMI_CONFIG, ...),
// answering "bail" when the program exits 32 (the SDK already reported the error). GetRequiredPlugins and
// GetRequiredPackages answer nothing: the package comes from `packages:` in Pulumi.yaml. What it leaves out: the
// `binary` and `buildTarget` runtime options, debugging, Cancel, code generation and dependency installation
// (the suite generates the SDK and runs `go mod tidy` itself). Every other method answers UNIMPLEMENTED.
//
//   node go-language-host.js [flags...] <engine address>      (prints its port, as a plugin does)
"use strict";

const { spawn } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const { grpc, langproto, serveLanguageHost } = require("./stand-in-host");

/** The engine's address: the last argument that is not a flag. */
const engineAddress = process.argv.slice(2).filter((arg) => !arg.startsWith("-")).at(-1) ?? "";
/** The exit code by which a Go program says it has already reported its error (pulumi.Run). */
const EXIT_ERROR_REPORTED = 32;

/** Runs `command`, its output passed on as the plugin's own (which the CLI shows); resolves with its exit code. */
function run(command, args, options) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ["ignore", "inherit", "inherit"] });
    child.on("error", reject);
    child.on("close", (code, signal) => resolve(code ?? 128 + (os.constants.signals[signal] ?? 0)));
  });
}

/** The environment pulumi.Run reads, set only where the request has a value (as the real host does). */
function programEnv(req) {
  const env = { ...process.env };
  const set = (key, value) => {
    if (value !== "" && value !== undefined) env[key] = value;
  };
  const config = Object.fromEntries(req.getConfigMap().toArray());
  set("PULUMI_ORGANIZATION", req.getOrganization());
  set("PULUMI_PROJECT", req.getProject());
  set("PULUMI_ROOT_DIRECTORY", req.getInfo()?.getRootDirectory());
  set("PULUMI_STACK", req.getStack());
  set("PULUMI_CONFIG", JSON.stringify(config));
  set("PULUMI_CONFIG_SECRET_KEYS", JSON.stringify(req.getConfigsecretkeysList()));
  set("PULUMI_DRY_RUN", String(req.getDryrun()));
  set("PULUMI_PARALLEL", String(req.getParallel()));
  set("PULUMI_MONITOR", req.getMonitorAddress());
  set("PULUMI_ENGINE", engineAddress);
  return env;
}

async function runProgram(call, callback) {
  const req = call.request;
  const programDir = req.getInfo()?.getProgramDirectory() || path.resolve(req.getPwd(), req.getProgram());
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-go-program-"));
  const binary = path.join(workDir, "program");
  const response = new langproto.RunResponse();
  try {
    const built = await run("go", ["build", "-o", binary, "."], { cwd: programDir, env: process.env });
    if (built !== 0) {
      response.setError(`error in compiling Go: go build exited with ${built}`);
    } else {
      const exit = await run(binary, req.getArgsList(), { cwd: req.getPwd() || programDir, env: programEnv(req) });
      if (exit === EXIT_ERROR_REPORTED) response.setBail(true);
      else if (exit !== 0) response.setError(`program exited with non-zero exit code: ${exit}`);
    }
    callback(null, response);
  } catch (err) {
    callback({ code: grpc.status.INTERNAL, details: err.message });
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

serveLanguageHost("go-language-host", {
  getRequiredPlugins: (_call, callback) => callback(null, new langproto.GetRequiredPluginsResponse()),
  getRequiredPackages: (_call, callback) => callback(null, new langproto.GetRequiredPackagesResponse()),
  run: runProgram,
});
