// The provider plugin (issue 5, "Every language"), started the way the Pulumi CLI starts a source-based Node
// plugin: the nodejs language host runs `node <@pulumi/pulumi>/cmd/run-plugin <plugin dir> <engine address>`
// in the user's project directory (RunPlugin in pulumi-language-nodejs), run-plugin `require`s the package's
// `main`, and the plugin prints its port as its first stdout line. We then call it over gRPC as the engine would:
// GetSchema, Check, Diff, Create, Update, Read, Delete, against the emulator.
//
// package.json: `main` is the plugin entry (dist/provider/plugin.js); programs that import the package go
// through `exports["."]`, the SDK.
//
// What this cannot show (no Pulumi CLI here): `pulumi package add` generating SDKs, the Python/Go/YAML examples
// running, the engine's own handling of the answers (state files, secrets encryption, ErrorResourceInitFailed).
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { describe, expect, test as base } from "vitest";
import { z } from "zod";
import { DEFAULT_ACCESS_KEY, DEFAULT_PROJECT_ID, DEFAULT_SECRET_KEY, startEmulator, type Emulator } from "../emulator";
import { flinkJobSetSchema, mrsJobExecutionSetSchema, sparkBatchSetSchema, ehpcJobSetSchema, emptyDefaults } from "../provider/schema";
import { JOB_SET_TYPES } from "../provider/lifecycle";
import { configFromEnv, lifecycleType, typeOfUrn } from "../provider/plugin";
import { JOB_SELECTOR_TYPE, RESOURCE_TYPES, TEARDOWN_MODE_TYPE, packageSchema, pulumiType } from "../provider/plugin-schema";
import { REPO_ROOT, linkPackage } from "./harness/program";
import { PULUMI_DIR, RUN_PLUGIN, SIG_KEY, SECRET_SIG, UNKNOWN_VALUE, secret, startProvider, urn, type ProviderHost, type Props } from "./harness/provider-host";
import { failure, idsSent } from "./helpers/jobsets";

const P = DEFAULT_PROJECT_ID;
const FLINK = "jobsets:dli:FlinkJobSet";
const PROJECT = "jobsets-plugin-test";
/** The package.json `main` the plugin needs (see the header). */
const PLUGIN_MAIN = "dist/provider/plugin.js";
/** A second AK/SK pair the emulator accepts: the one the stack config carries, so requests tell which was used. */
const CONFIG_AK = "JOBSETSCONFIGAK000002";
const CONFIG_SK = "jobsetsConfigOnlyTestSecretKey0000000002";
const MANIFEST = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { version: string; main?: string };

/** Credentials the inherited environment might hold, blanked (a blank variable counts as unset). */
const NO_CREDENTIALS: Record<string, string> = Object.fromEntries(
  ["HW_ACCESS_KEY", "HW_SECRET_KEY", "HW_SECURITY_TOKEN", "HW_AUTH_TOKEN", "HW_USER_NAME", "HW_USER_PASSWORD", "HW_PROJECT_ID", "HW_REGION_NAME", "OS_REGION_NAME", "OS_ACCESS_KEY", "OS_SECRET_KEY", "PULUMI_CONFIG"].map((k) => [k, ""]),
);

// The plugin runs from dist/: fail clearly when it is missing or older than its source.
function assertBuilt(): void {
  for (const name of ["plugin", "plugin-schema", "lifecycle"]) {
    const built = path.join(REPO_ROOT, "dist", "provider", `${name}.js`);
    const source = path.join(REPO_ROOT, "provider", `${name}.ts`);
    if (!fs.existsSync(built) || fs.statSync(built).mtimeMs < fs.statSync(source).mtimeMs) {
      throw new Error(`${path.relative(REPO_ROOT, built)} is missing or older than its source: run \`npm run build\` first`);
    }
  }
}

/**
 * The directory the CLI would run as the plugin. Once package.json's `main` is the plugin: the package as a
 * project installs it (`<workdir>/node_modules/pulumi-jobsets`, a link to this checkout). Until then: a staged
 * copy whose package.json is the repo's with `main` changed, next to links to dist/ and node_modules/.
 */
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

