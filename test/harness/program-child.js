// Runs one Pulumi program the way `pulumi up` runs it, but against mocks instead of the engine.
//
// Plain CommonJS on purpose: `test/harness/program.ts` starts it with a plain `node` (not under vitest,
// which loads modules outside `require.cache` and so changes what closures serialize to), and also
// `require`s it to share the recording code with the in-process run.
//
// What it mirrors, read from the installed @pulumi/pulumi:
// - cmd/run/run.js: TypeScript through `tsutils.typeScriptRequireStrings()` (the vendored ts-node 7 unless the
//   program has its own) with the same compiler options, the program `require`d inside `runInPulumiStack`, its
//   exports (called if a function) becoming the stack outputs;
// - cmd/run/index.js: the program is finished when the event loop is empty (`beforeExit`);
// - runtime/mocks.js: `setMocks(mocks, project, stack, preview)`; `newResource` receives each registration.
"use strict";

const fs = require("node:fs");
const path = require("node:path");

const ROOT_STACK_TYPE = "pulumi:pulumi:Stack";

/** Finds the directory of the @pulumi/pulumi that `fromDir` (the program) resolves, as the program itself would. */
function resolvePulumiDir(fromDir) {
  return path.dirname(require.resolve("@pulumi/pulumi/package.json", { paths: [fromDir] }));
}

/** The engine's URN: the parent's type is prefixed with `$`, except for the root stack. */
function makeUrn(stack, project, type, name, parentUrn) {
  let qualifiedType = type;
  if (parentUrn) {
    const parentType = parentUrn.split("::")[2];
    if (parentType && parentType !== ROOT_STACK_TYPE) {
      qualifiedType = `${parentType}$${type}`;
    }
  }
  return `urn:pulumi:${stack}::${project}::${qualifiedType}::${name}`;
}

/** JSON round trip: drops `undefined`, turns class instances into plain data. */
function toPlain(value) {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}

/** The resource options the engine receives with a registration (mocks' `newResource` does not see them). */
function optionsOf(req) {
  const opts = {
    custom: req.getCustom(),
    parent: req.getParent() || undefined,
    protect: req.getProtect() || undefined,
    dependencies: req.getDependenciesList(),
    provider: req.getProvider() || undefined,
    deleteBeforeReplace: req.getDeletebeforereplacedefined() ? req.getDeletebeforereplace() : undefined,
    ignoreChanges: req.getIgnorechangesList(),
    replaceOnChanges: req.getReplaceonchangesList(),
    additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
    retainOnDelete: req.getRetainondelete() || undefined,
    importId: req.getImportid() || undefined,
    deletedWith: req.getDeletedwith() || undefined,
  };
  const timeouts = req.getCustomtimeouts();
  if (timeouts && (timeouts.getCreate() || timeouts.getUpdate() || timeouts.getDelete())) {
    opts.customTimeouts = { create: timeouts.getCreate(), update: timeouts.getUpdate(), delete: timeouts.getDelete() };
  }
  return toPlain(opts);
}

/**
 * Installs mocks that record every registration. Call inside the store the program will run in
 * (the child's global store, or a `withLocalStorage` store in process).
 *
 * Returns `{ resources, stackOutputs, settle }`: `resources` fills up as the program registers,
 * `settle()` resolves once no RPC is pending and nothing new was registered for a few turns.
 */
function installRecordingMocks(pulumiDir, { project, stack, config, secretKeys }) {
  const pulumi = require(pulumiDir);
  const settings = require(path.join(pulumiDir, "runtime", "settings"));
  const rpc = require(path.join(pulumiDir, "runtime", "rpc"));

  const resources = [];
  const recorded = { resources, stackOutputs: undefined };
  let pendingOpts;

  const mocks = {
    newResource(args) {
      const opts = pendingOpts ?? { custom: args.custom };
      pendingOpts = undefined;
      const id = args.custom ? `${args.name}-id` : undefined;
      if (args.type !== ROOT_STACK_TYPE) {
        resources.push({
          type: args.type,
          name: args.name,
          urn: makeUrn(stack, project, args.type, args.name, opts.parent),
          // Secrets stay wrapped: {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value}.
          inputs: toPlain(args.inputs) ?? {},
          id,
          opts,
        });
      }
      return { id, state: args.inputs };
    },
    call(args) {
      throw new Error(`harness mocks: unexpected invoke ${args.token}`);
    },
  };

  pulumi.runtime.setMocks(mocks, project, stack, /* preview */ false);
  if (config) {
    // Same content as PULUMI_CONFIG / PULUMI_CONFIG_SECRET_KEYS; needed in process, harmless in the child.
    pulumi.runtime.setAllConfig(config, secretKeys);
  }

  // MockMonitor.registerResource calls mocks.newResource synchronously, before its first await: the options
  // captured here belong to the newResource call that follows.
  const monitor = settings.getMonitor();
  const registerResource = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, callback) => {
    pendingOpts = optionsOf(req);
    return registerResource(req, callback);
  };
  const readResource = monitor.readResource.bind(monitor);
  monitor.readResource = (req, callback) => {
    pendingOpts = { custom: true, read: true, parent: req.getParent() || undefined, id: req.getId() };
    return readResource(req, callback);
  };
  const registerResourceOutputs = monitor.registerResourceOutputs.bind(monitor);
  monitor.registerResourceOutputs = (req, callback) => {
    const urn = req.getUrn();
    const outputs = toPlain(rpc.deserializeProperties(req.getOutputs()));
    if (urn.split("::")[2] === ROOT_STACK_TYPE) {
      recorded.stackOutputs = outputs;
    }
    return registerResourceOutputs(req, callback);
  };

  async function settle() {
    // Registrations made in apply() callbacks start after others finish: wait until a few turns pass with
    // no pending RPC and no new registration.
    let quietTurns = 0;
    while (quietTurns < 3) {
      const before = resources.length;
      await settings.waitForRPCs();
      await new Promise((resolve) => setImmediate(resolve));
      quietTurns = resources.length === before ? quietTurns + 1 : 0;
    }
  }

  return { pulumi, recorded, settle };
}

