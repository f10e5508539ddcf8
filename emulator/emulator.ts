/**
 * One loopback HTTP server for every emulated service. Services don't collide on paths (DLI Flink `/v1.0/...`,
 * IAM `/v3/auth/tokens`, DLI Spark `/v2.0/...`, MRS `/v2/...`, EHPC `/api/...`), so one port serves them all.
 * Each service is a module (see service.ts); this file wires them up and runs the cross-cutting request pipeline:
 * read body → route → gateway checks → injected fault → handler → latency → answer (or drop) → record.
 */
import { randomBytes } from "node:crypto";
import { type IncomingMessage, type Server, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { setMaxListeners } from "node:events";
import { setTimeout as delay } from "node:timers/promises";
import { type AdminControls, coreAdminRoutes } from "./admin";
import { type CallFilter, CallRecorder, type RecordedCall, redactHeaders } from "./calls";
import { type ListChurn, ListChurner } from "./churn";
import { parseJsonExact, stringifyJsonExact } from "./exact-json";
import { type Fault, FaultRegistry, defaultJobFailureMessage } from "./faults";
import { type DliFlinkModule, type MissingJobAnswer, createDliFlinkModule } from "./huawei-dli-flink";
import { type FlinkJobSeed, type FlinkJobView, defaultFlinkSavepointPath } from "./huawei-dli-flink-jobs";
import { type DliSparkModule, createDliSparkModule } from "./huawei-dli-spark";
import { DEFAULT_SPARK_CANCEL_DELAY_MS, type SparkBatchSeed, type SparkBatchView } from "./huawei-dli-spark-batches";
import { DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, DEFAULT_TOKEN_TTL_MS, HuaweiGateway, apigError } from "./huawei-gateway";
import { DEFAULT_IAM_DOMAIN, DEFAULT_IAM_PASSWORD, DEFAULT_IAM_USER, type IamUser, createIamModule } from "./huawei-iam";
import { DEFAULT_MRS_MAX_BATCH_SIZE, type MrsDetailStatus, type MrsModule, createMrsModule } from "./huawei-mrs";
import type { MrsErrorSpelling } from "./huawei-mrs-errors";
import { DEFAULT_MRS_KILL_DELAY_MS, type MrsJobSeed, type MrsJobView } from "./huawei-mrs-jobs";
import type { HuaweiCredential } from "./huawei-signature";
import { type EhpcModule, createEhpcModule } from "./qingcloud-ehpc";
import { DEFAULT_QINGCLOUD_ACCESS_KEY_ID, DEFAULT_QINGCLOUD_SECRET_ACCESS_KEY } from "./qingcloud-ehpc-gateway";
import { DEFAULT_EHPC_STOP_DELAY_MS, type EhpcJobSeed, type EhpcJobView } from "./qingcloud-ehpc-jobs";
import type { QingCloudCredential } from "./qingcloud-signature";
import { type Admission, AdminInputError, type AdminRoute, type ApiAnswer, type ApiRequest, type JobLocation, type JobService, type Route, type ServiceModule } from "./service";

/** Time a stopping Flink job takes to reach job_cancel_success, in ms. */
export const DEFAULT_STOP_DELAY_MS = 50;
export const DEFAULT_HOST = "127.0.0.1";
/** `host` value that listens on both loopback addresses (127.0.0.1 and ::1) on one port. */
export const BOTH_LOOPBACKS_HOST = "localhost";
/** Attempts at finding a port free on both loopbacks when `host: "localhost"` and port 0. */
const DUAL_LISTEN_ATTEMPTS = 5;
/** The spellings `urlFor` writes an endpoint in. */
export type LoopbackSpelling = "127.0.0.1" | "localhost" | "::1";
/** Bodies above this are refused (413): batch calls of thousands of IDs stay far below it. */
const MAX_BODY_BYTES = 10 * 1024 * 1024;

export interface EmulatorOptions {
  /** Default 0 (any free port). */
  port?: number;
  /**
   * Default 127.0.0.1. "localhost": listens on 127.0.0.1 AND ::1 on the same port (two sockets, loopback only), so
   * `http://127.0.0.1:<port>` and `http://localhost:<port>` reach this emulator whichever address localhost resolves
   * to (`urlFor`). Where the machine has no IPv6 loopback, only 127.0.0.1.
   */
  host?: string;
  /** AK/SK pairs the gateway accepts. Default: one pair, DEFAULT_ACCESS_KEY / DEFAULT_SECRET_KEY. */
  credentials?: HuaweiCredential[];
  /** Users IAM issues tokens to. Default: DEFAULT_IAM_DOMAIN / DEFAULT_IAM_USER / DEFAULT_IAM_PASSWORD. */
  iamUsers?: IamUser[];
  /** Ready-made tokens accepted as X-Auth-Token (like HW_AUTH_TOKEN); recorded as `token:preset`. */
  tokens?: string[];
  /** Lifetime of tokens IAM issues, in ms. Default 24 h. */
  tokenTtlMs?: number;
  /** Time a stopping Flink job takes to reach job_cancel_success, in ms. Default 50. */
  stopDelayMs?: number;
  /** Added to every API answer, in ms. Default 0. */
  latencyMs?: number;
  /**
   * Batch endpoints refuse more IDs than this: Flink 400 DLI.0001, MRS batch delete 400 0202, EHPC ret_code 1100.
   * Default: no limit for Flink and EHPC (none is documented), 200 for MRS (DEFAULT_MRS_MAX_BATCH_SIZE).
   */
  maxBatchSize?: number;
  /** The emulator clock's offset from the machine's, in ms (to test X-Sdk-Date expiry). Default 0. */
  clockSkewMs?: number;
  /** What batch stop/delete answer for IDs that don't exist (unverified on the real service). Default "element". */
  missingJobAnswer?: MissingJobAnswer;
  /**
   * The Flink detail's `savepoint_path` once a stop with trigger_savepoint=true completes; null leaves it null (whether
   * DLI fills it is unverified). Default: `obs://jobsets-emulator-savepoints/flink/<jobId>/savepoint-1`.
   */
  flinkSavepointPath?: (jobId: string) => string | null;

  /** Time a cancelled DLI Spark batch takes to reach `dead`, in ms. Default 50. */
  sparkCancelDelayMs?: number;

  /** Time a killed MRS job takes to reach KILLED, in ms. Default 50. */
  mrsKillDelayMs?: number;
  /** MRS error field spelling: "snake", "camel", or "mixed" (default: camelCase for batch delete's own errors). */
  mrsErrorSpelling?: MrsErrorSpelling;
  /** HTTP status of a successful MRS job detail: 200, 202, or "alternate" (default: 200, 202, 200, …). */
  mrsDetailStatus?: MrsDetailStatus;

  /** Key pairs EHPC accepts. Default: one pair, DEFAULT_QINGCLOUD_ACCESS_KEY_ID / DEFAULT_QINGCLOUD_SECRET_ACCESS_KEY. */
  qingcloudCredentials?: QingCloudCredential[];
  /** Time a stopped EHPC job takes to show `stopped`, in ms. Default 50. */
  ehpcStopDelayMs?: number;
  /** Signed EHPC calls allowed per rolling hour (emulator clock); past it, ret_code 2500. Default: no quota. */
  ehpcQuotaPerHour?: number;
}

export interface Emulator extends AdminControls {
  /** `http://127.0.0.1:<port>` (or the `host` listened on): the endpoint for every service. */
  readonly url: string;
  readonly port: number;
  /**
   * The endpoint under one spelling of the loopback: "127.0.0.1" and "::1" need the emulator to listen there,
   * "localhost" needs `host: "localhost"` (both loopbacks), so the URL reaches it wherever localhost resolves.
   */
  urlFor(spelling: LoopbackSpelling): string;
  /** Closes all connections (keep-alive ones too) and stops listening. */
  close(): Promise<void>;

  /** Adds Flink jobs to a project; returns their IDs as decimal strings (auto IDs start above 2^53). */
  seedFlinkJobs(projectId: string, jobs: readonly FlinkJobSeed[]): string[];
  /** Current Flink jobs (of one project, or all), in seeding order. */
  flinkJobs(projectId?: string): FlinkJobView[];

  /** Adds DLI Spark batches to a project; returns their IDs (random v4 UUIDs unless given). */
  seedSparkBatches(projectId: string, batches: readonly SparkBatchSeed[]): string[];
  /** Current Spark batches (of one project, or all), in seeding order. */
  sparkBatches(projectId?: string): SparkBatchView[];

  /** Creates an (empty) MRS cluster; calls naming a cluster that was never added or seeded answer 12000003. */
  addMrsCluster(projectId: string, clusterId: string): void;
  /** Adds MRS jobs to a cluster (created if needed); returns their IDs (random v4 UUIDs unless given). */
  seedMrsJobs(projectId: string, clusterId: string, jobs: readonly MrsJobSeed[]): string[];
  /** Current MRS jobs (of one project and/or cluster, or all): by project, then cluster, then seeding order. */
  mrsJobs(projectId?: string, clusterId?: string): MrsJobView[];

  /** Creates an (empty) EHPC cluster in a zone; calls naming an unknown cluster answer ret_code 2100. */
  addEhpcCluster(zone: string, clusterId: string): void;
  /** Adds EHPC jobs to a cluster (created if needed); returns their hpcjob_uuids. */
  seedEhpcJobs(zone: string, clusterId: string, jobs: readonly EhpcJobSeed[]): string[];
  /** Current EHPC jobs (of one zone and/or cluster, or all): by zone, then cluster, then seeding order. */
  ehpcJobs(zone?: string, clusterId?: string): EhpcJobView[];

  /**
   * Sets a job's status now, as if the service moved it (any string; one outside the kind's documented list behaves
   * as running). Clears a stop under way. Flink job_canceling/job_savepointing complete after the stop delay, as
   * seeded ones do. `where` picks the collection when the ID is in several. Throws for an unknown ID.
   */
  setJobStatus(service: JobService, jobId: string | bigint | number, status: string, where?: JobLocation): void;

  /** Recorded API calls in arrival order (admin calls are not recorded). */
  calls(filter?: CallFilter): RecordedCall[];
  resetCalls(): void;
  /** The next `fault.times` (default 1) calls of `op` get `fault`. Faults queued for one op apply in order. */
  failNext(op: string, fault: Fault): void;
  /**
   * These jobs' answers in `op` fail and the jobs stay unchanged: flink.stop, flink.delete, flink.deleteOne (the
   * job's element), spark.cancel (500 DLI.0999), mrs.kill (500 0175), mrs.batchDelete (500 0161 naming the jobs,
   * the others ARE deleted), ehpc.stop and ehpc.delete (ret_code 5000 naming the jobs, the others ARE processed).
   */
  failJobs(op: string, jobIds: readonly (string | bigint | number)[], message?: string): void;
  /**
   * Deletes of these jobs in `op` (flink.delete, flink.deleteOne, mrs.batchDelete, ehpc.delete) answer success as
   * usual (Flink's element is_success "true", MRS 200 with an empty body, EHPC ret_code 0) but leave the jobs where
   * they were, `times` times per job (default: every time). The call's other jobs are deleted; a refusal of the
   * whole call (MRS 0183, EHPC 1400, …) still refuses and uses up nothing. Lifted by clearFaults() and reset().
   */
  lieOnDelete(op: string, jobIds: readonly (string | bigint | number)[], options?: { times?: number }): void;
  /** Lifts failNext, failJobs and lieOnDelete (not list churn: stopChurn()). */
  clearFaults(): void;
  /**
   * List churn (see churn.ts): after each successful answer of `churn.op`, in the collection it listed, deletes
   * (`remove`) then creates `create` running outsider jobs, newest of the collection. Rules for one op apply in
   * order, each for its `times` answers; `undefined` drops every rule, like stopChurn().
   */
  churnLists(churn: ListChurn | undefined): void;
  /** Drops every churn rule; jobs churn created or deleted stay so. */
  stopChurn(): void;
  /** IDs of the jobs churn created (all ops), in creation order, deleted ones included. */
  churnCreated(): string[];
  /** IDs of the jobs churn deleted, in deletion order. */
  churnRemoved(): string[];
  /** Expires every token the emulator accepts (issued and `options.tokens`). */
  expireTokens(): void;
  /**
   * Every token IAM issued (sent in X-Subject-Token answers, which `calls()` does not record), in issuing order,
   * expired ones included: for tests that check no token leaked into state, logs or errors.
   */
  issuedTokens(): string[];
  /** The emulator clock (ms since epoch), machine time plus `clockSkewMs`. */
  now(): number;
  /** Forgets jobs, clusters, recorded calls, faults, churn and the EHPC quota count (credentials and tokens stay). */
  reset(): void;
}

/** Starts the emulator; rejects if the options are invalid or the port can't be bound. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const emulator = new EmulatorServer(validateOptions(options));
  const host = options.host ?? DEFAULT_HOST;
  if (host === BOTH_LOOPBACKS_HOST) await emulator.listenOnBothLoopbacks(options.port ?? 0);
  else await emulator.listen(options.port ?? 0, host);
  return emulator;
}

function validateOptions(options: EmulatorOptions): EmulatorOptions {
  const nonNegative = ["stopDelayMs", "latencyMs", "tokenTtlMs", "sparkCancelDelayMs", "mrsKillDelayMs", "ehpcStopDelayMs"] as const;
  for (const name of nonNegative) {
    const value = options[name];
    if (value !== undefined && !(Number.isFinite(value) && value >= 0)) throw new RangeError(`${name} must be a number ≥ 0, got ${value}`);
  }
  if (options.maxBatchSize !== undefined && !(Number.isInteger(options.maxBatchSize) && options.maxBatchSize >= 1)) {
    throw new RangeError(`maxBatchSize must be an integer ≥ 1, got ${options.maxBatchSize}`);
  }
  if (options.clockSkewMs !== undefined && !Number.isFinite(options.clockSkewMs)) throw new RangeError(`clockSkewMs must be finite`);
  if (options.missingJobAnswer !== undefined && !["element", "error"].includes(options.missingJobAnswer)) {
    throw new RangeError(`missingJobAnswer must be "element" or "error", got ${String(options.missingJobAnswer)}`);
  }
  if (options.mrsErrorSpelling !== undefined && !["snake", "camel", "mixed"].includes(options.mrsErrorSpelling)) {
    throw new RangeError(`mrsErrorSpelling must be "snake", "camel" or "mixed", got ${String(options.mrsErrorSpelling)}`);
  }
  if (options.mrsDetailStatus !== undefined && !([200, 202, "alternate"] as unknown[]).includes(options.mrsDetailStatus)) {
    throw new RangeError(`mrsDetailStatus must be 200, 202 or "alternate", got ${String(options.mrsDetailStatus)}`);
  }
  if (options.flinkSavepointPath !== undefined && typeof options.flinkSavepointPath !== "function") {
    throw new RangeError(`flinkSavepointPath must be a function (jobId) => string | null`);
  }
  if (options.ehpcQuotaPerHour !== undefined && !(Number.isInteger(options.ehpcQuotaPerHour) && options.ehpcQuotaPerHour >= 0)) {
    throw new RangeError(`ehpcQuotaPerHour must be an integer ≥ 0, got ${options.ehpcQuotaPerHour}`);
  }
  for (const credential of options.qingcloudCredentials ?? []) {
    if (!credential.accessKeyId || !credential.secretAccessKey) throw new RangeError("qingcloudCredentials need an accessKeyId and a secretAccessKey");
  }
  return options;
}

interface MatchedRoute {
  module: ServiceModule;
  route: Route;
  params: Record<string, string>;
}

class EmulatorServer implements Emulator {
  /** One per listening address: one, or two for `host: "localhost"` (127.0.0.1 and ::1), sharing all state. */
  private servers: Server[] = [];
  private readonly recorder = new CallRecorder();
  private readonly faults: FaultRegistry;
  private readonly churner = new ListChurner();
  private readonly gateway: HuaweiGateway;
  private readonly flink: DliFlinkModule;
  private readonly spark: DliSparkModule;
  private readonly mrs: MrsModule;
  private readonly ehpc: EhpcModule;
  private readonly modules: readonly ServiceModule[];
  private readonly adminRoutes: readonly AdminRoute[];
  private readonly latencyMs: number;
  private readonly clockSkewMs: number;
  /**
   * Aborted by close(): requests still waiting out their latency end without an answer (and hold the process open no
   * longer). Every request in flight listens on it, so its listener count is the number of requests in flight.
   */
  private readonly closing = withoutListenerLimit(new AbortController());
  private listeningPort = 0;
  /** The addresses listened on, the first being the one `url` names. */
  private listeningHosts: string[] = [DEFAULT_HOST];
  /** False once listening on ::1 failed for want of an IPv6 loopback (then localhost can only be 127.0.0.1). */
  private ipv6Loopback = true;
  private closed: Promise<void> | undefined;

  constructor(options: EmulatorOptions) {
    this.latencyMs = options.latencyMs ?? 0;
    this.clockSkewMs = options.clockSkewMs ?? 0;
    const now = () => this.now();
    this.gateway = new HuaweiGateway(
      options.credentials ?? [{ accessKey: DEFAULT_ACCESS_KEY, secretKey: DEFAULT_SECRET_KEY }],
      options.tokens ?? [],
      now,
    );
    const iam = createIamModule({
      gateway: this.gateway,
      users: options.iamUsers ?? [{ domain: DEFAULT_IAM_DOMAIN, name: DEFAULT_IAM_USER, password: DEFAULT_IAM_PASSWORD }],
      tokenTtlMs: options.tokenTtlMs ?? DEFAULT_TOKEN_TTL_MS,
    });
    this.flink = createDliFlinkModule({
      gateway: this.gateway,
      now,
      stopDelayMs: options.stopDelayMs ?? DEFAULT_STOP_DELAY_MS,
      missingJobAnswer: options.missingJobAnswer ?? "element",
      jobFailure: (op, jobId) => this.faults.jobFailure(op, jobId),
      lieOnDelete: (op, jobId) => this.faults.takeLie(op, jobId),
      savepointPath: options.flinkSavepointPath ?? defaultFlinkSavepointPath,
      ...(options.maxBatchSize !== undefined ? { maxBatchSize: options.maxBatchSize } : {}),
    });
    const jobFailure = (op: string, jobId: string) => this.faults.jobFailure(op, jobId);
    const lieOnDelete = (op: string, jobId: string) => this.faults.takeLie(op, jobId);
    this.spark = createDliSparkModule({
      gateway: this.gateway,
      now,
      cancelDelayMs: options.sparkCancelDelayMs ?? DEFAULT_SPARK_CANCEL_DELAY_MS,
      jobFailure,
    });
    this.mrs = createMrsModule({
      gateway: this.gateway,
      now,
      killDelayMs: options.mrsKillDelayMs ?? DEFAULT_MRS_KILL_DELAY_MS,
      maxBatchSize: options.maxBatchSize ?? DEFAULT_MRS_MAX_BATCH_SIZE,
      errorSpelling: options.mrsErrorSpelling ?? "mixed",
      detailStatus: options.mrsDetailStatus ?? "alternate",
      jobFailure,
      lieOnDelete,
    });
    this.ehpc = createEhpcModule({
      credentials: options.qingcloudCredentials ?? [{ accessKeyId: DEFAULT_QINGCLOUD_ACCESS_KEY_ID, secretAccessKey: DEFAULT_QINGCLOUD_SECRET_ACCESS_KEY }],
      now,
      stopDelayMs: options.ehpcStopDelayMs ?? DEFAULT_EHPC_STOP_DELAY_MS,
      jobFailure,
      lieOnDelete,
      ...(options.ehpcQuotaPerHour !== undefined ? { quotaPerHour: options.ehpcQuotaPerHour } : {}),
      ...(options.maxBatchSize !== undefined ? { maxBatchSize: options.maxBatchSize } : {}),
    });
    // A new service is one more module in this list.
    this.modules = [iam, this.flink, this.spark, this.mrs, this.ehpc];
    this.faults = new FaultRegistry(
      new Set(this.modules.flatMap((module) => module.routes.map((route) => route.op))),
      new Set(this.modules.flatMap((module) => module.jobFaultOps ?? [])),
      new Set(this.modules.flatMap((module) => module.lyingDeleteOps ?? [])),
    );
    this.adminRoutes = [...coreAdminRoutes(this), ...this.modules.flatMap((module) => module.adminRoutes ?? [])];
  }

  get url(): string {
    return urlOf(this.listeningHosts[0] ?? DEFAULT_HOST, this.listeningPort);
  }

  get port(): number {
    return this.listeningPort;
  }

  urlFor(spelling: LoopbackSpelling): string {
    const listensOn = (host: string) => this.listeningHosts.includes(host);
    const reachable =
      spelling === "localhost" ? listensOn("127.0.0.1") && (listensOn("::1") || !this.ipv6Loopback) : listensOn(spelling);
    if (!reachable) {
      const hint = spelling === "localhost" ? `start it with host: "${BOTH_LOOPBACKS_HOST}"` : `it listens on ${this.listeningHosts.join(" and ")}`;
      throw new RangeError(`urlFor("${spelling}"): the emulator is not reachable under that name (${hint})`);
    }
    return urlOf(spelling, this.listeningPort);
  }

  listen(port: number, host: string): Promise<void> {
    return this.bind(port, host).then((server) => {
      this.servers = [server];
      this.listeningPort = (server.address() as AddressInfo).port;
      this.listeningHosts = [host];
    });
  }

  /**
   * 127.0.0.1 and ::1 on one port: two sockets rather than "::" with dual stack, which would also listen on every
   * other interface. With port 0 the port 127.0.0.1 got may be taken on ::1: then both are let go and tried again.
   */
  async listenOnBothLoopbacks(port: number): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const ipv4 = await this.bind(port, "127.0.0.1");
      const boundPort = (ipv4.address() as AddressInfo).port;
      try {
        const ipv6 = await this.bind(boundPort, "::1");
        this.servers = [ipv4, ipv6];
        this.listeningHosts = ["127.0.0.1", "::1"];
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === "EADDRNOTAVAIL" || code === "EAFNOSUPPORT") {
          this.ipv6Loopback = false;
          this.servers = [ipv4];
          this.listeningHosts = ["127.0.0.1"];
        } else {
          await closeServer(ipv4);
          if (code === "EADDRINUSE" && port === 0 && attempt < DUAL_LISTEN_ATTEMPTS) continue;
          throw error;
        }
      }
      this.listeningPort = boundPort;
      return;
    }
  }

  private bind(port: number, host: string): Promise<Server> {
    const server = createServer((req, res) => {
      this.onRequest(req, res).catch((error: unknown) => {
        console.error("jobsets emulator: request failed", error);
        if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
        res.end();
      });
    });
    return new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => {
        server.off("error", reject);
        resolve(server);
      });
    });
  }

  close(): Promise<void> {
    this.closed ??= (async () => {
      this.closing.abort();
      await Promise.all(this.servers.map(closeServer));
    })();
    return this.closed;
  }

  now(): number {
    return Date.now() + this.clockSkewMs;
  }

  seedFlinkJobs(projectId: string, jobs: readonly FlinkJobSeed[]): string[] {
    return this.flink.seed(projectId, jobs);
  }

  flinkJobs(projectId?: string): FlinkJobView[] {
    return this.flink.list(projectId);
  }

  seedSparkBatches(projectId: string, batches: readonly SparkBatchSeed[]): string[] {
    return this.spark.seed(projectId, batches);
  }

  sparkBatches(projectId?: string): SparkBatchView[] {
    return this.spark.list(projectId);
  }

  addMrsCluster(projectId: string, clusterId: string): void {
    this.mrs.addCluster(projectId, clusterId);
  }

  seedMrsJobs(projectId: string, clusterId: string, jobs: readonly MrsJobSeed[]): string[] {
    return this.mrs.seed(projectId, clusterId, jobs);
  }

  mrsJobs(projectId?: string, clusterId?: string): MrsJobView[] {
    return this.mrs.list(projectId, clusterId);
  }

  addEhpcCluster(zone: string, clusterId: string): void {
    this.ehpc.addCluster(zone, clusterId);
  }

  seedEhpcJobs(zone: string, clusterId: string, jobs: readonly EhpcJobSeed[]): string[] {
    return this.ehpc.seed(zone, clusterId, jobs);
  }

  ehpcJobs(zone?: string, clusterId?: string): EhpcJobView[] {
    return this.ehpc.list(zone, clusterId);
  }

  setJobStatus(service: JobService, jobId: string | bigint | number, status: string, where: JobLocation = {}): void {
    const module = this.modules.find((candidate) => candidate.service === service && candidate.setJobStatus);
    if (!module?.setJobStatus) {
      const services = this.modules.filter((candidate) => candidate.setJobStatus).map((candidate) => candidate.service);
      throw new RangeError(`setJobStatus: service must be one of ${services.join(", ")}, got ${String(service)}`);
    }
    if (typeof status !== "string" || status === "") throw new RangeError(`setJobStatus: status must be a non-empty string, got ${String(status)}`);
    module.setJobStatus(jobIdText(jobId), status, where);
  }

  calls(filter?: CallFilter): RecordedCall[] {
    return this.recorder.list(filter);
  }

  resetCalls(): void {
    this.recorder.reset();
  }

  failNext(op: string, fault: Fault): void {
    this.faults.failNext(op, fault);
  }

  failJobs(op: string, jobIds: readonly (string | bigint | number)[], message?: string): void {
    this.faults.failJobs(op, jobIds.map(jobIdText), message ?? defaultJobFailureMessage(op));
  }

  lieOnDelete(op: string, jobIds: readonly (string | bigint | number)[], options: { times?: number } = {}): void {
    this.faults.lieOnDelete(op, jobIds.map(jobIdText), options.times);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  churnLists(churn: ListChurn | undefined): void {
    if (churn === undefined) this.churner.stop();
    else this.churner.add(churn);
  }

  stopChurn(): void {
    this.churner.stop();
  }

  churnCreated(): string[] {
    return this.churner.createdIds();
  }

  churnRemoved(): string[] {
    return this.churner.removedIds();
  }

  expireTokens(): void {
    this.gateway.expireTokens();
  }

  issuedTokens(): string[] {
    return this.gateway.issuedTokens();
  }

  reset(): void {
    for (const module of this.modules) module.reset();
    this.recorder.reset();
    this.faults.clear();
    this.churner.reset();
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const arrivedAt = this.now();
    let rawBody: Buffer;
    try {
      rawBody = await readBody(req);
    } catch (error) {
      if (error instanceof BodyTooLargeError) writeAnswer(res, { status: 413, body: { error_msg: error.message } }, newRequestId(), this.now());
      else req.socket.destroy(); // the client went away mid-body
      return;
    }
    const rawUrl = req.url ?? "/";
    const queryStart = rawUrl.indexOf("?");
    const path = queryStart === -1 ? rawUrl : rawUrl.slice(0, queryStart);
    const query = new URLSearchParams(queryStart === -1 ? "" : rawUrl.slice(queryStart + 1));
    const method = (req.method ?? "GET").toUpperCase();
    if (path === "/__admin" || path.startsWith("/__admin/")) {
      this.answerAdmin(res, method, path, query, rawBody.toString("utf8"));
      return;
    }

    const seq = this.recorder.nextSeq();
    const requestId = newRequestId();
    const matched = this.matchRoute(method, path);
    const request: ApiRequest = {
      method,
      rawUrl,
      path,
      query,
      headers: flattenHeaders(req),
      rawBody,
      bodyText: rawBody.toString("utf8"),
      params: matched?.params ?? {},
      requestId,
    };
    const record = (call: Pick<RecordedCall, "status" | "responseBody"> & Partial<RecordedCall>): void =>
      this.recorder.record({
        answeredAt: this.now(),
        seq,
        service: matched?.module.service ?? "unknown",
        op: matched?.route.op ?? "unknown",
        method,
        path,
        query: Object.fromEntries(query),
        headers: redactHeaders(request.headers),
        body: request.bodyText,
        json: parseJsonOrUndefined(request.bodyText),
        at: arrivedAt,
        ...call,
      });

    const { answer, fault, authenticatedAs } = this.process(request, matched);
    const identity = authenticatedAs === undefined ? {} : { authenticatedAs };
    if (fault?.drop === "before") {
      record({ status: 0, responseBody: "", dropped: "before", ...identity });
      req.socket.destroy();
      return;
    }
    if (!(await this.waitOut((fault?.delayMs ?? 0) + this.latencyMs))) return;
    const responseBody = answer.body === undefined ? "" : stringifyJsonExact(answer.body);
    if (fault?.drop === "after") {
      record({ status: answer.status, responseBody, dropped: "after", ...identity });
      req.socket.destroy();
      return;
    }
    record({ status: answer.status, responseBody, ...identity });
    writeAnswer(res, answer, requestId, this.now(), responseBody);
  }

  /** Everything up to the answer, synchronously, so state changes happen in arrival order. */
  private process(request: ApiRequest, matched: MatchedRoute | undefined): { answer: ApiAnswer; fault?: Fault; authenticatedAs?: string } {
    if (!matched) {
      const message = "The API does not exist or has not been published in the environment.";
      return { answer: apigError(404, "APIG.0101", message, request.requestId) };
    }
    const { module, route } = matched;
    const admission: Admission = route.admit ? route.admit(request) : { admitted: true };
    if (!admission.admitted) return { answer: admission.answer };
    const authenticatedAs = admission.authenticatedAs;
    const identity = authenticatedAs === undefined ? {} : { authenticatedAs };
    // Faults count only admitted calls: a test's failNext is not used up by a request the gateway refused.
    const fault = this.faults.take(route.op);
    // Only drop "after" and a bare delayMs let the handler run; a status (or an empty fault) replaces it.
    if (fault?.drop === "before") return { answer: { status: 0 }, fault, ...identity };
    const replacesHandler = fault !== undefined && fault.drop !== "after" && (fault.status !== undefined || fault.delayMs === undefined);
    if (replacesHandler) return { answer: faultAnswer(module, route.op, fault, request.requestId), fault, ...identity };
    let answer: ApiAnswer;
    try {
      answer = route.handle(request);
    } catch (error) {
      // An emulator bug: answer like a server error, and say so loudly.
      console.error(`jobsets emulator: ${route.op} handler threw`, error);
      answer = { status: 500, body: { error_code: "EMULATOR.BUG", error_msg: String(error) } };
    }
    // Churn follows a listing the client will receive (not one dropped), so the next page meets the moved list.
    if (fault?.drop !== "after" && this.churner.active(route.op)) {
      const collection = module.listCollection?.(route.op, request, answer);
      if (collection) this.churner.apply(route.op, collection);
    }
    return fault ? { answer, fault, ...identity } : { answer, ...identity };
  }

  private matchRoute(method: string, path: string): MatchedRoute | undefined {
    for (const module of this.modules) {
      for (const route of module.routes) {
        if (route.method !== method) continue;
        const match = route.path.exec(path);
        if (!match) continue;
        const params: Record<string, string> = {};
        for (const [name, value] of Object.entries(match.groups ?? {})) params[name] = decodeLeniently(value);
        return { module, route, params };
      }
    }
    return undefined;
  }

  private answerAdmin(res: ServerResponse, method: string, path: string, query: URLSearchParams, bodyText: string): void {
    const requestId = newRequestId();
    const route = this.adminRoutes.find((candidate) => candidate.method === method && candidate.path === path);
    if (!route) {
      const known = this.adminRoutes.some((candidate) => candidate.path === path);
      writeAnswer(res, { status: known ? 405 : 404, body: { error: `No admin endpoint ${method} ${path}` } }, requestId, this.now());
      return;
    }
    let json: unknown;
    try {
      json = bodyText.trim() === "" ? undefined : parseJsonExact(bodyText);
    } catch (error) {
      writeAnswer(res, { status: 400, body: { error: `The body is not JSON: ${(error as Error).message}` } }, requestId, this.now());
      return;
    }
    try {
      writeAnswer(res, route.handle({ query, json }), requestId, this.now());
    } catch (error) {
      const refused = error instanceof AdminInputError || error instanceof RangeError;
      writeAnswer(res, { status: refused ? 400 : 500, body: { error: (error as Error).message } }, requestId, this.now());
    }
  }

  /** Waits `ms` (latency, a fault's delay); false when the emulator closed meanwhile. */
  private async waitOut(ms: number): Promise<boolean> {
    if (ms <= 0) return true;
    try {
      await delay(ms, undefined, { signal: this.closing.signal });
      return true;
    } catch (error) {
      if (this.closing.signal.aborted) return false;
      throw error;
    }
  }
}

