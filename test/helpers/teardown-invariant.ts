// The invariant every fault row ends with: after any destroy, faults or not, each job of the set is torn down or
// still listed in the state (and named by the error), and no job outside the set was touched.
import type { Emulator, RecordedCall } from "../../emulator";
import type { StateResource } from "../harness/engine";
import { mentions } from "./call-stats";
import type { KindDriver, Place, Teardown } from "./kind-drivers";

/** The IDs a stack's state still lists for sets of this kind. */
export function idsInState(state: readonly StateResource[], driver: KindDriver): Set<string> {
  const ids = new Set<string>();
  for (const entry of state) {
    if (entry.type !== driver.type) continue;
    const listed = entry.outputs[driver.idsProperty];
    for (const id of Array.isArray(listed) ? listed : []) ids.add(String(id));
  }
  return ids;
}

export interface InvariantInput {
  driver: KindDriver;
  place: Place;
  emu: Emulator;
  teardown: Teardown;
  /** The jobs of the set(s) destroyed. */
  ids: readonly string[];
  /** What the harness's state(s) still list. */
  stillInState: ReadonlySet<string>;
  /** The destroy's error, if it failed: it must name every job it left behind. */
  error?: Error;
  /** Jobs outside the set, with the status they were seeded in. */
  outsiders: ReadonlyMap<string, string>;
  calls: readonly RecordedCall[];
}

/**
 * What must hold after any destroy, faults or not: each job of the set is torn down (gone; stopped for teardown
 * "stop"; ended for Spark) or still listed in the state, and named by the error when there is one; no job outside
 * the set was touched (same status, and never named by a call). Returns the violations, empty when it holds.
 */
export function invariantViolations(input: InvariantInput): string[] {
  const { driver, place, emu, teardown, ids, stillInState, error, outsiders, calls } = input;
  const statuses = driver.statuses(emu, place);
  const violations: string[] = [];
  for (const id of ids) {
    const status = statuses.get(id);
    if (driver.tornDown(status, teardown)) continue;
    if (!stillInState.has(id)) violations.push(`${driver.name} job ${id} is ${status} but no longer in the state`);
    else if (error && !error.message.includes(id)) violations.push(`${driver.name} job ${id} is ${status}, and the error does not name it`);
    else if (!error) violations.push(`${driver.name} job ${id} is ${status} though the destroy succeeded`);
  }
  for (const [id, seeded] of outsiders) {
    const now = statuses.get(id);
    if (now !== seeded) violations.push(`outsider ${id} was touched: ${seeded} → ${now ?? "gone"}`);
    for (const call of calls) if (mentions(call, id)) violations.push(`outsider ${id} named by call #${call.seq} ${call.op}`);
  }
  return violations;
}
