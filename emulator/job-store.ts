/**
 * The part every job service keeps the same way: jobs held per collection (what one listing shows), all-or-nothing
 * seeding with checked or fresh IDs, the stop clock (a stop, cancel or kill completes after a delay), lookups that let
 * time pass first, the job `setJobStatus` names, the views the admin API lists, and the collection list churn acts
 * on. What a job is, its IDs, states and answers, stays in the service's module.
 *
 * A collection sits at a place of two keys: `[projectId, ""]` for DLI (one collection per project), `[projectId,
 * clusterId]` for MRS, `[zone, clusterId]` for EHPC. Maps keep insertion order, so listings and views are stable.
 */
import { type ListCollection, onlyMatch } from "./service";

/** Where a collection sits: outer key (project or zone), inner key (cluster; "" where the service has none). */
export type Place = readonly [outer: string, inner: string];

/** What every stored job carries for the stop clock (a Flink stop, a Spark cancel, an MRS kill, an EHPC stop). */
export interface StopClock {
  /** The job's own stop delay in ms; Infinity = its stop never completes; undefined = the service's default. */
  stopDelayMs?: number;
  /** When a stop under way completes (emulator clock); Infinity = never. */
  stopCompletesAt?: number;
}

/** How a service's jobs move once stopped. */
export interface JobStoreOptions<J> {
  /** The emulator clock. */
  now(): number;
  /** The stop delay of a job that has none of its own, in ms. */
  stopDelayMs: number;
  /** Ends a job whose stop came due at `at`, the way the service shows a stopped job (dead, KILLED, stopped…). */
  completeStop(job: J, at: number): void;
}

/** One seed call's plan: the ID of each seed, then the job (IDs first, so a duplicate is refused before anything else). */
export interface SeedPlan<S, J> {
  /** The seed's own ID, checked, or a fresh one `taken` does not hold. */
  id(seed: S, index: number, taken: (id: string) => boolean): string;
  /** The message for an ID the collection (or an earlier seed of the call) already holds. */
  duplicate(id: string): string;
  job(seed: S, index: number, id: string): J;
}

export class JobStore<J extends StopClock> {
  /** outer → inner → job ID → job. A collection exists once it has an entry (possibly empty). */
  private readonly places = new Map<string, Map<string, Map<string, J>>>();

  constructor(private readonly options: JobStoreOptions<J>) {}

  /** The collection's jobs, made empty first when `create` (else undefined for one never made). */
  jobs(place: Place, create: true): Map<string, J>;
  jobs(place: Place, create?: boolean): Map<string, J> | undefined;
  jobs([outer, inner]: Place, create = false): Map<string, J> | undefined {
    let collections = this.places.get(outer);
    if (!collections) {
      if (!create) return undefined;
      collections = new Map();
      this.places.set(outer, collections);
    }
    let jobs = collections.get(inner);
    if (!jobs && create) {
      jobs = new Map();
      collections.set(inner, jobs);
    }
    return jobs;
  }

  /** The job as time has left it, or undefined. */
  find(place: Place, jobId: string): J | undefined {
    const job = this.jobs(place)?.get(jobId);
    return job && this.settle(job);
  }

  /** The collection's jobs as time has left them, oldest seeded first. */
  settled(jobs: ReadonlyMap<string, J>): J[] {
    return [...jobs.values()].map((job) => this.settle(job));
  }

  /** Applies the passage of time: a job whose stop is due is ended as the service ends it; returns the job. */
  settle(job: J): J {
    const at = job.stopCompletesAt;
    if (at !== undefined && this.options.now() >= at) {
      delete job.stopCompletesAt;
      this.options.completeStop(job, at);
    }
    return job;
  }

  /** Starts the job's stop. One already under way keeps its completion time: a repeated stop does not push it back. */
  beginStop(job: J): void {
    job.stopCompletesAt ??= this.options.now() + (job.stopDelayMs ?? this.options.stopDelayMs);
  }

  /** Forgets a stop under way (a status set by hand replaces whatever the stop would have done). */
  dropStop(job: J): void {
    delete job.stopCompletesAt;
  }

