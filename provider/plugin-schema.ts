/**
 * The Pulumi package schema the provider plugin serves (`GetSchema`), from which `pulumi package add`
 * generates the Python, Go, C#, Java SDKs and against which Pulumi YAML checks programs.
 *
 * The property descriptions live here, once, with their defaults and limits taken from `schema.ts`, so
 * the numbers cannot drift from what `check` enforces. The TypeScript SDK (`sdk/`) cannot reuse these
 * strings (JSDoc is static text); `test/plugin.test.ts` keeps the two aligned where it can: the schema's
 * inputs are exactly the keys `check` accepts, and the outputs are exactly what `check`/`create` return.
 *
 * Plain data only: nothing here may need the closure serializer (the dynamic provider never loads it).
 */
import { z } from "zod";
import { SETTINGS, type SettingSpec } from "./config";
import { ehpcArgsShape, flinkArgsShape, mrsArgsShape, sparkArgsShape } from "./inputs/job-sets";
import {
  DEFAULT_EHPC_BATCH_SIZE,
  DEFAULT_EHPC_ENDPOINT,
  DEFAULT_EHPC_TEARDOWN,
  DEFAULT_FLINK_BATCH_SIZE,
  DEFAULT_MRS_BATCH_SIZE,
  DEFAULT_WAIT_TIMEOUT_SECONDS,
  EHPC_JOB_ID_PREFIX,
  MAX_BATCH_SIZE,
  MAX_JOBS_PER_SET,
  MAX_WAIT_TIMEOUT_SECONDS,
  TEARDOWN_MODES,
} from "./schema";

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

// ---------------------------------------------------------------------------------------------------
// Property documentation

const STRING = { type: "string" } as const;
const INTEGER = { type: "integer" } as const;
const BOOLEAN = { type: "boolean" } as const;
const STRING_LIST = { type: "array", items: STRING } as const;
const TEARDOWN = { $ref: `#/types/${TEARDOWN_MODE_TYPE}` } as const;

const DUPLICATES = "Duplicates collapse to one (with a warning).";
const SELECTOR_INPUT =
  "Holds, besides the listed IDs, every job whose name starts with `namePrefix` and whose queue is `queueName` (each " +
  "only when given), where the set lives (its project; for MRS and EHPC its cluster). Matched at create, update, " +
  "refresh and again at destroy, so jobs submitted after `pulumi up` are torn down too. A set needs IDs, a selector, " +
  "or both; a selector with no non-empty field is refused. A changed selector is an update in place that tears down " +
  "the jobs it no longer selects.";
const SET_LIMIT = `At most ${MAX_JOBS_PER_SET.toLocaleString("en-US")} per set.`;
const MINUTES = DEFAULT_WAIT_TIMEOUT_SECONDS / 60;

/**
 * The Pulumi type of an input field, read from its zod schema (`z.toJSONSchema`), so it cannot drift from what
 * `check` accepts. Pulumi's package schema holds types, not limits: minimum and maximum stay with `check`. The one
 * enum is TeardownMode. Fields that do not convert (the ID lists take numbers or strings and normalise them) give
 * their type by hand, and anything else converting to a type this schema has no word for is refused here.
 */
export function pulumiType(name: string, field: z.ZodType): TypeSpec {
  const { $schema: _draft, ...json } = z.toJSONSchema(field, { io: "input" }) as { $schema?: string; type?: unknown; enum?: unknown };
  if (json.enum !== undefined) {
    if (JSON.stringify(json.enum) === JSON.stringify(TEARDOWN_MODES)) return TEARDOWN;
  } else if (json.type === "string" || json.type === "integer" || json.type === "boolean") {
    return { type: json.type };
  }
  throw new Error(`plugin schema: ${name} converts to ${JSON.stringify(json)}, which has no Pulumi type here: give its type by hand`);
}

