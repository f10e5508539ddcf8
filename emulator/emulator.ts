/**
 * One loopback HTTP server for every emulated service. Services don't collide on paths (DLI Flink `/v1.0/...`,
 * IAM `/v3/auth/tokens`, DLI Spark `/v2.0/...`, MRS `/v2/...`, EHPC `/api/...`), so one port serves them all.
 * This file is the emulator's programmatic API and holds its parts together: the services (service-modules.ts), the
 * request pipeline every call goes through (request-pipeline.ts), the listening sockets (loopback-listener.ts), and
 * the test controls (faults, calls, churn, tokens) that the admin API (admin.ts) offers over HTTP too.
 */
import { setMaxListeners } from "node:events";
import { type AdminControls, coreAdminRoutes } from "./admin";
import { type CallFilter, CallRecorder, type RecordedCall } from "./calls";
import { type ListChurn, ListChurner } from "./churn";
import { type Fault, FaultRegistry, defaultJobFailureMessage } from "./faults";
import type { FlinkJobSeed, FlinkJobView } from "./huawei-dli-flink-jobs";
import type { SparkBatchSeed, SparkBatchView } from "./huawei-dli-spark-batches";
import type { MrsJobSeed, MrsJobView } from "./huawei-mrs-jobs";
import { DEFAULT_HOST, LoopbackListener, type LoopbackSpelling } from "./loopback-listener";
import { type EmulatorOptions, validateOptions } from "./options";
import type { EhpcJobSeed, EhpcJobView } from "./qingcloud-ehpc-jobs";
import { RequestPipeline } from "./request-pipeline";
import type { JobLocation, JobService } from "./service";
import { type ServiceModules, createServiceModules } from "./service-modules";

export { BOTH_LOOPBACKS_HOST, DEFAULT_HOST, type LoopbackSpelling } from "./loopback-listener";
export { DEFAULT_STOP_DELAY_MS, type EmulatorOptions } from "./options";

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
  await emulator.listen(options.port ?? 0, options.host ?? DEFAULT_HOST);
  return emulator;
}

class EmulatorServer implements Emulator {
  private readonly listener: LoopbackListener;
  private readonly recorder = new CallRecorder();
  private readonly faults: FaultRegistry;
  private readonly churner = new ListChurner();
  private readonly services: ServiceModules;
  private readonly clockSkewMs: number;
  /**
   * Aborted by close(): requests still waiting out their latency end without an answer (and hold the process open no
   * longer). Every request in flight listens on it, so its listener count is the number of requests in flight.
   */
  private readonly closing = withoutListenerLimit(new AbortController());
  private closed: Promise<void> | undefined;

  constructor(options: EmulatorOptions) {
    this.clockSkewMs = options.clockSkewMs ?? 0;
    const now = () => this.now();
    // The services consult the faults as they answer; the registry needs their ops first, so it comes after them.
    this.services = createServiceModules(options, now, {
      jobFailure: (op, jobId) => this.faults.jobFailure(op, jobId),
      lieOnDelete: (op, jobId) => this.faults.takeLie(op, jobId),
    });
    const modules = this.services.all;
    this.faults = new FaultRegistry(
      new Set(modules.flatMap((module) => module.routes.map((route) => route.op))),
      new Set(modules.flatMap((module) => module.jobFaultOps ?? [])),
      new Set(modules.flatMap((module) => module.lyingDeleteOps ?? [])),
    );
    const pipeline = new RequestPipeline({
      modules,
      adminRoutes: [...coreAdminRoutes(this), ...modules.flatMap((module) => module.adminRoutes ?? [])],
      recorder: this.recorder,
      faults: this.faults,
      churner: this.churner,
      now,
      latencyMs: options.latencyMs ?? 0,
      closing: this.closing.signal,
    });
    this.listener = new LoopbackListener((req, res) => pipeline.handle(req, res));
  }

  get url(): string {
    return this.listener.url;
  }

  get port(): number {
    return this.listener.port;
  }

  urlFor(spelling: LoopbackSpelling): string {
    return this.listener.urlFor(spelling);
  }

  listen(port: number, host: string): Promise<void> {
    return this.listener.listen(port, host);
  }

  close(): Promise<void> {
    this.closed ??= (async () => {
      this.closing.abort();
      await this.listener.close();
    })();
    return this.closed;
  }

  now(): number {
    return Date.now() + this.clockSkewMs;
  }

  seedFlinkJobs(projectId: string, jobs: readonly FlinkJobSeed[]): string[] {
    return this.services.flink.seed(projectId, jobs);
  }

  flinkJobs(projectId?: string): FlinkJobView[] {
    return this.services.flink.list(projectId);
  }

  seedSparkBatches(projectId: string, batches: readonly SparkBatchSeed[]): string[] {
    return this.services.spark.seed(projectId, batches);
  }

  sparkBatches(projectId?: string): SparkBatchView[] {
    return this.services.spark.list(projectId);
  }

  addMrsCluster(projectId: string, clusterId: string): void {
    this.services.mrs.addCluster(projectId, clusterId);
  }

  seedMrsJobs(projectId: string, clusterId: string, jobs: readonly MrsJobSeed[]): string[] {
    return this.services.mrs.seed(projectId, clusterId, jobs);
  }

  mrsJobs(projectId?: string, clusterId?: string): MrsJobView[] {
    return this.services.mrs.list(projectId, clusterId);
  }

  addEhpcCluster(zone: string, clusterId: string): void {
    this.services.ehpc.addCluster(zone, clusterId);
  }

  seedEhpcJobs(zone: string, clusterId: string, jobs: readonly EhpcJobSeed[]): string[] {
    return this.services.ehpc.seed(zone, clusterId, jobs);
  }

  ehpcJobs(zone?: string, clusterId?: string): EhpcJobView[] {
    return this.services.ehpc.list(zone, clusterId);
  }

  setJobStatus(service: JobService, jobId: string | bigint | number, status: string, where: JobLocation = {}): void {
    const module = this.services.all.find((candidate) => candidate.service === service && candidate.setJobStatus);
    if (!module?.setJobStatus) {
      const services = this.services.all.filter((candidate) => candidate.setJobStatus).map((candidate) => candidate.service);
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
    this.services.gateway.expireTokens();
  }

  issuedTokens(): string[] {
    return this.services.gateway.issuedTokens();
  }

  reset(): void {
    for (const module of this.services.all) module.reset();
    this.recorder.reset();
    this.faults.clear();
    this.churner.reset();
  }
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
