/**
 * Each kind's inputs and state as one zod schema: it gives both the user-facing `XArgs` (what a program may pass)
 * and the `XState` (what is persisted and what delete receives), so the two cannot drift apart. Schemas are built
 * per call because defaults come from the stack config and the environment of the provider process.
 */
import { z } from "zod";
import { DLI, MRS, defaultEhpcEndpoint, huaweiLocation, normaliseDefaultEndpoint, type DefaultsSource } from "./defaults";
import {
  batchSizeField,
  DEFAULT_WAIT_TIMEOUT_SECONDS,
  EHPC_JOB_ID_PREFIX,
  ehpcJobId,
  endpointUrl,
  flag,
  flinkJobId,
  idList,
  nonEmptyName,
  teardown,
  uniqueIds,
  uuidId,
  waitTimeoutField,
  type TeardownMode,
} from "./fields";
import { requireMembers, selectorField, type JobSelector } from "./selector";

/**
 * Set by the SDK classes (and the plugin) when the program passed the set's job IDs as a secret: the provider cannot
 * see secretness itself (the engine strips it before calling a dynamic provider), and with it set every message
 * names the set's jobs by position instead of by ID (redact.ts). Recorded only when true.
 */
const secretIdsField = flag("secretIds").optional();

/** `secretIds` in a set's state: present only when true, so states written before it existed read the same. */
function secretIdsOf(args: { secretIds?: boolean | undefined }): { secretIds?: true } {
  return args.secretIds ? { secretIds: true } : {};
}

/** Where a Huawei set's jobs live, each open to a default (`huaweiLocation`). */
const huaweiPlaceShape = {
  projectId: nonEmptyName("projectId").optional(),
  region: nonEmptyName("region").optional(),
  endpoint: endpointUrl.optional(),
};

// ---------------------------------------------------------------------------------------------------
// DLI Flink job sets

/**
 * Default number of IDs per batch stop/delete call. DLI documents no maximum (docs/apis.md, "DLI Flink jobs");
 * 100 matches the list page size the API does document, keeps one request body around 2 KiB, and bounds how many
 * jobs one failed call affects.
 */
export const DEFAULT_FLINK_BATCH_SIZE = 100;

/** What a program passes to `new jobsets.dli.FlinkJobSet(...)`. */
export const flinkArgsShape = {
  jobIds: idList(flinkJobId, "Flink job IDs").optional(),
  ...huaweiPlaceShape,
  teardown: teardown.optional(),
  triggerSavepoint: flag("triggerSavepoint").optional(),
  batchSize: batchSizeField,
  waitTimeoutSeconds: waitTimeoutField,
  selector: selectorField.optional(),
  secretIds: secretIdsField,
};

const flinkArgsSchema = z.strictObject(flinkArgsShape);

export type FlinkJobSetArgs = z.input<typeof flinkArgsSchema>;

/** Everything delete needs, since delete receives only the old outputs. */
export interface FlinkJobSetState {
  jobIds: string[];
  /** The jobs held by name and queue besides `jobIds` (inputs/selector.ts). */
  selector?: JobSelector;
  projectId: string;
  region?: string;
  endpoint: string;
  teardown: TeardownMode;
  triggerSavepoint: boolean;
  batchSize: number;
  waitTimeoutSeconds: number;
  /** The program passed the job IDs as a secret: messages name jobs by position. */
  secretIds?: true;
}

export function flinkJobSetSchema(defaults: DefaultsSource) {
  return flinkArgsSchema.transform((args, ctx): FlinkJobSetState => {
    requireMembers(ctx, "jobIds", "Flink job IDs", args.jobIds, args.selector);
    const { projectId, region, endpoint } = huaweiLocation(defaults, args, ctx, DLI);
    const teardownMode = args.teardown ?? "delete";
    const triggerSavepoint = args.triggerSavepoint ?? false;
    if (triggerSavepoint && teardownMode === "delete") {
      ctx.addIssue({
        code: "custom",
        path: ["triggerSavepoint"],
        message: `a savepoint is taken only when jobs are stopped, but teardown "${teardownMode}" deletes them without a stop: use teardown "stop" or "stop-then-delete"`,
      });
    }
    if (!projectId || !endpoint) return z.NEVER;
    return {
      jobIds: uniqueIds(args.jobIds ?? []),
      ...(args.selector ? { selector: args.selector } : {}),
      projectId,
      ...(region ? { region } : {}),
      endpoint,
      teardown: teardownMode,
      triggerSavepoint,
      batchSize: args.batchSize ?? DEFAULT_FLINK_BATCH_SIZE,
      waitTimeoutSeconds: args.waitTimeoutSeconds ?? DEFAULT_WAIT_TIMEOUT_SECONDS,
      ...secretIdsOf(args),
    };
  });
}

