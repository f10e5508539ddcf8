// Shared code of the fault-injection suite (test/reliability/) and the secrets checks: the four kinds as data
// (how to seed, inspect and declare a set of each), an emulator that can be restarted with its jobs, the call
// statistics of the scenario table, the invariant every scenario ends with, and the credentials a run must never
// leave behind.
//
// Sets are declared from one real program run (`templateRun`): the provider Pulumi serializes (`__provider`) is
// one shim per type and does not depend on a set's arguments (`templateRun` checks that), so a registration with
// other arguments is exactly what the program would have registered with them. Rows then run their own sets on
// shared provider hosts without a program run each.
import { randomBytes, randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import {
  DEFAULT_PROJECT_ID,
  startEmulator,
  type Emulator,
  type EmulatorOptions,
  type RecordedCall,
} from "../../emulator";
import type { StateResource } from "../harness/engine";
import type { ProgramRun, RegisteredResource } from "../harness/program";
import { program, type Declaration } from "./jobsets";
import { EHPC_KIND, FLINK_KIND, MRS_KIND, SPARK_KIND, type TestKind } from "./kinds";

// --- credentials ----------------------------------------------------------------------------------------------

/** Credentials made up for one test file, so a leak is found by exact match and never confused with defaults. */
export interface TestCredentials {
  accessKey: string;
  secretKey: string;
  /** Temporary credentials: sent as X-Security-Token, signed. */
  securityToken: string;
  iamDomain: string;
  iamUser: string;
  iamPassword: string;
  qingcloudAccessKeyId: string;
  qingcloudSecretAccessKey: string;
}

export function makeCredentials(): TestCredentials {
  const hex = (bytes: number) => randomBytes(bytes).toString("hex");
  return {
    accessKey: `RELAK${hex(8).toUpperCase()}`,
    secretKey: `relsk${hex(18)}`,
    securityToken: `relst${randomBytes(48).toString("base64url")}`,
    iamDomain: "jobsets-reliability",
    iamUser: "jobsets-reliability-user",
    iamPassword: `relpw-${hex(12)}`,
    qingcloudAccessKeyId: `RELQY${hex(8).toUpperCase()}`,
    qingcloudSecretAccessKey: `relqysk${hex(18)}`,
  };
}

/** The secret values of `creds`, by name, for leak scans (the IAM user and domain names are not secret). */
export function secretValues(creds: TestCredentials): Record<string, string> {
  return {
    "AK (HW_ACCESS_KEY)": creds.accessKey,
    "SK (HW_SECRET_KEY)": creds.secretKey,
    "security token (HW_SECURITY_TOKEN)": creds.securityToken,
    "IAM password (HW_USER_PASSWORD)": creds.iamPassword,
    "QingCloud access key ID": creds.qingcloudAccessKeyId,
    "QingCloud secret access key": creds.qingcloudSecretAccessKey,
  };
}

/** Emulator options that accept exactly `creds` (AK/SK with a security token, the IAM user, the QingCloud pair). */
export function emulatorCredentials(creds: TestCredentials): EmulatorOptions {
  return {
    credentials: [{ accessKey: creds.accessKey, secretKey: creds.secretKey, securityToken: creds.securityToken }],
    iamUsers: [{ domain: creds.iamDomain, name: creds.iamUser, password: creds.iamPassword }],
    qingcloudCredentials: [{ accessKeyId: creds.qingcloudAccessKeyId, secretAccessKey: creds.qingcloudSecretAccessKey }],
  };
}

/**
 * A provider host's environment with `creds`: temporary AK/SK for Huawei (`auth: "password"`: an IAM password
 * login through `iamEndpoint` instead), the QingCloud pair, fast retries, no endpoint defaults (every set names
 * its endpoint, so one host serves many emulators), and a HOME with no ~/.qingcloud.
 */
export function hostEnv(creds: TestCredentials, opts: { auth?: "aksk" | "password"; iamEndpoint?: string; extra?: Record<string, string> } = {}): Record<string, string> {
  const huawei: Record<string, string> =
    opts.auth === "password"
      ? {
          HW_ACCESS_KEY: "",
          HW_SECRET_KEY: "",
          HW_SECURITY_TOKEN: "",
          HW_USER_NAME: creds.iamUser,
          HW_USER_PASSWORD: creds.iamPassword,
          HW_DOMAIN_NAME: creds.iamDomain,
          JOBSETS_IAM_ENDPOINT: opts.iamEndpoint ?? "",
        }
      : {
          HW_ACCESS_KEY: creds.accessKey,
          HW_SECRET_KEY: creds.secretKey,
          HW_SECURITY_TOKEN: creds.securityToken,
          HW_USER_NAME: "",
          HW_USER_PASSWORD: "",
        };
  return {
    ...huawei,
    HW_AUTH_TOKEN: "",
    OS_ACCESS_KEY: "",
    OS_SECRET_KEY: "",
    HW_PROJECT_ID: "",
    QY_ACCESS_KEY_ID: creds.qingcloudAccessKeyId,
    QY_SECRET_ACCESS_KEY: creds.qingcloudSecretAccessKey,
    QINGCLOUD_ACCESS_KEY_ID: "",
    QINGCLOUD_SECRET_ACCESS_KEY: "",
    HOME: "/nonexistent-jobsets-test-home",
    JOBSETS_DLI_ENDPOINT: "",
    JOBSETS_MRS_ENDPOINT: "",
    JOBSETS_EHPC_ENDPOINT: "",
    // Fast backoff, and few enough attempts that a fault that never clears gives up in well under a second.
    JOBSETS_RETRY_MIN_DELAY_MS: "20",
    JOBSETS_MAX_RETRIES: "5",
    ...opts.extra,
  };
}

/** Every place `needle` occurs in the named haystacks, as "haystack" labels. */
export function leaks(haystacks: Record<string, string>, needles: Record<string, string>): string[] {
  const found: string[] = [];
  for (const [needleName, needle] of Object.entries(needles)) {
    for (const [haystackName, haystack] of Object.entries(haystacks)) {
      if (needle !== "" && haystack.includes(needle)) found.push(`${needleName} in ${haystackName}`);
    }
  }
  return found;
}

// --- the four kinds as data -----------------------------------------------------------------------------------

export type KindName = "flink" | "spark" | "mrs" | "ehpc";
export type Teardown = "delete" | "stop" | "stop-then-delete";

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

/** A kind's names as the shared table gives them (helpers/kinds.ts). */
function namesOf(kind: TestKind): Pick<KindDriver, "kind" | "type" | "idsProperty"> {
  return { kind: kind.kind, type: kind.token, idsProperty: kind.idsProperty };
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
  ...namesOf(FLINK_KIND),
  teardowns: ["delete", "stop", "stop-then-delete"],
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
  ...namesOf(SPARK_KIND),
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
  ...namesOf(MRS_KIND),
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
  ...namesOf(EHPC_KIND),
  teardowns: ["delete", "stop", "stop-then-delete"],
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

// --- an emulator that can be restarted ------------------------------------------------------------------------

/** A recorded call, tagged with the emulator incarnation that answered it (restarts start new ones). */
export interface Call extends RecordedCall {
  incarnation: number;
}

/**
 * The emulator a row talks to, restartable on the same port with the same jobs: `restart()` snapshots every job
 * through the emulator's own listings, closes it (dropping every connection), waits `downMs`, starts a new one on
 * the same port and seeds the jobs back with their IDs and states. In-flight asynchronous stops are lost where the
 * state does not show them (Spark, MRS and EHPC jobs stay running, as after a restart that lost the request); a
 * Flink job still job_canceling completes after its stop delay. Recorded calls of every incarnation are kept.
 */
export class RestartableEmulator {
  private past: Call[] = [];
  private incarnation = 0;

  private constructor(
    private current: Emulator,
    private options: EmulatorOptions,
    private readonly owned: boolean,
  ) {}

  static async start(options: EmulatorOptions): Promise<RestartableEmulator> {
    return new RestartableEmulator(await startEmulator(options), options, true);
  }

  /** Wraps a shared emulator: `close()` leaves it running, `restart()` is refused. */
  static wrap(emu: Emulator): RestartableEmulator {
    return new RestartableEmulator(emu, {}, false);
  }

  get emu(): Emulator {
    return this.current;
  }

  get url(): string {
    return this.current.url;
  }

  async restart(changes: Partial<EmulatorOptions> = {}, downMs = 0): Promise<void> {
    if (!this.owned) throw new Error("a shared emulator cannot be restarted");
    const old = this.current;
    const snapshot = { flink: old.flinkJobs(), spark: old.sparkBatches(), mrs: old.mrsJobs(), ehpc: old.ehpcJobs() };
    this.past.push(...this.tagged(old));
    await old.close();
    await sleep(downMs);
    this.options = { ...this.options, ...changes, port: old.port };
    const next = await startEmulator(this.options);
    this.incarnation++;
    for (const [projectId, jobs] of groupBy(snapshot.flink, (j) => j.projectId)) {
      next.seedFlinkJobs(projectId, jobs.map((j) => ({ jobId: j.jobId, name: j.name, status: j.status })));
    }
    for (const [projectId, batches] of groupBy(snapshot.spark, (b) => b.projectId)) {
      next.seedSparkBatches(projectId, batches.map((b) => ({ id: b.id, name: b.name, state: b.state, queue: b.queue })));
    }
    for (const [key, jobs] of groupBy(snapshot.mrs, (j) => `${j.projectId}\u0000${j.clusterId}`)) {
      const [projectId, clusterId] = key.split("\u0000") as [string, string];
      next.seedMrsJobs(projectId, clusterId, jobs.map((j) => ({ jobId: j.jobId, name: j.name, state: j.state, result: j.result })));
    }
    for (const [key, jobs] of groupBy(snapshot.ehpc, (j) => `${j.zone}\u0000${j.clusterId}`)) {
      const [zone, clusterId] = key.split("\u0000") as [string, string];
      next.seedEhpcJobs(zone, clusterId, jobs.map((j) => ({ jobId: j.jobId, name: j.name, status: j.status })));
    }
    this.current = next;
  }

  /** Calls recorded since the last `resetCalls`, every incarnation's, in order. */
  calls(): Call[] {
    return [...this.past, ...this.tagged(this.current)];
  }

  resetCalls(): void {
    this.past = [];
    this.current.resetCalls();
  }

  async close(): Promise<void> {
    if (this.owned) await this.current.close();
  }

  private tagged(emu: Emulator): Call[] {
    return emu.calls().map((call) => ({ ...call, incarnation: this.incarnation }));
  }
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return groups;
}

/**
 * Runs `action` once a call of `op` (answered 2xx) has been recorded, polling every 5 ms, for faults that must
 * strike mid-destroy ("while the teardown waits"). `stop()` ends the watch; `done` settles when the action has run.
 */
export function whenCalled(cloud: RestartableEmulator, op: string, action: () => Promise<void> | void): { done: Promise<boolean>; stop(): void } {
  let stopped = false;
  const done = (async () => {
    while (!stopped) {
      if (cloud.emu.calls({ op }).some((call) => call.status >= 200 && call.status < 300 && !call.dropped)) {
        await action();
        return true;
      }
      await sleep(5);
    }
    return false;
  })();
  return {
    done,
    stop: () => {
      stopped = true;
    },
  };
}

// --- statistics for the table ---------------------------------------------------------------------------------

/** EHPC's per-attempt signing parameters: a resend carries new ones, yet it is the same request. */
const SIGNING_PARAMETERS = new Set(["access_key_id", "signature_method", "signature_version", "version", "timestamp", "signature"]);

function requestKey(call: RecordedCall): string {
  const query = Object.entries(call.query)
    .filter(([name]) => !SIGNING_PARAMETERS.has(name))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, value]) => `${name}=${value}`)
    .join("&");
  return `${call.op} ${call.method} ${call.path}?${query} ${call.body}`;
}

