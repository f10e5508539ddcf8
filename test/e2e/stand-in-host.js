// What the suite's language-host stand-ins share (nodejs-plugin-host.js, go-language-host.js,
// python-language-host.js): @pulumi/pulumi's
// generated LanguageRuntime stubs and its grpc-js, and serving them as a plugin does, on 127.0.0.1 with the port
// as the first line of stdout. Handshake and GetPluginInfo are answered here; a method a stand-in leaves out
// answers UNIMPLEMENTED.
"use strict";

const path = require("node:path");

const pulumiDir = path.dirname(require.resolve("@pulumi/pulumi/package.json", { paths: [path.join(__dirname, "..", "..")] }));
const grpc = require(require.resolve("@grpc/grpc-js", { paths: [pulumiDir] }));
const langrpc = require(path.join(pulumiDir, "proto", "language_grpc_pb"));
const langproto = require(path.join(pulumiDir, "proto", "language_pb"));
const pluginproto = require(path.join(pulumiDir, "proto", "plugin_pb"));

/** Serves `methods` (and Handshake, GetPluginInfo) until the CLI ends the host by signal; `name` prefixes a failure. */
function serveLanguageHost(name, methods) {
  const server = new grpc.Server({ "grpc.max_receive_message_length": 400 * 1024 * 1024 });
  server.addService(langrpc.LanguageRuntimeService, {
    handshake: (_call, callback) => callback(null, new langproto.LanguageHandshakeResponse()),
    getPluginInfo: (_call, callback) => {
      const info = new pluginproto.PluginInfo();
      info.setVersion("0.0.0-e2e-stand-in");
      callback(null, info);
    },
    ...methods,
  });
  server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, port) => {
    if (err) {
      console.error(`${name}: ${err.stack ?? err}`);
      process.exit(1);
    }
    process.stdout.write(`${port}\n`);
  });
  for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => server.forceShutdown());
}

module.exports = { grpc, langproto, serveLanguageHost };