// ---------------------------------------------------------------------------------------------------
// DLI Spark batch sets

/** What a program passes to `new jobsets.dli.SparkBatchSet(...)`. Cancel is per batch: no batchSize. */
export const sparkArgsShape = {
  batchIds: idList(uuidId("a Spark batch ID"), "Spark batch IDs (UUIDs)").optional(),
  ...huaweiPlaceShape,
  waitTimeoutSeconds: waitTimeoutField,
  selector: selectorField.optional(),
  secretIds: secretIdsField,
};

const sparkArgsSchema = z.strictObject(sparkArgsShape);

export type SparkBatchSetArgs = z.input<typeof sparkArgsSchema>;

/** Everything delete needs, since delete receives only the old outputs. */
export interface SparkBatchSetState {
  batchIds: string[];
  /** The batches held by name and queue besides `batchIds` (inputs/selector.ts). */
  selector?: JobSelector;
  projectId: string;
  region?: string;
  endpoint: string;
  waitTimeoutSeconds: number;
  /** The program passed the job IDs as a secret: messages name jobs by position. */
  secretIds?: true;
}

export function sparkBatchSetSchema(defaults: DefaultsSource) {
  return sparkArgsSchema.transform((args, ctx): SparkBatchSetState => {
    requireMembers(ctx, "batchIds", "Spark batch IDs (UUIDs)", args.batchIds, args.selector);
    const { projectId, region, endpoint } = huaweiLocation(defaults, args, ctx, DLI);
    if (!projectId || !endpoint) return z.NEVER;
    return {
      batchIds: uniqueIds(args.batchIds ?? []),
      ...(args.selector ? { selector: args.selector } : {}),
      projectId,
      ...(region ? { region } : {}),
      endpoint,
      waitTimeoutSeconds: args.waitTimeoutSeconds ?? DEFAULT_WAIT_TIMEOUT_SECONDS,
      ...secretIdsOf(args),
    };
  });
}

// ---------------------------------------------------------------------------------------------------
// MRS job execution sets

/**
 * Default number of IDs per MRS batch-delete call. MRS documents no maximum for `job_id_list` (docs/apis.md, "MRS job
 * executions"). 200 keeps a body near 8 KiB (a UUID is 36 characters plus quotes), and since a failed call (`0161`)
 * says nothing about which execution failed, it bounds how many executions one failure leaves behind, while a
 * 10,000-execution set still needs only 50 calls.
 */
export const DEFAULT_MRS_BATCH_SIZE = 200;

/** What a program passes to `new jobsets.mrs.JobExecutionSet(...)`. */
export const mrsArgsShape = {
  clusterId: nonEmptyName("clusterId"),
  jobIds: idList(uuidId("an MRS job execution ID"), "MRS job execution IDs (UUIDs)").optional(),
  ...huaweiPlaceShape,
  killRunning: flag("killRunning").optional(),
  batchSize: batchSizeField,
  waitTimeoutSeconds: waitTimeoutField,
  selector: selectorField.optional(),
  secretIds: secretIdsField,
};

const mrsArgsSchema = z.strictObject(mrsArgsShape);

export type MrsJobExecutionSetArgs = z.input<typeof mrsArgsSchema>;

/** Everything delete needs, since delete receives only the old outputs. */
export interface MrsJobExecutionSetState {
  clusterId: string;
  jobIds: string[];
  /** The jobs held by name and queue besides `jobIds` (inputs/selector.ts). */
  selector?: JobSelector;
  projectId: string;
  region?: string;
  endpoint: string;
  killRunning: boolean;
  batchSize: number;
  waitTimeoutSeconds: number;
  /** The program passed the job IDs as a secret: messages name jobs by position. */
  secretIds?: true;
}

