/**
 * A set's place (where its jobs live) and its resource ID, from its kind's `idPrefix` and `location` inputs. An
 * import ID lists the jobs, so the ID alone carries everything `read` needs.
 */
import { randomBytes } from "node:crypto";
import { InvalidInputError } from "../errors";
import type { AnyKind } from "./index";

/**
 * The last part of an ID made by create: `set-` and 16 random hex digits. Random, not derived from the job IDs:
 * a digest of a few small Flink IDs could be reversed by trying them all, and the resource ID is never secret.
 */
function newSetSuffix(): string {
  return `set-${randomBytes(8).toString("hex")}`;
}

/** Last parts of create-made IDs, which hold no job IDs: `set-<random>`, and `sha-<digest>` from earlier versions. */
const CREATED_ID_SUFFIX = /^(set|sha)-[0-9a-f]{16}$/;

/** Where a set's jobs live: `<prefix>/<location>`, e.g. `mrs/<projectId>/<clusterId>` (see holdings.ts). */
export function placeOf(kind: AnyKind, state: Record<string, unknown>): string {
  return [kind.idPrefix, ...kind.location.map((key) => String(state[key]))].join("/");
}

/**
 * A set's ID: `<place>/<jobs>`, e.g. `mrs/<projectId>/<clusterId>/set-0123456789abcdef`. Create puts a random
 * suffix last; an import ID lists the jobs instead (`dli-flink/<projectId>/101,102`).
 */
export function setId(kind: AnyKind, state: Record<string, unknown>): string {
  return `${placeOf(kind, state)}/${newSetSuffix()}`;
}

/** The inputs an import ID stands for; an ID made by create (which names no jobs) cannot be imported. */
export function importInputs(kind: AnyKind, id: string): Record<string, unknown> {
  const format = [kind.idPrefix, ...kind.location.map((key) => `<${key}>`), "<id>,<id>,…"].join("/");
  const parts = id.split("/");
  if (parts.length !== kind.location.length + 2 || parts[0] !== kind.idPrefix || parts.some((part) => part === "")) {
    throw new InvalidInputError(`cannot import ${kind.type} "${id}": expected an ID of the form ${format}`, { property: "id" });
  }
  const jobs = parts.at(-1)!;
  if (CREATED_ID_SUFFIX.test(jobs)) {
    throw new InvalidInputError(
      `cannot import ${kind.type} "${id}": this ID was made by create and names no jobs; import with ${format}`,
      { property: "id" },
    );
  }
  const inputs: Record<string, unknown> = { [kind.idsProperty]: jobs.split(",") };
  for (const [i, key] of kind.location.entries()) inputs[key] = parts[i + 1];
  return inputs;
}
