/**
 * `jobsets plan`: what `pulumi destroy` would do to a stack's job sets now. `pulumi destroy`'s preview shows one
 * resource per set, not the jobs inside it; the plan reads each member's status and says which calls the teardown
 * would send for it.
 *
 * Three steps, each its own function: `findJobSets` (stack-export.ts) reads a `pulumi stack export` document;
 * `readPlan` asks the APIs for the members' statuses with the kinds' own snapshot reads, and for a selector set what
 * its selector matches now with the kind's own selection (list and detail calls only: the reads a teardown starts
 * with, never a call that changes anything), through the provider's services and credentials;
 * `planJobs` turns statuses into the teardown's calls (pure), from the set's teardown mode and the same explicit
 * final-status lists the teardown uses (a status outside them may be running, so it gets the stop, as it would).
 * `formatPlan` and `planJson` print the result.
 */
import { FLINK_STOPPING_STATUSES, flinkMayRun } from "./clients/huawei-dli";
import { sparkMayRun } from "./clients/huawei-dli-spark";
import { MRS_FINAL_STATES } from "./clients/huawei-mrs";
import { EHPC_FINAL_STATUSES } from "./clients/qingcloud-ehpc";
import { CredentialsError, TeardownRefusedError } from "./errors";
import { TeardownGuard } from "./guard";
import { DEFAULT_MAX_JOBS_PER_DESTROY, flagSetting, numberSetting } from "./config";
import { idsOf, kindOf } from "./kinds";
import { idRedactor, secretLabel } from "./redact";
import { describeSelector, selectorOf, union } from "./selected";
import type { Services } from "./services";
import type { ExportedSet } from "./stack-export";
import type { JobSelector } from "./inputs/selector";
import { count } from "./wait/progress";

/** The calls a teardown makes for a job, in the order it makes them. */
export const PLAN_ACTIONS = ["stop", "stop-with-savepoint", "kill", "cancel", "delete"] as const;
export type PlanAction = (typeof PLAN_ACTIONS)[number];

/** A member's status when the API says it no longer exists. */
export const GONE = "gone";

// ---------------------------------------------------------------------------------------------------
// What the teardown would do (pure)

export interface PlannedJob {
  /** The job's ID; for a set whose IDs are secret, its position (`[secret #2]`). */
  id: string;
  /** Its status as the API reports it, or "gone". */
  status: string;
  /** The calls a teardown would send for it, in order; empty when nothing is left to do. */
  actions: PlanAction[];
  /** What the teardown would wait for before those calls (a Flink stop already under way). */
  waits?: string;
  /**
   * Set when the set's IDs do not list the job and it is a member through the selector: matched now, or recorded at
   * the last up or refresh (`selectedIds`). A destroy tears it down all the same.
   */
  selected?: true;
}

const stops = (mode: unknown) => mode === "stop" || mode === "stop-then-delete";
const deletes = (mode: unknown) => mode === "delete" || mode === "stop-then-delete";

/**
 * The calls a teardown of each kind sends for one existing member, by its status: the same predicates the teardown
 * uses (`flinkMayRun`, `sparkMayRun`, the MRS and EHPC final-status lists). DLI Flink deletes jobs in any state; a
 * Flink stop already under way is waited for, not sent again. An MRS set with `killRunning: false` is judged as a
 * whole (`planJobs`).
 */
const MEMBER_ACTIONS: Record<string, (state: Record<string, unknown>, status: string) => PlanAction[]> = {
  DliFlinkJobSet: (state, status) => [
    ...(stops(state.teardown) && flinkMayRun(status) ? [state.triggerSavepoint ? ("stop-with-savepoint" as const) : ("stop" as const)] : []),
    ...(deletes(state.teardown) ? (["delete"] as const) : []),
  ],
  DliSparkBatchSet: (_state, status) => (sparkMayRun(status) ? ["cancel"] : []),
  MrsJobExecutionSet: (_state, status) => [...(MRS_FINAL_STATES.has(status) ? [] : (["kill"] as const)), "delete"],
  EhpcJobSet: (state, status) => [
    ...(stops(state.teardown) && !EHPC_FINAL_STATUSES.has(status) ? (["stop"] as const) : []),
    ...(deletes(state.teardown) ? (["delete"] as const) : []),
  ],
};

