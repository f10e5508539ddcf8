/**
 * The Pulumi package schema the provider plugin serves (`GetSchema`), from which `pulumi package add`
 * generates the Python, Go, C#, Java SDKs and against which Pulumi YAML checks programs.
 *
 * The names it uses are in `plugin-schema-spec.ts`; the property descriptions in `plugin-schema-properties.ts`,
 * once, with their defaults and limits taken from `schema.ts`, so the numbers cannot drift from what `check` enforces. The TypeScript SDK (`sdk/`) cannot reuse these
 * strings (JSDoc is static text); `test/plugin-schema.test.ts` keeps the two aligned where it can: the schema's
 * inputs are exactly the keys `check` accepts, and the outputs are exactly what `check`/`create` return.
 *
 * Plain data only: nothing here may need the closure serializer (the dynamic provider never loads it).
 */
import type { z } from "zod";
import { SETTINGS, type SettingSpec } from "./config";
import { ehpcArgsShape, flinkArgsShape, mrsArgsShape, sparkArgsShape } from "./inputs/job-sets";
import { BOOLEAN, type Documented, EHPC, FLINK, INTEGER, MRS, pulumiType, SELECTOR_INPUT, SPARK, STRING, STRING_LIST } from "./plugin-schema-properties";
import { GO_IMPORT_BASE_PATH, JOB_SELECTOR_TYPE, PACKAGE_NAME, type PackageSpec, type PropertySpec, type ResourceSpec, type ResourceToken, TEARDOWN_MODE_TYPE } from "./plugin-schema-spec";
import { TEARDOWN_MODES } from "./schema";

export * from "./plugin-schema-spec";
export { pulumiType } from "./plugin-schema-properties";

const HUAWEI_CREDENTIALS =
  "Credentials are never resource properties: set the secret config `jobsets:accessKey` and `jobsets:secretKey` " +
  "(or `jobsets:authToken`), or the environment variables `HW_ACCESS_KEY` and `HW_SECRET_KEY` of the `pulumi` process.";

const QINGCLOUD_CREDENTIALS =
  "Credentials are never resource properties: set the secret config `jobsets:qingcloudAccessKeyId` and " +
  "`jobsets:qingcloudSecretAccessKey`, the environment variables `QY_ACCESS_KEY_ID` and `QY_SECRET_ACCESS_KEY` of the " +
  "`pulumi` process, or `~/.qingcloud/config.yaml`.";

interface ResourceDoc {
  description: string;
  properties: Record<string, Documented>;
  /** The kind's input fields in zod, for the types `properties` leaves out. */
  fields: Record<string, z.ZodType>;
  requiredInputs: string[];
  /** Outputs always set (the rest are set only when given or configured). */
  required: string[];
  /** Outputs of this kind only, beside `jobStatuses`, which every kind has. */
  outputsOnly?: Record<string, PropertySpec>;
}

const RESOURCES: Record<ResourceToken, ResourceDoc> = {
  "jobsets:dli:FlinkJobSet": {
    description:
      "A set of Huawei Cloud DLI Flink streaming jobs, by ID. Creating it checks that the jobs exist; destroying it " +
      "tears them down with `teardown`, in batches, and waits until stopped jobs are really stopped. " +
      HUAWEI_CREDENTIALS,
    properties: FLINK,
    fields: flinkArgsShape,
    requiredInputs: [],
    required: ["jobIds", "projectId", "endpoint", "teardown", "triggerSavepoint", "batchSize", "waitTimeoutSeconds"],
    outputsOnly: {
      savepoints: {
        type: "object",
        additionalProperties: STRING,
        secret: true,
        description:
          "The savepoints taken when the last update stopped the jobs it removed from the set (`triggerSavepoint`, " +
          'teardown `"stop"` or `"stop-then-delete"`): job ID → the savepoint path as DLI gives it, or an empty string when ' +
          "DLI named none. A secret, since it names jobs. Set by such an update only; a later update or a refresh drops it.",
      },
    },
  },
  "jobsets:dli:SparkBatchSet": {
    description:
      "A set of Huawei Cloud DLI Spark batch jobs, by ID. Creating it checks that the batches exist; destroying it " +
      "cancels each one still starting, running or recovering and waits until each has ended. Batches already " +
      "finished or gone are left alone. " +
      HUAWEI_CREDENTIALS,
    properties: SPARK,
    fields: sparkArgsShape,
    requiredInputs: [],
    required: ["batchIds", "projectId", "endpoint", "waitTimeoutSeconds"],
  },
  "jobsets:mrs:JobExecutionSet": {
    description:
      "A set of Huawei Cloud MRS job executions in one cluster, by ID. Creating it checks that the executions exist; " +
      "destroying it kills those that have not ended (unless `killRunning` is false), waits until each has ended, " +
      "then batch-deletes them. " +
      HUAWEI_CREDENTIALS,
    properties: MRS,
    fields: mrsArgsShape,
    requiredInputs: ["clusterId"],
    required: ["clusterId", "jobIds", "projectId", "endpoint", "killRunning", "batchSize", "waitTimeoutSeconds"],
  },
  "jobsets:ehpc:JobSet": {
    description:
      "A set of QingCloud EHPC jobs in one cluster, by ID. Creating it checks that the jobs exist; destroying it tears " +
      "them down with `teardown`, in batches. " +
      QINGCLOUD_CREDENTIALS,
    properties: EHPC,
    fields: ehpcArgsShape,
    requiredInputs: ["clusterId", "zone"],
    required: ["clusterId", "zone", "jobIds", "endpoint", "teardown", "batchSize", "waitTimeoutSeconds"],
  },
};

