/**
 * The benchmark's results: what each scenario measured, the report `bench/run.ts` prints and writes to `latest.json`,
 * and the targets it is judged by.
 */
import type { RateLimit } from "../provider/clients/rate-limit";
import type { BaselineResult } from "./baseline";
import type { LowerBound } from "./lower-bound";
import type { Options } from "./options";
import type { Kind } from "./workload";

export interface TeardownResult {
  jobs: number;
  sets: number;
  wallMs: number;
  requests: number;
  requestsByOp: Record<string, number>;
  peakInFlight: number;
  hostPeakRssBytes: number | null;
  /** The same host's resident memory after start-up and Configure, before the first Delete. */
  hostIdleRssBytes: number | null;
  hostCpuMs: number | null;
  lowerBound: LowerBound;
  baseline: BaselineResult & { extrapolated: boolean; ms: number };
  /** wallMs / lowerBound.ms */
  vsLowerBound: number;
  /** baseline.ms / wallMs */
  fasterThanBaseline: number;
  up: { requests: number; wallMs: number };
  refresh: { requests: number; wallMs: number };
  /** Members not torn down as their mode says, outsiders touched: must be empty. */
  problems: string[];
}

export interface CheckDiffResult {
  sets: number;
  jobs: number;
  /** The provider host's CPU time for every Check, then every Diff (its first call loads the provider). */
  hostCpuMs: number | null;
  /** The provider's own code: lifecycle.check then lifecycle.diff of the same sets, in this process. */
  lifecycleCpuMs: number;
  wallMs: number;
  requests: number;
  /** Diffs that reported a change (none should: the inputs are the state). */
  changes: number;
  failures: number;
}

export interface RateCeilingResult {
  variable: string;
  ceiling: string;
  limit: RateLimit;
  /** DLI requests of the teardown. */
  requests: number;
  /** The most DLI requests the emulator saw arrive within any window of the ceiling's length. */
  maxInWindow: number;
  wallMs: number;
  /** The same teardown with the default ceiling, for contrast. */
  unlimited: { maxInWindow: number; wallMs: number };
  problems: string[];
}

// --- report ------------------------------------------------------------------------------------------------------

export interface Target {
  name: string;
  target: string;
  measured: string;
  met: boolean;
}

const MB = 1_000_000;
const MIB = 1024 * 1024;
const ms = (value: number) => (value >= 10_000 ? `${(value / 1000).toFixed(0)} s` : value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${Math.round(value)} ms`);
const mib = (bytes: number | null) => (bytes === null ? "n/a" : `${(bytes / MIB).toFixed(0)} MiB`);
export const n = (value: number) => value.toLocaleString("en-US");

export function targetsOf(largest: TeardownResult, checkDiff: CheckDiffResult, ceiling: RateCeilingResult, providerBytes: number): Target[] {
  const jobs = n(largest.jobs);
  return [
    {
      name: `${jobs}-job teardown vs the lower bound`,
      target: "≤ 1.25 × LB",
      measured: `${largest.vsLowerBound.toFixed(2)} × (${ms(largest.wallMs)} vs ${ms(largest.lowerBound.ms)})`,
      met: largest.vsLowerBound <= 1.25,
    },
    {
      name: `${jobs}-job teardown vs the per-job baseline`,
      target: "≥ 50 × faster",
      measured: `${largest.fasterThanBaseline.toFixed(0)} × (${ms(largest.wallMs)} vs ${ms(largest.baseline.ms)}${largest.baseline.extrapolated ? ", extrapolated" : ""})`,
      met: largest.fasterThanBaseline >= 50,
    },
    {
      name: `provider host peak memory (${jobs}-job teardown)`,
      target: "< 150 MB",
      measured:
        largest.hostPeakRssBytes === null
          ? "n/a (no /proc)"
          : `${(largest.hostPeakRssBytes / MB).toFixed(0)} MB (${mib(largest.hostPeakRssBytes)}; the idle host: ${mib(largest.hostIdleRssBytes)})`,
      met: largest.hostPeakRssBytes !== null && largest.hostPeakRssBytes < 150 * MB,
    },
    { name: "serialized provider per resource", target: "< 2 KiB", measured: `${n(providerBytes)} bytes (stored twice: inputs and outputs)`, met: providerBytes < 2048 },
    {
      name: `check + diff of ${n(checkDiff.sets)} sets: the provider's code`,
      target: "< 1 s CPU, 0 requests",
      measured: `${ms(checkDiff.lifecycleCpuMs)} CPU (lifecycle, in process), ${checkDiff.requests} requests`,
      met: checkDiff.lifecycleCpuMs < 1000 && checkDiff.requests === 0,
    },
    {
      name: `check + diff of ${n(checkDiff.sets)} sets: the whole host`,
      target: "< 1 s CPU, 0 requests",
      measured: `${checkDiff.hostCpuMs === null ? "n/a" : ms(checkDiff.hostCpuMs)} CPU (host process: gRPC, protobuf, provider load), ${checkDiff.requests} requests`,
      met: checkDiff.hostCpuMs !== null && checkDiff.hostCpuMs < 1000 && checkDiff.requests === 0,
    },
    {
      name: `request-rate ceiling (${ceiling.variable}=${ceiling.ceiling})`,
      target: `≤ ${n(ceiling.limit.requests)} per ${ms(ceiling.limit.windowMs)} window`,
      measured: `max ${n(ceiling.maxInWindow)} in any window (${n(ceiling.unlimited.maxInWindow)} without it)`,
      met: ceiling.maxInWindow <= ceiling.limit.requests,
    },
  ];
}

