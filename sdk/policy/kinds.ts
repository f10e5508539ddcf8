/**
 * The job-set kinds as a policy sees them: the type token each registers under, and the input that lists
 * the set's members. This is the one list of tokens the policies recognise; a kind missing here is a
 * resource the policies silently skip, so add new kinds here first.
 */
import { DEFAULT_EHPC_TEARDOWN, type TeardownMode } from "../../provider/schema";

/** Every job set is a dynamic resource of module `jobsets`: `pulumi-nodejs:dynamic/jobsets:<type>`. */
export const JOBSET_TOKEN_PREFIX = "pulumi-nodejs:dynamic/jobsets:";

/** What a policy needs to know about one kind of job set. */
export interface JobSetKind {
  /** The type token, e.g. `pulumi-nodejs:dynamic/jobsets:DliFlinkJobSet`. */
  readonly token: string;
  /** The SDK class, as a program names it. */
  readonly sdkClass: string;
  /** The input (and output) listing the set's members: `jobIds`, or `batchIds` for DLI Spark. */
  readonly idsProperty: "jobIds" | "batchIds";
  /** How the provider spells one ID, so that duplicates collapse here as they do there. */
  readonly idSpelling: "long" | "uuid" | "verbatim";
  /** Streaming jobs hold state that only a savepoint keeps across a teardown. */
  readonly streaming: boolean;
  /** The teardown used when the program passes none; undefined when the kind has no `teardown` input. */
  readonly defaultTeardown?: TeardownMode;
}

export const DLI_FLINK_JOB_SET = `${JOBSET_TOKEN_PREFIX}DliFlinkJobSet`;
export const DLI_SPARK_BATCH_SET = `${JOBSET_TOKEN_PREFIX}DliSparkBatchSet`;
export const MRS_JOB_EXECUTION_SET = `${JOBSET_TOKEN_PREFIX}MrsJobExecutionSet`;
export const EHPC_JOB_SET = `${JOBSET_TOKEN_PREFIX}EhpcJobSet`;

export const JOBSET_KINDS: readonly JobSetKind[] = [
  // provider/schema.ts flinkJobSetSchema: `args.teardown ?? "delete"`.
  { token: DLI_FLINK_JOB_SET, sdkClass: "dli.FlinkJobSet", idsProperty: "jobIds", idSpelling: "long", streaming: true, defaultTeardown: "delete" },
  { token: DLI_SPARK_BATCH_SET, sdkClass: "dli.SparkBatchSet", idsProperty: "batchIds", idSpelling: "uuid", streaming: false },
  { token: MRS_JOB_EXECUTION_SET, sdkClass: "mrs.JobExecutionSet", idsProperty: "jobIds", idSpelling: "uuid", streaming: false },
  { token: EHPC_JOB_SET, sdkClass: "ehpc.JobSet", idsProperty: "jobIds", idSpelling: "verbatim", streaming: false, defaultTeardown: DEFAULT_EHPC_TEARDOWN },
];

/** The four type tokens, in the order above. */
export const JOBSET_TYPES: readonly string[] = JOBSET_KINDS.map((kind) => kind.token);

const byToken = new Map(JOBSET_KINDS.map((kind) => [kind.token, kind]));

/** The kind registered under `type`, or undefined for any other resource. */
export function jobSetKind(type: string): JobSetKind | undefined {
  return byToken.get(type);
}

/** `DliFlinkJobSet` for `pulumi-nodejs:dynamic/jobsets:DliFlinkJobSet`. */
export function shortType(token: string): string {
  return token.startsWith(JOBSET_TOKEN_PREFIX) ? token.slice(JOBSET_TOKEN_PREFIX.length) : token;
}