/** Whether the client got no usable answer: dropped, not 2xx, or an EHPC error in a 2xx (`ret_code` ≠ 0). */
export function failedAnswer(call: RecordedCall): boolean {
  if (call.dropped || call.status < 200 || call.status >= 300) return true;
  const retCode = /"ret_code"\s*:\s*(-?\d+)/.exec(call.responseBody)?.[1];
  return retCode !== undefined && retCode !== "0";
}

export interface CallStats {
  /** API calls the emulator recorded (every incarnation; IAM logins included). */
  requests: number;
  /** See `callStats`. */
  retries: number;
}

/**
 * The table's numbers. A call is a RETRY when it resends a request (same op, method, path, query without EHPC's
 * signing parameters, and body) whose previous sending got no usable answer: a non-2xx status, an EHPC ret_code
 * other than 0, a dropped connection, or an answer that came only after this resend had arrived (the client had
 * timed out). Repeated polls whose previous answer was fine are not retries, and neither is a call that sends
 * fewer IDs after a failure (that is the teardown narrowing down, not a resend). Connection attempts refused while
 * an emulator was down are not recorded anywhere, so they are in neither number.
 */
export function callStats(calls: readonly Call[]): CallStats {
  const last = new Map<string, Call>();
  let retries = 0;
  for (const call of [...calls].sort((a, b) => a.incarnation - b.incarnation || a.seq - b.seq)) {
    const key = requestKey(call);
    const previous = last.get(key);
    if (previous && (failedAnswer(previous) || (previous.incarnation === call.incarnation && previous.answeredAt > call.at))) retries++;
    last.set(key, call);
  }
  return { requests: calls.length, retries };
}