  /** Adds the seeds' jobs to the collection, all or none; their IDs in seed order. */
  seed<S>(place: Place, seeds: readonly S[], plan: SeedPlan<S, J>): string[] {
    const jobs = this.jobs(place, true);
    const created = new Map<string, J>();
    const taken = (id: string) => jobs.has(id) || created.has(id);
    for (const [index, seed] of seeds.entries()) {
      const id = plan.id(seed, index, taken);
      if (taken(id)) throw new RangeError(plan.duplicate(id));
      created.set(id, plan.job(seed, index, id));
    }
    for (const [id, job] of created) jobs.set(id, job);
    return [...created.keys()];
  }

  /** The one job with this ID where `outer`/`inner` allow (`setJobStatus`); refuses none and several. */
  only(service: string, jobId: string, outer: string | undefined, inner: string | undefined, place: (job: J) => string): J {
    const found: J[] = [];
    for (const [outerKey, collections] of this.places) {
      if (outer !== undefined && outerKey !== outer) continue;
      for (const [innerKey, jobs] of collections) {
        const job = inner === undefined || innerKey === inner ? jobs.get(jobId) : undefined;
        if (job) found.push(job);
      }
    }
    return onlyMatch(service, jobId, found, place);
  }

  /** Every job where `outer`/`inner` allow, as time has left it, through `view` (the admin API's listings). */
  views<V>(view: (job: J, place: Place) => V, outer?: string, inner?: string): V[] {
    const views: V[] = [];
    for (const [outerKey, collections] of this.places) {
      if (outer !== undefined && outerKey !== outer) continue;
      for (const [innerKey, jobs] of collections) {
        if (inner !== undefined && innerKey !== inner) continue;
        for (const job of jobs.values()) views.push(view(this.settle(job), [outerKey, innerKey]));
      }
    }
    return views;
  }

  /** The collection at `place` as list churn sees it; `createNewest` is the service's (its IDs and order differ). */
  listCollection(key: string, place: Place, createNewest: ListCollection["createNewest"]): ListCollection {
    return { key, createNewest, remove: (jobId) => this.jobs(place)?.delete(jobId) ?? false };
  }

  clear(): void {
    this.places.clear();
  }
}

/** A seed's status (state, result) as given, or its default; refuses anything but a non-empty string. */
export function seedText(value: unknown, fallback: string, where: string): string {
  const text = value ?? fallback;
  if (typeof text !== "string" || text === "") throw new RangeError(`${where} must be a non-empty string, got ${String(text)}`);
  return text;
}

/** How a service checks the IDs seeds give: `where` names the field, `expected` says what it must be. */
export interface SeedIdRule {
  where: string;
  pattern: RegExp;
  /** The refusal's end, e.g. "is not a UUID". */
  expected: string;
}

/** The seed's own ID when `rule` accepts it, or a fresh one from `fresh` that `taken` does not hold. */
export function seedId(given: unknown, rule: SeedIdRule, fresh: () => string, taken: (id: string) => boolean): string {
  if (given === undefined) {
    let id: string;
    do id = fresh();
    while (taken(id));
    return id;
  }
  if (typeof given !== "string" || !rule.pattern.test(given)) throw new RangeError(`${rule.where} '${String(given)}' ${rule.expected}`);
  return given;
}

/**
 * A seed's stop delay under its kind's own name (`cancelDelayMs`, `killDelayMs`) or the uniform `stopDelayMs`:
 * undefined (the service's default), a delay, or Infinity for `null` (its stop never completes).
 */
export function seedStopDelay(seed: object, ownName: string, where: string): number | undefined {
  const fields = seed as Record<string, unknown>;
  const own = fields[ownName] as number | null | undefined;
  const uniform = fields.stopDelayMs as number | null | undefined;
  if (own !== undefined && uniform !== undefined && own !== uniform) {
    throw new RangeError(`${where}: ${ownName} and stopDelayMs name the same delay; give one (got ${own} and ${uniform})`);
  }
  const delay = own !== undefined ? own : uniform;
  if (delay === null) return Number.POSITIVE_INFINITY;
  if (delay !== undefined && !(Number.isFinite(delay) && delay >= 0)) {
    throw new RangeError(`${where}: ${own !== undefined ? ownName : "stopDelayMs"} must be a number ≥ 0 or null (never completes), got ${delay}`);
  }
  return delay;
}
