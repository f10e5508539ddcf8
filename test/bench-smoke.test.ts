// The benchmark's smoke run, so `npm run bench` cannot rot: `node build/bench/run.js --smoke` runs every
// scenario on a tiny workload (a 24-job teardown through the real provider host, its lower bound and per-job baseline,
// a refresh, check + diff, a teardown under a low request-rate ceiling) and must print the table with its targets
// and write the JSON, with every field, and the chart. It checks what the figures must satisfy whatever the machine
// (the run was correct, no request fewer than the lower bound's, no window above the ceiling), never how fast it was.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { REPO_ROOT } from "./harness/program";

const RUN = path.join(REPO_ROOT, "build", "bench", "run.js");
const OUT = fs.mkdtempSync(path.join(os.tmpdir(), "jobsets-bench-smoke-"));

afterAll(() => fs.rmSync(OUT, { recursive: true, force: true }));

function runBench(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [RUN, ...args], { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr }));
  });
}

const number = expect.any(Number);

describe("npm run bench -- --smoke", () => {
  test("runs every scenario, prints the figures beside the targets, and writes the JSON with every field and the chart", async () => {
    const { code, stdout, stderr } = await runBench(["--smoke", "--out", OUT]);
    expect(code, `${stdout}\n${stderr}`).toBe(0);
    expect(stdout).toMatch(/^jobs\s+sets\s+wall\s+requests\s+LB req\s+LB\s+× LB\s+baseline/m);
    expect(stdout).toContain("Lower bound: LB = max(⌈R_min / K⌉ × L, 4·L + D)");
    expect(stdout).toMatch(/Targets\n(\s+[✓✗] .+\n){7}/);

    const report = JSON.parse(fs.readFileSync(path.join(OUT, "latest.json"), "utf8"));
    expect(Object.keys(report).sort()).toEqual(
      ["checkDiff", "command", "formulas", "generatedAt", "machine", "options", "rateCeiling", "schema", "serializedProvider", "settings", "targets", "teardown"].sort(),
    );
    expect(report).toMatchObject({
      schema: 1,
      command: "npm run bench -- --smoke --out " + OUT,
      machine: { node: process.version, cpus: number, memoryBytes: number },
      options: { smoke: true, sizes: [24], latencyMs: 20, maxBatchSize: 100 },
      settings: { connectionsPerEndpoint: number, concurrencyPerSet: number, stopDelayMs: number, defaultRateLimits: expect.stringMatching(/ehpc 2,000\/h/) },
      formulas: { lowerBound: expect.stringContaining("R_min"), baseline: expect.stringContaining("one request per job") },
    });

    expect(report.teardown).toHaveLength(1);
    const row = report.teardown[0];
    expect(row).toEqual({
      jobs: 24,
      sets: 6,
      wallMs: number,
      requests: number,
      requestsByOp: expect.any(Object),
      peakInFlight: number,
      hostPeakRssBytes: number,
      hostIdleRssBytes: number,
      hostCpuMs: number,
      lowerBound: { requests: number, requestsByPhase: { listPages: number, batchCalls: number, perJobCalls: number }, throughputMs: number, chainMs: number, ms: number },
      baseline: { jobs: 12, requests: 12, wallMs: number, perJobMs: number, failures: 0, extrapolated: true, ms: number },
      vsLowerBound: number,
      fasterThanBaseline: number,
      up: { requests: number, wallMs: number },
      refresh: { requests: number, wallMs: number },
      problems: [],
    });
    // Every job of every set torn down, and never fewer requests than the fewest the APIs allow.
    expect(row.requests).toBeGreaterThanOrEqual(row.lowerBound.requests);
    expect(Object.values(row.requestsByOp as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(row.requests);
    expect(row.lowerBound.ms).toBe(Math.max(row.lowerBound.throughputMs, row.lowerBound.chainMs));
    expect(row.peakInFlight).toBeLessThanOrEqual(report.settings.connectionsPerEndpoint);
    // The Spark batches (one cancel each) and MRS executions (one kill each) are in the bound one by one.
    expect(row.lowerBound.requestsByPhase.perJobCalls).toBe(8);

    expect(report.checkDiff).toEqual({ sets: 24, jobs: 240, hostCpuMs: number, lifecycleCpuMs: number, wallMs: number, requests: 0, changes: 0, failures: 0 });
    expect(report.rateCeiling).toEqual({
      variable: "JOBSETS_RATE_LIMIT_DLI",
      ceiling: "20/s",
      limit: { requests: 20, windowMs: 1000 },
      requests: number,
      maxInWindow: number,
      wallMs: number,
      unlimited: { maxInWindow: number, wallMs: number },
      problems: [],
    });
    expect(report.rateCeiling.maxInWindow).toBeLessThanOrEqual(20);
    // The scenario is big enough to need the ceiling: without it, more go in one window.
    expect(report.rateCeiling.unlimited.maxInWindow).toBeGreaterThan(20);
    expect(report.serializedProvider.maxBytes).toBe(Math.max(...Object.values(report.serializedProvider.bytesByKind as Record<string, number>)));
    expect(Object.keys(report.serializedProvider.bytesByKind).sort()).toEqual(["ehpc", "flink", "mrs", "spark"]);
    expect(report.targets).toHaveLength(7);
    for (const target of report.targets) expect(target).toEqual({ name: expect.any(String), target: expect.any(String), measured: expect.any(String), met: expect.any(Boolean) });

    const svg = fs.readFileSync(path.join(OUT, "latest.svg"), "utf8");
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(svg).toContain(">24 jobs</text>");
    // One bar each: the lower bound, the measured teardown, the baseline.
    expect(svg.match(/<rect x="120" y="\d+" width="[\d.]+" height="16"/g)).toHaveLength(3);
  });
});
