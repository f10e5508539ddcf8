// The emulator's and the benchmark's command lines: each option read, each bad value refused with the option's
// name, and the compiled commands stopping with exit status 2 and their usage (`npm test` builds them first).
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { describe, expect, test } from "vitest";
import { benchOptions, FULL, SMOKE } from "../bench/options";
import { UsageError, wholeNumber } from "../emulator/command-line";
import { emulatorOptions } from "../emulator/cli";
import { REPO_ROOT } from "./harness/program";

describe("the emulator's command line", () => {
  test("reads every option, and leaves out those not given", () => {
    expect(emulatorOptions([], {})).toEqual({ port: 8787 });
    expect(
      emulatorOptions(
        [
          "--port=0",
          "--host",
          "::1",
          "--stop-delay-ms",
          "5",
          "--latency-ms=20",
          "--max-batch-size",
          "50",
          "--missing-job-answer",
          "error",
          "--spark-cancel-delay-ms",
          "1",
          "--mrs-kill-delay-ms",
          "2",
          "--mrs-error-spelling",
          "snake",
          "--mrs-detail-status",
          "202",
          "--ehpc-stop-delay-ms",
          "3",
          "--ehpc-quota-per-hour",
          "0",
        ],
        {},
      ),
    ).toEqual({
      port: 0,
      host: "::1",
      stopDelayMs: 5,
      latencyMs: 20,
      maxBatchSize: 50,
      missingJobAnswer: "error",
      sparkCancelDelayMs: 1,
      mrsKillDelayMs: 2,
      mrsErrorSpelling: "snake",
      mrsDetailStatus: 202,
      ehpcStopDelayMs: 3,
      ehpcQuotaPerHour: 0,
    });
    expect(emulatorOptions(["--mrs-detail-status", "alternate"], {})).toMatchObject({ mrsDetailStatus: "alternate" });
    expect(emulatorOptions(["-h"], {})).toBe("help");
  });

  test("takes the port from JOBSETS_EMULATOR_PORT unless --port is given", () => {
    expect(emulatorOptions([], { JOBSETS_EMULATOR_PORT: "9000" })).toEqual({ port: 9000 });
    expect(emulatorOptions([], { JOBSETS_EMULATOR_PORT: "" })).toEqual({ port: 8787 });
    expect(emulatorOptions(["--port", "9001"], { JOBSETS_EMULATOR_PORT: "9000" })).toEqual({ port: 9001 });
  });

  test.each([
    [["--port", "abc"], /^--port must be a whole number from 0 to 65535, got "abc"$/],
    [["--port", "70000"], /^--port must be a whole number from 0 to 65535, got "70000"$/],
    [["--port", "-1"], /--port/],
    [["--latency-ms", "1.5"], /^--latency-ms must be a whole number ≥ 0, got "1.5"$/],
    [["--stop-delay-ms", "soon"], /^--stop-delay-ms must be/],
    [["--max-batch-size", "0"], /^--max-batch-size must be a whole number ≥ 1, got "0"$/],
    [["--ehpc-quota-per-hour", "1e3"], /^--ehpc-quota-per-hour must be/],
    [["--missing-job-answer", "ignore"], /^--missing-job-answer must be one of element, error, got "ignore"$/],
    [["--mrs-error-spelling", "kebab"], /^--mrs-error-spelling must be one of snake, camel, mixed/],
    [["--mrs-detail-status", "204"], /^--mrs-detail-status must be one of 200, 202, alternate, got "204"$/],
    [["--host="], /^--host must name an address/],
    [["--prot", "1"], /'--prot'/],
    [["--port"], /'--port <value>' argument missing/],
    [["8787"], /'8787'/],
  ])("refuses %j, naming the option", (argv, message) => {
    expect(() => emulatorOptions(argv, {})).toThrow(UsageError);
    expect(() => emulatorOptions(argv, {})).toThrow(message);
  });

  test("refuses a bad JOBSETS_EMULATOR_PORT, naming the variable", () => {
    expect(() => emulatorOptions([], { JOBSETS_EMULATOR_PORT: "http" })).toThrow(/^JOBSETS_EMULATOR_PORT must be a whole number from 0 to 65535, got "http"$/);
  });
});

