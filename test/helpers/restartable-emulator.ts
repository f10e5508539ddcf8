// An emulator a fault row can restart mid-destroy, on the same port and with the same jobs, and a watch that strikes
// once a call has been answered.
import { setTimeout as sleep } from "node:timers/promises";
import { startEmulator, type Emulator, type EmulatorOptions, type RecordedCall } from "../../emulator";

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