/**
 * Each member of a set with its status now (`statuses` holds the members that exist) and the calls a teardown would
 * send for it: the set's IDs in their order, then `fromSelector` (the members its selector holds: recorded, and
 * matched now), as the destroy's union; `notes` says what else the destroy would do with the set as a whole.
 */
export function planJobs(
  type: string,
  state: Record<string, unknown>,
  statuses: ReadonlyMap<string, string>,
  fromSelector: readonly string[] = [],
): { jobs: PlannedJob[]; notes: string[] } {
  const declared = new Set(idsOf(kindOf(type), state));
  const ids = union(declared, fromSelector);
  const notes: string[] = [];
  let actionsOf = (status: string) => MEMBER_ACTIONS[type]!(state, status);
  if (type === "MrsJobExecutionSet" && state.killRunning === false) {
    const running = ids.filter((id) => statuses.has(id) && !MRS_FINAL_STATES.has(statuses.get(id)!));
    if (running.length) {
      // The teardown refuses the whole set, before deleting anything (resources/mrs-job-set.ts `refuseRunning`).
      notes.push(`the destroy would fail: ${count(running.length)} executions have not ended and killRunning is false, so nothing would be deleted`);
      actionsOf = () => [];
    }
  }
  const jobs = ids.map((id): PlannedJob => {
    const status = statuses.get(id);
    if (status === undefined) return { id, status: GONE, actions: [], ...(declared.has(id) ? {} : { selected: true as const }) };
    const waits = type === "DliFlinkJobSet" && stops(state.teardown) && FLINK_STOPPING_STATUSES.has(status) ? "the stop under way" : undefined;
    return { id, status, actions: actionsOf(status), ...(waits ? { waits } : {}), ...(declared.has(id) ? {} : { selected: true as const }) };
  });
  return { jobs, notes };
}

/**
 * Whether the mass-teardown guard would refuse the set's teardown on its own (`jobsets:maxJobsPerTeardown`), with the
 * settings of this environment: the guard counts every member the set holds (its IDs and what its selector holds),
 * gone or not.
 */
function guardNote(service: string, id: string, jobs: number, settings: Pick<Services, "config" | "env">): string | undefined {
  try {
    new TeardownGuard().admit(service, id, jobs, settings);
    return undefined;
  } catch (error) {
    if (!(error instanceof TeardownRefusedError)) throw error;
    return `the destroy would refuse this set before any request: ${error.message}`;
  }
}

// ---------------------------------------------------------------------------------------------------
// Reading the statuses

export interface PlannedSet {
  urn: string;
  /** The type token, as the export spells it. */
  type: string;
  name: string;
  /** The service, for people (`dli-flink`). */
  service: string;
  /** Where its jobs live and how they are torn down, for people. */
  summary: string;
  /** Its selector, for a set that holds jobs by name and queue. */
  selector?: JobSelector;
  /** Null when the set could not be read (`unreadable`) or its statuses could not be had (`error`). */
  jobs: PlannedJob[] | null;
  unreadable?: string;
  /** The API's answer when reading the statuses failed. */
  error?: string;
  notes: string[];
}

/** Where a set lives and its teardown mode, in a few words. */
function describeSet(type: string, state: Record<string, unknown> | undefined): string {
  if (!state) return "";
  const selector = selectorOf(state);
  const where =
    type === "EhpcJobSet"
      ? `zone ${state.zone}, cluster ${state.clusterId}`
      : `project ${state.projectId}${type === "MrsJobExecutionSet" ? `, cluster ${state.clusterId}` : ""}`;
  const how =
    type === "DliFlinkJobSet"
      ? `teardown "${state.teardown}"${state.triggerSavepoint ? " with a savepoint" : ""}`
      : type === "EhpcJobSet"
        ? `teardown "${state.teardown}"`
        : type === "MrsJobExecutionSet"
          ? `killRunning ${state.killRunning}`
          : "cancel active batches";
  return `${where}; ${how}${selector ? `; selector: ${describeSelector(selector)}` : ""}`;
}

