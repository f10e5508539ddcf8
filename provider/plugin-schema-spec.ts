/**
 * The names the plugin's package schema gives (package, type tokens, shared types) and the subset of the Pulumi
 * package schema it emits. Plain data and types, read by the schema and by whatever needs a token.
 */

/** The package name: the namespace of the type tokens and of the stack config (`jobsets:accessKey`). */
export const PACKAGE_NAME = "jobsets";

/** Type token → the job-set type name `lifecycle.ts` knows the kind by. */
export const RESOURCE_TYPES = {
  "jobsets:dli:FlinkJobSet": "DliFlinkJobSet",
  "jobsets:dli:SparkBatchSet": "DliSparkBatchSet",
  "jobsets:mrs:JobExecutionSet": "MrsJobExecutionSet",
  "jobsets:ehpc:JobSet": "EhpcJobSet",
} as const;

export type ResourceToken = keyof typeof RESOURCE_TYPES;

/** The enum every teardown-mode property refers to. */
export const TEARDOWN_MODE_TYPE = `${PACKAGE_NAME}:index:TeardownMode`;

/** The object type of every kind's `selector`. */
export const JOB_SELECTOR_TYPE = `${PACKAGE_NAME}:index:JobSelector`;

/**
 * The Go SDK's import path. Pulumi's own default for an unpublished package is `example.com/pulumi-<name>`;
 * setting it explicitly makes `pulumi package add` print it ("To use this package, import …").
 */
export const GO_IMPORT_BASE_PATH = `example.com/pulumi-${PACKAGE_NAME}/sdk/go/${PACKAGE_NAME}`;

// ---------------------------------------------------------------------------------------------------
// The subset of the Pulumi package schema we emit (pulumi/pulumi pkg/codegen/schema/pulumi.json).

export type TypeSpec =
  | { type: "string" | "integer" | "number" | "boolean" }
  | { type: "array"; items: TypeSpec }
  | { type: "object"; additionalProperties?: TypeSpec }
  | { $ref: string };

export type PropertySpec = TypeSpec & { description: string; secret?: boolean };

export interface ResourceSpec {
  description: string;
  inputProperties: Record<string, PropertySpec>;
  requiredInputs: string[];
  properties: Record<string, PropertySpec>;
  required: string[];
}

export interface PackageSpec {
  name: string;
  displayName: string;
  version: string;
  description: string;
  keywords: string[];
  license: string;
  config: { variables: Record<string, PropertySpec> };
  types: Record<
    string,
    | { type: "string"; description: string; enum: { value: string; description: string }[] }
    | { type: "object"; description: string; properties: Record<string, PropertySpec> }
  >;
  provider: { description: string };
  resources: Record<ResourceToken, ResourceSpec>;
  language: Record<string, Record<string, unknown>>;
}