const test = base.extend<Fixtures>({
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
          command: { script: RUN_PLUGIN, args: [pluginDir(workdir), "127.0.0.1:0"] },
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
function envCredentials(emu: Emulator): Record<string, string> {
  return { HW_ACCESS_KEY: DEFAULT_ACCESS_KEY, HW_SECRET_KEY: DEFAULT_SECRET_KEY, HW_PROJECT_ID: P, JOBSETS_DLI_ENDPOINT: emu.url };
}

/** What the engine puts in PULUMI_CONFIG for the jobsets plugin: its namespace's keys, un-namespaced, decrypted. */
function engineConfig(values: Record<string, string>): string {
  return JSON.stringify(values);
}

/** Fails with the offending text when a credential shows up in the plugin's output or in what it returned. */
function expectNoCredentials(plugin: ProviderHost, returned: unknown[], credentials: string[]): void {
  const text = plugin.logs() + JSON.stringify(returned);
  for (const credential of credentials) expect(text, `credential ${credential.slice(0, 4)}… leaked`).not.toContain(credential);
}

// ---------------------------------------------------------------------------------------------------
// A structural validator for the Pulumi package schema, after pulumi/pulumi pkg/codegen/schema/pulumi.json
// (the metaschema): names and tokens, type references, documented properties, required ⊆ declared.

type Json = Record<string, unknown>;
const TOKEN = /^[a-zA-Z][-a-zA-Z0-9_]*:([^0-9][a-zA-Z0-9._/-]*)?:[^0-9][a-zA-Z0-9._/-]*$/;
const SEMVER = /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z-.]+)?(?:\+[0-9A-Za-z-.]+)?$/;
const PRIMITIVES = ["boolean", "integer", "number", "string"];
const PROPERTY_KEYS = new Set(["type", "items", "additionalProperties", "$ref", "oneOf", "plain", "description", "const", "default", "defaultInfo", "deprecationMessage", "language", "secret", "replaceOnChanges", "willReplaceOnChanges"]);

function validatePackageSchema(schema: Json): string[] {
  const problems: string[] = [];
  const types = (schema.types ?? {}) as Record<string, Json>;
  if (typeof schema.name !== "string" || !/^[a-zA-Z][-a-zA-Z0-9_]*$/.test(schema.name)) problems.push(`name: invalid ${JSON.stringify(schema.name)}`);
  if (schema.version !== undefined && (typeof schema.version !== "string" || !SEMVER.test(schema.version))) problems.push(`version: not semver`);

  const typeRef = (where: string, spec: Json): void => {
    const keys = Object.keys(spec).filter((k) => ["type", "items", "additionalProperties", "$ref", "oneOf"].includes(k));
    if (typeof spec.$ref === "string") {
      const match = /^#\/types\/(.+)$/.exec(spec.$ref);
      if (!match) problems.push(`${where}: $ref ${spec.$ref} is not a type of this package`);
      else if (!types[match[1]!]) problems.push(`${where}: $ref to undeclared type ${match[1]}`);
      return;
    }
    if (spec.type === "array") {
      if (typeof spec.items !== "object" || spec.items === null) problems.push(`${where}: array without items`);
      else typeRef(`${where}.items`, spec.items as Json);
      return;
    }
    if (spec.type === "object") {
      if (spec.additionalProperties !== undefined) typeRef(`${where}.additionalProperties`, spec.additionalProperties as Json);
      return;
    }
    if (typeof spec.type !== "string" || !PRIMITIVES.includes(spec.type)) problems.push(`${where}: no type (${JSON.stringify(spec.type)})`);
    else if (keys.length !== 1) problems.push(`${where}: a primitive type with ${keys.join(", ")}`);
  };

  const propertyMap = (where: string, properties: unknown): Record<string, Json> => {
    if (typeof properties !== "object" || properties === null) {
      problems.push(`${where}: missing`);
      return {};
    }
    for (const [name, spec] of Object.entries(properties as Record<string, Json>)) {
      const at = `${where}.${name}`;
      if (typeof spec.description !== "string" || spec.description.trim() === "") problems.push(`${at}: no description`);
      for (const key of Object.keys(spec)) if (!PROPERTY_KEYS.has(key)) problems.push(`${at}: unknown key ${key}`);
      typeRef(at, spec);
    }
    return properties as Record<string, Json>;
  };

  const subset = (where: string, list: unknown, declared: Record<string, Json>): void => {
    if (!Array.isArray(list)) {
      problems.push(`${where}: not a list`);
      return;
    }
    for (const name of list) if (!(name in declared)) problems.push(`${where}: "${name}" is not declared`);
  };

  for (const [token, spec] of Object.entries(types)) {
    if (!TOKEN.test(token) || !token.startsWith(`${String(schema.name)}:`)) problems.push(`types.${token}: bad token`);
    // A type is an enum of a primitive, or an object type with its own property map (the metaschema's two kinds).
    if (spec.type === "object") propertyMap(`types.${token}.properties`, spec.properties);
    else if (!PRIMITIVES.includes(String(spec.type)) || !Array.isArray(spec.enum) || spec.enum.length === 0) problems.push(`types.${token}: not an enum`);
    for (const value of (spec.enum ?? []) as Json[]) if (value.value === undefined) problems.push(`types.${token}: enum value without value`);
  }
  const resources = schema.resources as Record<string, Json> | undefined;
  if (!resources || Object.keys(resources).length === 0) problems.push("resources: none");
  for (const [token, resource] of Object.entries(resources ?? {})) {
    const at = `resources.${token}`;
    if (!TOKEN.test(token) || !token.startsWith(`${String(schema.name)}:`)) problems.push(`${at}: bad token`);
    if (typeof resource.description !== "string" || resource.description === "") problems.push(`${at}: no description`);
    const inputs = propertyMap(`${at}.inputProperties`, resource.inputProperties);
    const outputs = propertyMap(`${at}.properties`, resource.properties);
    subset(`${at}.requiredInputs`, resource.requiredInputs, inputs);
    subset(`${at}.required`, resource.required, outputs);
    for (const name of Object.keys(inputs)) if (!(name in outputs)) problems.push(`${at}: input ${name} is not an output`);
  }
  if (schema.config) propertyMap("config.variables", (schema.config as Json).variables);
  return problems;
}

