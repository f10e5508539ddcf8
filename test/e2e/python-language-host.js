// A stand-in for `pulumi-language-python` that only answers what the CLI asks a language host outside a program
// run: `pulumi import` (and refresh and destroy) ask the project's host for the program's plugins and packages,
// and this one answers none (the package comes from `packages:` in Pulumi.yaml). Python programs themselves run
// through test/e2e/python-client-host.py (`--client`); Run, like every other method, answers UNIMPLEMENTED.
//
// Why: the Go module proxy refuses the real host (github.com/pulumi/pulumi/sdk/python/cmd/pulumi-language-python/v3
// answers 403 "This module version is not available").
//
//   node python-language-host.js [flags...] <engine address>      (prints its port, as a plugin does)
"use strict";

const { langproto, serveLanguageHost } = require("./stand-in-host");

serveLanguageHost("python-language-host", {
  getRequiredPlugins: (_call, callback) => callback(null, new langproto.GetRequiredPluginsResponse()),
  getRequiredPackages: (_call, callback) => callback(null, new langproto.GetRequiredPackagesResponse()),
});
