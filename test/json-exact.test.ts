/**
 * Exact JSON (`provider/clients/json.ts`): DLI job IDs are Java Longs sent as JSON numbers; a rounded ID
 * would stop or delete the wrong job. Long integer literals must come out as exact strings, everything
 * else exactly as `JSON.parse` gives it.
 */
import { describe, expect, it } from "vitest";
import { parseJsonExact, quoteLongIntegers, tryParseJson } from "../provider/clients/json";

/** 2^53 + 1: the first integer a double cannot hold (JSON.parse gives ...992). */
const ABOVE_2_53 = "9007199254740993";
/** 2^63 - 1: the largest DLI job ID. */
const LONG_MAX = "9223372036854775807";

describe("parseJsonExact keeps long integers exact", () => {
  it.each([
    ["2^53 + 1", ABOVE_2_53],
    ["2^63 - 1", LONG_MAX],
    ["a 19-digit ID from a DLI list", "1234567890123456789"],
    ["beyond a Long", "123456789012345678901234567890"],
  ])("%s as a value", (_name, digits) => {
    const parsed = parseJsonExact(`{"job_id": ${digits}}`) as { job_id: unknown };
    expect(parsed.job_id).toBe(digits);
    // The point of it all: plain JSON.parse would have changed the ID.
    expect(String((JSON.parse(`{"job_id": ${digits}}`) as { job_id: number }).job_id)).not.toBe(digits);
  });

  it("in arrays and nested objects", () => {
    const text = `{"jobs":[{"id":${ABOVE_2_53},"children":[[${LONG_MAX},1],{"deep":{"id":${ABOVE_2_53}}}]}],"count":2}`;
    expect(parseJsonExact(text)).toEqual({
      jobs: [{ id: ABOVE_2_53, children: [[LONG_MAX, 1], { deep: { id: ABOVE_2_53 } }] }],
      count: 2,
    });
  });

  it("at the top level and next to every kind of delimiter", () => {
    expect(parseJsonExact(ABOVE_2_53)).toBe(ABOVE_2_53);
    expect(parseJsonExact(`[${ABOVE_2_53},${LONG_MAX}]`)).toEqual([ABOVE_2_53, LONG_MAX]);
    expect(parseJsonExact(`[\n\t${ABOVE_2_53}\r\n ,  ${LONG_MAX} ]`)).toEqual([ABOVE_2_53, LONG_MAX]);
    expect(parseJsonExact(`{"a":${ABOVE_2_53}}`)).toEqual({ a: ABOVE_2_53 });
  });

  it("negative long integers, exactly", () => {
    expect(parseJsonExact(`[-${ABOVE_2_53}, -${LONG_MAX}]`)).toEqual([`-${ABOVE_2_53}`, `-${LONG_MAX}`]);
  });

  it("integers of 16 or more digits become strings even when they happen to be safe (schemas accept both)", () => {
    expect(parseJsonExact("[9007199254740991, 1000000000000000]")).toEqual(["9007199254740991", "1000000000000000"]);
  });
});

describe("parseJsonExact leaves everything else alone", () => {
  it.each([
    ["small integers", "[0, 1, 42, 999999999999999]", [0, 1, 42, 999999999999999]],
    ["small negatives", "[-1, -42, -999999999999999]", [-1, -42, -999999999999999]],
    ["negative zero", "-0", -0],
    // Numbers with more digits than a double holds (here and below): the expected value is JavaScript's own reading
    // of those digits.
    ["floats", "[3.14, -0.5, 1.2345678901234567]", [3.14, -0.5, Number("1.2345678901234567")]],
    ["a float with a long integer part", "12345678901234567.5", Number("12345678901234567.5")],
    ["exponents", "[1e3, 1E+3, 2e-7, -1.5e10]", [1e3, 1e3, 2e-7, -1.5e10]],
    ["a long mantissa with an exponent", "12345678901234567890e2", Number("12345678901234567890e2")],
    ["a huge exponent", "1e400", Infinity],
    ["literals", '{"a":true,"b":false,"c":null}', { a: true, b: false, c: null }],
    ["an empty object and array", '{"a":{},"b":[]}', { a: {}, b: [] }],
  ])("%s", (_name, text, expected) => {
    expect(parseJsonExact(text)).toEqual(expected);
    expect(parseJsonExact(text)).toEqual(JSON.parse(text));
  });

  it.each([
    ["digits in a string", `{"note":"job ${ABOVE_2_53} stopped"}`],
    ["a string of digits stays the same string", `{"id":"${LONG_MAX}"}`],
    ["escaped quotes around digits", `{"msg":"said \\"${ABOVE_2_53}\\" twice","n":1}`],
    ["an escaped backslash before the closing quote", `{"path":"C:\\\\","id":"x${LONG_MAX}"}`],
    ["a key made of digits", `{"${ABOVE_2_53}":1}`],
    ["unicode escapes", `{"s":"\\u0022${ABOVE_2_53}\\u0022"}`],
    ["a minus sign in a string", `{"range":"-${LONG_MAX}"}`],
  ])("%s", (_name, text) => {
    expect(parseJsonExact(text)).toEqual(JSON.parse(text));
    expect(quoteLongIntegers(text)).toBe(text);
  });

  it("quotes the number after a string that ends in an escaped backslash", () => {
    const text = `{"path":"C:\\\\","id":${ABOVE_2_53}}`;
    expect(parseJsonExact(text)).toEqual({ path: "C:\\", id: ABOVE_2_53 });
  });

  it("quotes the number after a string holding escaped quotes", () => {
    const text = `{"msg":"a \\"quoted\\" 1 word","id":${LONG_MAX}}`;
    expect(parseJsonExact(text)).toEqual({ msg: 'a "quoted" 1 word', id: LONG_MAX });
  });
});

describe("quoteLongIntegers", () => {
  it("rewrites only the long literals, byte for byte elsewhere", () => {
    const text = `{ "a": ${ABOVE_2_53}, "b": 7, "c": "${ABOVE_2_53}", "d": [ -${LONG_MAX} ] }`;
    expect(quoteLongIntegers(text)).toBe(`{ "a": "${ABOVE_2_53}", "b": 7, "c": "${ABOVE_2_53}", "d": [ "-${LONG_MAX}" ] }`);
  });
});

describe("tryParseJson", () => {
  it.each([
    ["empty", ""],
    ["blank", "  \n "],
    ["HTML from a gateway", "<html><body>502 Bad Gateway</body></html>"],
    ["truncated JSON", '{"jobs":[1,2'],
    ["an unterminated string", '{"a":"b'],
  ])("%s → undefined", (_name, text) => {
    expect(tryParseJson(text)).toBeUndefined();
  });

  it("parses JSON exactly", () => {
    expect(tryParseJson(`{"is_success":true,"job_id":${ABOVE_2_53}}`)).toEqual({ is_success: true, job_id: ABOVE_2_53 });
  });

  it("parses JSON scalars", () => {
    expect(tryParseJson("0")).toBe(0);
    expect(tryParseJson("null")).toBeNull();
    expect(tryParseJson('"ok"')).toBe("ok");
  });
});