describe("the benchmark's command line", () => {
  test("starts from the full or the smoke run, and reads every option", () => {
    expect(benchOptions([])).toEqual(FULL);
    expect(benchOptions(["--smoke"])).toEqual(SMOKE);
    expect(
      benchOptions(["--smoke", "--sizes", "24, 1_000", "--latency-ms", "0", "--max-batch-size", "10", "--baseline-sample", "6", "--check-sets", "2", "--ceiling", "5/s", "--out", "x"]),
    ).toEqual({ smoke: true, sizes: [24, 1000], latencyMs: 0, maxBatchSize: 10, baselineSample: 6, checkSets: 2, ceiling: "5/s", out: path.resolve("x") });
  });

  test.each([
    [["--sizes", "100,abc"], /^--sizes must be a whole number ≥ 6, got "abc"$/],
    [["--sizes", "5"], /^--sizes must be a whole number ≥ 6, got "5"$/],
    [["--latency-ms=-5"], /^--latency-ms must be a whole number ≥ 0, got "-5"$/],
    [["--latency-ms", "-5"], /--latency-ms/],
    [["--max-batch-size", "100000"], /^--max-batch-size must be a whole number from 1 to \d+, got "100000"$/],
    [["--baseline-sample", "many"], /^--baseline-sample must be/],
    [["--check-sets", "0"], /^--check-sets must be a whole number ≥ 1/],
    [["--ceiling", "fast"], /--ceiling must be a request count per window/],
    [["--ceiling", "off"], /^--ceiling must be a ceiling to check, like "50\/s", got "off"$/],
    [["--smoke=yes"], /'--smoke'/],
    [["--size", "10"], /'--size'/],
  ])("refuses %j, naming the option", (argv, message) => {
    expect(() => benchOptions(argv)).toThrow(UsageError);
    expect(() => benchOptions(argv)).toThrow(message);
  });
});

test("wholeNumber reads 1_000 and 1,000, and nothing that is not a whole number", () => {
  expect(wholeNumber("--n", "1_000", 0)).toBe(1000);
  expect(wholeNumber("--n", "1,000", 0)).toBe(1000);
  expect(wholeNumber("--n", undefined, 0)).toBeUndefined();
  for (const text of ["", " 1", "0x10", "1e3", "+1", "9007199254740993"]) expect(() => wholeNumber("--n", text, 0), text).toThrow(/^--n must be/);
});

describe("the compiled commands", () => {
  const run = (script: string, args: string[]) =>
    spawnSync(process.execPath, [path.join(REPO_ROOT, script), ...args], { cwd: REPO_ROOT, encoding: "utf8", timeout: 30_000 });

  test.each([
    {
      command: "npm run emulator -- --port abc",
      script: "dist/emulator/cli.js",
      args: ["--port", "abc"],
      message: 'jobsets-emulator: --port must be a whole number from 0 to 65535, got "abc"',
      usage: "usage: jobsets-emulator [--port N]",
      started: "listening",
    },
    {
      command: "npm run bench -- --sizes many",
      script: "build/bench/run.js",
      args: ["--sizes", "many"],
      message: 'bench: --sizes must be a whole number ≥ 6, got "many"',
      usage: "usage: npm run bench --",
      started: "bench: teardown of",
    },
  ])("$command: exit status 2, the option's name and the usage, and nothing started", ({ script, args, message, usage, started }) => {
    const result = run(script, args);
    expect(result.status, result.stderr).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain(usage);
    expect(result.stdout + result.stderr).not.toContain(started);
  });

  test("npm run emulator -- --help prints the usage and exits 0", () => {
    const result = run("dist/emulator/cli.js", ["--help"]);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain("usage: jobsets-emulator");
  });
});