/** A property documented once for inputs and outputs; `output` overrides the text where they differ. */
interface Documented {
  /** Only where the field's zod schema does not convert (see `pulumiType`). */
  type?: TypeSpec;
  input: string;
  output?: string;
}

const projectId: Documented = {
  input:
    "The Huawei Cloud project ID the jobs belong to. Default: the stack config `jobsets:projectId`, then the " +
    "environment variable `HW_PROJECT_ID` of the provider. Changing it replaces the set: the jobs in the new project " +
    "are verified and adopted, then those in the old one torn down.",
  output: "The Huawei Cloud project ID the jobs belong to.",
};

const region: Documented = {
  input:
    "The Huawei Cloud region (e.g. `cn-north-4`), used to build the default endpoint. Default: the stack config " +
    "`jobsets:region`, then the environment variable `HW_REGION_NAME` (or `OS_REGION_NAME`).",
  output: "The Huawei Cloud region, when one was given or configured.",
};

const baseUrlRules = "A base URL only: no path, query or credentials; `http://` is allowed only for loopback hosts (the emulator).";

function endpoint(service: string, defaultText: string): Documented {
  return {
    input:
      `The ${service} endpoint the jobs are torn down through. ${baseUrlRules} Default: ${defaultText} Changing it ` +
      "(or its default) updates the set in place and tears nothing down: the jobs stay where they are.",
    output: `The ${service} endpoint the jobs are torn down through (recorded, since delete receives only the outputs).`,
  };
}

/** Every kind's `secretIds`: set by the SDKs and the plugin, not by hand. */
const secretIds: Documented = {
  input:
    "Set by the SDK classes (and by this provider when the job IDs arrive as a secret): the set's job IDs are secret, " +
    "so every message and log line names its jobs by position (`[secret #3]`) instead of by ID. Default false.",
  output: "Whether the set's job IDs are secret (messages name jobs by position).",
};

const huaweiDomain = "(`.eu` for eu-west-101; the setting `jobsets:cloud` / `HW_CLOUD` replaces the domain)";

function batchSize(service: string, defaultSize: number, why: string): Documented {
  return {
    input: `IDs per ${service} batch call. Default ${defaultSize} (${why}); at most ${MAX_BATCH_SIZE}.`,
    output: `IDs per ${service} batch call.`,
  };
}

const waitTimeoutSeconds = (what: string): Documented => ({
  input:
    `How long ${what} may take, in seconds, before the destroy fails naming the jobs still running. ` +
    `Default ${DEFAULT_WAIT_TIMEOUT_SECONDS} (${MINUTES} minutes); at most ${MAX_WAIT_TIMEOUT_SECONDS}.`,
  output: `How long ${what} may take, in seconds.`,
});

const FLINK: Record<string, Documented> = {
  jobIds: {
    type: STRING_LIST,
    input:
      "The DLI Flink job IDs in the set, as strings of digits. DLI job IDs are Longs (exact up to 2^63-1); numbers " +
      `lose precision above 2^53 on their way through Pulumi, strings never do. ${DUPLICATES} ${SET_LIMIT}`,
    output: "The job IDs, as decimal strings, duplicates removed.",
  },
  projectId,
  region,
  endpoint: endpoint(
    "DLI",
    `\`https://dli.{region}.myhuaweicloud.com\` ${huaweiDomain}; the setting \`jobsets:dliEndpoint\` / \`JOBSETS_DLI_ENDPOINT\` replaces the default.`,
  ),
  teardown: {
    input:
      'How the jobs are torn down when the set is deleted or a job is removed from it: `"delete"` (batch delete, the ' +
      'default), `"stop"` (batch stop, then wait until every job is stopped; the jobs stay in DLI) or `"stop-then-delete"`.',
    output: "How the jobs are torn down.",
  },
  triggerSavepoint: {
    input: 'Ask the stop for a savepoint. Needs teardown `"stop"` or `"stop-then-delete"`. Default false.',
    output: "Whether the stop takes a savepoint.",
  },
  batchSize: batchSize("stop/delete", DEFAULT_FLINK_BATCH_SIZE, "DLI documents no maximum; 100 is its list page size"),
  waitTimeoutSeconds: waitTimeoutSeconds("a stop"),
  secretIds,
};

