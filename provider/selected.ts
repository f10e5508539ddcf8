/**
 * The members a set holds through its selector (inputs/selector.ts), as the lifecycle sees them: resolved when the set
 * is created, refreshed, updated and destroyed, and recorded in the `selectedIds` output between runs.
 *
 * `selectedIds` is always a secret in state, as `savepoints` is: job IDs may be what a stack keeps secret, and the
 * provider cannot tell (a dynamic provider never sees whether an input was secret, and a selector-only set declares
 * no IDs to tell by). Progress lines about a selection give counts, never IDs.
 */
import type { JobSelector } from "./inputs/selector";
import type { AnyKind } from "./kinds";
import { wrapSecret } from "./pulumi-secrets";
import type { Services } from "./services";
import { count } from "./wait/progress";

/** The output that records what the selector matched at the last create, update or refresh. */
export const SELECTED_IDS = "selectedIds";

/** The set's selector, when it has one. */
export function selectorOf(state: Record<string, unknown>): JobSelector | undefined {
  return state.selector as JobSelector | undefined;
}

/** The members the outputs record for the selector (plain by the time a provider reads them; none when not a list). */
export function recordedSelection(outputs: Record<string, unknown> | undefined): string[] {
  const value = outputs?.[SELECTED_IDS];
  return Array.isArray(value) ? value.filter((id): id is string => typeof id === "string") : [];
}

/** A selector in words, for progress lines and the plan: `names starting with "nightly-" in queue "batch"`. */
export function describeSelector(selector: JobSelector): string {
  const parts = [selector.namePrefix !== undefined ? `names starting with ${JSON.stringify(selector.namePrefix)}` : "", selector.queueName !== undefined ? `queue ${JSON.stringify(selector.queueName)}` : ""];
  return parts.filter(Boolean).join(" in ");
}

/**
 * What the set's selector holds now (ID → status), or undefined for a set without one. Matching nothing is not an
 * error: the pipeline may not have submitted anything yet; `warnIfNone` says so.
 */
export async function selectNow(kind: AnyKind, state: Record<string, unknown>, services: Services, warnIfNone: boolean): Promise<Map<string, string> | undefined> {
  const selector = selectorOf(state);
  if (!selector) return undefined;
  const selected = await kind.select(kind.runtime(services, state), selector);
  if (selected.size === 0 && warnIfNone) services.progress.warn(`${kind.service}: the selector (${describeSelector(selector)}) matches no job yet`);
  else if (selected.size) services.progress.log(`${kind.service}: the selector (${describeSelector(selector)}) matches ${count(selected.size)} jobs`);
  return selected;
}

/** The `selectedIds` output for what a selector matched (none for a set without a selector). */
export function selectionOutputs(selected: Iterable<string> | undefined): Record<string, unknown> {
  if (!selected) return {};
  return { [SELECTED_IDS]: wrapSecret([...new Set(selected)]) };
}

/** IDs in first-seen order, once each. */
export function union(...lists: Iterable<string>[]): string[] {
  const all = new Set<string>();
  for (const list of lists) for (const id of list) all.add(id);
  return [...all];
}
