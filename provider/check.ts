/**
 * Turns zod's issues into Pulumi check failures: one failure per issue, `property` as a dot path
 * (`jobIds[3]`), `reason` saying what was expected and what was received. The policy pack uses the same
 * formatter, so a user reads the same words wherever a bad input is caught.
 */
import { z } from "zod";
import { unknownKeyMessage } from "./inputs/typo-hints";

export interface CheckFailure {
  property: string;
  reason: string;
}

export function checkFailures(error: z.ZodError, knownProperties: readonly string[]): CheckFailure[] {
  const failures: CheckFailure[] = [];
  for (const issue of error.issues) {
    if (issue.code === "unrecognized_keys") {
      const prefix = issue.path.length ? `${z.core.toDotPath(issue.path)}.` : "";
      for (const key of issue.keys) {
        failures.push({ property: `${prefix}${key}`, reason: unknownKeyMessage(key, knownProperties) });
      }
      continue;
    }
    failures.push({ property: z.core.toDotPath(issue.path) || "(inputs)", reason: issue.message });
  }
  return failures;
}

/** One line per failure, for error messages and logs: `jobIds[3]: expected a positive integer job ID, received -1`. */
export function formatFailures(failures: readonly CheckFailure[]): string {
  return failures.map((f) => `${f.property}: ${f.reason}`).join("\n");
}
