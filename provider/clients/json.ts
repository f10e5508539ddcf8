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

/** Rewrites integer literals longer than 15 digits as JSON strings, leaving string contents untouched. */
export function quoteLongIntegers(text: string): string {
  let out = "";
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '"') {
      // Copy a string literal verbatim, honouring escapes.
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    if (ch === "-" || (ch >= "0" && ch <= "9")) {
      let j = i + 1;
      while (j < text.length && /[0-9.eE+-]/.test(text[j]!)) j++;
      const literal = text.slice(i, j);
      const digits = literal.replace(/^-/, "");
      out += /^\d+$/.test(digits) && digits.length > SAFE_DIGITS ? `"${literal}"` : literal;
      i = j;
      continue;
    }
    out += ch;
    i++;
  }
  return out;
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
