/**
 * The tally every teardown keeps, job by job: what was done and what failed, with the API's reason. A teardown
 * succeeds only when every job handed in ends done (`finishTeardown`).
 */

/** Tallies what a teardown did, job by job. A job that failed is not done, whatever was recorded before. */
export class TeardownLedger {
  readonly done = new Set<string>();
  readonly failed = new Map<string, string>();
  constructor(readonly total: number) {}
  fail(jobId: string, reason: string) {
    this.failed.set(jobId, reason);
    this.done.delete(jobId);
  }
}

/** The message of an error, for a ledger's reason. */
export function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Up to 20 IDs, then a count of the rest. */
export function listIds(ids: readonly string[], describe: (id: string) => string = (id) => id): string {
  return ids.slice(0, 20).map(describe).join(", ") + (ids.length > 20 ? ` and ${ids.length - 20} more` : "");
}
