/**
 * Names a user probably meant: an unknown input property or `jobsets:` stack config key is reported with the
 * closest known name when it is a likely typo, so a misspelt setting fails check instead of being ignored.
 */
import type { CheckFailure } from "../check";
import { CONFIG_NAMESPACE, SETTINGS } from "../config";

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}

/** The known name closest to `name`, when it is close enough to be a likely typo. */
export function likelyMeant(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const distance = editDistance(name, candidate);
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return bestDistance <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

export function unknownKeyMessage(key: string, known: readonly string[]): string {
  const hint = likelyMeant(key, known);
  return `unknown property "${key}"${hint ? ` (did you mean "${hint}"?)` : ""}; known properties: ${known.join(", ")}`;
}

/** Failures for `jobsets:` config keys that this provider does not know, with a likely-typo hint. */
export function configKeyFailures(configKeys: readonly string[] | undefined): CheckFailure[] {
  const known = Object.keys(SETTINGS);
  return (configKeys ?? [])
    .filter((key) => key.startsWith(`${CONFIG_NAMESPACE}:`) && !known.includes(key.slice(CONFIG_NAMESPACE.length + 1)))
    .map((key) => {
      const name = key.slice(CONFIG_NAMESPACE.length + 1);
      const hint = likelyMeant(name, known);
      return {
        property: key,
        reason: `unknown stack config key "${key}"${hint ? ` (did you mean "${CONFIG_NAMESPACE}:${hint}"?)` : ""}; known: ${known.map((k) => `${CONFIG_NAMESPACE}:${k}`).join(", ")}`,
      };
    });
}
