/**
 * Counting a set's jobs as a policy sees them: inputs at `Analyze`, outputs at `AnalyzeStack`, wrapped by
 * @pulumi/policy in a proxy that throws when a value is unknown (a preview, where an ID comes from another
 * resource's output not created yet).
 *
 * What is known is counted; what is not is counted apart, so a policy can still decide when the known part
 * settles it (150 known IDs break a limit of 100 whatever the rest are) and otherwise rethrow the proxy's
 * error, which @pulumi/policy turns into an advisory "can't run policy ... during preview" note. At
 * `pulumi up` the inputs are known and the policy runs in full.
 */
import type { JobSetKind } from "./kinds";

/** The error @pulumi/policy's props proxy throws on an unknown value (its class is internal, so duck-typed). */
export interface UnknownValueError extends Error {
  unknownTypeSentinel: string;
  props: PropertyKey[];
}

export function isUnknownValueError(error: unknown): error is UnknownValueError {
  return error instanceof Error && typeof (error as Partial<UnknownValueError>).unknownTypeSentinel === "string";
}

/** How many distinct jobs a set lists, and how many entries are not known yet. */
export interface JobCount {
  /** Distinct IDs known now, spelled as the provider would (so `101` and `"101"` are one job). */
  known: number;
  /** Entries not known until the update; `"all"` when the whole list is unknown. */
  unknown: number | "all";
  /** The proxy's error for the first unknown entry; rethrow it to have @pulumi/policy report the preview gap. */
  unknownError?: UnknownValueError;
}

/** Reads `read()`, turning the proxy's unknown-value error into `undefined` plus the error. */
export function readKnown<T>(read: () => T): { value: T; unknown?: undefined } | { value?: undefined; unknown: UnknownValueError } {
  try {
    return { value: read() };
  } catch (error) {
    if (isUnknownValueError(error)) return { unknown: error };
    throw error;
  }
}

/** Counts the distinct jobs in `props[kind.idsProperty]`, tolerating unknown entries. */
export function countJobs(props: Record<string, unknown>, kind: JobSetKind): JobCount {
  const list = readKnown(() => props[kind.idsProperty]);
  if (list.unknown) return { known: 0, unknown: "all", unknownError: list.unknown };
  // Anything but a list is an invalid input the provider's check rejects; it holds no jobs here.
  if (!Array.isArray(list.value)) return { known: 0, unknown: 0 };
  const ids = list.value as unknown[];
  const seen = new Set<string>();
  let unknown = 0;
  let unknownError: UnknownValueError | undefined;
  for (let i = 0; i < ids.length; i++) {
    const entry = readKnown(() => ids[i]);
    if (entry.unknown) {
      unknown++;
      unknownError ??= entry.unknown;
      continue;
    }
    seen.add(spell(entry.value, kind));
  }
  return { known: seen.size, unknown, ...(unknownError ? { unknownError } : {}) };
}

/** One ID as the provider normalises it (provider/schema.ts): Longs in decimal, UUIDs in lowercase. */
function spell(value: unknown, kind: JobSetKind): string {
  if (typeof value === "number") return Number.isSafeInteger(value) ? String(value) : `number:${value}`;
  if (typeof value !== "string") return `json:${JSON.stringify(value)}`;
  const trimmed = value.trim();
  switch (kind.idSpelling) {
    case "long":
      return /^\d+$/.test(trimmed) ? BigInt(trimmed).toString() : trimmed;
    case "uuid":
      return trimmed.toLowerCase();
    case "verbatim":
      return trimmed;
  }
}

/** "150 jobs", "150 known jobs and 3 not known until the update", "a job list not known until the update". */
export function describeCount(count: JobCount): string {
  if (count.unknown === "all") return "a job list not known until the update";
  const jobs = `${count.known} ${count.unknown ? "known " : ""}job${count.known === 1 ? "" : "s"}`;
  return count.unknown ? `${jobs} and ${count.unknown} not known until the update` : jobs;
}

/**
 * Rethrows the proxy's unknown-value error with `message` in front, so the advisory note @pulumi/policy
 * prints at preview says what could not be decided and that the update will decide it.
 */
export function undecidedAtPreview(error: UnknownValueError, message: string): never {
  error.message = `${message}; checked again when the update runs (${error.message})`;
  throw error;
}