const TEARDOWN_DOCS: Record<(typeof TEARDOWN_MODES)[number], string> = {
  delete: "Batch delete the jobs, in any state.",
  stop: "Batch stop the jobs and wait until each has stopped; the jobs stay listed in the service.",
  "stop-then-delete": "Batch stop, wait until each job has stopped, then batch delete.",
};

/** A setting's config variable: its type, and what it means, with its environment variable and its default. */
function configVariable(spec: SettingSpec): PropertySpec {
  const type = spec.value.type === "integer" ? INTEGER : spec.value.type === "flag" ? BOOLEAN : STRING;
  const meaning = spec.description.charAt(0).toUpperCase() + spec.description.slice(1);
  const env = `Environment variable: ${spec.env.map((name) => `\`${name}\``).join(" or ")} (the config wins).`;
  const defaultText = spec.default ? ` Default: ${spec.default}.` : "";
  return { ...type, ...(spec.secret ? { secret: true } : {}), description: `${meaning} ${env}${defaultText}` };
}

/** Every setting is a config variable (through `PULUMI_CONFIG`; secrets are decrypted by the engine). */
const CONFIG: Record<string, PropertySpec> = Object.fromEntries(
  Object.entries(SETTINGS as Record<string, SettingSpec>).map(([name, spec]) => [name, configVariable(spec)]),
);

function resourceSpec(doc: ResourceDoc): ResourceSpec {
  const inputProperties: Record<string, PropertySpec> = {};
  const properties: Record<string, PropertySpec> = {};
  for (const [name, property] of Object.entries(doc.properties)) {
    const type = property.type ?? pulumiType(name, doc.fields[name]!);
    inputProperties[name] = { ...type, description: property.input };
    properties[name] = { ...type, description: property.output ?? property.input };
  }
  // Output only: what `pulumi refresh` (or an import) last saw of each job.
  properties.jobStatuses = {
    ...STRING_LIST,
    description: "The last status seen of each job, in the order of the job IDs: filled in by `pulumi refresh` and by an import.",
  };
  // Every kind's selector (inputs/selector.ts), and what it matched.
  inputProperties.selector = { $ref: `#/types/${JOB_SELECTOR_TYPE}`, description: SELECTOR_INPUT };
  properties.selector = { $ref: `#/types/${JOB_SELECTOR_TYPE}`, description: "The set's selector, empty fields dropped; absent for a set of IDs only." };
  properties.selectedIds = {
    ...STRING_LIST,
    secret: true,
    description:
      "The jobs the selector matched at the last create, update or refresh (a destroy matches again, so jobs submitted " +
      "since are torn down too). Always a secret: it lists job IDs, and the provider cannot tell whether the stack keeps " +
      "those secret. Absent for a set without a selector.",
  };
  Object.assign(properties, doc.outputsOnly);
  return { description: doc.description, inputProperties, requiredInputs: doc.requiredInputs, properties, required: doc.required };
}

/** The package schema, as `GetSchema` serves it (JSON-encoded by the caller). */
export function packageSchema(version: string): PackageSpec {
  const resources = Object.fromEntries(
    Object.entries(RESOURCES).map(([token, doc]) => [token, resourceSpec(doc)]),
  ) as Record<ResourceToken, ResourceSpec>;
  // A fresh copy each time: callers (and tests) may change it without touching the tables above.
  return structuredClone({
    name: PACKAGE_NAME,
    displayName: "Job sets",
    version,
    description:
      "Job sets: groups of cloud jobs (Huawei Cloud DLI Flink, DLI Spark, MRS; QingCloud EHPC) declared by ID and torn " +
      "down with the vendors' batch stop/delete/cancel APIs on destroy.",
    keywords: ["pulumi", PACKAGE_NAME, "huaweicloud", "qingcloud", "category/cloud", "kind/native"],
    license: "Apache-2.0",
    config: { variables: CONFIG },
    types: {
      [TEARDOWN_MODE_TYPE]: {
        type: "string",
        description: "How a set's jobs are torn down when the set is deleted or jobs are removed from it.",
        enum: TEARDOWN_MODES.map((value) => ({ value, description: TEARDOWN_DOCS[value] })),
      },
      [JOB_SELECTOR_TYPE]: {
        type: "object",
        description: "Which jobs a set holds by their name and queue, as the API reports them: every field given must match.",
        properties: {
          namePrefix: { ...STRING, description: "A job is selected only when its name starts with this (case-sensitive)." },
          queueName: { ...STRING, description: "A job is selected only when its queue is exactly this." },
        },
      },
    },
    provider: {
      description:
        "The job-sets provider. It takes no arguments: credentials and defaults come from the stack config " +
        "(`jobsets:*`) and the environment of the `pulumi` process.",
    },
    resources,
    language: { go: { importBasePath: GO_IMPORT_BASE_PATH } },
  });
}
