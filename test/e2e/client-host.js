// Runs one real `pulumi` command whose Node.js program is served by this process, the way the Automation API
// runs an inline program: a LanguageRuntime gRPC server (@pulumi/pulumi's own automation/server.js) on
// 127.0.0.1, and `pulumi <args> --client=127.0.0.1:<port>`, so the CLI asks this server to run the program
// instead of starting `pulumi-language-nodejs`.
//
// Why: the Go module proxy serves no version of the language-host modules
// (github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3 answers 403 "This module version is not
// available"), so the CLI built by scripts/build-pulumi-cli.sh has no Node.js host. Everything else is the real
// thing: the CLI and its engine, the dynamic-provider host (pulumi-resource-pulumi-nodejs from the sdk/v3
// module), the file backend and the passphrase secrets provider.
//
// Plain CommonJS, started with a plain `node` (not under vitest), for the same reason as
// test/harness/program-child.js: closures must serialize as they do under the CLI.
//
//   node client-host.js <program dir> <pulumi args...>
//
// Exits with the CLI's exit code (or 128 + signal number).
"use strict";

const { spawn } = require("node:child_process");
const os = require("node:os");
const path = require("node:path");
const { registerTypeScript, resolvePulumiDir } = require("../harness/program-child.js");

async function main() {
  const [programDirArg, ...pulumiArgs] = process.argv.slice(2);
  if (!programDirArg || pulumiArgs.length === 0) {
    throw new Error("usage: node client-host.js <program dir> <pulumi args...>");
  }
  const programDir = path.resolve(programDirArg);
  // The server and the program must share one @pulumi/pulumi (its run settings are module state): both are
  // resolved from the program directory, as the program's own `require("@pulumi/pulumi")` is.
  const pulumiDir = resolvePulumiDir(programDir);
  const grpc = require(require.resolve("@grpc/grpc-js", { paths: [pulumiDir] }));
  const { LanguageServer } = require(path.join(pulumiDir, "automation", "server"));
  const langrpc = require(path.join(pulumiDir, "proto", "language_grpc_pb"));
  const { grpcChannelOptions } = require(path.join(pulumiDir, "runtime"));

  const entry = require.resolve(programDir);
  if (/\.[cm]?tsx?$/.test(entry)) {
    registerTypeScript(pulumiDir, programDir);
  }
  // `pulumi up` runs the program twice (preview, then update) against one server: each run must execute the
  // program's entry module afresh, as a new `node` process under the real host would.
  const program = async () => {
    delete require.cache[entry];
    const exported = require(entry);
    return exported instanceof Function ? exported() : exported;
  };

  const server = new grpc.Server({ ...grpcChannelOptions });
  const languageServer = new LanguageServer(program);
  server.addService(langrpc.LanguageRuntimeService, languageServer);
  const port = await new Promise((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );

  const child = spawn("pulumi", [...pulumiArgs, `--client=127.0.0.1:${port}`], { cwd: process.cwd(), stdio: "inherit" });
  // Ctrl-C reaches the whole process group, the CLI included, which then cancels: this process only stays alive
  // to serve the program (forwarding it would make a second SIGINT, which the CLI takes as "terminate now").
  // SIGTERM, sent to this process alone, is passed on.
  process.on("SIGINT", () => {});
  process.on("SIGTERM", () => child.kill("SIGTERM"));
  const { code, signal } = await new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (c, s) => resolve({ code: c, signal: s }));
  });
  server.forceShutdown();
  process.exit(code ?? 128 + (os.constants.signals[signal] ?? 0));
}

main().catch((err) => {
  console.error(`client-host: ${err?.stack ? err.stack : err}`);
  process.exit(1);
});
