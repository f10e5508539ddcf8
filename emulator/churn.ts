/**
 * List churn: other teams creating and deleting jobs in the collection a client is paging through (a busy project).
 * A rule acts after each successful answer of its list op, in the collection that answer listed: first it deletes,
 * then it creates new jobs, newest of the collection (the front of newest-first lists). With as many deletions as
 * creations per answer the `total` every page shows stays the same while the jobs between the two places move by
 * one: the shape a pager that trusts an unchanged total cannot see.
 *
 * Which readers miss a job (newest-first lists; `L` jobs a page):
 * - back-to-front (the last page first): every creation at the front pushes the jobs behind it one place back, so a
 *   job on the boundary slides into a page already read. Lockstep churn (`create: 1, remove: [an old outsider]`)
 *   keeps `total` the same on every page and still hides it.
 * - front-to-back: a job moves forward (into a page already read) only when more jobs are deleted ahead of it than
 *   are created at the front. Creations being at the front, that takes a drop in `total` on some page; a later
 *   creation can bring `total` back, so the first and the last page agree (queue two rules: `create: 0, remove:
 *   [X], times: 1`, then `create: 1, times: 1`).
 */
import type { ListCollection } from "./service";

export const LIST_OPS = ["flink.list", "spark.list", "mrs.list", "ehpc.list"] as const;
export type ListOp = (typeof LIST_OPS)[number];

export interface ListChurn {
  op: ListOp;
  /** New running outsider jobs per answer, newest of the collection (named `churn-<n>`). Default 1. */
  create?: number;
  /**
   * What each answer deletes, before it creates. IDs: the next `max(create, 1)` of them, in order, that the listed
   * collection still holds (an ID it doesn't hold, or no longer holds, is passed over). A number:
   * that many of the oldest jobs this churn created in the collection after EARLIER answers (none after the first,
   * so `total` grows by `create` once, then stays). Default: nothing.
   */
  remove?: readonly (string | bigint | number)[] | number;
  /** How many answers the rule acts on; then the next rule queued for the op takes over. Default: unlimited. */
  times?: number;
}

interface Rule {
  op: ListOp;
  create: number;
  removeIds?: string[];
  removeCount?: number;
  remaining: number;
}

interface CreatedJob {
  collection: string;
  jobId: string;
}

export class ListChurner {
  /** op → rules, applied in order: the first until its `times` are used. */
  private readonly rules = new Map<string, Rule[]>();
  private created: CreatedJob[] = [];
  private removed: string[] = [];
  private nameCounter = 0;

  add(churn: ListChurn): void {
    const { op } = churn;
    if (!(LIST_OPS as readonly string[]).includes(op)) throw new RangeError(`churnLists: op must be one of ${LIST_OPS.join(", ")}, got ${String(op)}`);
    const create = churn.create ?? 1;
    if (!(Number.isInteger(create) && create >= 0)) throw new RangeError(`churnLists(${op}): create must be an integer ≥ 0, got ${create}`);
    const times = churn.times ?? Number.POSITIVE_INFINITY;
    if (times !== Number.POSITIVE_INFINITY && !(Number.isInteger(times) && times >= 1)) {
      throw new RangeError(`churnLists(${op}): times must be an integer ≥ 1, got ${times}`);
    }
    const rule: Rule = { op, create, remaining: times };
    const { remove } = churn;
    if (typeof remove === "number") {
      if (!(Number.isInteger(remove) && remove >= 0)) throw new RangeError(`churnLists(${op}): remove must be an integer ≥ 0 or a list of job IDs, got ${remove}`);
      rule.removeCount = remove;
    } else if (remove !== undefined) {
      if (!Array.isArray(remove)) throw new RangeError(`churnLists(${op}): remove must be an integer ≥ 0 or a list of job IDs`);
      rule.removeIds = remove.map((jobId, index) => {
        const text = String(jobId).trim();
        if (text === "" || (typeof jobId === "number" && !Number.isSafeInteger(jobId))) {
          throw new RangeError(`churnLists(${op}): remove[${index}] must be a job ID (IDs above 2^53 as strings or bigints), got ${String(jobId)}`);
        }
        return text;
      });
    }
    if (create === 0 && (rule.removeIds?.length ?? rule.removeCount ?? 0) === 0) {
      throw new RangeError(`churnLists(${op}): the rule neither creates nor removes jobs`);
    }
    const queue = this.rules.get(op) ?? [];
    // A rule queued behind an unlimited one would never act: refuse it rather than let a test pass for nothing.
    if (queue.some((earlier) => earlier.remaining === Number.POSITIVE_INFINITY)) {
      throw new RangeError(`churnLists(${op}): a rule without times is already active for ${op}; give it times, or stopChurn() first`);
    }
    queue.push(rule);
    this.rules.set(op, queue);
  }

  /** Drops every rule (jobs already created or deleted stay so; the record is kept until reset). */
  stop(): void {
    this.rules.clear();
  }

  /** Whether a rule waits for this op's next answer (so the server asks the module for the collection only then). */
  active(op: string): boolean {
    return (this.rules.get(op)?.length ?? 0) > 0;
  }

  /** After a successful answer of `op` that listed `collection`. */
  apply(op: string, collection: ListCollection): void {
    const queue = this.rules.get(op);
    const rule = queue?.[0];
    if (!queue || !rule) return;
    rule.remaining--;
    if (rule.remaining <= 0) queue.shift();
    if (rule.removeIds) this.removeListed(rule, collection);
    else if (rule.removeCount) this.removeCreated(rule.removeCount, collection);
    const names = Array.from({ length: rule.create }, () => `churn-${++this.nameCounter}`);
    if (names.length > 0) {
      for (const jobId of collection.createNewest(names)) this.created.push({ collection: collection.key, jobId });
    }
  }

  private removeListed(rule: Rule, collection: ListCollection): void {
    let left = Math.max(rule.create, 1);
    for (const jobId of rule.removeIds ?? []) {
      if (left === 0) break;
      if (!collection.remove(jobId)) continue;
      this.removed.push(jobId);
      left--;
    }
  }

  private removeCreated(count: number, collection: ListCollection): void {
    let left = count;
    for (const job of this.created) {
      if (left === 0) break;
      if (job.collection !== collection.key || !collection.remove(job.jobId)) continue;
      this.removed.push(job.jobId);
      left--;
    }
  }

  /** IDs of the jobs churn created, in creation order (deleted ones included). */
  createdIds(): string[] {
    return this.created.map((job) => job.jobId);
  }

  /** IDs of the jobs churn deleted, in deletion order. */
  removedIds(): string[] {
    return [...this.removed];
  }

  reset(): void {
    this.rules.clear();
    this.created = [];
    this.removed = [];
    this.nameCounter = 0;
  }
}
