// The benchmark's smoke run, so `npm run bench` cannot rot: `node build/bench/run.js --smoke` runs every
// scenario on a tiny workload (a 24-job teardown through the real provider host, its lower bound and per-job baseline,
// a refresh, check + diff, a teardown under a low request-rate ceiling) and must print the table with its targets
// and write the JSON, with every field, and the chart. It never checks how fast it was.
//
// The figures are held against a witness, not against the benchmark's own arithmetic: the run is preloaded with
// test/harness/emulator-observer.ts, which writes down what each of its emulators recorded (calls, seeded jobs,
// jobs at the end). So the request counts the JSON reports must be the calls the emulator saw, the teardown must
// have left every member torn down and every outsider as it was, and the ceiling must hold in the arrivals.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { readObservations, type ObservedCall, type ObservedEmulator } from "./harness/emulator-observer";
import { REPO_ROOT } from "./harness/program";

const RUN = path.join(REPO_ROOT, "build", "bench", "run.js");
const OBSERVER = path.join(REPO_ROOT, "build", "test", "harness", "emulator-observer.js");
const OUT = fs.mkdtempSync(path.join(os.tmpdir(), "jobsets-bench-smoke-"));
const OBSERVED = path.join(OUT, "emulators.jsonl");

afterAll(() => fs.rmSync(OUT, { recursive: true, force: true }));

function runBench(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--require", OBSERVER, RUN, ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, JOBSETS_OBSERVE_EMULATORS: OBSERVED },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr }));
  });
}

const number = expect.any(Number);

function countByOp(calls: readonly ObservedCall[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const call of calls) counts[call.op] = (counts[call.op] ?? 0) + 1;
  return counts;
}

/** The most arrivals within any `windowMs` (half-open), from the emulator's own timestamps. */
function busiestWindow(calls: readonly ObservedCall[], windowMs: number): number {
  const at = calls.map((call) => call.at).sort((a, b) => a - b);
  return Math.max(0, ...at.map((start, i) => at.slice(i).filter((t) => t < start + windowMs).length));
}

