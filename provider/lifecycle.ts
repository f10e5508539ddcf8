/**
 * The job-set lifecycle, for every kind: check, diff, create, update, delete. Plain functions over plain
 * objects; they know nothing of how they are hosted. The dynamic provider (`dynamic.ts`) and the plugin
 * are thin adapters over this module.
 */
import { createHash } from "node:crypto";
import type { z } from "zod";
import { huaweiAuthorizer } from "./clients/huawei-iam";
import { resolveHuaweiAuth, resolveQingCloudAuth, type ConfigReader, type Env } from "./auth/credentials";
import { checkFailures, type CheckFailure } from "./check";
import type { HttpClient } from "./clients/http";
import { InvalidInputError, JobSetError, PartialTeardownError } from "./errors";
import { ehpcAuthorizer } from "./clients/qingcloud-ehpc";
import { teardownFlinkJobs, verifyFlinkJobsExist } from "./resources/dli-flink-job-set";
import { teardownSparkBatches, verifySparkBatchesExist } from "./resources/dli-spark-batch-set";
import { teardownEhpcJobs, verifyEhpcJobsExist, type EhpcRuntime } from "./resources/ehpc-job-set";
import { teardownMrsExecutions, verifyMrsExecutionsExist, type MrsRuntime } from "./resources/mrs-job-set";
import {
  ehpcJobSetSchema,
  flinkJobSetSchema,
  mrsJobExecutionSetSchema,
  sparkBatchSetSchema,
  type DefaultsSource,
  type EhpcJobSetState,
  type FlinkJobSetState,
  type MrsJobExecutionSetState,
  type SparkBatchSetState,
} from "./schema";
import { formatFailures } from "./check";
import type { Progress } from "./wait/progress";

/** What the lifecycle needs from its host. */
export interface Services {
  http: HttpClient;
  config: ConfigReader;
  env: Env;
  progress: Progress;
  /** Batch calls or list pages in flight at once per set. */
  concurrency: number;
}

/** One kind of job set: how its inputs are read, where its jobs live, how they are checked and torn down. */
interface JobSetKind<State extends object> {
  /** The type token's last part: `pulumi-nodejs:dynamic/jobsets:<type>`. */
  type: string;
  service: string;
  knownProperties: readonly string[];
  /** The input that lists the set's members: `jobIds`, or `batchIds` for DLI Spark. */
  idsProperty: keyof State & string;
  /** Inputs whose change moves the set somewhere else: the old jobs are torn down, the new ones adopted. */
  replaceProperties: readonly (keyof State & string)[];
  /** Its inputs' zod schema, built with the defaults (stack config, environment). */
  schema(defaults: DefaultsSource): z.ZodType<State, unknown>;
  /** A stable ID: where the set lives plus a digest of its jobs. */
  id(state: State): string;
  verify(services: Services, state: State, ids: string[]): Promise<void>;
  teardown(services: Services, state: State, ids: string[]): Promise<void>;
}

function digest(ids: readonly string[]): string {
  return createHash("sha256").update([...ids].sort().join(",")).digest("hex").slice(0, 16);
}

/** Where a Huawei set's calls go and how they are authenticated: the same for DLI Flink, DLI Spark and MRS. */
function huaweiRuntime(services: Services, state: { endpoint: string; projectId: string }) {
  const auth = resolveHuaweiAuth(services.config, services.env);
  return {
    ctx: {
      http: services.http,
      endpoint: state.endpoint,
      projectId: state.projectId,
      authorizer: huaweiAuthorizer(services.http, auth, state.projectId),
    },
    progress: services.progress,
    concurrency: services.concurrency,
  };
}

const flinkKind: JobSetKind<FlinkJobSetState> = {
  type: "DliFlinkJobSet",
  service: "dli-flink",
  knownProperties: ["jobIds", "projectId", "region", "endpoint", "teardown", "triggerSavepoint", "batchSize", "waitTimeoutSeconds"],
  idsProperty: "jobIds",
  replaceProperties: ["projectId", "endpoint"],
  schema: flinkJobSetSchema,
  id: (state) => `dli-flink/${state.projectId}/${digest(state.jobIds)}`,
  async verify(services, state, ids) {
    await verifyFlinkJobsExist(huaweiRuntime(services, state), state, ids);
  },
  async teardown(services, state, ids) {
    await teardownFlinkJobs(huaweiRuntime(services, state), state, ids);
  },
};

// DLI Spark batches, MRS job executions and EHPC jobs: the same shape as Flink. Credentials are read when a
// call is about to be made (never at check), so a bad or missing key fails before any request is sent.

const sparkKind: JobSetKind<SparkBatchSetState> = {
  type: "DliSparkBatchSet",
  service: "dli-spark",
  knownProperties: ["batchIds", "projectId", "region", "endpoint", "waitTimeoutSeconds"],
  idsProperty: "batchIds",
  replaceProperties: ["projectId", "endpoint"],
  schema: sparkBatchSetSchema,
  id: (state) => `dli-spark/${state.projectId}/${digest(state.batchIds)}`,
  async verify(services, state, ids) {
    await verifySparkBatchesExist(huaweiRuntime(services, state), state, ids);
  },
  async teardown(services, state, ids) {
    await teardownSparkBatches(huaweiRuntime(services, state), state, ids);
  },
};