function urlOf(host: string, port: number): string {
  return `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.closeAllConnections();
    server.close((error) => (error ? reject(error) : resolve()));
  });
}

function faultAnswer(module: ServiceModule, op: string, fault: Fault, requestId: string): ApiAnswer {
  const status = fault.status ?? 500;
  const body = fault.body !== undefined ? fault.body : module.faultBody(status, requestId, op);
  const answer: ApiAnswer = { status, body: fault.arrayBody && !Array.isArray(body) ? [body] : body };
  if (fault.retryAfterS !== undefined) answer.headers = { "Retry-After": String(fault.retryAfterS) };
  return answer;
}

function writeAnswer(res: ServerResponse, answer: ApiAnswer, requestId: string, nowMs: number, text?: string): void {
  const body = text ?? (answer.body === undefined ? "" : stringifyJsonExact(answer.body));
  // A real gateway's Date is its own clock: with `clockSkewMs` it must be the skewed one, since clients resynchronise
  // their signing clock from it (Node would otherwise stamp the machine's time).
  const headers: Record<string, string> = { "X-Request-Id": requestId, Date: new Date(nowMs).toUTCString(), ...answer.headers };
  if (body !== "") headers["Content-Type"] = "application/json;charset=UTF-8";
  res.writeHead(answer.status, headers);
  res.end(body);
}

class BodyTooLargeError extends Error {
  override readonly name = "BodyTooLargeError";
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new BodyTooLargeError(`The request body is larger than ${MAX_BODY_BYTES} bytes.`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** Lowercased names (Node's), repeated values joined with ", " (as the signature covers them). */
function flattenHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return headers;
}

function parseJsonOrUndefined(text: string): unknown {
  if (text.trim() === "") return undefined;
  try {
    return parseJsonExact(text);
  } catch {
    return undefined;
  }
}

function decodeLeniently(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function newRequestId(): string {
  return randomBytes(16).toString("hex");
}

function jobIdText(jobId: string | bigint | number): string {
  if (typeof jobId === "number" && !Number.isSafeInteger(jobId)) {
    throw new RangeError(`job ID ${jobId} is not a safe integer: give IDs above 2^53 as strings or bigints`);
  }
  return String(jobId).trim();
}

/** An AbortController whose signal takes any number of listeners: Node warns of a leak past 10 by default. */
function withoutListenerLimit(controller: AbortController): AbortController {
  setMaxListeners(0, controller.signal);
  return controller;
}