/** Status of each job at the emulator's close, by ID (absent: deleted). */
function statusesAtClose(emu: ObservedEmulator, kind: keyof ObservedEmulator["jobs"]): Map<string, string> {
  return new Map(emu.jobs[kind].map((job) => [job.id, job.status]));
}

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
      command: `npm run bench -- --smoke --out ${OUT}`,
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
    expect(row.peakInFlight).toBeLessThanOrEqual(report.settings.connectionsPerEndpoint);

    // What the emulators saw: the teardown's, the check + diff's, the ceiling's two runs, in that order.
    const [teardownEmu, checkEmu, limitedEmu, unlimitedEmu, ...extra] = readObservations(OBSERVED);
    expect(extra).toEqual([]);

    // The teardown's emulator: its record was reset after the up and after the refresh, so it holds three stretches:
    // the up, the refresh, then the destroy followed by the baseline (which starts by seeding its sample).
    expect(teardownEmu!.segments).toHaveLength(3);
    const [upCalls, refreshCalls, lastCalls] = teardownEmu!.segments as [ObservedCall[], ObservedCall[], ObservedCall[]];
    expect(row.up.requests).toBe(upCalls.length);
    expect(row.refresh.requests).toBe(refreshCalls.length);
    const sampleSeeds = teardownEmu!.seeds.filter((seed) => seed.segment === 2);
    expect(sampleSeeds.length).toBeGreaterThan(0);
    const destroyCalls = lastCalls.slice(0, sampleSeeds[0]!.callsBefore);
    const baselineCalls = lastCalls.slice(sampleSeeds[0]!.callsBefore);
    expect(row.requests).toBe(destroyCalls.length);
    expect(row.requestsByOp).toEqual(countByOp(destroyCalls));
    expect(destroyCalls.length).toBeGreaterThanOrEqual(row.lowerBound.requests);
    // The baseline: one request per job of its sample, each answered without an error.
    const sample = sampleSeeds.flatMap((seed) => seed.ids);
    expect(row.baseline.jobs).toBe(sample.length);
    expect(baselineCalls).toHaveLength(sample.length);
    expect(baselineCalls.filter((call) => call.status >= 400)).toEqual([]);

    // The workload was seeded before the up: first one outsider per listing (bench/workload.ts), then the sets' jobs.
    // After the destroy every outsider is as it was seeded, and every member is torn down: Flink jobs deleted (or
    // stopped and kept, for the sets that only stop), Spark batches dead, MRS executions and EHPC jobs deleted.
    const workloadSeeds = teardownEmu!.seeds.filter((seed) => seed.segment === 0);
    const seeded = (kind: keyof ObservedEmulator["jobs"]) => workloadSeeds.filter((seed) => seed.kind === kind);
    const outsiderStatus = { flink: "job_running", spark: "running", mrs: "RUNNING", ehpc: "running" } as const;
    let members = 0;
    for (const kind of ["flink", "spark", "mrs", "ehpc"] as const) {
      const [outsider, ...sets] = seeded(kind);
      expect(outsider!.ids, `${kind}: one outsider`).toHaveLength(1);
      const now = statusesAtClose(teardownEmu!, kind);
      expect(now.get(outsider!.ids[0]!), `${kind} outsider`).toBe(outsiderStatus[kind]);
      const left = sets.flatMap((seed) => seed.ids).filter((id) => {
        const status = now.get(id);
        if (kind === "flink") return status !== undefined && status !== "job_cancel_success";
        if (kind === "spark") return status?.toLowerCase() !== "dead";
        return status !== undefined;
      });
      expect(left, `${kind} members not torn down`).toEqual([]);
      members += sets.flatMap((seed) => seed.ids).length;
    }
    expect(members).toBe(row.jobs);
    // Both Flink outcomes happened: some sets delete, one only stops.
    const flinkNow = statusesAtClose(teardownEmu!, "flink");
    const flinkMembers = seeded("flink").slice(1).flatMap((seed) => seed.ids);
    expect(flinkMembers.filter((id) => flinkNow.get(id) === "job_cancel_success").length).toBeGreaterThan(0);
    expect(flinkMembers.filter((id) => !flinkNow.has(id)).length).toBeGreaterThan(0);

    // Check + diff sent nothing: its emulator recorded no call at all.
    expect(checkEmu!.segments.flat()).toEqual([]);

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
    // The ceiling, in the arrivals its emulator recorded during the destroy (the second stretch, after the up): never
    // more than 20 DLI requests in a second, as the JSON says; and without the ceiling, more (the scenario needs it).
    const dliDestroy = (emu: ObservedEmulator) => emu.segments[1]!.filter((call) => call.service.startsWith("dli"));
    expect(limitedEmu!.segments).toHaveLength(2);
    expect(report.rateCeiling.requests).toBe(dliDestroy(limitedEmu!).length);
    expect(busiestWindow(dliDestroy(limitedEmu!), 1_000)).toBeLessThanOrEqual(20);
    expect(report.rateCeiling.maxInWindow).toBe(busiestWindow(dliDestroy(limitedEmu!), 1_000));
    expect(busiestWindow(dliDestroy(unlimitedEmu!), 1_000)).toBeGreaterThan(20);
    expect(report.rateCeiling.unlimited.maxInWindow).toBe(busiestWindow(dliDestroy(unlimitedEmu!), 1_000));
    // Both runs tore their sets down: no Flink job left, every Spark batch dead.
    for (const emu of [limitedEmu!, unlimitedEmu!]) {
      expect(emu.jobs.flink).toEqual([]);
      expect(emu.jobs.spark.filter((batch) => batch.status.toLowerCase() !== "dead")).toEqual([]);
    }
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
