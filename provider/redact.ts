/**
 * Secret job IDs stay out of what people and logs read. The engine strips secretness before it calls a dynamic
 * provider, so the provider cannot see which inputs were secret; the SDK classes (and the plugin adapter, which does
 * see secrets) record it in the set's `secretIds` input instead. When it is set, every message, warning, progress
 * line and error of an operation on that set names its jobs by position (`[secret #3]`, the third of the set's IDs)
 * rather than by ID; API answers quoted in messages are rewritten the same way.
 */
import type { Progress } from "./wait/progress";

/** How a secret job ID is written instead: its 1-based position in the set's IDs. */
export function secretLabel(position: number): string {
  return `[secret #${position + 1}]`;
}

/**
 * A function that rewrites `text`, replacing each of `ids` (as a whole token: digits, letters, `-`, `_`) with its
 * label. Tokens rather than a pattern of every ID: a set may hold 50,000 of them.
 */
export function idRedactor(ids: readonly string[]): (text: string) => string {
  const positions = new Map<string, number>();
  ids.forEach((id, index) => {
    if (!positions.has(id)) positions.set(id, index);
    const lower = id.toLowerCase();
    if (!positions.has(lower)) positions.set(lower, index);
  });
  return (text) =>
    text.replace(/[A-Za-z0-9_-]+/g, (token) => {
      const position = positions.get(token) ?? positions.get(token.toLowerCase());
      return position === undefined ? token : secretLabel(position);
    });
}

/** Progress whose every line goes through `redact`. */
export function redactedProgress(progress: Progress, redact: (text: string) => string): Progress {
  return {
    log: (message) => progress.log(redact(message)),
    status: (message) => progress.status(redact(message)),
    warn: (message) => progress.warn(redact(message)),
  };
}

/**
 * Rewrites an error's message and stack (and its causes') in place, so whatever the host prints of it names no secret
 * job. Its fields (a partial failure's `failed` map, which the lifecycle reads to keep jobs in state) are left as
 * they are: they never reach a log. Returns the same error.
 */
export function redactError<E>(error: E, redact: (text: string) => string): E {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current instanceof Error && !seen.has(current)) {
    seen.add(current);
    current.message = redact(current.message);
    if (typeof current.stack === "string") current.stack = redact(current.stack);
    current = (current as { cause?: unknown }).cause;
  }
  return error;
}