/** Whether `id` appears in the call's path or body as a whole token (digits IDs not inside longer numbers). */
export function mentions(call: RecordedCall, id: string): boolean {
  const escaped = id.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`(?<![0-9A-Za-z-])${escaped}(?![0-9A-Za-z-])`).test(`${decodeURIComponent(call.path)} ${call.body}`);
}

// --- the invariant --------------------------------------------------------------------------------------------

/** The IDs a stack's state still lists for sets of this kind. */
export function idsInState(state: readonly StateResource[], driver: KindDriver): Set<string> {
  const ids = new Set<string>();
  for (const entry of state) {
    if (entry.type !== driver.type) continue;
    const listed = entry.outputs[driver.idsProperty];
    for (const id of Array.isArray(listed) ? listed : []) ids.add(String(id));
  }
  return ids;
}

export interface InvariantInput {
  driver: KindDriver;
  place: Place;
  emu: Emulator;
  teardown: Teardown;
  /** The jobs of the set(s) destroyed. */
  ids: readonly string[];
  /** What the harness's state(s) still list. */
  stillInState: ReadonlySet<string>;
  /** The destroy's error, if it failed: it must name every job it left behind. */
  error?: Error;
  /** Jobs outside the set, with the status they were seeded in. */
  outsiders: ReadonlyMap<string, string>;
  calls: readonly RecordedCall[];
}

