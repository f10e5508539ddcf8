/**
 * The job-set lifecycle, for every kind: check, diff, create, update, delete. Plain functions over plain
 * objects; they know nothing of how they are hosted. The dynamic provider (`dynamic.ts`) and the plugin
 * are thin adapters over this module.
 */
import { randomBytes } from "node:crypto";
import type { z } from "zod";
import { huaweiAuthorizer } from "./clients/huawei-iam";
import { resolveHuaweiAuth, resolveQingCloudAuth, type ConfigReader, type Env } from "./auth/credentials";
import { checkFailures, type CheckFailure } from "./check";
import type { HttpClient } from "./clients/http";
import type { RequestBudget } from "./clients/rate-limit";
import { InvalidInputError, JobSetError, PartialTeardownError } from "./errors";
import { ehpcAuthorizer } from "./clients/qingcloud-ehpc";
import { snapshotFlinkJobs, teardownFlinkJobs, verifyFlinkJobsExist } from "./resources/dli-flink-job-set";
import { snapshotSparkBatches, teardownSparkBatches, verifySparkBatchesExist } from "./resources/dli-spark-batch-set";
import { snapshotEhpcJobs, teardownEhpcJobs, verifyEhpcJobsExist, type EhpcRuntime } from "./resources/ehpc-job-set";
import { snapshotMrsExecutions, teardownMrsExecutions, verifyMrsExecutionsExist, type MrsRuntime } from "./resources/mrs-job-set";
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
  likelyMeant,
} from "./schema";
import { formatFailures } from "./check";
import { CONFIG_NAMESPACE, DEFAULT_MAX_JOBS_PER_SET, numberSetting, SETTINGS, settingErrors } from "./config";
import { TeardownGuard } from "./guard";
import type { SetHoldings } from "./holdings";
import { count } from "./wait/progress";
import type { Progress } from "./wait/progress";

/** What the lifecycle needs from its host. */
export interface Services {
  http: HttpClient;
  config: ConfigReader;
  env: Env;
  progress: Progress;
  /** Batch calls or list pages in flight at once per set. */
  concurrency: number;
  /** The process-wide mass-teardown guard (one per provider process); absent: per-set limits only. */
  guard?: TeardownGuard;
  /** The sets this provider process knows and the jobs they hold; a teardown leaves alone what another holds. */
  holdings?: SetHoldings;
  /** The stack config keys that are set (namespaced), when the host can tell: typos among them fail check. */
  configKeys?: readonly string[];
  /** The host's marker for a value not known yet (a preview of inputs computed from other resources). */
  isUnknown?: (value: unknown) => boolean;
}

/** One kind of job set: how its inputs are read, where its jobs live, how they are checked and torn down. */
interface JobSetKind<State extends object> {
  /** The type token's last part: `pulumi-nodejs:dynamic/jobsets:<type>`. */
  type: string;
  service: string;
  knownProperties: readonly string[];
  /** The input that lists the set's members: `jobIds`, or `batchIds` for DLI Spark. */
  idsProperty: keyof State & string;
  /**
   * Inputs whose change moves the set somewhere else (the same job IDs name other jobs there): the set is
   * replaced, the new jobs verified and adopted, then the old ones torn down. The endpoint is not among them: it
   * is only the way to the same place, and a change of it (explicit, or the default from another environment)
   * is an update that records it and tears nothing down.
   */
  replaceProperties: readonly (keyof State & string)[];
  /** Its inputs' zod schema, built with the defaults (stack config, environment). */
  schema(defaults: DefaultsSource): z.ZodType<State, unknown>;
  /** First segment of the set's ID: `dli-flink/<projectId>/…`. */
  idPrefix: string;
  verify(services: Services, state: State, ids: string[]): Promise<void>;
  teardown(services: Services, state: State, ids: string[]): Promise<void>;
  /** The members that exist now, with their status (one pass of list or state calls). */
  statuses(services: Services, state: State, ids: string[]): Promise<Map<string, string>>;
  /** The location part of an import ID (`<a>/<b>`), as inputs: see `importInputs`. */
  location: readonly (keyof State & string)[];
}

