/** The registry of job-set kinds: the lifecycle finds a kind by its type name here, and nowhere else. */
import { InvalidInputError } from "../errors";
import { flinkKind } from "./dli-flink";
import { sparkKind } from "./dli-spark";
import { ehpcKind } from "./ehpc";
import type { JobSetKind } from "./kind";
import { mrsKind } from "./mrs";

export type { JobSetKind } from "./kind";

/** A kind whose state and context types are erased: what the lifecycle handles, whatever the type. */
export type AnyKind = JobSetKind<Record<string, unknown>, unknown>;

export const KINDS: readonly AnyKind[] = [flinkKind, sparkKind, mrsKind, ehpcKind] as unknown as AnyKind[];

const byType = new Map(KINDS.map((kind) => [kind.type, kind]));

export const JOB_SET_TYPES = [...byType.keys()];

export function kindOf(type: string): AnyKind {
  const kind = byType.get(type);
  if (!kind) throw new InvalidInputError(`unknown job set type "${type}"; known: ${JOB_SET_TYPES.join(", ")}`);
  return kind;
}

/** The IDs of a set's members, whichever property lists them. */
export function idsOf(kind: Pick<AnyKind, "idsProperty">, state: Record<string, unknown>): string[] {
  return state[kind.idsProperty] as string[];
}
