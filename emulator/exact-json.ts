/**
 * JSON that keeps every digit of 64-bit integers.
 *
 * DLI Flink job IDs are Java Longs and routinely exceed 2^53, where `JSON.parse` silently rounds them
 * (9007199254740993 becomes 9007199254740992). Node 20 has no reviver "source text" to recover the
 * original digits, so the emulator reads and writes JSON with these two small functions instead.
 */

/**
 * Parses JSON text like `JSON.parse`, except that integers outside the safe range come back as `bigint`.
 * Safe integers and non-integers stay `number`. Throws `SyntaxError` on malformed input.
 */
export function parseJsonExact(text: string): unknown {
  const parser = new ExactJsonParser(text);
  const value = parser.parseValue();
  parser.skipWhitespace();
  if (!parser.atEnd()) parser.fail("unexpected text after the JSON value");
  return value;
}

/**
 * Serializes like `JSON.stringify(value)` (no indentation), except that a `bigint` is written as a bare
 * JSON number with all its digits, so a client that reads Longs exactly gets them exactly.
 */
export function stringifyJsonExact(value: unknown): string {
  // Native JSON.stringify with each bigint written as a marked string, then unmarked: several times faster than
  // walking the value in JavaScript (every answer goes through here, list pages of 100 jobs included).
  const text = JSON.stringify(value, (_key, member: unknown) => (typeof member === "bigint" ? `${BIGINT_MARK}${member}` : member));
  return text === undefined ? "null" : text.includes(BIGINT_MARK_WRITTEN) ? text.replace(BIGINT_WRITTEN, "$1") : text;
}

/**
 * Marks a bigint inside the JSON.stringify pass. Only a string that is exactly NUL, "bigint:" and digits would be
 * taken for one; no API value is.
 */
const BIGINT_MARK = "\u0000bigint:";
const BIGINT_MARK_WRITTEN = JSON.stringify(BIGINT_MARK).slice(1, -1);
const BIGINT_WRITTEN = new RegExp(`"${BIGINT_MARK_WRITTEN.replace(/\\/g, "\\\\")}(-?\\d+)"`, "g");

const NUMBER_PATTERN = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
const WHITESPACE = new Set([" ", "\t", "\n", "\r"]);

class ExactJsonParser {
  private index = 0;

  constructor(private readonly text: string) {}

  atEnd(): boolean {
    return this.index >= this.text.length;
  }

  fail(what: string): never {
    throw new SyntaxError(`Invalid JSON at position ${this.index}: ${what}`);
  }

  skipWhitespace(): void {
    while (WHITESPACE.has(this.text[this.index] ?? "")) this.index++;
  }

  parseValue(): unknown {
    this.skipWhitespace();
    const char = this.text[this.index];
    if (char === "{") return this.parseObject();
    if (char === "[") return this.parseArray();
    if (char === '"') return this.parseString();
    if (char === "-" || (char !== undefined && char >= "0" && char <= "9")) return this.parseNumber();
    for (const [literal, value] of [["true", true], ["false", false], ["null", null]] as const) {
      if (this.text.startsWith(literal, this.index)) {
        this.index += literal.length;
        return value;
      }
    }
    return this.fail(char === undefined ? "unexpected end of input" : `unexpected character ${JSON.stringify(char)}`);
  }

  private parseObject(): Record<string, unknown> {
    const result: Record<string, unknown> = {};
    this.index++; // "{"
    this.skipWhitespace();
    if (this.text[this.index] === "}") {
      this.index++;
      return result;
    }
    for (;;) {
      this.skipWhitespace();
      if (this.text[this.index] !== '"') this.fail("expected a property name");
      const key = this.parseString();
      this.skipWhitespace();
      if (this.text[this.index] !== ":") this.fail("expected ':'");
      this.index++;
      // defineProperty, so a "__proto__" key stays a plain property as with JSON.parse.
      Object.defineProperty(result, key, { value: this.parseValue(), enumerable: true, writable: true, configurable: true });
      this.skipWhitespace();
      const separator = this.text[this.index++];
      if (separator === "}") return result;
      if (separator !== ",") this.fail("expected ',' or '}'");
    }
  }

  private parseArray(): unknown[] {
    const result: unknown[] = [];
    this.index++; // "["
    this.skipWhitespace();
    if (this.text[this.index] === "]") {
      this.index++;
      return result;
    }
    for (;;) {
      result.push(this.parseValue());
      this.skipWhitespace();
      const separator = this.text[this.index++];
      if (separator === "]") return result;
      if (separator !== ",") this.fail("expected ',' or ']'");
    }
  }

  private parseString(): string {
    const start = this.index;
    this.index++; // opening quote
    while (this.index < this.text.length) {
      const char = this.text[this.index];
      if (char === "\\") this.index += 2;
      else if (char === '"') {
        this.index++;
        // JSON.parse handles escapes and rejects control characters exactly as the spec says.
        try {
          return JSON.parse(this.text.slice(start, this.index)) as string;
        } catch {
          this.index = start;
          return this.fail("invalid string");
        }
      } else this.index++;
    }
    this.index = start;
    return this.fail("unterminated string");
  }

  private parseNumber(): number | bigint {
    NUMBER_PATTERN.lastIndex = this.index;
    const match = NUMBER_PATTERN.exec(this.text);
    if (!match) return this.fail("invalid number");
    this.index += match[0].length;
    const isIntegerLiteral = match[1] === undefined && match[2] === undefined;
    const asNumber = Number(match[0]);
    if (isIntegerLiteral && !Number.isSafeInteger(asNumber)) return BigInt(match[0]);
    return asNumber;
  }
}