/**
 * The last part of an ID made by create: `set-` and 16 random hex digits. Random, not derived from the job IDs:
 * a digest of a few small Flink IDs could be reversed by trying them all, and the resource ID is never secret.
 */
function newSetSuffix(): string {
  return `set-${randomBytes(8).toString("hex")}`;
}

/** Last parts of create-made IDs, which hold no job IDs: `set-<random>`, and `sha-<digest>` from earlier versions. */
const CREATED_ID_SUFFIX = /^(set|sha)-[0-9a-f]{16}$/;

/** Where a Huawei set's calls go and how they are authenticated: the same for DLI Flink, DLI Spark and MRS. */
/**
 * How long one operation on a set may wait for request-rate tokens: its waitTimeoutSeconds from now (an EHPC ceiling
 * can otherwise hold a call for most of an hour), telling the set's progress until when it waits.
 */
function requestBudget(services: Services, state: { waitTimeoutSeconds: number }): RequestBudget {
  return { deadline: Date.now() + state.waitTimeoutSeconds * 1000, onWait: (message) => services.progress.log(message) };
}

function huaweiRuntime(services: Services, state: { endpoint: string; projectId: string; waitTimeoutSeconds: number }) {
  const auth = resolveHuaweiAuth(services.config, services.env);
  return {
    ctx: {
      http: services.http,
      endpoint: state.endpoint,
      projectId: state.projectId,
      authorizer: huaweiAuthorizer(services.http, auth, state.projectId),
      budget: requestBudget(services, state),
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
  replaceProperties: ["projectId"],
  schema: flinkJobSetSchema,
  idPrefix: "dli-flink",
  async verify(services, state, ids) {
    await verifyFlinkJobsExist(huaweiRuntime(services, state), state, ids);
  },
  async teardown(services, state, ids) {
    await teardownFlinkJobs(huaweiRuntime(services, state), state, ids);
  },
  async statuses(services, state, ids) {
    const found = await snapshotFlinkJobs(huaweiRuntime(services, state), ids);
    return new Map([...found].map(([id, job]) => [id, job.status]));
  },
  location: ["projectId"],
};

// DLI Spark batches, MRS job executions and EHPC jobs: the same shape as Flink. Credentials are read when a
// call is about to be made (never at check), so a bad or missing key fails before any request is sent.

const sparkKind: JobSetKind<SparkBatchSetState> = {
  type: "DliSparkBatchSet",
  service: "dli-spark",
  knownProperties: ["batchIds", "projectId", "region", "endpoint", "waitTimeoutSeconds"],
  idsProperty: "batchIds",
  replaceProperties: ["projectId"],
  schema: sparkBatchSetSchema,
  idPrefix: "dli-spark",
  async verify(services, state, ids) {
    await verifySparkBatchesExist(huaweiRuntime(services, state), state, ids);
  },
  async teardown(services, state, ids) {
    await teardownSparkBatches(huaweiRuntime(services, state), state, ids);
  },
  async statuses(services, state, ids) {
    return snapshotSparkBatches(huaweiRuntime(services, state), ids);
  },
  location: ["projectId"],
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
  replaceProperties: ["projectId", "clusterId"],
  schema: mrsJobExecutionSetSchema,
  idPrefix: "mrs",
  async verify(services, state, ids) {
    await verifyMrsExecutionsExist(mrsRuntime(services, state), state, ids);
  },
  async teardown(services, state, ids) {
    await teardownMrsExecutions(mrsRuntime(services, state), state, ids);
  },
  async statuses(services, state, ids) {
    const { found } = await snapshotMrsExecutions(mrsRuntime(services, state), ids);
    return new Map([...found].map(([id, execution]) => [id, execution.state]));
  },
  location: ["projectId", "clusterId"],
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
      budget: requestBudget(services, state),
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
  replaceProperties: ["clusterId", "zone"],
  schema: ehpcJobSetSchema,
  idPrefix: "ehpc",
  async verify(services, state, ids) {
    await verifyEhpcJobsExist(ehpcRuntime(services, state), state, ids);
  },
  async teardown(services, state, ids) {
    await teardownEhpcJobs(ehpcRuntime(services, state), state, ids);
  },
  async statuses(services, state, ids) {
    const { found } = await snapshotEhpcJobs(ehpcRuntime(services, state), ids);
    return new Map([...found].map(([id, job]) => [id, job.status]));
  },
  location: ["zone", "clusterId"],
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

/** Where a set's jobs live: `<prefix>/<location>`, e.g. `mrs/<projectId>/<clusterId>` (see holdings.ts). */
function placeOf(kind: AnyKind, state: Record<string, unknown>): string {
  return [kind.idPrefix, ...kind.location.map((key) => String(state[key]))].join("/");
}

/**
 * A set's ID: `<place>/<jobs>`, e.g. `mrs/<projectId>/<clusterId>/set-0123456789abcdef`. Create puts a random
 * suffix last; an import ID lists the jobs instead (`dli-flink/<projectId>/101,102`), so the ID alone carries
 * everything `read` needs.
 */
function setId(kind: AnyKind, state: Record<string, unknown>): string {
  return `${placeOf(kind, state)}/${newSetSuffix()}`;
}

/** The inputs an import ID stands for; an ID made by create (which names no jobs) cannot be imported. */
function importInputs(kind: AnyKind, id: string): Record<string, unknown> {
  const format = [kind.idPrefix, ...kind.location.map((key) => `<${key}>`), "<id>,<id>,…"].join("/");
  const parts = id.split("/");
  if (parts.length !== kind.location.length + 2 || parts[0] !== kind.idPrefix || parts.some((part) => part === "")) {
    throw new InvalidInputError(`cannot import ${kind.type} "${id}": expected an ID of the form ${format}`, { property: "id" });
  }
  const jobs = parts.at(-1)!;
  if (CREATED_ID_SUFFIX.test(jobs)) {
    throw new InvalidInputError(
      `cannot import ${kind.type} "${id}": this ID was made by create and names no jobs; import with ${format}`,
      { property: "id" },
    );
  }
  const inputs: Record<string, unknown> = { [kind.idsProperty]: jobs.split(",") };
  kind.location.forEach((key, i) => (inputs[key] = parts[i + 1]));
  return inputs;
}

/** Top-level inputs whose value is, or holds, a value not known yet (a preview). */
function unknownKeys(values: Record<string, unknown>, isUnknown: ((value: unknown) => boolean) | undefined): string[] {
  if (!isUnknown) return [];
  const holds = (value: unknown): boolean =>
    isUnknown(value) || (Array.isArray(value) ? value.some(holds) : typeof value === "object" && value !== null && Object.values(value).some(holds));
  return Object.keys(values).filter((key) => holds(values[key]));
}

/** Failures for `jobsets:` config keys that this provider does not know, with a likely-typo hint. */
function configKeyFailures(configKeys: readonly string[] | undefined): CheckFailure[] {
  const known = Object.keys(SETTINGS);
  return (configKeys ?? [])
    .filter((key) => key.startsWith(`${CONFIG_NAMESPACE}:`) && !known.includes(key.slice(CONFIG_NAMESPACE.length + 1)))
    .map((key) => {
      const name = key.slice(CONFIG_NAMESPACE.length + 1);
      const hint = likelyMeant(name, known);
      return {
        property: key,
        reason: `unknown stack config key "${key}"${hint ? ` (did you mean "${CONFIG_NAMESPACE}:${hint}"?)` : ""}; known: ${known.map((k) => `${CONFIG_NAMESPACE}:${k}`).join(", ")}`,
      };
    });
}

// ---------------------------------------------------------------------------------------------------

export interface CheckResult {
  inputs: Record<string, unknown>;
  failures: CheckFailure[];
}

/**
 * Validates and normalises inputs, offline: no request is sent, whatever the inputs. During a preview,
 * inputs not known yet are passed through and only the known ones are judged; the engine checks again
 * with real values before anything is created.
 */
export function check(
  type: string,
  news: Record<string, unknown>,
  services: Pick<Services, "config" | "env" | "progress" | "configKeys" | "isUnknown">,
): CheckResult {
  const kind = kindOf(type);
  const raw = ownInputs(news, kind, true);
  // Settings first: a bad one changes what a teardown would do, whatever the inputs.
  const configFailures = [
    ...configKeyFailures(services.configKeys),
    ...settingErrors(services).map((error) => ({ property: error.property, reason: error.message })),
  ];
  const unknown = unknownKeys(raw, services.isUnknown);
  const parsed = parseInputs(kind, raw, defaultsOf(services));
  if (unknown.length) {
    const aboutUnknown = (property: string) => unknown.some((key) => property === key || property.startsWith(`${key}[`) || property.startsWith(`${key}.`));
    const failures = parsed.success ? [] : parsed.failures.filter((failure) => !aboutUnknown(failure.property));
    return { inputs: raw, failures: [...configFailures, ...failures] };
  }
  if (!parsed.success) return { inputs: raw, failures: [...configFailures, ...parsed.failures] };
  if (configFailures.length) return { inputs: raw, failures: configFailures };
  const ids = idsOf(kind, parsed.data);
  const ceiling = numberSetting("maxJobsPerSet", DEFAULT_MAX_JOBS_PER_SET, services.config, services.env);
  if (ids.length > ceiling) {
    configFailures.push({
      property: kind.idsProperty,
      reason: `a set holds at most ${count(ceiling)} jobs (jobsets:maxJobsPerSet), received ${count(ids.length)}: split it into several sets`,
    });
  }
  if (configFailures.length) return { inputs: raw, failures: configFailures };
  const listed = raw[kind.idsProperty];
  const given = Array.isArray(listed) ? listed.length : 0;
  if (given > ids.length) {
    services.progress.warn(`${kind.service}: ${given - ids.length} duplicate job IDs in ${kind.idsProperty} were collapsed`);
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
 * new version of this package never shows as a change. The order of IDs does not matter. The set's stored
 * jobs are recorded as held (holdings.ts): the engine diffs every set the program still declares.
 */
export function diff(
  type: string,
  id: string,
  olds: Record<string, unknown>,
  news: Record<string, unknown>,
  services: Pick<Services, "config" | "env" | "isUnknown" | "holdings">,
): DiffResult {
  const kind = kindOf(type);
  const before = stateOf(type, olds).state;
  services.holdings?.hold(id, placeOf(kind, before), idsOf(kind, before));
  const given = ownInputs(news, kind, true);
  // A preview with inputs not known yet: those are taken as unchanged, and a change is reported.
  const unknown = unknownKeys(given, services.isUnknown);
  for (const key of unknown) {
    if (key in before) given[key] = before[key];
    else delete given[key];
  }
  const parsed = parseInputs(kind, given, defaultsOf(services));
  if (!parsed.success) throw new InvalidInputError(`invalid inputs:\n${formatFailures(parsed.failures)}`);
  const after = parsed.data;
  const diffs = kind.knownProperties.filter((key) =>
    key === kind.idsProperty ? !sameIds(idsOf(kind, before), idsOf(kind, after)) : !sameValue(before[key], after[key]),
  );
  const replaces = diffs.filter((key) => (kind.replaceProperties as readonly string[]).includes(key));
  return { changes: diffs.length > 0 || unknown.length > 0, replaces, diffs: [...new Set([...diffs, ...unknown])] };
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
  const id = setId(kind, state);
  services.holdings?.hold(id, placeOf(kind, state), idsOf(kind, state));
  return { id, outs: { ...state } };
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
  const removed = notHeldElsewhere(kind, id, after, idsOf(kind, before).filter((jobId) => !kept.has(jobId)), services);
  if (added.length) await kind.verify(services, after, added);
  if (removed.length) {
    admitTeardown(kind, id, removed.length, services);
    try {
      await kind.teardown(services, after, removed);
    } catch (error) {
      const failed = error instanceof PartialTeardownError ? [...error.failed.keys()] : removed;
      const outs = { ...after, [kind.idsProperty]: [...idsOf(kind, after), ...failed] };
      services.holdings?.hold(id, placeOf(kind, after), idsOf(kind, outs));
      throw new UpdateIncompleteError((error as Error).message, id, outs, error);
    }
  }
  services.holdings?.hold(id, placeOf(kind, after), idsOf(kind, after));
  return { outs: { ...after } };
}

/**
 * Tears down every job of the set that still exists. A rerun after a failure finishes the work. A set
 * larger than the mass-teardown limits is refused before any request (see guard.ts).
 */
export async function remove(type: string, id: string, outputs: Record<string, unknown>, services: Services): Promise<void> {
  const { kind, state } = stateOf(type, outputs);
  const ids = notHeldElsewhere(kind, id, state, idsOf(kind, state), services);
  if (ids.length) {
    admitTeardown(kind, id, ids.length, services);
    await kind.teardown(services, state, ids);
  }
  services.holdings?.release(id);
}

/**
 * Of the jobs set `id` is about to tear down, those no other set holds in the same place (holdings.ts): a
 * replacement's new set, created before the old one is deleted, keeps the jobs both declare.
 */
function notHeldElsewhere(kind: AnyKind, id: string, state: Record<string, unknown>, ids: string[], services: Pick<Services, "holdings" | "progress">): string[] {
  if (!services.holdings || ids.length === 0) return ids;
  const held = services.holdings.heldElsewhere(id, placeOf(kind, state), ids);
  if (held.jobs.size === 0) return ids;
  services.progress.log(
    `${kind.service}: ${count(held.jobs.size)} of the ${count(ids.length)} jobs to tear down for set ${id} are left alone: ` +
      `${held.holders.length === 1 ? "set" : "sets"} ${held.holders.join(", ")} now ${held.holders.length === 1 ? "holds" : "hold"} them in the same place`,
  );
  return ids.filter((jobId) => !held.jobs.has(jobId));
}

/** The mass-teardown guard; without a process-wide one (a host that runs one operation), the per-set limit still holds. */
function admitTeardown(kind: AnyKind, id: string, jobs: number, services: Pick<Services, "config" | "env" | "guard">): void {
  (services.guard ?? new TeardownGuard()).admit(kind.service, id, jobs, services);
}

export interface ReadResult {
  id: string;
  /** The set as it is now, with `jobStatuses`: the last status seen of each member, in the order of its IDs. */
  outs: Record<string, unknown>;
  /** The inputs that describe the set now (members that vanished removed). */
  inputs: Record<string, unknown>;
}

/**
 * `pulumi refresh`, and import. One pass of list (or state) calls over the members: jobs that vanished
 * out of band leave the state, with a warning; each remaining job's status is recorded in `jobStatuses`.
 * With no members at hand (an import, or a lookup by ID), where and which jobs come from the ID
 * (`importInputs`); location defaults (endpoint, region) come from the config and environment as at check.
 */
export async function read(type: string, id: string, props: Record<string, unknown>, services: Services): Promise<ReadResult> {
  const kind = kindOf(type);
  const given = ownInputs(props ?? {}, kind, false);
  const source = given[kind.idsProperty] !== undefined ? given : { ...given, ...importInputs(kind, id) };
  const parsed = parseInputs(kind, source, defaultsOf(services));
  if (!parsed.success) throw new InvalidInputError(`cannot read ${type} ${id}:\n${formatFailures(parsed.failures)}`);
  const state = parsed.data;
  const ids = idsOf(kind, state);
  const statuses = await kind.statuses(services, state, ids);
  const remaining = ids.filter((jobId) => statuses.has(jobId));
  const vanished = ids.filter((jobId) => !statuses.has(jobId));
  if (vanished.length) {
    const shown = vanished.slice(0, 20).join(", ") + (vanished.length > 20 ? ` and ${vanished.length - 20} more` : "");
    services.progress.warn(`${kind.service}: ${count(vanished.length)} of ${count(ids.length)} jobs no longer exist and leave the state: ${shown}`);
  }
  const inputs = { ...state, [kind.idsProperty]: remaining };
  // A list in the order of the IDs, not a map keyed by them: the engine keeps an output secret only when the
  // input of the same name was secret, so secret job IDs used as keys would land in state in plain text.
  const jobStatuses = remaining.map((jobId) => statuses.get(jobId)!);
  return { id, outs: { ...inputs, jobStatuses }, inputs };
}