export function mrsJobExecutionSetSchema(defaults: DefaultsSource) {
  return mrsArgsSchema.transform((args, ctx): MrsJobExecutionSetState => {
    requireMembers(ctx, "jobIds", "MRS job execution IDs (UUIDs)", args.jobIds, args.selector);
    const { projectId, region, endpoint } = huaweiLocation(defaults, args, ctx, MRS);
    if (!projectId || !endpoint) return z.NEVER;
    return {
      clusterId: args.clusterId,
      jobIds: uniqueIds(args.jobIds ?? []),
      ...(args.selector ? { selector: args.selector } : {}),
      projectId,
      ...(region ? { region } : {}),
      endpoint,
      killRunning: args.killRunning ?? true,
      batchSize: args.batchSize ?? DEFAULT_MRS_BATCH_SIZE,
      waitTimeoutSeconds: args.waitTimeoutSeconds ?? DEFAULT_WAIT_TIMEOUT_SECONDS,
      ...secretIdsOf(args),
    };
  });
}

// ---------------------------------------------------------------------------------------------------
// QingCloud EHPC job sets

/**
 * Default number of IDs per stopJobs/deleteJobs call. EHPC documents no maximum for `job_ids` (docs/apis.md,
 * "QingCloud EHPC"); 100 matches the list's largest page (limit ≤ 100), and since an error answer covers the whole
 * call, it bounds how many jobs one failure leaves behind.
 */
export const DEFAULT_EHPC_BATCH_SIZE = 100;

/**
 * `"stop-then-delete"` by default: whether deleteJobs also stops a running job is undocumented (docs/apis.md,
 * "QingCloud EHPC", Unverified), and a job deleted from the list but still running would go on being billed with
 * nothing left to stop it by.
 */
export const DEFAULT_EHPC_TEARDOWN: TeardownMode = "stop-then-delete";

/** What a program passes to `new jobsets.ehpc.JobSet(...)`. */
export const ehpcArgsShape = {
  clusterId: nonEmptyName("clusterId"),
  zone: nonEmptyName("zone"),
  jobIds: idList(ehpcJobId, `EHPC job IDs ("${EHPC_JOB_ID_PREFIX}…")`).optional(),
  endpoint: endpointUrl.optional(),
  teardown: teardown.optional(),
  batchSize: batchSizeField,
  waitTimeoutSeconds: waitTimeoutField,
  selector: selectorField.optional(),
  secretIds: secretIdsField,
};

const ehpcArgsSchema = z.strictObject(ehpcArgsShape);

export type EhpcJobSetArgs = z.input<typeof ehpcArgsSchema>;

/** Everything delete needs, since delete receives only the old outputs. */
export interface EhpcJobSetState {
  clusterId: string;
  zone: string;
  jobIds: string[];
  /** The jobs held by name and queue besides `jobIds` (inputs/selector.ts). */
  selector?: JobSelector;
  endpoint: string;
  teardown: TeardownMode;
  batchSize: number;
  waitTimeoutSeconds: number;
  /** The program passed the job IDs as a secret: messages name jobs by position. */
  secretIds?: true;
}

export function ehpcJobSetSchema(defaults: DefaultsSource) {
  return ehpcArgsSchema.transform((args, ctx): EhpcJobSetState => {
    requireMembers(ctx, "jobIds", `EHPC job IDs ("${EHPC_JOB_ID_PREFIX}…")`, args.jobIds, args.selector);
    const endpoint = args.endpoint ?? normaliseDefaultEndpoint(defaultEhpcEndpoint(defaults), defaults, "ehpcEndpoint", ctx);
    if (!endpoint) return z.NEVER;
    return {
      clusterId: args.clusterId,
      zone: args.zone,
      jobIds: uniqueIds(args.jobIds ?? []),
      ...(args.selector ? { selector: args.selector } : {}),
      endpoint,
      teardown: args.teardown ?? DEFAULT_EHPC_TEARDOWN,
      batchSize: args.batchSize ?? DEFAULT_EHPC_BATCH_SIZE,
      waitTimeoutSeconds: args.waitTimeoutSeconds ?? DEFAULT_WAIT_TIMEOUT_SECONDS,
      ...secretIdsOf(args),
    };
  });
}