/**
 * The plan of every set: each member's status now and the calls a teardown would send. The runtimes (and with them
 * the credentials) of every set are resolved before the first request, so missing credentials fail with nothing
 * sent. A selector set's members are what a destroy would tear down: its IDs, the members recorded at the last up or
 * refresh, and what the selector matches now (the kind's selection, whose list gives those jobs' statuses); the
 * other statuses come from the kinds' snapshot reads, all sets at once. A set whose read fails carries the error,
 * and the others go on.
 */
export async function readPlan(sets: readonly ExportedSet[], services: Services): Promise<PlannedSet[]> {
  // Every vendor's missing credentials at once (a stack may need Huawei's and QingCloud's), each said once.
  const missing = new Set<string>();
  const prepared = sets.map((set) => {
    const kind = kindOf(set.type);
    const selector = set.state && selectorOf(set.state);
    const base = {
      urn: set.urn,
      type: set.token,
      name: set.name,
      service: kind.service,
      summary: describeSet(set.type, set.state),
      ...(selector ? { selector } : {}),
      notes: [] as string[],
    };
    if (!set.state) return { base, set, kind, runtime: undefined };
    try {
      return { base, set, kind, runtime: kind.runtime(services, set.state) };
    } catch (error) {
      if (!(error instanceof CredentialsError)) throw error;
      missing.add(error.message);
      return { base, set, kind, runtime: undefined };
    }
  });
  if (missing.size) throw new CredentialsError([...missing].join("\n"));
  return Promise.all(
    prepared.map(async ({ base, set, kind, runtime }): Promise<PlannedSet> => {
      if (!set.state || runtime === undefined) return { ...base, jobs: null, unreadable: set.unreadable };
      const ids = idsOf(kind, set.state);
      const selector = selectorOf(set.state);
      const recorded = selector ? (set.recorded ?? []) : [];
      // The positions of secret jobs: the set's IDs first, then the recorded members (the rest are found by the list).
      let members = union(ids, recorded);
      let statuses: Map<string, string>;
      try {
        const selected = selector ? await kind.select(runtime, selector) : new Map<string, string>();
        members = union(members, selected.keys());
        const unlisted = members.filter((id) => !selected.has(id));
        statuses = new Map([...selected, ...(unlisted.length ? await kind.statuses(runtime, unlisted) : [])]);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        return { ...base, jobs: null, error: set.secretIds ? idRedactor(members)(message) : message };
      }
      const { jobs, notes } = planJobs(set.type, set.state, statuses, members);
      const guard = guardNote(kind.service, set.id, members.length, services);
      const shown = set.secretIds ? new Map(members.map((id, index) => [id, secretLabel(index)])) : undefined;
      const encrypted = selector && set.selectionEncrypted
        ? [
            "the members its selector matched at the last up or refresh (selectedIds) are encrypted in this export: the plan lists what the " +
              "selector matches now; `pulumi stack export --show-secrets` adds the recorded ones, which a destroy tears down too",
          ]
        : [];
      return {
        ...base,
        jobs: shown ? jobs.map((job) => ({ ...job, id: shown.get(job.id)! })) : jobs,
        notes: [...encrypted, ...notes, ...(guard ? [guard] : [])],
      };
    }),
  );
}

// ---------------------------------------------------------------------------------------------------
// Printing

export interface PlanTotals {
  sets: number;
  jobs: number;
  /** Jobs a teardown would stop, kill or cancel. */
  toStop: number;
  toDelete: number;
  gone: number;
  /** Jobs that exist and need no call (already ended, in a mode that keeps them). */
  untouched: number;
  /** Sets whose jobs could not be read (secret, unreadable state, a failed read). */
  unread: number;
}

export function planTotals(sets: readonly PlannedSet[]): PlanTotals {
  const jobs = sets.flatMap((set) => set.jobs ?? []);
  return {
    sets: sets.length,
    jobs: jobs.length,
    toStop: jobs.filter((job) => job.actions.some((action) => action !== "delete")).length,
    toDelete: jobs.filter((job) => job.actions.includes("delete")).length,
    gone: jobs.filter((job) => job.status === GONE).length,
    untouched: jobs.filter((job) => job.status !== GONE && job.actions.length === 0).length,
    unread: sets.filter((set) => set.jobs === null).length,
  };
}

