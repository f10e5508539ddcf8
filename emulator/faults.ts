/**
 * Injectable faults: scripted answers for the next calls of an op, per-job failures in batch answers, and deletes
 * that answer success but leave the job (`lieOnDelete`).
 */

export interface Fault {
  /** Answer this HTTP status instead of running the handler. Defaults to 500 when nothing else is asked for. */
  status?: number;
  /** Body for `status`; the module's default for that status when absent (429 → APIG.0308, 500 → DLI.0999, ...). */
  body?: unknown;
  /** Send the body wrapped in an array, as DLI batch endpoints sometimes do: `[{"error_code":...}]`. */
  arrayBody?: boolean;
  /** Adds a `Retry-After` header (seconds). */
  retryAfterS?: number;
  /**
   * "before": destroy the socket without processing the request.
   * "after": process it (state changes happen), then destroy the socket without answering.
   */
  drop?: "before" | "after";
  /** Answer this much later (the request is processed on arrival). */
  delayMs?: number;
  /** How many consecutive calls of the op get this fault. Default 1. */
  times?: number;
}

/** The message `failJobs()` puts on a job's element when the test gives none. */
export function defaultJobFailureMessage(op: string): string {
  if (op.endsWith(".stop")) return "Failed to stop the job: internal error";
  if (op.endsWith(".kill")) return "Failed to kill the job: internal error";
  if (op.endsWith(".cancel")) return "Failed to cancel the job: internal error";
  return "Failed to delete the job: internal error";
}

interface QueuedFault {
  fault: Fault;
  remaining: number;
}

export class FaultRegistry {
  private readonly queued = new Map<string, QueuedFault[]>();
  /** op → job ID (decimal string) → message. */
  private readonly jobFailures = new Map<string, Map<string, string>>();
  /** op → job ID → deletes left that answer success and leave the job (Infinity: every one). */
  private readonly lies = new Map<string, Map<string, number>>();

  constructor(
    private readonly knownOps: ReadonlySet<string>,
    private readonly jobFaultOps: ReadonlySet<string>,
    private readonly lyingDeleteOps: ReadonlySet<string> = new Set(),
  ) {}

  failNext(op: string, fault: Fault): void {
    this.requireOp(op, this.knownOps, "an op");
    const times = fault.times ?? 1;
    if (!Number.isInteger(times) || times < 1) throw new RangeError(`failNext(${op}): times must be an integer ≥ 1, got ${times}`);
    if (fault.status !== undefined && !(Number.isInteger(fault.status) && fault.status >= 100 && fault.status <= 599)) {
      throw new RangeError(`failNext(${op}): status must be an HTTP status 100-599, got ${fault.status}`);
    }
    for (const [name, value] of [["delayMs", fault.delayMs], ["retryAfterS", fault.retryAfterS]] as const) {
      if (value !== undefined && !(Number.isFinite(value) && value >= 0)) {
        throw new RangeError(`failNext(${op}): ${name} must be a number ≥ 0, got ${value}`);
      }
    }
    if (fault.drop !== undefined && fault.drop !== "before" && fault.drop !== "after") {
      throw new RangeError(`failNext(${op}): drop must be "before" or "after", got ${String(fault.drop)}`);
    }
    const queue = this.queued.get(op) ?? [];
    queue.push({ fault: { ...fault }, remaining: times });
    this.queued.set(op, queue);
  }

  /** The fault for the current call of `op`, if one is queued; consumes one of its `times`. */
  take(op: string): Fault | undefined {
    const queue = this.queued.get(op);
    const head = queue?.[0];
    if (!queue || !head) return undefined;
    head.remaining--;
    if (head.remaining === 0) queue.shift();
    return head.fault;
  }

  failJobs(op: string, jobIds: readonly string[], message: string): void {
    this.requireOp(op, this.jobFaultOps, "an op with per-job answers");
    const failures = this.jobFailures.get(op) ?? new Map<string, string>();
    for (const jobId of jobIds) failures.set(jobId, message);
    this.jobFailures.set(op, failures);
  }

  /** The injected failure message for this job in this op, or undefined when the job should be processed. */
  jobFailure(op: string, jobId: string): string | undefined {
    return this.jobFailures.get(op)?.get(jobId);
  }

  lieOnDelete(op: string, jobIds: readonly string[], times: number = Number.POSITIVE_INFINITY): void {
    this.requireOp(op, this.lyingDeleteOps, "a delete op that lieOnDelete applies to");
    if (times !== Number.POSITIVE_INFINITY && !(Number.isInteger(times) && times >= 1)) {
      throw new RangeError(`lieOnDelete(${op}): times must be an integer ≥ 1, got ${times}`);
    }
    const lies = this.lies.get(op) ?? new Map<string, number>();
    for (const jobId of jobIds) lies.set(jobId, times);
    this.lies.set(op, lies);
  }

  /** Whether this delete of the job answers success and leaves it; uses up one of the job's `times`. */
  takeLie(op: string, jobId: string): boolean {
    const lies = this.lies.get(op);
    const left = lies?.get(jobId);
    if (lies === undefined || left === undefined) return false;
    if (left <= 1) lies.delete(jobId);
    else lies.set(jobId, left - 1);
    return true;
  }

  clear(): void {
    this.queued.clear();
    this.jobFailures.clear();
    this.lies.clear();
  }

  private requireOp(op: string, allowed: ReadonlySet<string>, what: string): void {
    // A typo in a test's op name would otherwise inject nothing and let the test pass for the wrong reason.
    if (!allowed.has(op)) throw new RangeError(`"${op}" is not ${what}; expected one of: ${[...allowed].join(", ")}`);
  }
}