function pad(cells: readonly string[], widths: readonly number[]): string {
  return cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join("  ");
}

export function printReport(report: Report): void {
  const { options } = report;
  console.log(
    `\nTeardown through the dynamic-provider host, against the emulator (latency ${options.latencyMs} ms, batch limit ${options.maxBatchSize}, ` +
      `${report.settings.connectionsPerEndpoint} connections per endpoint, ${report.settings.concurrencyPerSet} calls in flight per set)`,
  );
  const head = ["jobs", "sets", "wall", "requests", "LB req", "LB", "× LB", "baseline", "× faster", "peak RSS", "host CPU", "refresh"];
  const widths = [7, 5, 8, 9, 7, 8, 6, 22, 9, 9, 9, 20];
  console.log(pad(head, widths));
  for (const row of report.teardown) {
    console.log(
      pad(
        [
          n(row.jobs),
          String(row.sets),
          ms(row.wallMs),
          n(row.requests),
          n(row.lowerBound.requests),
          ms(row.lowerBound.ms),
          row.vsLowerBound.toFixed(2),
          `${ms(row.baseline.ms)}${row.baseline.extrapolated ? "*" : ""} (${row.baseline.perJobMs.toFixed(1)} ms/job)`,
          row.fasterThanBaseline.toFixed(0),
          mib(row.hostPeakRssBytes),
          row.hostCpuMs === null ? "n/a" : ms(row.hostCpuMs),
          `${n(row.refresh.requests)} req, ${ms(row.refresh.wallMs)}`,
        ],
        widths,
      ),
    );
  }
  const sampled = report.teardown.find((row) => row.baseline.extrapolated);
  if (sampled) console.log(`* baseline measured on ${n(sampled.baseline.jobs)} jobs (one request each, sequentially) and extrapolated linearly`);
  console.log(`Lower bound: ${report.formulas.lowerBound}`);
  console.log(`Baseline: ${report.formulas.baseline}`);
  for (const row of report.teardown) if (row.problems.length) console.log(`PROBLEMS at ${n(row.jobs)} jobs:\n  ${row.problems.join("\n  ")}`);

  const { checkDiff, rateCeiling } = report;
  console.log(
    `\nCheck + diff of ${n(checkDiff.sets)} sets (${n(checkDiff.jobs)} job IDs): ${ms(checkDiff.lifecycleCpuMs)} of CPU in the provider's code (in process), ` +
      `${checkDiff.hostCpuMs === null ? "n/a" : ms(checkDiff.hostCpuMs)} of host CPU through gRPC, ` +
      `${ms(checkDiff.wallMs)} wall, ${checkDiff.requests} requests, ${checkDiff.changes} diffs with changes, ${checkDiff.failures} check failures`,
  );
  console.log(
    `Rate ceiling ${rateCeiling.variable}=${rateCeiling.ceiling}: ${n(rateCeiling.requests)} DLI requests in ${ms(rateCeiling.wallMs)}, at most ` +
      `${n(rateCeiling.maxInWindow)} in any ${ms(rateCeiling.limit.windowMs)} window (default ceiling: ${n(rateCeiling.unlimited.maxInWindow)}, ${ms(rateCeiling.unlimited.wallMs)})`,
  );
  console.log(`Serialized provider: ${Object.entries(report.serializedProvider.bytesByKind).map(([kind, bytes]) => `${kind} ${n(bytes)} B`).join(", ")}`);

  console.log("\nTargets");
  for (const target of report.targets) console.log(`  ${target.met ? "✓" : "✗"} ${target.name.padEnd(48)} ${target.target.padEnd(24)} ${target.measured}`);
}

export interface Report {
  schema: 1;
  command: string;
  generatedAt: string;
  machine: { node: string; platform: string; cpus: number; cpuModel: string; memoryBytes: number };
  options: Options;
  settings: { connectionsPerEndpoint: number; concurrencyPerSet: number; stopDelayMs: number; defaultRateLimits: string; environment: Record<string, string> };
  formulas: { lowerBound: string; baseline: string };
  teardown: TeardownResult[];
  checkDiff: CheckDiffResult;
  rateCeiling: RateCeilingResult;
  serializedProvider: { bytesByKind: Record<Kind, number>; maxBytes: number };
  targets: Target[];
}

