/**
 * JSON that keeps Long IDs exact. DLI sends job IDs as JSON numbers that may exceed 2^53; `JSON.parse`
 * would round them silently, and we would then stop or delete the wrong job. Integer literals too long
 * to be safe are turned into strings before parsing (outside string literals only); schemas then accept
 * an ID as a number or a string of digits. (`JSON.parse` source text access needs Node 21+.)
 */

/** Integers with more digits than this may not be exact as doubles (2^53 has 16 digits). */
const SAFE_DIGITS = 15;

export function parseJsonExact(text: string): unknown {
  return JSON.parse(quoteLongIntegers(text));
}

/** A JSON string literal, or a number literal: the tokens `quoteLongIntegers` must tell apart. */
const STRING_OR_NUMBER = /"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g;
const LONG_INTEGER = new RegExp(`^-?\\d{${SAFE_DIGITS + 1},}$`);
const LONG_DIGIT_RUN = new RegExp(`\\d{${SAFE_DIGITS + 1}}`);

/**
 * Rewrites integer literals longer than 15 digits as JSON strings, leaving string contents untouched. One regex
 * pass over the tokens, and none at all for a body without such a run of digits (most bodies: this runs on
 * every answer, list pages of 100 jobs included, and a character-by-character copy would be the provider's
 * largest CPU cost).
 */
export function quoteLongIntegers(text: string): string {
  if (!LONG_DIGIT_RUN.test(text)) return text;
  return text.replace(STRING_OR_NUMBER, (token) => (token[0] !== '"' && LONG_INTEGER.test(token) ? `"${token}"` : token));
}

/** Parses a body that should be JSON; `undefined` for an empty or non-JSON body. */
export function tryParseJson(text: string): unknown {
  if (text.trim() === "") return undefined;
  try {
    return parseJsonExact(text);
  } catch {
    return undefined;
  }
}