const SPARK: Record<string, Documented> = {
  batchIds: {
    type: STRING_LIST,
    input: `The DLI Spark batch IDs in the set: UUIDs, as \`POST .../batches\` answered them. ${DUPLICATES} ${SET_LIMIT}`,
    output: "The batch IDs, lowercase, duplicates removed.",
  },
  projectId,
  region,
  endpoint: endpoint(
    "DLI",
    `\`https://dli.{region}.myhuaweicloud.com\` ${huaweiDomain}; the setting \`jobsets:dliEndpoint\` / \`JOBSETS_DLI_ENDPOINT\` replaces the default.`,
  ),
  waitTimeoutSeconds: waitTimeoutSeconds("cancelling the batches"),
  secretIds,
};

const MRS: Record<string, Documented> = {
  clusterId: {
    input: "The MRS cluster the job executions run in. Changing it replaces the set.",
    output: "The MRS cluster the job executions run in.",
  },
  jobIds: {
    type: STRING_LIST,
    input: `The MRS job execution IDs in the set: UUIDs (\`job_id\` as the submit answered it). ${DUPLICATES} ${SET_LIMIT}`,
    output: "The execution IDs, lowercase, duplicates removed.",
  },
  projectId,
  region,
  endpoint: endpoint(
    "MRS",
    "`https://mrs.{region}.myhuaweicloud.com` (`.cn` for ap-southeast-1, ru-northwest-2 and ap-southeast-4, `.eu` for " +
      "eu-west-101; `jobsets:cloud` / `HW_CLOUD` replaces the domain); the setting `jobsets:mrsEndpoint` / `JOBSETS_MRS_ENDPOINT` replaces the default.",
  ),
  killRunning: {
    input:
      "Kill the executions that have not ended before deleting them. Default true; when false, an execution still " +
      "running fails the destroy before anything is deleted.",
    output: "Whether executions still running are killed before the delete.",
  },
  batchSize: batchSize("batch-delete", DEFAULT_MRS_BATCH_SIZE, "MRS documents no maximum"),
  waitTimeoutSeconds: waitTimeoutSeconds("killing the executions"),
  secretIds,
};

const EHPC: Record<string, Documented> = {
  clusterId: {
    input: "The EHPC cluster the jobs run in. Changing it replaces the set.",
    output: "The EHPC cluster the jobs run in.",
  },
  zone: {
    input: "The QingCloud zone of the cluster (e.g. `pek3`). Changing it replaces the set.",
    output: "The QingCloud zone of the cluster.",
  },
  jobIds: {
    type: STRING_LIST,
    input:
      `The EHPC job IDs in the set: \`${EHPC_JOB_ID_PREFIX}…\` (the \`hpcjob_uuid\`, not the scheduler's job number). ` +
      `${DUPLICATES} ${SET_LIMIT}`,
    output: "The job IDs, duplicates removed.",
  },
  endpoint: endpoint("EHPC", `\`${DEFAULT_EHPC_ENDPOINT}\`; the setting \`jobsets:ehpcEndpoint\` / \`JOBSETS_EHPC_ENDPOINT\` replaces the default.`),
  teardown: {
    input:
      `How the jobs are torn down: \`"${DEFAULT_EHPC_TEARDOWN}"\` (the default: stopJobs, wait until each job has ended, ` +
      'then deleteJobs), `"stop"` or `"delete"`.',
    output: "How the jobs are torn down.",
  },
  batchSize: batchSize("stopJobs/deleteJobs", DEFAULT_EHPC_BATCH_SIZE, "EHPC documents no maximum"),
  waitTimeoutSeconds: waitTimeoutSeconds("a stop"),
  secretIds,
};

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