// ---------------------------------------------------------------------------------------------------

describe("the schema", () => {
  test("GetSchema serves a valid package schema; GetPluginInfo the package's version", async ({ launch }) => {
    const plugin = await launch({});
    const schema = JSON.parse(await plugin.getSchema()) as Json;
    expect(validatePackageSchema(schema)).toEqual([]);
    expect(schema.name).toBe("jobsets");
    expect(schema.version).toBe(MANIFEST.version);
    expect(Object.keys(schema.resources as Json).sort()).toEqual([FLINK, "jobsets:dli:SparkBatchSet", "jobsets:ehpc:JobSet", "jobsets:mrs:JobExecutionSet"]);
    expect((await plugin.pluginInfo()).version).toBe(MANIFEST.version);
    expect(plugin.stdout().split("\n")[0]).toBe(String(plugin.port));
  });

  test("the validator rejects what the metaschema rejects", () => {
    const broken = packageSchema("1.2.3") as unknown as Json;
    const flink = (broken.resources as Record<string, Json>)[FLINK]!;
    delete ((flink.inputProperties as Record<string, Json>).region as Json).description;
    (flink.requiredInputs as string[]).push("jobIdz");
    ((flink.properties as Record<string, Json>).batchSize as Json).type = "int";
    ((flink.properties as Record<string, Json>).teardown as Json).$ref = "#/types/jobsets:index:Nope";
    expect(validatePackageSchema(broken)).toEqual([
      `resources.${FLINK}.inputProperties.region: no description`,
      `resources.${FLINK}.properties.teardown: $ref to undeclared type jobsets:index:Nope`,
      `resources.${FLINK}.properties.batchSize: no type ("int")`,
      `resources.${FLINK}.requiredInputs: "jobIdz" is not declared`,
    ]);
    const renamed = validatePackageSchema({ ...packageSchema("x"), name: "9lives" } as unknown as Json);
    const badTokens = [...Object.keys(RESOURCE_TYPES).map((t) => `resources.${t}: bad token`), `types.${TEARDOWN_MODE_TYPE}: bad token`, `types.${JOB_SELECTOR_TYPE}: bad token`];
    expect(renamed.sort()).toEqual(['name: invalid "9lives"', "version: not semver", ...badTokens].sort());
  });

  test("every token maps to a kind the lifecycle knows", () => {
    for (const [token, type] of Object.entries(RESOURCE_TYPES)) {
      expect(JOB_SET_TYPES, token).toContain(type);
      expect(lifecycleType(urn(token, "s"))).toBe(type);
    }
    expect(typeOfUrn("urn:pulumi:dev::proj::my:index:Component$jobsets:dli:FlinkJobSet::a::b")).toBe(FLINK);
    expect(() => lifecycleType(urn("jobsets:dli:FlinkJob", "s"))).toThrow(/unknown resource type "jobsets:dli:FlinkJob"/);
  });

  test("inputs are exactly what check accepts, required inputs exactly what it requires", () => {
    const kinds = {
      [FLINK]: flinkJobSetSchema,
      "jobsets:dli:SparkBatchSet": sparkBatchSetSchema,
      "jobsets:mrs:JobExecutionSet": mrsJobExecutionSetSchema,
      "jobsets:ehpc:JobSet": ehpcJobSetSchema,
    } as const;
    const resources = packageSchema("0.0.0").resources;
    for (const [token, kindSchema] of Object.entries(kinds)) {
      const shape = kindSchema(emptyDefaults).in.shape as Record<string, { safeParse(v: unknown): { success: boolean } }>;
      const spec = resources[token as keyof typeof resources];
      expect(Object.keys(spec.inputProperties).sort(), token).toEqual(Object.keys(shape).sort());
      const required = Object.keys(shape).filter((key) => !shape[key]!.safeParse(undefined).success);
      expect([...spec.requiredInputs].sort(), token).toEqual(required.sort());
    }
  });

  test("input types are what the zod fields convert to (z.toJSONSchema); one with no Pulumi type is refused", () => {
    const flink = packageSchema("0.0.0").resources[FLINK].inputProperties;
    expect(flink.batchSize).toMatchObject({ type: "integer" });
    expect(flink.triggerSavepoint).toMatchObject({ type: "boolean" });
    expect(flink.projectId).toMatchObject({ type: "string" });
    expect(flink.teardown).toMatchObject({ $ref: `#/types/${TEARDOWN_MODE_TYPE}` });
    // The ID lists take numbers or strings and normalise them: they do not convert, and are declared by hand.
    expect(flink.jobIds).toMatchObject({ type: "array", items: { type: "string" } });
    expect(() => pulumiType("ratio", z.number())).toThrow(/ratio converts to \{"type":"number"\}.*give its type by hand/);
    expect(() => pulumiType("mode", z.enum(["fast", "slow"]))).toThrow(/mode converts to .*"enum":\["fast","slow"\]/);
  });

  test("the README's route-move table names each kind's two type tokens as they are", () => {
    const readme = fs.readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");
    const rows = [...readme.matchAll(/^\| [^|]+ \| `(pulumi-nodejs:dynamic\/jobsets:\w+)` \| `(jobsets:\w+:\w+)` \|$/gm)].map((m) => [m[1], m[2]]);
    const expected = Object.entries(RESOURCE_TYPES).map(([token, typeName]) => [`pulumi-nodejs:dynamic/jobsets:${typeName}`, token]);
    expect(rows.sort()).toEqual(expected.sort());
  });

  test("outputs are exactly the ones the TypeScript SDK declares", () => {
    const classes: Record<string, [string, string]> = {
      [FLINK]: ["dli.ts", "FlinkJobSet"],
      "jobsets:dli:SparkBatchSet": ["dli.ts", "SparkBatchSet"],
      "jobsets:mrs:JobExecutionSet": ["mrs.ts", "JobExecutionSet"],
      "jobsets:ehpc:JobSet": ["ehpc.ts", "JobSet"],
    };
    const resources = packageSchema("0.0.0").resources;
    for (const [token, [file, name]] of Object.entries(classes)) {
      // A class declares its own outputs and inherits the shared ones from the base classes in sdk/job-set.ts.
      const source = fs.readFileSync(path.join(REPO_ROOT, "sdk", file), "utf8") + fs.readFileSync(path.join(REPO_ROOT, "sdk", "job-set.ts"), "utf8");
      const declared: string[] = [];
      for (let cls: string | undefined = name; cls !== undefined && cls !== "pulumi"; ) {
        const body = new RegExp(`export (?:abstract )?class ${cls} extends ([\\w]+)[\\s\\S]*?\\n}`).exec(source);
        expect(body, `${file} ${cls}`).not.toBeNull();
        declared.push(...[...body![0].matchAll(/declare readonly (\w+)/g)].map((m) => m[1]!));
        cls = body![1];
      }
      expect(declared.length, `${file} ${name}`).toBeGreaterThan(0);
      expect(Object.keys(resources[token as keyof typeof resources].properties).sort(), token).toEqual(declared.sort());
    }
  });

  test("the YAML example uses types and properties the schema serves", async ({ launch }) => {
    const yaml = require(require.resolve("js-yaml", { paths: [PULUMI_DIR] })) as { load(text: string): unknown };
    const program = yaml.load(fs.readFileSync(path.join(REPO_ROOT, "examples", "yaml", "Pulumi.yaml"), "utf8")) as {
      packages: Record<string, string>;
      resources: Record<string, { type: string; properties: Props }>;
      outputs: Record<string, string>;
    };
    const schema = JSON.parse(await (await launch({})).getSchema()) as { name: string; resources: Record<string, { inputProperties: Props; properties: Props }> };
    expect(Object.keys(program.packages)).toEqual([schema.name]);
    expect(fs.realpathSync(path.resolve(REPO_ROOT, "examples", "yaml", program.packages[schema.name]!))).toBe(fs.realpathSync(REPO_ROOT));
    for (const [name, resource] of Object.entries(program.resources)) {
      const spec = schema.resources[resource.type];
      expect(spec, `${name}: ${resource.type}`).toBeDefined();
      for (const property of Object.keys(resource.properties)) expect(Object.keys(spec!.inputProperties), `${name}.${property}`).toContain(property);
    }
    for (const expression of Object.values(program.outputs)) {
      const [, resourceName, property] = /^\$\{(\w+)\.(\w+)\}$/.exec(expression)!;
      expect(Object.keys(schema.resources[program.resources[resourceName!]!.type]!.properties)).toContain(property);
    }
  });

  test("the Python and Go examples use the resource's arguments as the SDKs name them", () => {
    const inputs = Object.keys(packageSchema("0.0.0").resources[FLINK].inputProperties);
    const python = fs.readFileSync(path.join(REPO_ROOT, "examples", "python", "__main__.py"), "utf8");
    const pyArgs = [...python.matchAll(/^\s+([a-z_]+)=/gm)].map((m) => m[1]!.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()));
    expect(python).toMatch(/jobsets\.dli\.FlinkJobSet\(/);
    expect(pyArgs.length).toBeGreaterThan(0);
    for (const arg of pyArgs) expect(inputs, `python ${arg}`).toContain(arg);
    const go = fs.readFileSync(path.join(REPO_ROOT, "examples", "go", "main.go"), "utf8");
    const goArgs = [...go.matchAll(/^\s+([A-Z]\w*):\s/gm)].map((m) => m[1]!.charAt(0).toLowerCase() + m[1]!.slice(1));
    expect(go).toMatch(/dli\.NewFlinkJobSet\(/);
    expect(goArgs.length).toBeGreaterThan(0);
    for (const arg of goArgs) expect(inputs, `go ${arg}`).toContain(arg);
  });
});

describe("launching", () => {
  test("programs importing the package still get the SDK (exports['.']), whatever main is", ({ workdir }) => {
    linkPackage(workdir);
    const resolved = require.resolve("pulumi-jobsets", { paths: [workdir] });
    expect(fs.realpathSync(resolved)).toBe(fs.realpathSync(path.join(REPO_ROOT, "dist", "sdk", "index.js")));
  });

  test("importing the plugin module serves nothing", () => {
    assertBuilt();
    const entry = path.join(REPO_ROOT, PLUGIN_MAIN);
    const imported = spawnSync(process.execPath, ["-e", `require(${JSON.stringify(entry)})`], { encoding: "utf8", timeout: 30_000 });
    expect(imported.status).toBe(0);
    expect(imported.stdout).toBe("");
  });

  test("run directly (`node dist/provider/plugin.js <engine>`), it serves too", async ({ workdir }) => {
    assertBuilt();
    const plugin = await startProvider({ cwd: workdir, command: { script: path.join(REPO_ROOT, PLUGIN_MAIN), args: ["127.0.0.1:0"] } });
    try {
      expect(JSON.parse(await plugin.getSchema()).name).toBe("jobsets");
    } finally {
      await plugin.stop();
    }
  });

  test("PulumiPlugin.yaml declares the nodejs runtime", () => {
    const yaml = require(require.resolve("js-yaml", { paths: [PULUMI_DIR] })) as { load(text: string): unknown };
    expect(yaml.load(fs.readFileSync(path.join(REPO_ROOT, "PulumiPlugin.yaml"), "utf8"))).toEqual({ runtime: "nodejs" });
  });
});

describe("check", () => {
  test("each kind: valid inputs are normalised offline into exactly the declared outputs", async ({ emu, launch }) => {
    const plugin = await launch(envCredentials(emu));
    const samples: Record<string, Props> = {
      [FLINK]: { jobIds: [101, "9223372036854775807"] },
      "jobsets:dli:SparkBatchSet": { batchIds: ["0A324461-D9D9-45DA-A52A-3B3C7A3D809E"], region: "cn-north-4" },
      "jobsets:mrs:JobExecutionSet": { clusterId: "c-1", jobIds: ["0a324461-d9d9-45da-a52a-3b3c7a3d809e"], region: "cn-north-4" },
      "jobsets:ehpc:JobSet": { clusterId: "ehpc-1", zone: "pek3", jobIds: ["hpcjob-bp6rj09f"] },
    };
    const resources = packageSchema("0.0.0").resources;
    for (const [token, inputs] of Object.entries(samples)) {
      const checked = await plugin.check(urn(token, "s", PROJECT), {}, inputs);
      expect(checked.failures, token).toEqual([]);
      const spec = resources[token as keyof typeof resources];
      expect(Object.keys(spec.properties), token).toEqual(expect.arrayContaining(Object.keys(checked.inputs)));
      expect(Object.keys(checked.inputs), token).toEqual(expect.arrayContaining(spec.required));
    }
    expect(emu.calls()).toEqual([]);
  });

  test("bad inputs: failures name the property, and no request is sent", async ({ emu, launch }) => {
    const plugin = await launch(envCredentials(emu));
    const checked = await plugin.check(urn(FLINK, "s", PROJECT), {}, { jobIds: [5, "12a"], teardown: "destroy", tearDown: "stop" });
    const byProperty = Object.fromEntries(checked.failures.map((f) => [f.property, f.reason]));
    expect(byProperty["jobIds[1]"]).toMatch(/string of digits.*received "12a"/);
    expect(byProperty.teardown).toMatch(/"delete", "stop", "stop-then-delete".*received "destroy"/);
    expect(byProperty.tearDown).toMatch(/did you mean "teardown"/);
    expect(emu.calls()).toEqual([]);
  });

  test("a preview with unknown inputs: no failure for them, the known ones still checked", async ({ emu, launch }) => {
    const plugin = await launch(envCredentials(emu));
    const U = urn(FLINK, "s", PROJECT);
    const unknownIds = await plugin.check(U, {}, { jobIds: UNKNOWN_VALUE, teardown: "stop" });
    expect(unknownIds.failures).toEqual([]);
    expect(unknownIds.inputs.jobIds).toBe(UNKNOWN_VALUE);
    const alsoBad = await plugin.check(U, {}, { jobIds: [UNKNOWN_VALUE], teardown: "destroy" });
    expect(alsoBad.failures.map((f) => f.property)).toEqual(["teardown"]);

    const created = await plugin.create(U, (await plugin.check(U, {}, { jobIds: emu.seedFlinkJobs(P, [{}]) })).inputs);
    const diff = await plugin.diff(created.id, U, created.properties, { ...created.properties, jobIds: UNKNOWN_VALUE, projectId: "fedcba9876543210fedcba9876543210" });
    expect(diff).toMatchObject({ changes: true, replaces: ["projectId"] });
  });
});

describe("the lifecycle against the emulator", () => {
  test("credentials from the environment: create, diff, update (a removed ID torn down), read, delete", async ({ emu, launch }) => {
    const [a, b] = emu.seedFlinkJobs(P, [{}, {}]);
    const plugin = await launch(envCredentials(emu));
    const U = urn(FLINK, "streams", PROJECT);

    const checked = await plugin.check(U, {}, { jobIds: [a, b], teardown: "stop-then-delete" });
    expect(checked.failures).toEqual([]);
    const created = await plugin.create(U, checked.inputs);
    expect(created.id).toMatch(new RegExp(`^dli-flink/${P}/set-[0-9a-f]{16}$`));
    expect(created.properties).toEqual({
      jobIds: [a, b],
      projectId: P,
      endpoint: emu.url,
      teardown: "stop-then-delete",
      triggerSavepoint: false,
      batchSize: 100,
      waitTimeoutSeconds: 1200,
    });
    expect(emu.calls().map((c) => c.op).every((op) => op === "flink.list")).toBe(true);
    expect(emu.calls().every((c) => c.authenticatedAs === DEFAULT_ACCESS_KEY)).toBe(true);

    const next = await plugin.check(U, created.properties, { jobIds: [a], teardown: "stop-then-delete" });
    const diff = await plugin.diff(created.id, U, created.properties, next.inputs);
    expect(diff).toMatchObject({ changes: true, replaces: [], deleteBeforeReplace: false });
    const same = await plugin.diff(created.id, U, created.properties, checked.inputs);
    expect(same.changes).toBe(false);

    emu.resetCalls();
    const updated = await plugin.update(created.id, U, created.properties, next.inputs);
    expect(updated.properties.jobIds).toEqual([a]);
    expect(idsSent(emu, "flink.stop")).toEqual([b]);
    expect(idsSent(emu, "flink.delete")).toEqual([b]);
    expect(emu.flinkJobs(P).map((job) => job.jobId)).toEqual([a]);

    // Refresh: one list pass; the job's status is recorded. Import by an ID that names the jobs works; a
    // create-made ID (a digest) is refused, naming the form to use.
    emu.resetCalls();
    const read = await plugin.read(created.id, U, updated.properties);
    expect(read.id).toBe(created.id);
    expect(read.properties).toMatchObject({ jobIds: [a], jobStatuses: ["job_running"] });
    expect(emu.calls().map((call) => call.op)).toEqual(["flink.list"]);
    const imported = await plugin.read(`dli-flink/${P}/${a}`, U, {});
    expect(imported.properties).toMatchObject({ jobIds: [a], projectId: P });
    const refused = await failure(plugin.read(created.id, U, {}));
    expect(refused.message).toMatch(/was made by create and names no jobs; import with dli-flink\/<projectId>\/<id>,<id>/);

    await plugin.delete(created.id, U, updated.properties);
    expect(emu.flinkJobs(P)).toEqual([]);
    expectNoCredentials(plugin, [checked, created, next, updated, read], [DEFAULT_SECRET_KEY, DEFAULT_ACCESS_KEY]);
  });

  test("credentials from PULUMI_CONFIG (secret config, as the engine passes it): used for every call, never shown", async ({ emu, launch }) => {
    const [a, b] = emu.seedFlinkJobs(P, [{}, {}]);
    // No credentials nor project in the environment: only the stack config has them.
    const plugin = await launch({
      JOBSETS_DLI_ENDPOINT: emu.url,
      PULUMI_CONFIG: engineConfig({ accessKey: CONFIG_AK, secretKey: CONFIG_SK, projectId: P }),
    });
    // The engine also sends the default provider's config to Configure; provider.main's server answers it
    // itself (acceptSecrets) and drops the values, which is why PULUMI_CONFIG is the route.
    const configured = await plugin.configure(
      { "jobsets:accessKey": "NOT-USED-AK", "jobsets:secretKey": "NOT-USED-SK" },
      { secretKeys: ["jobsets:accessKey", "jobsets:secretKey"] },
    );
    expect(configured.acceptSecrets).toBe(true);
    const U = urn(FLINK, "streams", PROJECT);
    const checked = await plugin.check(U, {}, { jobIds: [a, b] });
    expect(checked.inputs.projectId).toBe(P);
    const created = await plugin.create(U, checked.inputs);
    const next = await plugin.check(U, created.properties, { jobIds: [b] });
    const updated = await plugin.update(created.id, U, created.properties, next.inputs);
    await plugin.delete(created.id, U, updated.properties);

    expect(emu.flinkJobs(P)).toEqual([]);
    expect(emu.calls().length).toBeGreaterThan(0);
    expect(emu.calls().every((c) => c.authenticatedAs === CONFIG_AK)).toBe(true);
    expectNoCredentials(plugin, [checked, created, next, updated], [CONFIG_SK, CONFIG_AK, "NOT-USED-SK"]);
  });

  test("without credentials anywhere, create fails before any request, listing where they may come from", async ({ emu, launch }) => {
    const [a] = emu.seedFlinkJobs(P, [{}]);
    const plugin = await launch({ JOBSETS_DLI_ENDPOINT: emu.url, HW_PROJECT_ID: P });
    const U = urn(FLINK, "s", PROJECT);
    const error = await failure(plugin.create(U, (await plugin.check(U, {}, { jobIds: [a] })).inputs));
    expect(error.message).toMatch(/No Huawei Cloud credentials found: .*jobsets:accessKey/);
    expect(emu.calls()).toEqual([]);
  });

  test("secret inputs are unwrapped for the lifecycle, and their outputs stay secret", async ({ emu, launch }) => {
    const ids = emu.seedFlinkJobs(P, [{}, {}]);
    const plugin = await launch(envCredentials(emu));
    const U = urn(FLINK, "s", PROJECT);
    const checked = await plugin.check(U, {}, { jobIds: secret(ids), projectId: secret(P) });
    expect(checked.failures).toEqual([]);
    expect(checked.inputs.jobIds).toEqual({ [SIG_KEY]: SECRET_SIG, value: ids });
    const created = await plugin.create(U, checked.inputs);
    expect(created.properties.jobIds).toEqual({ [SIG_KEY]: SECRET_SIG, value: ids });
    expect(created.properties.projectId).toEqual({ [SIG_KEY]: SECRET_SIG, value: P });
    expect(created.properties.teardown).toBe("delete");
    expect(created.id).not.toContain(SIG_KEY);
    // The engine sends stored outputs back wrapped: diff and delete see through them.
    expect((await plugin.diff(created.id, U, created.properties, checked.inputs)).changes).toBe(false);
    await plugin.delete(created.id, U, created.properties);
    expect(emu.flinkJobs(P)).toEqual([]);
  });

  test("a set by selector: selectedIds is a secret output, and delete tears down what the selector matches then", async ({ emu, launch }) => {
    const [member, neighbour] = emu.seedFlinkJobs(P, [
      { name: "nightly-1", queue: "etl" },
      { name: "nightly-1", queue: "adhoc" },
    ]);
    const plugin = await launch(envCredentials(emu));
    const U = urn(FLINK, "nightly", PROJECT);
    const checked = await plugin.check(U, {}, { selector: { namePrefix: "nightly-", queueName: "etl" } });
    expect(checked.failures).toEqual([]);
    const created = await plugin.create(U, checked.inputs);
    expect(created.properties.selectedIds).toEqual({ [SIG_KEY]: SECRET_SIG, value: [member] });
    expect(created.properties).toMatchObject({ jobIds: [], selector: { namePrefix: "nightly-", queueName: "etl" } });
    const [late] = emu.seedFlinkJobs(P, [{ name: "nightly-2", queue: "etl" }]);

    await plugin.delete(created.id, U, created.properties);

    expect(emu.flinkJobs(P).map((job) => job.jobId)).toEqual([neighbour]);
    expect(late).toBeDefined();
  });

  test("an update whose teardown partly fails answers ErrorResourceInitFailed with the jobs still to tear down", async ({ emu, launch }) => {
    const [a, b, c] = emu.seedFlinkJobs(P, [{}, {}, {}]);
    const plugin = await launch(envCredentials(emu));
    const U = urn(FLINK, "s", PROJECT);
    const created = await plugin.create(U, (await plugin.check(U, {}, { jobIds: [a, b, c] })).inputs);
    emu.failJobs("flink.delete", [c!], "Failed to delete the job: locked");

    const next = await plugin.check(U, created.properties, { jobIds: [a] });
    const error = await failure(plugin.update(created.id, U, created.properties, next.inputs));
    expect(error.message).toContain(`dli-flink job ${c}: Failed to delete the job: locked`);
    const partial = (error as Error & { partial?: { id: string; properties: Props; reasons: string[] } }).partial;
    expect(partial).toBeDefined();
    expect(partial!.id).toBe(created.id);
    expect(partial!.properties).toMatchObject({ jobIds: [a, c], projectId: P, teardown: "delete", endpoint: emu.url });
    expect(partial!.reasons.join("\n")).toContain(c);
    expect(emu.flinkJobs(P).map((job) => job.jobId)).toEqual([a, c]);

    // The next update starts from the outputs the engine kept, and finishes the job.
    emu.clearFaults();
    emu.resetCalls();
    const retried = await plugin.update(created.id, U, partial!.properties, next.inputs);
    expect(idsSent(emu, "flink.delete")).toEqual([c]);
    expect(retried.properties.jobIds).toEqual([a]);
  });
});

describe("what the dynamic provider has too", () => {
  test("read returns the inputs that describe the set, so the engine accepts an import through the plugin", async ({ emu, launch }) => {
    const [a, b] = emu.seedFlinkJobs(P, [{}, {}]);
    const plugin = await launch(envCredentials(emu));
    const U = urn(FLINK, "imported", PROJECT);

    const imported = await plugin.read(`dli-flink/${P}/${a},${b}`, U, {});

    const inputs = { jobIds: [a, b], projectId: P, endpoint: emu.url, teardown: "delete", triggerSavepoint: false, batchSize: 100, waitTimeoutSeconds: 1200 };
    expect(imported.inputs).toEqual(inputs);
    expect(imported.properties).toEqual({ ...inputs, jobStatuses: ["job_running", "job_running"] });
    // The inputs pass check as they are, and diff against the imported state finds nothing to change.
    const checked = await plugin.check(U, {}, imported.inputs!);
    expect(checked.failures).toEqual([]);
    expect((await plugin.diff(imported.id, U, imported.properties, checked.inputs)).changes).toBe(false);
  });

  test("the settings the dynamic provider reads: JOBSETS_HTTP_TIMEOUT_MS applies, a bad JOBSETS_CONCURRENCY fails naming it", async ({ emu, launch }) => {
    const [a] = emu.seedFlinkJobs(P, [{}]);
    const U = urn(FLINK, "s", PROJECT);
    const slow = await launch({ ...envCredentials(emu), JOBSETS_HTTP_TIMEOUT_MS: "200", JOBSETS_MAX_RETRIES: "0" });
    const inputs = (await slow.check(U, {}, { jobIds: [a] })).inputs;
    emu.failNext("flink.list", { delayMs: 2_000 });
    const timedOut = await failure(slow.create(U, inputs));
    expect(timedOut.message).toMatch(/timeout/i);

    const bad = await launch({ ...envCredentials(emu), JOBSETS_CONCURRENCY: "abc" });
    const checked = await bad.check(U, {}, { jobIds: [a] });
    expect(checked.failures).toEqual([
      { property: "jobsets:concurrency", reason: 'JOBSETS_CONCURRENCY (or jobsets:concurrency) must be a whole number from 1 to 1,000, received "abc"' },
    ]);
    emu.resetCalls();
    const refused = await failure(bad.create(U, inputs));
    expect(refused.message).toContain("JOBSETS_CONCURRENCY (or jobsets:concurrency) must be a whole number");
    expect(emu.calls()).toEqual([]);
  });

  test("each set's progress has its own throttle: the last line of every set shows, even when sets tear down at once", async ({ emu, launch }) => {
    const small = emu.seedFlinkJobs(P, [{}, {}]);
    const large = emu.seedFlinkJobs(P, [{}, {}, {}]);
    const plugin = await launch(envCredentials(emu));
    const sets = await Promise.all(
      [small, large].map(async (jobIds, i) => {
        const U = urn(FLINK, `set${i}`, PROJECT);
        const created = await plugin.create(U, (await plugin.check(U, {}, { jobIds, teardown: "stop" })).inputs);
        return { U, created };
      }),
    );

    await Promise.all(sets.map(({ U, created }) => plugin.delete(created.id, U, created.properties)));

    // Each set's final count, at once (not a trailing line printed seconds later, or never).
    expect(plugin.logs()).toMatch(/dli-flink: \w+ 2 of 2 jobs/);
    expect(plugin.logs()).toMatch(/dli-flink: \w+ 3 of 3 jobs/);
  });
});

describe("config", () => {
  test("PULUMI_CONFIG: the engine's un-namespaced keys, the namespaced spellings, nothing else", () => {
    const engine = configFromEnv({ PULUMI_CONFIG: JSON.stringify({ accessKey: "ak", region: "cn-north-4" }) });
    expect(engine("jobsets:accessKey")).toBe("ak");
    expect(engine("jobsets:region")).toBe("cn-north-4");
    expect(engine("jobsets:secretKey")).toBeUndefined();
    expect(engine("other:accessKey")).toBeUndefined();
    const namespaced = configFromEnv({ PULUMI_CONFIG: JSON.stringify({ "jobsets:accessKey": "ak1", "jobsets:config:secretKey": "sk1", "aws:region": "x" }) });
    expect(namespaced("jobsets:accessKey")).toBe("ak1");
    expect(namespaced("jobsets:secretKey")).toBe("sk1");
    expect(namespaced("jobsets:region")).toBeUndefined();
    expect(configFromEnv({})("jobsets:accessKey")).toBeUndefined();
    expect(() => configFromEnv({ PULUMI_CONFIG: '{"secretKey": "hunter2"' })).toThrow(/not valid JSON \(its content is not shown/);
    expect(() => configFromEnv({ PULUMI_CONFIG: '{"secretKey": "hunter2"' })).not.toThrow(/hunter2/);
  });
});
