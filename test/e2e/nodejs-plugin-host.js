// A stand-in for `pulumi-language-nodejs` that only runs plugins: the CLI starts it (from PATH, where the suite puts
// it under that name) when it needs a Node.js source plugin (a directory with PulumiPlugin.yaml: this repository
// as a provider) or a Node.js policy pack (`--policy-pack <dir>` with PulumiPolicy.yaml), and calls its RunPlugin.
//
// Why: the Go module proxy refuses the real host (github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3
// answers 403 "This module version is not available"). Programs are served by test/e2e/client-host.js instead.
// RunPlugin here starts what the real host starts, with the same arguments, working folder and environment:
//   resource plugin: node <@pulumi/pulumi>/cmd/run-plugin <plugin dir> <args...>        (in the CLI's folder)
//   policy pack:     node <@pulumi/pulumi>/cmd/run-policy-pack <args...> <pack dir>     (in the pack's folder)
// each resolved from the plugin's own folder, and streams the child's output and exit code back. What it leaves
// out: the real host's policy proxy, which hands the stack's config and name to the pack as PULUMI_CONFIG and
// PULUMI_NODEJS_STACK (the policies here read only their own config, which reaches them over gRPC), and debugging.
// InstallDependencies only checks that the suite installed them. Every other method answers UNIMPLEMENTED, so a
// program run through it fails loudly instead of passing unseen.
//
//   node nodejs-plugin-host.js [flags...] <engine address>      (prints its port, as a plugin does)
"use strict";

const { spawn } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const { grpc, langproto, serveLanguageHost } = require("./stand-in-host");

/** The launcher the real host runs for each plugin kind, resolved from the plugin's folder as the host does. */
function launcher(kind, pluginDir) {
  const module = kind === "analyzer" ? "@pulumi/pulumi/cmd/run-policy-pack" : "@pulumi/pulumi/cmd/run-plugin";
  return require.resolve(module, { paths: [pluginDir] });
}

function runPlugin(call) {
  const req = call.request;
  const kind = req.getKind();
  const pluginDir = req.getInfo()?.getProgramDirectory() || req.getProgram();
  const response = (set) => {
    const message = new langproto.RunPluginResponse();
    set(message);
    call.write(message);
  };
  let args;
  let cwd;
  try {
    const run = launcher(kind, pluginDir);
    // Policy packs take their folder last and run in it; every other plugin takes it first and runs where the CLI does.
    args = kind === "analyzer" ? [run, ...req.getArgsList(), pluginDir] : [run, pluginDir, ...req.getArgsList()];
    cwd = kind === "analyzer" ? pluginDir : req.getPwd() || pluginDir;
  } catch (err) {
    call.destroy({ code: grpc.status.FAILED_PRECONDITION, details: `cannot run the ${kind} plugin in ${pluginDir}: ${err.message}` });
    return;
  }
  const env = {};
  for (const entry of req.getEnvList()) {
    const eq = entry.indexOf("=");
    if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  env.PULUMI_NODEJS_TYPESCRIPT = "true";
  const child = spawn(process.execPath, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout.on("data", (chunk) => response((m) => m.setStdout(chunk)));
  child.stderr.on("data", (chunk) => response((m) => m.setStderr(chunk)));
  // The CLI cancels the stream to stop the plugin.
  call.on("cancelled", () => child.kill("SIGINT"));
  child.on("error", (err) => call.destroy({ code: grpc.status.INTERNAL, details: err.message }));
  child.on("close", (code, signal) => {
    response((m) => m.setExitcode(code ?? 128 + (os.constants.signals[signal] ?? 0)));
    call.end();
  });
}

/**
 * Before it runs a source plugin the CLI asks the host to install the plugin's dependencies (the real host runs
 * `npm install`). The suite installs them itself, before any CLI command, so here they must already be there.
 */
function installDependencies(call) {
  const dir = call.request.getInfo()?.getProgramDirectory() || call.request.getDirectory();
  if (fs.existsSync(path.join(dir, "node_modules"))) {
    call.end();
  } else {
    call.destroy({ code: grpc.status.FAILED_PRECONDITION, details: `no node_modules in ${dir}: the suite installs a plugin's dependencies before the CLI runs it` });
  }
}

serveLanguageHost("nodejs-plugin-host", {
  installDependencies,
  runPlugin,
});
