/**
 * The package schema the provider plugin serves (GetSchema), checked against a structural validator of the Pulumi
 * metaschema, against what `check` accepts, against the TypeScript SDK's outputs, and against the YAML, Python and Go
 * examples and the README. The plugin is started the way the CLI starts it (test/helpers/plugin.ts).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect } from "vitest";
import { z } from "zod";
import { flinkJobSetSchema, mrsJobExecutionSetSchema, sparkBatchSetSchema, ehpcJobSetSchema, emptyDefaults } from "../provider/schema";
import { JOB_SET_TYPES } from "../provider/lifecycle";
import { lifecycleType, typeOfUrn } from "../provider/plugin";
import { JOB_SELECTOR_TYPE, RESOURCE_TYPES, TEARDOWN_MODE_TYPE, packageSchema, pulumiType } from "../provider/plugin-schema";
import { REPO_ROOT } from "./harness/program";
import { PULUMI_DIR, urn, type Props } from "./harness/provider-host";
import { FLINK, MANIFEST, pluginTest as test } from "./helpers/plugin";

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