/** Registers TypeScript exactly as cmd/run/run.js does for a CommonJS project (not the automatic ESM mode). */
function registerTypeScript(pulumiDir, programDir) {
  const tsutils = require(path.join(pulumiDir, "tsutils"));
  const tsConfigPath = process.env.PULUMI_NODEJS_TSCONFIG_PATH ?? "tsconfig.json";
  const skipProject = !fs.existsSync(path.resolve(programDir, tsConfigPath));
  const compilerOptions = tsutils.loadTypeScriptCompilerOptions(path.resolve(programDir, tsConfigPath));
  // run.js honours PULUMI_NODEJS_TRANSPILE_ONLY, then `noCheck`; the harness defaults to transpile-only.
  const transpileOnlyEnv = process.env.PULUMI_NODEJS_TRANSPILE_ONLY;
  const transpileOnly = transpileOnlyEnv ? transpileOnlyEnv === "true" : true;
  const { tsnodeRequire, typescriptRequire } = tsutils.typeScriptRequireStrings();
  const ts = require(require.resolve(typescriptRequire, { paths: [pulumiDir] }));
  const [major, minor] = ts.version.split(".").map(Number);
  const useNodeNext = major > 4 || (major === 4 && minor >= 7);
  const tsn = require(require.resolve(tsnodeRequire, { paths: [pulumiDir] }));
  tsn.register({
    compiler: typescriptRequire,
    transpileOnly,
    project: tsConfigPath,
    skipProject,
    compilerOptions: {
      target: "ES2020",
      module: useNodeNext ? "nodenext" : "commonjs",
      moduleResolution: useNodeNext ? "nodenext" : "node",
      sourceMap: "true",
      ...compilerOptions,
    },
  });
  return { typescript: ts.version, tsnode: tsnodeRequire };
}

/** Child entry point: `node program-child.js '<json options>'`, with cwd = the program directory. */
async function main() {
  const opts = JSON.parse(process.argv[2]);
  const started = Date.now();
  const programDir = process.cwd();
  const pulumiDir = resolvePulumiDir(programDir);
  const entry = opts.entry ? path.resolve(programDir, opts.entry) : programDir + path.sep;
  const tsEntry = opts.entry ? /\.[cm]?tsx?$/.test(opts.entry) : fs.existsSync(path.join(programDir, "index.ts"));
  const toolchain = tsEntry ? registerTypeScript(pulumiDir, programDir) : undefined;

  // Config comes from PULUMI_CONFIG / PULUMI_CONFIG_SECRET_KEYS in the environment, as under the CLI.
  const { pulumi, recorded, settle } = installRecordingMocks(pulumiDir, { project: opts.project, stack: opts.stack });

  let failed = false;
  try {
    await pulumi.runtime.runInPulumiStack(async () => {
      const programExport = require(entry);
      return programExport instanceof Function ? programExport() : programExport;
    });
    await settle();
  } catch (err) {
    failed = true;
    process.exitCode = 1;
    console.error(`harness: running program '${entry}' failed:\n${err?.stack ? err.stack : err}`);
  }
  if (failed) {
    return;
  }
  // Like the language host, the program is done when Node has nothing left to do.
  let written = false;
  process.on("beforeExit", () => {
    if (written || process.exitCode) {
      return;
    }
    written = true;
    const result = { ...recorded, toolchain, durationMs: Date.now() - started };
    fs.writeFileSync(opts.resultFile, JSON.stringify(result));
  });
}

if (require.main === module) {
  main().catch((err) => {
    process.exitCode = 1;
    console.error(err?.stack ? err.stack : err);
  });
}

module.exports = { installRecordingMocks, makeUrn, registerTypeScript, resolvePulumiDir, ROOT_STACK_TYPE };