/**
 * What must hold after any destroy, faults or not: each job of the set is torn down (gone; stopped for teardown
 * "stop"; ended for Spark) or still listed in the state, and named by the error when there is one; no job outside
 * the set was touched (same status, and never named by a call). Returns the violations, empty when it holds.
 */
export function invariantViolations(input: InvariantInput): string[] {
  const { driver, place, emu, teardown, ids, stillInState, error, outsiders, calls } = input;
  const statuses = driver.statuses(emu, place);
  const violations: string[] = [];
  for (const id of ids) {
    const status = statuses.get(id);
    if (driver.tornDown(status, teardown)) continue;
    if (!stillInState.has(id)) violations.push(`${driver.name} job ${id} is ${status} but no longer in the state`);
    else if (error && !error.message.includes(id)) violations.push(`${driver.name} job ${id} is ${status}, and the error does not name it`);
    else if (!error) violations.push(`${driver.name} job ${id} is ${status} though the destroy succeeded`);
  }
  for (const [id, seeded] of outsiders) {
    const now = statuses.get(id);
    if (now !== seeded) violations.push(`outsider ${id} was touched: ${seeded} → ${now ?? "gone"}`);
    for (const call of calls) if (mentions(call, id)) violations.push(`outsider ${id} named by call #${call.seq} ${call.op}`);
  }
  return violations;
}

// --- the table ------------------------------------------------------------------------------------------------

export interface TableRow {
  [column: string]: string | number;
}

/** A plain-text table with a header line, columns padded to their widest cell. */
export function formatTable(rows: readonly TableRow[], columns: readonly string[]): string {
  const cells = [columns.map(String), ...rows.map((row) => columns.map((c) => String(row[c] ?? "")))];
  const widths = columns.map((_, i) => Math.max(...cells.map((line) => line[i]!.length)));
  const line = (values: string[]) => values.map((v, i) => v.padEnd(widths[i]!)).join("  ").trimEnd();
  return [line(cells[0]!), widths.map((w) => "-".repeat(w)).join("  "), ...cells.slice(1).map(line)].join("\n");
}

/** The first line of an error message, shortened for a table cell. */
export function firstLine(message: string, max = 110): string {
  const line = message.split("\n").find((l) => l.trim() !== "")?.trim() ?? "";
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** A promise-chain lock: rows that share something (a host's clock, an emulator) run one at a time. */
export function serial(): <T>(task: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(task: () => Promise<T>) => {
    const result = tail.then(task, task);
    tail = result.catch(() => undefined);
    return result;
  };
}
