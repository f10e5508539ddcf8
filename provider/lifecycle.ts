/**
 * The job-set lifecycle, for every kind: check, diff, create, update, delete, and read. Plain functions over plain
 * objects; they know nothing of how they are hosted. The dynamic provider (`dynamic.ts`) and the plugin are thin
 * adapters over this module. What differs between kinds is data in `kinds/`, which these functions read.
 */
import { checkFailures, formatFailures, type CheckFailure } from "./check";
import { DEFAULT_MAX_JOBS_PER_SET, numberSetting, settingErrors } from "./config";
import { InvalidInputError, JobSetError, PartialTeardownError } from "./errors";
import { TeardownGuard } from "./guard";
import { emptyDefaults, type DefaultsSource } from "./inputs/defaults";
import { configKeyFailures } from "./inputs/typo-hints";
import { idsOf, kindOf, type AnyKind } from "./kinds";
import { importInputs, placeOf, setId } from "./kinds/set-ids";
import { idRedactor, redactedProgress, redactError } from "./redact";
import { recordedSelection, selectionOutputs, selectNow, selectorOf, union } from "./selected";
import type { Services } from "./services";
import { count } from "./wait/progress";

export { JOB_SET_TYPES } from "./kinds";
export type { Services } from "./services";

/** Reads inputs with a kind's schema; zod's issues become check failures naming the property. */
function parseInputs(kind: AnyKind, inputs: unknown, defaults: DefaultsSource): { success: true; data: Record<string, unknown> } | { success: false; failures: CheckFailure[] } {
  const parsed = kind.schema(defaults).safeParse(inputs);
  return parsed.success ? { success: true, data: parsed.data } : { success: false, failures: checkFailures(parsed.error, kind.knownProperties) };
}

/** Drops keys that are not ours (`__provider`, the engine's bookkeeping), keeping the user's inputs. */
function ownInputs(values: Record<string, unknown>, kind: { knownProperties: readonly string[] }, keepUnknown: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(values ?? {})) {
    if (key.startsWith("__")) continue;
    if (!keepUnknown && !kind.knownProperties.includes(key)) continue;
    out[key] = value;
  }
  return out;
}

/**
 * Runs `operation` so that, when the set's job IDs are secret (`secretIds`, recorded by the SDK or the plugin), its
 * progress lines and errors name those jobs by position instead (redact.ts).
 */
async function withSecretIds<T>(state: Record<string, unknown>, ids: readonly string[], services: Services, operation: (services: Services) => Promise<T>): Promise<T> {
  if (state.secretIds !== true) return operation(services);
  const redact = idRedactor(ids);
  try {
    return await operation({ ...services, progress: redactedProgress(services.progress, redact) });
  } catch (error) {
    throw redactError(error, redact);
  }
}

function defaultsOf(services: Pick<Services, "config" | "env">): DefaultsSource {
  return { config: services.config, env: services.env };
}

/** The stored state of a set, read back from outputs (delete and update receive only those; so does `jobsets plan`). */
export function stateOf(type: string, outputs: Record<string, unknown>) {
  const kind = kindOf(type);
  // State was normalised at check time: parse it without defaults, ignoring keys a newer version added.
  const parsed = parseInputs(kind, ownInputs(outputs, kind, false), emptyDefaults);
  if (!parsed.success) {
    throw new InvalidInputError(`the stored state of this ${type} is not readable:\n${formatFailures(parsed.failures)}`);
  }
  return { kind, state: parsed.data };
}

/** Top-level inputs whose value is, or holds, a value not known yet (a preview). */
function unknownKeys(values: Record<string, unknown>, isUnknown: ((value: unknown) => boolean) | undefined): string[] {
  if (!isUnknown) return [];
  const holds = (value: unknown): boolean =>
    isUnknown(value) || (Array.isArray(value) ? value.some(holds) : typeof value === "object" && value !== null && Object.values(value).some(holds));
  return Object.keys(values).filter((key) => holds(values[key]));
}

// ---------------------------------------------------------------------------------------------------

export interface CheckResult {
  inputs: Record<string, unknown>;
  failures: CheckFailure[];
}

/**
 * Validates and normalises inputs, offline: no request is sent, whatever the inputs. During a preview,
 * inputs not known yet are passed through and only the known ones are judged; the engine checks again
 * with real values before anything is created.
 */
