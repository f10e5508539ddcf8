/**
 * The benchmark's command line (`npm run bench -- <options>`): the full run's defaults, the smoke run's, and each
 * value checked, so a bad one stops the run with the option's name and exit status 2 before anything starts.
 */
import * as path from "node:path";
import { parseCommandLine, UsageError, wholeNumber } from "../emulator/command-line";
import { parseRateLimit, type RateLimit } from "../provider/clients/rate-limit";
import { MAX_BATCH_SIZE } from "../provider/schema";
import { REPO_ROOT } from "../test/harness/program";

export interface Options {
  smoke: boolean;
  sizes: number[];
  latencyMs: number;
  maxBatchSize: number;
  baselineSample: number;
  checkSets: number;
  ceiling: string;
  out: string;
}

export const FULL: Options = {
  smoke: false,
  sizes: [100, 1_000, 10_000],
  latencyMs: 20,
  maxBatchSize: 100,
  baselineSample: 500,
  checkSets: 1_000,
  ceiling: "50/s",
  out: path.join(REPO_ROOT, "bench", "results"),
};

/** A few seconds, every field: what CI runs so the benchmark cannot rot (test/bench-smoke.test.ts). */
export const SMOKE: Options = {
  ...FULL,
  smoke: true,
  sizes: [24],
  baselineSample: 12,
  checkSets: 24,
  ceiling: "20/s",
  out: path.join(REPO_ROOT, "bench", "results", "smoke.tmp"),
};

/** The workload spreads a size over six groups of jobs (workload.ts), one job each at the least. */
const MIN_SIZE = 6;

export const USAGE =
  "usage: npm run bench -- [--smoke] [--sizes 100,1000,10000] [--latency-ms 20] [--max-batch-size 100] " +
  "[--baseline-sample 500] [--check-sets 1000] [--ceiling 50/s] [--out DIR]";

const OPTIONS = {
  smoke: { type: "boolean" },
  sizes: { type: "string" },
  "latency-ms": { type: "string" },
  "max-batch-size": { type: "string" },
  "baseline-sample": { type: "string" },
  "check-sets": { type: "string" },
  ceiling: { type: "string" },
  out: { type: "string" },
} as const;

/** The run's options: the smoke or full defaults, then each option given. Throws UsageError naming a bad one. */
export function benchOptions(argv: readonly string[]): Options {
  const values = parseCommandLine(argv, OPTIONS);
  const defaults = values.smoke ? SMOKE : FULL;
  const sizes = values.sizes?.split(",").map((size) => wholeNumber("--sizes", size.trim(), MIN_SIZE)!);
  // The sets' batchSize follows the emulator's limit, and a set's batchSize is at most MAX_BATCH_SIZE.
  const maxBatchSize = wholeNumber("--max-batch-size", values["max-batch-size"], 1, MAX_BATCH_SIZE);
  const ceiling = values.ceiling;
  if (ceiling !== undefined) {
    let limit: RateLimit | undefined;
    try {
      limit = parseRateLimit(ceiling, "--ceiling");
    } catch (error) {
      throw error instanceof RangeError ? new UsageError(error.message) : error;
    }
    // "off" parses, but leaves nothing to check.
    if (!limit) throw new UsageError(`--ceiling must be a ceiling to check, like "50/s", got "${ceiling}"`);
  }
  return {
    smoke: defaults.smoke,
    sizes: sizes ?? defaults.sizes,
    latencyMs: wholeNumber("--latency-ms", values["latency-ms"], 0) ?? defaults.latencyMs,
    maxBatchSize: maxBatchSize ?? defaults.maxBatchSize,
    baselineSample: wholeNumber("--baseline-sample", values["baseline-sample"], MIN_SIZE) ?? defaults.baselineSample,
    checkSets: wholeNumber("--check-sets", values["check-sets"], 1) ?? defaults.checkSets,
    ceiling: ceiling ?? defaults.ceiling,
    out: values.out === undefined ? defaults.out : path.resolve(values.out),
  };
}