function mrsRuntime(services: Services, state: MrsJobExecutionSetState): MrsRuntime {
  const runtime = huaweiRuntime(services, state);
  return { ...runtime, ctx: { ...runtime.ctx, clusterId: state.clusterId } };
}

const mrsKind: JobSetKind<MrsJobExecutionSetState> = {
  type: "MrsJobExecutionSet",
  service: "mrs",
  knownProperties: ["clusterId", "jobIds", "projectId", "region", "endpoint", "killRunning", "batchSize", "waitTimeoutSeconds"],
  idsProperty: "jobIds",
  replaceProperties: ["projectId", "clusterId", "endpoint"],
  schema: mrsJobExecutionSetSchema,
  id: (state) => `mrs/${state.projectId}/${state.clusterId}/${digest(state.jobIds)}`,
  async verify(services, state, ids) {
    await verifyMrsExecutionsExist(mrsRuntime(services, state), state, ids);
  },
  async teardown(services, state, ids) {
    await teardownMrsExecutions(mrsRuntime(services, state), state, ids);
  },
};

function ehpcRuntime(services: Services, state: EhpcJobSetState): EhpcRuntime {
  const auth = resolveQingCloudAuth(services.config, services.env);
  return {
    ctx: {
      http: services.http,
      endpoint: state.endpoint,
      zone: state.zone,
      clusterId: state.clusterId,
      authorizer: ehpcAuthorizer(services.http, { accessKeyId: auth.accessKeyId, secretAccessKey: auth.secretAccessKey }),
    },
    progress: services.progress,
    concurrency: services.concurrency,
  };
}

const ehpcKind: JobSetKind<EhpcJobSetState> = {
  type: "EhpcJobSet",
  service: "ehpc",
  knownProperties: ["clusterId", "zone", "jobIds", "endpoint", "teardown", "batchSize", "waitTimeoutSeconds"],
  idsProperty: "jobIds",
  replaceProperties: ["clusterId", "zone", "endpoint"],
  schema: ehpcJobSetSchema,
  id: (state) => `ehpc/${state.zone}/${state.clusterId}/${digest(state.jobIds)}`,
  async verify(services, state, ids) {
    await verifyEhpcJobsExist(ehpcRuntime(services, state), state, ids);
  },
  async teardown(services, state, ids) {
    await teardownEhpcJobs(ehpcRuntime(services, state), state, ids);
  },
};

type AnyKind = JobSetKind<Record<string, unknown>>;

const kinds = new Map<string, AnyKind>(
  [flinkKind, sparkKind, mrsKind, ehpcKind].map((kind) => [kind.type, kind as unknown as AnyKind]),
);

/** The IDs of a set's members, whichever property lists them. */
function idsOf(kind: Pick<AnyKind, "idsProperty">, state: Record<string, unknown>): string[] {
  return state[kind.idsProperty] as string[];
}

export const JOB_SET_TYPES = [...kinds.keys()];

/** Reads inputs with a kind's schema; zod's issues become check failures naming the property. */
function parseInputs(kind: AnyKind, inputs: unknown, defaults: DefaultsSource): { success: true; data: Record<string, unknown> } | { success: false; failures: CheckFailure[] } {
  const parsed = kind.schema(defaults).safeParse(inputs);
  return parsed.success ? { success: true, data: parsed.data } : { success: false, failures: checkFailures(parsed.error, kind.knownProperties) };
}

function kindOf(type: string) {
  const kind = kinds.get(type);
  if (!kind) throw new InvalidInputError(`unknown job set type "${type}"; known: ${JOB_SET_TYPES.join(", ")}`);
  return kind;
}

/** Drops keys that are not ours (`__provider`, the engine's bookkeeping), keeping the user's inputs. */
function ownInputs(values: Record<string, unknown>, kind: { knownProperties: readonly string[] }, keepUnknown: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(values ?? {})) {
    if (key.startsWith("__")) continue;
    if (!keepUnknown && !kind.knownProperties.includes(key)) continue;
    out[key] = value;
  }
  return out;
}

function defaultsOf(services: Pick<Services, "config" | "env">): DefaultsSource {
  return { config: services.config, env: services.env };
}

/** The stored state of a set, read back from outputs (delete and update receive only those). */
function stateOf(type: string, outputs: Record<string, unknown>) {
  const kind = kindOf(type);
  // State was normalised at check time: parse it without defaults, ignoring keys a newer version added.
  const parsed = parseInputs(kind, ownInputs(outputs, kind, false), { config: () => undefined, env: {} });
  if (!parsed.success) {
    throw new InvalidInputError(`the stored state of this ${type} is not readable:\n${formatFailures(parsed.failures)}`);
  }
  return { kind, state: parsed.data };
}

// ---------------------------------------------------------------------------------------------------