export function check(
  type: string,
  news: Record<string, unknown>,
  services: Pick<Services, "config" | "env" | "progress" | "configKeys" | "isUnknown">,
): CheckResult {
  const kind = kindOf(type);
  const raw = ownInputs(news, kind, true);
  // Settings first: a bad one changes what a teardown would do, whatever the inputs.
  const configFailures = [
    ...configKeyFailures(services.configKeys),
    ...settingErrors(services).map((error) => ({ property: error.property, reason: error.message })),
  ];
  const unknown = unknownKeys(raw, services.isUnknown);
  const parsed = parseInputs(kind, raw, defaultsOf(services));
  if (unknown.length) {
    const aboutUnknown = (property: string) => unknown.some((key) => property === key || property.startsWith(`${key}[`) || property.startsWith(`${key}.`));
    const failures = parsed.success ? [] : parsed.failures.filter((failure) => !aboutUnknown(failure.property));
    return { inputs: raw, failures: [...configFailures, ...failures] };
  }
  if (!parsed.success) return { inputs: raw, failures: [...configFailures, ...parsed.failures] };
  if (configFailures.length) return { inputs: raw, failures: configFailures };
  const ids = idsOf(kind, parsed.data);
  const ceiling = numberSetting("maxJobsPerSet", DEFAULT_MAX_JOBS_PER_SET, services.config, services.env);
  if (ids.length > ceiling) {
    configFailures.push({
      property: kind.idsProperty,
      reason: `a set holds at most ${count(ceiling)} jobs (jobsets:maxJobsPerSet), received ${count(ids.length)}: split it into several sets`,
    });
  }
  if (configFailures.length) return { inputs: raw, failures: configFailures };
  const listed = raw[kind.idsProperty];
  const given = Array.isArray(listed) ? listed.length : 0;
  if (given > ids.length) {
    services.progress.warn(`${kind.service}: ${given - ids.length} duplicate job IDs in ${kind.idsProperty} were collapsed`);
  }
  return { inputs: { ...parsed.data }, failures: [] };
}

