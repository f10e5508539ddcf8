/**
 * What the emulator's and the benchmark's command lines share: node:util's `parseArgs` in strict mode, values
 * checked before they are used, and one way to stop. A bad command line stops with the option's name, the usage
 * and exit status 2 (a usage error, as shells and `getopt` report it), never with a NaN port or a guessed mode.
 */
import { parseArgs } from "node:util";

/** A command line the user must fix: printed with the usage, exit status 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** Exit status of a usage error. */
export const USAGE_EXIT_CODE = 2;

type OptionsConfig = Record<string, { type: "string" | "boolean"; short?: string }>;
/** The values given: a string per string option, true per boolean one that is present. */
type Values<O extends OptionsConfig> = { -readonly [K in keyof O]?: O[K]["type"] extends "boolean" ? boolean : string };

/**
 * `parseArgs` in strict mode without positionals: an unknown option, a missing value or a stray argument is a
 * UsageError (node's messages already name the option).
 */
export function parseCommandLine<const O extends OptionsConfig>(argv: readonly string[], options: O): Values<O> {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values as Values<O>;
  } catch (error) {
    if (error instanceof TypeError && String((error as { code?: unknown }).code).startsWith("ERR_PARSE_ARGS_")) throw new UsageError(error.message);
    throw error;
  }
}

/**
 * The whole number `text` gives for `name` (an option, `--port`, or an environment variable), within
 * `min`..`max`; undefined when it is not given. `1_000` and `1,000` read as 1000.
 */
export function wholeNumber(name: string, text: string | undefined, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (text === undefined) return undefined;
  const value = /^\d[\d_,]*$/.test(text) ? Number(text.replace(/[_,]/g, "")) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `from ${min} to ${max}`;
    throw new UsageError(`${name} must be a whole number ${range}, got "${text}"`);
  }
  return value;
}

/** `text` when it is one of `allowed`; undefined when it is not given. */
export function oneOf<const T extends string>(name: string, text: string | undefined, allowed: readonly T[]): T | undefined {
  if (text === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(text)) throw new UsageError(`${name} must be one of ${allowed.join(", ")}, got "${text}"`);
  return text as T;
}

/**
 * Runs a command's `main`. A UsageError prints `<command>: <message>` and the usage, and exits 2. Any other error
 * exits 1: one with a `code` (a port in use, EADDRINUSE) is expected and its message says enough; anything else
 * is a bug, printed with its stack.
 */
export function runCommand(command: string, usage: string, main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    if (error instanceof UsageError) {
      console.error(`${command}: ${error.message}\n${usage}`);
      process.exit(USAGE_EXIT_CODE);
    }
    const expected = error instanceof Error && typeof (error as { code?: unknown }).code === "string";
    console.error(`${command}:`, expected ? error.message : error);
    process.exit(1);
  });
}