export interface CheckResult {
  inputs: Record<string, unknown>;
  failures: CheckFailure[];
}

/** Validates and normalises inputs, offline: no request is sent, whatever the inputs. */
export function check(type: string, news: Record<string, unknown>, services: Pick<Services, "config" | "env" | "progress">): CheckResult {
  const kind = kindOf(type);
  const raw = ownInputs(news, kind, true);
  const parsed = parseInputs(kind, raw, defaultsOf(services));
  if (!parsed.success) return { inputs: raw, failures: parsed.failures };
  const listed = raw[kind.idsProperty];
  const given = Array.isArray(listed) ? listed.length : 0;
  const kept = idsOf(kind, parsed.data).length;
  if (given > kept) {
    services.progress.warn(`${kind.service}: ${given - kept} duplicate job IDs in ${kind.idsProperty} were collapsed`);
  }
  return { inputs: { ...parsed.data }, failures: [] };
}

export interface DiffResult {
  changes: boolean;
  replaces: string[];
  /** Every property that differs, for display. */
  diffs: string[];
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

function sameIds(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const set = new Set(a);
  return b.every((id) => set.has(id));
}

/**
 * Compares the stored state with checked inputs, both normalised. `__provider` is never compared, so a
 * new version of this package never shows as a change. The order of IDs does not matter.
 */
export function diff(type: string, olds: Record<string, unknown>, news: Record<string, unknown>, services: Pick<Services, "config" | "env">): DiffResult {
  const kind = kindOf(type);
  const before = stateOf(type, olds).state;
  const parsed = parseInputs(kind, ownInputs(news, kind, true), defaultsOf(services));
  if (!parsed.success) throw new InvalidInputError(`invalid inputs:\n${formatFailures(parsed.failures)}`);
  const after = parsed.data;
  const diffs = kind.knownProperties.filter((key) =>
    key === kind.idsProperty ? !sameIds(idsOf(kind, before), idsOf(kind, after)) : !sameValue(before[key], after[key]),
  );
  const replaces = diffs.filter((key) => (kind.replaceProperties as readonly string[]).includes(key));
  return { changes: diffs.length > 0, replaces, diffs };
}

export interface CreateResult {
  id: string;
  outs: Record<string, unknown>;
}

/** Verifies that every job exists (list calls, not one call per job), then records the set. */
export async function create(type: string, inputs: Record<string, unknown>, services: Services): Promise<CreateResult> {
  const kind = kindOf(type);
  const parsed = parseInputs(kind, ownInputs(inputs, kind, true), defaultsOf(services));
  if (!parsed.success) throw new InvalidInputError(`invalid inputs:\n${formatFailures(parsed.failures)}`);
  const state = parsed.data;
  await kind.verify(services, state, idsOf(kind, state));
  return { id: kind.id(state), outs: { ...state } };
}

/**
 * An update whose job list changed: new IDs are verified first (so a typo fails before anything is torn
 * down), then removed IDs are torn down with the set's teardown mode. When some removed jobs could not
 * be torn down, the error carries the state to keep: the new set plus those jobs, so they are retried.
 */
export class UpdateIncompleteError extends JobSetError {
  override readonly code = "JOBSET_ERR_UPDATE_INCOMPLETE";
  static override readonly errorCode = "JOBSET_ERR_UPDATE_INCOMPLETE";
  constructor(
    message: string,
    readonly id: string,
    readonly outs: Record<string, unknown>,
    cause: unknown,
  ) {
    super(message, { cause });
    this.name = "UpdateIncompleteError";
  }
}

export async function update(type: string, id: string, olds: Record<string, unknown>, news: Record<string, unknown>, services: Services): Promise<{ outs: Record<string, unknown> }> {
  const { kind, state: before } = stateOf(type, olds);
  const parsed = parseInputs(kind, ownInputs(news, kind, true), defaultsOf(services));
  if (!parsed.success) throw new InvalidInputError(`invalid inputs:\n${formatFailures(parsed.failures)}`);
  const after = parsed.data;
  const kept = new Set(idsOf(kind, after));
  const previous = new Set(idsOf(kind, before));
  const added = idsOf(kind, after).filter((jobId) => !previous.has(jobId));
  const removed = idsOf(kind, before).filter((jobId) => !kept.has(jobId));
  if (added.length) await kind.verify(services, after, added);
  if (removed.length) {
    try {
      await kind.teardown(services, after, removed);
    } catch (error) {
      const failed = error instanceof PartialTeardownError ? [...error.failed.keys()] : removed;
      const outs = { ...after, [kind.idsProperty]: [...idsOf(kind, after), ...failed] };
      throw new UpdateIncompleteError((error as Error).message, id, outs, error);
    }
  }
  return { outs: { ...after } };
}

/** Tears down every job of the set that still exists. A rerun after a failure finishes the work. */
export async function remove(type: string, _id: string, outputs: Record<string, unknown>, services: Services): Promise<void> {
  const { kind, state } = stateOf(type, outputs);
  await kind.teardown(services, state, idsOf(kind, state));
}