/** The `--json` document: `{ "sets": [ { "urn", "type", "jobs": [ { "id", "status", "actions" } ] } ], "totals" }`. */
export function planJson(sets: readonly PlannedSet[]): unknown {
  return {
    sets: sets.map((set) => ({
      urn: set.urn,
      type: set.type,
      ...(set.selector ? { selector: set.selector } : {}),
      jobs: set.jobs,
      ...(set.unreadable ? { unreadable: set.unreadable } : {}),
      ...(set.error ? { error: set.error } : {}),
      ...(set.notes.length ? { notes: set.notes } : {}),
    })),
    totals: planTotals(sets),
  };
}

/** Rows padded into columns. */
function table(rows: string[][], indent: string): string[] {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => indent + row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join("   "));
}

/** What a person reads: per set, a heading and a table of its jobs; then one summary line. */
export function formatPlan(sets: readonly PlannedSet[], maxDestroy?: { limit: number; lifted: boolean }): string {
  const lines: string[] = [];
  if (sets.length === 0) lines.push("No job sets in this stack: a destroy would tear down no jobs.");
  for (const set of sets) {
    lines.push(`${set.name} (${set.service}${set.summary ? `: ${set.summary}` : ""})`);
    lines.push(`  ${set.urn}`);
    if (set.jobs === null) {
      lines.push(`  not read: ${set.unreadable ?? set.error}`);
    } else if (set.jobs.length === 0) {
      lines.push("  no jobs");
    } else {
      // A selector set says which jobs its IDs list and which its selector holds: the latter are not in the program.
      const held = set.selector !== undefined;
      const rows = [["JOB", ...(held ? ["HELD BY"] : []), "STATUS", "A DESTROY WOULD"]];
      for (const job of set.jobs) {
        const calls = job.actions.length ? job.actions.join(", ") : job.status === GONE ? "nothing (already gone)" : "nothing";
        const by = held ? [job.selected ? "selector" : "IDs"] : [];
        rows.push([job.id, ...by, job.status, job.waits ? `wait for ${job.waits}${job.actions.length ? `, then ${calls}` : ""}` : calls]);
      }
      lines.push(...table(rows, "  "));
    }
    for (const note of set.notes) lines.push(`  note: ${note}`);
    lines.push("");
  }
  const totals = planTotals(sets);
  const parts = [`${count(totals.toStop)} to stop`, `${count(totals.toDelete)} to delete`, `${count(totals.gone)} already gone`];
  if (totals.untouched) parts.push(`${count(totals.untouched)} left as ${totals.untouched === 1 ? "it is" : "they are"}`);
  const unread = totals.unread ? `; ${count(totals.unread)} ${totals.unread === 1 ? "set" : "sets"} not read (see above)` : "";
  lines.push(`Summary: ${count(totals.sets)} ${totals.sets === 1 ? "set" : "sets"}, ${count(totals.jobs)} jobs: ${parts.join(", ")}${unread}.`);
  if (maxDestroy && !maxDestroy.lifted && totals.jobs > maxDestroy.limit) {
    lines.push(
      `Note: the sets hold ${count(totals.jobs)} jobs, more than jobsets:maxJobsPerDestroy (JOBSETS_MAX_JOBS_PER_DESTROY) = ` +
        `${count(maxDestroy.limit)}: a destroy would refuse the sets that take it past the limit, unless JOBSETS_ALLOW_MASS_TEARDOWN=1.`,
    );
  }
  return lines.join("\n");
}

/** The one-destroy limit of the mass-teardown guard in this environment (`formatPlan`'s note). */
export function destroyLimit(settings: Pick<Services, "config" | "env">): { limit: number; lifted: boolean } {
  return {
    limit: numberSetting("maxJobsPerDestroy", DEFAULT_MAX_JOBS_PER_DESTROY, settings.config, settings.env),
    lifted: flagSetting("allowMassTeardown", settings.config, settings.env),
  };
}
