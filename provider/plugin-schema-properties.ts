/**
 * The descriptions of each kind's properties in the plugin's package schema, written once for inputs and outputs, with
 * their defaults and limits taken from `schema.ts`; and the Pulumi type of each, read from its zod field.
 */
import { z } from "zod";
import { TEARDOWN_MODE_TYPE, type TypeSpec } from "./plugin-schema-spec";
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

// ---------------------------------------------------------------------------------------------------
// Property documentation

export const STRING = { type: "string" } as const;
export const INTEGER = { type: "integer" } as const;
export const BOOLEAN = { type: "boolean" } as const;
export const STRING_LIST = { type: "array", items: STRING } as const;
const TEARDOWN = { $ref: `#/types/${TEARDOWN_MODE_TYPE}` } as const;

const DUPLICATES = "Duplicates collapse to one (with a warning).";
export const SELECTOR_INPUT =
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
export interface Documented {
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

export const FLINK: Record<string, Documented> = {
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

export const SPARK: Record<string, Documented> = {
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

export const MRS: Record<string, Documented> = {
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

export const EHPC: Record<string, Documented> = {
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
