// The four kinds as data for the fault-injection suite: how to seed, inspect and declare a set of each where a row
// puts it, and which calls its teardown sends. The type token, the input that lists a set's members and the teardown
// modes a kind takes are read from the provider's own description (provider/kinds); what a job's status means is
// not, so that the invariant judges the provider's teardown by the emulator's statuses rather than by its own.
//
// Sets are declared from one real program run (`templateRun`): the provider Pulumi serializes (`__provider`) is
// one shim per type and does not depend on a set's arguments (`templateRun` checks that), so a registration with
// other arguments is exactly what the program would have registered with them. Rows then run their own sets on
// shared provider hosts without a program run each.
import { randomBytes, randomUUID } from "node:crypto";
import { DEFAULT_PROJECT_ID, type Emulator } from "../../emulator";
import { kindOf } from "../../provider/kinds";
import { TEARDOWN_MODES, type TeardownMode } from "../../provider/schema";
import { JOBSET_TOKEN_PREFIX } from "../../sdk/policy/kinds";
import type { ProgramRun, RegisteredResource } from "../harness/program";
import { program, type Declaration } from "./jobsets";
import { EHPC_KIND, FLINK_KIND, MRS_KIND, SPARK_KIND } from "./kinds";

export type KindName = "flink" | "spark" | "mrs" | "ehpc";
export type Teardown = TeardownMode;

/** Where a row's jobs live: its own project (and cluster, zone), so rows sharing an emulator never meet. */
export interface Place {
  projectId: string;
  mrsClusterId: string;
  ehpcZone: string;
  ehpcClusterId: string;
}

export function defaultPlace(): Place {
  return { projectId: DEFAULT_PROJECT_ID, mrsClusterId: "mrs-reliability", ehpcZone: "pek3", ehpcClusterId: "ehpc-reliability" };
}

/** A fresh place: a random project ID (32 hex characters, as the gateway requires). */
export function newPlace(): Place {
  return { ...defaultPlace(), projectId: randomBytes(16).toString("hex") };
}

export interface KindDriver {
  name: KindName;
  kind: Declaration["kind"];
  /** The type token the host is called with. */
  type: string;
  idsProperty: "jobIds" | "batchIds";
  /** Teardown modes the kind has (Spark and MRS have one way each: cancel; kill, then delete). */
  teardowns: readonly Teardown[];
  /** The set's default teardown in these tests. */
  defaultTeardown: Teardown;
  /** Ops that only read (lists, states). */
  readOps: readonly string[];
  /** Ops that change jobs, in the order a teardown sends them. */
  mutationOps(teardown: Teardown): string[];
  /** Seeds `count` running jobs; returns their IDs. */
  seed(emu: Emulator, place: Place, count: number): string[];
  /** Every job where the set lives, by ID, with its status. */
  statuses(emu: Emulator, place: Place): Map<string, string>;
  /** The set's arguments, as a program would pass them. */
  args(endpoint: string, place: Place, ids: string[], extra?: Record<string, unknown>): Record<string, unknown>;
  /** Whether a job in this status (undefined = gone) counts as torn down under `teardown`. */
  tornDown(status: string | undefined, teardown: Teardown): boolean;
}

/** The type token and the input listing a set's members, as the provider describes the kind `type`. */
function describedByProvider(type: string): Pick<KindDriver, "type" | "idsProperty"> {
  const kind = kindOf(type);
  return { type: `${JOBSET_TOKEN_PREFIX}${kind.type}`, idsProperty: kind.idsProperty as KindDriver["idsProperty"] };
}

/** The ops a teardown mode sends, for kinds that can both stop and delete (Flink, EHPC). */
function stopAndDeleteOps(service: "flink" | "ehpc"): KindDriver["mutationOps"] {
  return (teardown) => [...(teardown === "delete" ? [] : [`${service}.stop`]), ...(teardown === "stop" ? [] : [`${service}.delete`])];
}

const FLINK_STOPPED = new Set(["job_cancel_success", "job_init", "job_finish", "job_submit_fail", "job_arrearage_stopped"]);
const EHPC_ENDED = new Set(["finished", "exited", "cancelled", "stopped"]);
const SPARK_ACTIVE = new Set(["starting", "running", "recovering"]);

const flink: KindDriver = {
  name: "flink",
  kind: FLINK_KIND.kind,
  ...describedByProvider("DliFlinkJobSet"),
  teardowns: TEARDOWN_MODES,
  defaultTeardown: "stop-then-delete",
  readOps: ["flink.list"],
  mutationOps: stopAndDeleteOps("flink"),
  seed: (emu, place, count) => emu.seedFlinkJobs(place.projectId, Array.from({ length: count }, () => ({}))),
  statuses: (emu, place) => new Map(emu.flinkJobs(place.projectId).map((job) => [job.jobId, job.status])),
  args: (endpoint, place, ids, extra = {}) => ({ jobIds: ids, projectId: place.projectId, endpoint, teardown: flink.defaultTeardown, ...extra }),
  tornDown: (status, teardown) => status === undefined || (teardown === "stop" && FLINK_STOPPED.has(status)),
};

