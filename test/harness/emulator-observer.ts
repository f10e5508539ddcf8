/**
 * A witness for programs that start their own emulators (the benchmark): preloaded with `node --require
 * build/test/harness/emulator-observer.js <program>` and `JOBSETS_OBSERVE_EMULATORS=<file>`, it wraps the
 * emulator module the program loads and writes, for each emulator it closes, one JSON line: every call the
 * emulator recorded (cut where the program reset the record), every job seeded, and every job as it stood at the
 * close. A test then holds the program's own figures against what the emulator saw, without trusting the
 * program's arithmetic.
 *
 * It patches `startEmulator` on the emulator module's exports, which the package index re-exports through a getter:
 * the program picks up the wrapped one as long as it is loaded from the same compiled tree as this file.
 */
import * as fs from "node:fs";
import type { Emulator, EmulatorOptions } from "../../emulator/emulator";

/** One call as the emulator recorded it (the fields a test compares; bodies stay out). */
export interface ObservedCall {
  seq: number;
  service: string;
  op: string;
  method: string;
  path: string;
  status: number;
  at: number;
  answeredAt: number;
}

export interface ObservedSeed {
  kind: "flink" | "spark" | "mrs" | "ehpc";
  ids: string[];
  /** The record segment it was seeded in, and how many calls that segment held then. */
  segment: number;
  callsBefore: number;
}

export interface ObservedEmulator {
  /** Order of creation in the program, from 0. */
  index: number;
  options: Pick<EmulatorOptions, "latencyMs" | "maxBatchSize">;
  /** The recorded calls, one list per stretch between the program's `resetCalls()`. */
  segments: ObservedCall[][];
  seeds: ObservedSeed[];
  /** Every job at the close, by kind: ID and status. */
  jobs: Record<ObservedSeed["kind"], { id: string; status: string }[]>;
}

/** Reads the file the observer wrote: one emulator a line, in order of creation. */
export function readObservations(file: string): ObservedEmulator[] {
  const lines = fs.readFileSync(file, "utf8").split("\n").filter((line) => line.trim() !== "");
  return lines.map((line) => JSON.parse(line) as ObservedEmulator).sort((a, b) => a.index - b.index);
}

function observe(file: string): void {
  // The module the package index re-exports from; assigning its export is what the index's getter returns.
  const emulatorModule = require("../../emulator/emulator") as { startEmulator: (options?: EmulatorOptions) => Promise<Emulator> };
  const original = emulatorModule.startEmulator;
  let created = 0;
  emulatorModule.startEmulator = async (options: EmulatorOptions = {}) => {
    const emu = await original(options);
    const index = created++;
    const segments: ObservedCall[][] = [];
    const seeds: ObservedSeed[] = [];
    const current = (): ObservedCall[] =>
      emu.calls().map(({ seq, service, op, method, path, status, at, answeredAt }) => ({ seq, service, op, method, path, status, at, answeredAt }));
    const seeded = (kind: ObservedSeed["kind"], ids: string[]) => {
      seeds.push({ kind, ids, segment: segments.length, callsBefore: emu.calls().length });
      return ids;
    };

    const { resetCalls, close, seedFlinkJobs, seedSparkBatches, seedMrsJobs, seedEhpcJobs } = emu;
    emu.resetCalls = () => {
      segments.push(current());
      resetCalls.call(emu);
    };
    emu.seedFlinkJobs = (...args) => seeded("flink", seedFlinkJobs.apply(emu, args));
    emu.seedSparkBatches = (...args) => seeded("spark", seedSparkBatches.apply(emu, args));
    emu.seedMrsJobs = (...args) => seeded("mrs", seedMrsJobs.apply(emu, args));
    emu.seedEhpcJobs = (...args) => seeded("ehpc", seedEhpcJobs.apply(emu, args));
    let written = false;
    emu.close = () => {
      if (written) return close.call(emu);
      written = true;
      const observed: ObservedEmulator = {
        index,
        options: { latencyMs: options.latencyMs, maxBatchSize: options.maxBatchSize },
        segments: [...segments, current()],
        seeds,
        jobs: {
          flink: emu.flinkJobs().map((job) => ({ id: job.jobId, status: job.status })),
          spark: emu.sparkBatches().map((batch) => ({ id: batch.id, status: batch.state })),
          mrs: emu.mrsJobs().map((job) => ({ id: job.jobId, status: job.state })),
          ehpc: emu.ehpcJobs().map((job) => ({ id: job.jobId, status: job.status })),
        },
      };
      fs.appendFileSync(file, `${JSON.stringify(observed)}\n`);
      return close.call(emu);
    };
    return emu;
  };
}

const target = process.env.JOBSETS_OBSERVE_EMULATORS;
if (target) observe(target);