export interface DiffResult {
  changes: boolean;
  replaces: string[];
  /** Every property that differs, for display. */
  diffs: string[];
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

function sameIds(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const set = new Set(a);
  return b.every((id) => set.has(id));
}

/**
 * Compares the stored state with checked inputs, both normalised. `__provider` is never compared, so a
 * new version of this package never shows as a change. The order of IDs does not matter. The set's stored
 * jobs are recorded as held (holdings.ts): the engine diffs every set the program still declares.
 */
export function diff(
  type: string,
  id: string,
  olds: Record<string, unknown>,
  news: Record<string, unknown>,
  services: Pick<Services, "config" | "env" | "isUnknown" | "holdings">,
): DiffResult {
  const kind = kindOf(type);
  const before = stateOf(type, olds).state;
  services.holdings?.hold(id, placeOf(kind, before), idsOf(kind, before));
  const given = ownInputs(news, kind, true);
  // A preview with inputs not known yet: those are taken as unchanged, and a change is reported.
  const unknown = unknownKeys(given, services.isUnknown);
  for (const key of unknown) {
    if (key in before) given[key] = before[key];
    else delete given[key];
  }
  const parsed = parseInputs(kind, given, defaultsOf(services));
  if (!parsed.success) throw new InvalidInputError(`invalid inputs:\n${formatFailures(parsed.failures)}`);
  const after = parsed.data;
  const diffs = kind.knownProperties.filter((key) =>
    key === kind.idsProperty ? !sameIds(idsOf(kind, before), idsOf(kind, after)) : !sameValue(before[key], after[key]),
  );
  const replaces = diffs.filter((key) => (kind.replaceProperties as readonly string[]).includes(key));
  return { changes: diffs.length > 0 || unknown.length > 0, replaces, diffs: [...new Set([...diffs, ...unknown])] };
}

export interface CreateResult {
  id: string;
  outs: Record<string, unknown>;
}

/** Verifies that every job exists (list calls, not one call per job), then records the set. */
export async function create(type: string, inputs: Record<string, unknown>, services: Services): Promise<CreateResult> {
  const kind = kindOf(type);
  const parsed = parseInputs(kind, ownInputs(inputs, kind, true), defaultsOf(services));
  if (!parsed.success) throw new InvalidInputError(`invalid inputs:\n${formatFailures(parsed.failures)}`);
  const state = parsed.data;
  await withSecretIds(state, idsOf(kind, state), services, (scoped) => kind.verify(kind.runtime(scoped, state), state, idsOf(kind, state)));
  const selected = await selectNow(kind, state, services, true);
  const id = setId(kind, state);
  services.holdings?.hold(id, placeOf(kind, state), union(idsOf(kind, state), selected?.keys() ?? []));
  return { id, outs: { ...state, ...selectionOutputs(selected?.keys()) } };
}

/**
 * An update whose job list changed: new IDs are verified first (so a typo fails before anything is torn
 * down), then removed IDs are torn down with the set's teardown mode. When some removed jobs could not
 * be torn down, the error carries the state to keep: the new set plus those jobs, so they are retried.
 */
export class UpdateIncompleteError extends JobSetError {
  override readonly code = "JOBSET_ERR_UPDATE_INCOMPLETE";
  static override readonly errorCode = "JOBSET_ERR_UPDATE_INCOMPLETE";
  constructor(
    message: string,
    readonly id: string,
    readonly outs: Record<string, unknown>,
    cause: unknown,
  ) {
    super(message, { cause });
    this.name = "UpdateIncompleteError";
  }
}

export async function update(type: string, id: string, olds: Record<string, unknown>, news: Record<string, unknown>, services: Services): Promise<{ outs: Record<string, unknown> }> {
  const { kind, state: before } = stateOf(type, olds);
  const parsed = parseInputs(kind, ownInputs(news, kind, true), defaultsOf(services));
  if (!parsed.success) throw new InvalidInputError(`invalid inputs:\n${formatFailures(parsed.failures)}`);
  const after = parsed.data;
  const secret = before.secretIds === true || after.secretIds === true ? { secretIds: true } : {};
  const everyId = [...idsOf(kind, before), ...idsOf(kind, after)];
  return withSecretIds(secret, everyId, services, (scoped) => applyUpdate(kind, id, before, after, scoped, recordedSelection(olds)));
}

async function applyUpdate(
  kind: AnyKind,
  id: string,
  before: Record<string, unknown>,
  after: Record<string, unknown>,
  services: Services,
  recorded: readonly string[],
): Promise<{ outs: Record<string, unknown> }> {
  // A changed selector lets go of what only the old one held: the members it recorded, and what it matches now (jobs
  // submitted since the last up, which a destroy would have torn down too). Those the new selector or the IDs keep stay.
  const selectorChanged = JSON.stringify(selectorOf(before) ?? null) !== JSON.stringify(selectorOf(after) ?? null);
  const selected = await selectNow(kind, after, services, selectorChanged);
  const oldSelection = selectorChanged ? await selectNow(kind, { ...after, selector: selectorOf(before) }, services, false) : undefined;
  const dropped = selectorChanged ? union(recorded, oldSelection?.keys() ?? []) : [];
  const kept = new Set(union(idsOf(kind, after), selected?.keys() ?? []));
  const previous = new Set(idsOf(kind, before));
  const added = idsOf(kind, after).filter((jobId) => !previous.has(jobId));
  const removed = notHeldElsewhere(kind, id, after, union(idsOf(kind, before), dropped).filter((jobId) => !kept.has(jobId)), services);
  if (added.length) await kind.verify(kind.runtime(services, after), after, added);
  // What the teardown reports beside the set's state (Flink: `savepoints`, where its stops' savepoints went).
  let reported: Record<string, unknown> | undefined;
  if (removed.length) {
    admitTeardown(kind, id, removed.length, services);
    try {
      reported = ((await kind.teardown(kind.runtime(services, after), after, removed)) as { outputs?: Record<string, unknown> } | undefined)?.outputs;
    } catch (error) {
      const failed = error instanceof PartialTeardownError ? [...error.failed.keys()] : removed;
      const outs = { ...after, ...selectionOutputs(selected?.keys()), [kind.idsProperty]: [...idsOf(kind, after), ...failed] };
      services.holdings?.hold(id, placeOf(kind, after), idsOf(kind, outs));
      throw new UpdateIncompleteError((error as Error).message, id, outs, error);
    }
  }
  services.holdings?.hold(id, placeOf(kind, after), [...kept]);
  return { outs: { ...after, ...reported, ...selectionOutputs(selected?.keys()) } };
}

/**
 * Tears down every job of the set that still exists. A rerun after a failure finishes the work. A set
 * larger than the mass-teardown limits is refused before any request (see guard.ts).
 */
export async function remove(type: string, id: string, outputs: Record<string, unknown>, services: Services): Promise<void> {
  const { kind, state } = stateOf(type, outputs);
  // Forget this set first: sets deleted together (a destroy) would otherwise each leave a shared job to the
  // other, and nobody would tear it down. Whichever looks last sees the others released and tears it down.
  services.holdings?.release(id);
  await withSecretIds(state, idsOf(kind, state), services, async (scoped) => {
    // A selector set's members: its IDs, the members recorded at the last up or refresh, and what the selector matches
    // now (jobs submitted since). The guard below counts them all.
    const selected = await selectNow(kind, state, scoped, false);
    const members = union(idsOf(kind, state), recordedSelection(outputs), selected?.keys() ?? []);
    const ids = notHeldElsewhere(kind, id, state, members, scoped);
    if (ids.length) {
      admitTeardown(kind, id, ids.length, scoped);
      await kind.teardown(kind.runtime(scoped, state), state, ids);
    }
  });
}

/**
 * Of the jobs set `id` is about to tear down, those no other set holds in the same place (holdings.ts): a
 * replacement's new set, created before the old one is deleted, keeps the jobs both declare.
 */
function notHeldElsewhere(kind: AnyKind, id: string, state: Record<string, unknown>, ids: string[], services: Pick<Services, "holdings" | "progress">): string[] {
  if (!services.holdings || ids.length === 0) return ids;
  const held = services.holdings.heldElsewhere(id, placeOf(kind, state), ids);
  if (held.jobs.size === 0) return ids;
  services.progress.log(
    `${kind.service}: ${count(held.jobs.size)} of the ${count(ids.length)} jobs to tear down for set ${id} are left alone: ` +
      `${held.holders.length === 1 ? "set" : "sets"} ${held.holders.join(", ")} now ${held.holders.length === 1 ? "holds" : "hold"} them in the same place`,
  );
  return ids.filter((jobId) => !held.jobs.has(jobId));
}

/** The mass-teardown guard; without a process-wide one (a host that runs one operation), the per-set limit still holds. */
function admitTeardown(kind: AnyKind, id: string, jobs: number, services: Pick<Services, "config" | "env" | "guard">): void {
  (services.guard ?? new TeardownGuard()).admit(kind.service, id, jobs, services);
}

export interface ReadResult {
  id: string;
  /** The set as it is now, with `jobStatuses`: the last status seen of each member, in the order of its IDs. */
  outs: Record<string, unknown>;
  /** The inputs that describe the set now (members that vanished removed). */
  inputs: Record<string, unknown>;
}

/**
 * `pulumi refresh`, and import. One pass of list (or state) calls over the members: jobs that vanished
 * out of band leave the state, with a warning; each remaining job's status is recorded in `jobStatuses`.
 * With no members at hand (an import, or a lookup by ID), where and which jobs come from the ID
 * (`importInputs`); location defaults (endpoint, region) come from the config and environment as at check.
 */
export async function read(type: string, id: string, props: Record<string, unknown>, services: Services): Promise<ReadResult> {
  const kind = kindOf(type);
  const given = ownInputs(props ?? {}, kind, false);
  const source = given[kind.idsProperty] !== undefined ? given : { ...given, ...importInputs(kind, id) };
  const parsed = parseInputs(kind, source, defaultsOf(services));
  if (!parsed.success) throw new InvalidInputError(`cannot read ${type} ${id}:\n${formatFailures(parsed.failures)}`);
  const state = parsed.data;
  const ids = idsOf(kind, state);
  const statuses = await withSecretIds(state, ids, services, async (scoped) => {
    const found = await kind.statuses(kind.runtime(scoped, state), ids);
    const vanished = ids.filter((jobId) => !found.has(jobId));
    if (vanished.length) {
      const shown = vanished.slice(0, 20).join(", ") + (vanished.length > 20 ? ` and ${vanished.length - 20} more` : "");
      scoped.progress.warn(`${kind.service}: ${count(vanished.length)} of ${count(ids.length)} jobs no longer exist and leave the state: ${shown}`);
    }
    return found;
  });
  const remaining = ids.filter((jobId) => statuses.has(jobId));
  const inputs = { ...state, [kind.idsProperty]: remaining };
  // A list in the order of the IDs, not a map keyed by them: the engine keeps an output secret only when the
  // input of the same name was secret, so secret job IDs used as keys would land in state in plain text.
  const jobStatuses = remaining.map((jobId) => statuses.get(jobId)!);
  return { id, outs: { ...inputs, jobStatuses, ...selectionOutputs(await refreshSelection(kind, state, recordedSelection(props), services)) }, inputs };
}

/**
 * What a refresh records for the selector: what it matches now, and the members recorded before that still exist
 * (a job renamed or moved since is still the set's, as a destroy would see it). Undefined for a set without one.
 */
async function refreshSelection(kind: AnyKind, state: Record<string, unknown>, recorded: readonly string[], services: Services): Promise<string[] | undefined> {
  const selected = await selectNow(kind, state, services, true);
  if (!selected) return undefined;
  const unmatched = recorded.filter((jobId) => !selected.has(jobId));
  const still = unmatched.length ? await kind.statuses(kind.runtime(services, state), unmatched) : new Map<string, string>();
  return union(selected.keys(), unmatched.filter((jobId) => still.has(jobId)));
}