const spark: KindDriver = {
  name: "spark",
  kind: SPARK_KIND.kind,
  ...describedByProvider("DliSparkBatchSet"),
  teardowns: ["stop"],
  defaultTeardown: "stop",
  readOps: ["spark.state"],
  mutationOps: () => ["spark.cancel"],
  seed: (emu, place, count) => emu.seedSparkBatches(place.projectId, Array.from({ length: count }, () => ({}))),
  statuses: (emu, place) => new Map(emu.sparkBatches(place.projectId).map((batch) => [batch.id, batch.state.toLowerCase()])),
  args: (endpoint, place, ids, extra = {}) => ({ batchIds: ids, projectId: place.projectId, endpoint, ...extra }),
  // A batch is never deleted: cancelled means it has ended.
  tornDown: (status) => status === undefined || !SPARK_ACTIVE.has(status),
};

const mrs: KindDriver = {
  name: "mrs",
  kind: MRS_KIND.kind,
  ...describedByProvider("MrsJobExecutionSet"),
  teardowns: ["delete"],
  defaultTeardown: "delete",
  readOps: ["mrs.list"],
  mutationOps: () => ["mrs.kill", "mrs.batchDelete"],
  seed: (emu, place, count) => emu.seedMrsJobs(place.projectId, place.mrsClusterId, Array.from({ length: count }, () => ({}))),
  statuses: (emu, place) => new Map(emu.mrsJobs(place.projectId, place.mrsClusterId).map((job) => [job.jobId, job.state])),
  args: (endpoint, place, ids, extra = {}) => ({ clusterId: place.mrsClusterId, jobIds: ids, projectId: place.projectId, endpoint, ...extra }),
  tornDown: (status) => status === undefined,
};

const ehpc: KindDriver = {
  name: "ehpc",
  kind: EHPC_KIND.kind,
  ...describedByProvider("EhpcJobSet"),
  teardowns: TEARDOWN_MODES,
  defaultTeardown: "stop-then-delete",
  readOps: ["ehpc.list"],
  mutationOps: stopAndDeleteOps("ehpc"),
  seed: (emu, place, count) => emu.seedEhpcJobs(place.ehpcZone, place.ehpcClusterId, Array.from({ length: count }, () => ({}))),
  statuses: (emu, place) => new Map(emu.ehpcJobs(place.ehpcZone, place.ehpcClusterId).map((job) => [job.jobId, job.status])),
  args: (endpoint, place, ids, extra = {}) => ({
    clusterId: place.ehpcClusterId,
    zone: place.ehpcZone,
    jobIds: ids,
    endpoint,
    teardown: ehpc.defaultTeardown,
    ...extra,
  }),
  tornDown: (status, teardown) => status === undefined || (teardown === "stop" && EHPC_ENDED.has(status)),
};

export const KINDS: Record<KindName, KindDriver> = { flink, spark, mrs, ehpc };
export const ALL_KINDS: readonly KindName[] = ["flink", "spark", "mrs", "ehpc"];

// --- declaring sets without a program run per row -------------------------------------------------------------

/**
 * One run of the fixture program declaring two sets of every kind with different arguments. Throws unless both
 * sets of a kind carry the same `__provider`: the serialized provider does not depend on the arguments.
 */
export async function templateRun(): Promise<ProgramRun> {
  const place = defaultPlace();
  const declarations: Declaration[] = [];
  for (const name of ALL_KINDS) {
    const driver = KINDS[name];
    const ids = (n: number) =>
      name === "flink" ? [String(100 + n)] : name === "ehpc" ? [`hpcjob-tmpl000${n}`] : [randomUUID()];
    declarations.push({ kind: driver.kind, name: `${name}-template-1`, args: driver.args("http://127.0.0.1:1", place, ids(1)) });
    declarations.push({ kind: driver.kind, name: `${name}-template-2`, args: driver.args("http://127.0.0.1:2", newPlace(), ids(2), { waitTimeoutSeconds: 7 }) });
  }
  const run = await program(declarations);
  for (const name of ALL_KINDS) {
    const [first, second] = run.resources.filter((r) => r.type === KINDS[name].type);
    if (!first || !second || typeof first.inputs.__provider !== "string" || first.inputs.__provider !== second.inputs.__provider) {
      throw new Error(`${name}: the serialized provider differs between two sets of the same kind; declare each set in a program run`);
    }
  }
  return run;
}

/** What the program would have registered for a set `name` of this kind with these arguments. */
export function registration(template: ProgramRun, driver: KindDriver, name: string, args: Record<string, unknown>): RegisteredResource {
  const base = template.resources.find((r) => r.type === driver.type);
  if (!base) throw new Error(`the template run has no ${driver.type}`);
  return { ...base, name, urn: base.urn.replace(/::[^:]+$/, `::${name}`), inputs: { __provider: base.inputs.__provider, ...args } };
}

/** A program run registering exactly these sets (each made with `registration`). */
export function runOf(template: ProgramRun, resources: RegisteredResource[]): ProgramRun {
  return { ...template, resources };
}
