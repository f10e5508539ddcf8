/**
 * `npm run bench`: teardown at scale, through the real dynamic-provider host, against the emulator.
 *
 * Scenarios (each on a fresh emulator, each destroy on a fresh provider host, as every `pulumi destroy` starts one):
 *   1. teardown of 100, 1,000 and 10,000 jobs spread over the four kinds (`workload.ts`), with the emulator's
 *      per-request latency and batch limit; beside each, measured in the same run, the lower bound
 *      (`lower-bound.ts`) and the per-job baseline (`baseline.ts`, on a sample, extrapolated); plus a refresh of
 *      the same sets;
 *   2. check + diff of 1,000 job sets: the provider host's CPU time, and no request;
 *   3. a teardown under a low request-rate ceiling (JOBSETS_RATE_LIMIT_DLI): the most requests the emulator saw
 *      in any window, against the ceiling.
 * Prints a table with the targets beside the figures, and writes `latest.json` and `latest.svg` to the output
 * directory (`bench/results/`; `--smoke`: a tiny run into `bench/results/smoke.tmp/`, for CI).
 *
 * Options (options.ts): --smoke, --sizes 100,1000,10000, --latency-ms 20, --max-batch-size 100, --baseline-sample 500,
 * --check-sets 1000, --ceiling 50/s, --out <dir>.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  DEFAULT_ACCESS_KEY,
  DEFAULT_QINGCLOUD_ACCESS_KEY_ID,
  DEFAULT_QINGCLOUD_SECRET_ACCESS_KEY,
  DEFAULT_SECRET_KEY,
  DEFAULT_STOP_DELAY_MS,
  startEmulator,
} from "../emulator";
import { runCommand } from "../emulator/command-line";
import { HTTP_DEFAULTS } from "../provider/clients/http";
import { DEFAULT_RATE_LIMITS, formatRateLimit, parseRateLimit } from "../provider/clients/rate-limit";
import { DEFAULT_CONCURRENCY } from "../provider/dynamic";
import * as lifecycle from "../provider/lifecycle";
import { silentProgress } from "../provider/wait/progress";
import { REPO_ROOT } from "../test/harness/program";
import { runBaseline } from "./baseline";
import { teardownChart } from "./chart";
import { LOWER_BOUND_FORMULA, lowerBound } from "./lower-bound";
import { benchOptions, USAGE, type Options } from "./options";
import { cpuTimeMs, peakRssBytes, rssBytes } from "./proc";
import { destroy, providerTexts, refresh, resource, startHost, up, type Resource } from "./stack";
import { countByOp, maxInWindow, peakInFlight } from "./measure";
import { n, printReport, targetsOf, type CheckDiffResult, type RateCeilingResult, type Report, type TeardownResult } from "./report";
import { EHPC_CLUSTER_ID, EHPC_ZONE, PROJECT_ID, seedWorkload, setArgs, TYPES, verifyTeardown, type Kind } from "./workload";

// --- the provider host's environment -----------------------------------------------------------------------------

/** Credentials of the emulator, no endpoint defaults (every set names its endpoint), no ~/.qingcloud. */
function hostEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    HW_ACCESS_KEY: DEFAULT_ACCESS_KEY,
    HW_SECRET_KEY: DEFAULT_SECRET_KEY,
    HW_SECURITY_TOKEN: "",
    HW_AUTH_TOKEN: "",
    QY_ACCESS_KEY_ID: DEFAULT_QINGCLOUD_ACCESS_KEY_ID,
    QY_SECRET_ACCESS_KEY: DEFAULT_QINGCLOUD_SECRET_ACCESS_KEY,
    HOME: "/nonexistent-jobsets-bench-home",
    ...extra,
  };
}

async function teardownScenario(jobs: number, options: Options, texts: Record<Kind, string>): Promise<TeardownResult> {
  const emu = await startEmulator({ latencyMs: options.latencyMs, maxBatchSize: options.maxBatchSize });
  try {
    const workload = seedWorkload(emu, jobs);
    const resources = workload.sets.map((set) => resource(set.kind, set.name, setArgs(set, emu.url, options.maxBatchSize), texts[set.kind]));

    const upHost = await startHost(hostEnv());
    let upResult: TeardownResult["up"];
    let refreshResult: TeardownResult["refresh"];
    try {
      let started = performance.now();
      await up(upHost, resources);
      upResult = { requests: emu.calls().length, wallMs: performance.now() - started };
      emu.resetCalls();
      started = performance.now();
      await refresh(upHost, resources);
      refreshResult = { requests: emu.calls().length, wallMs: performance.now() - started };
    } finally {
      await upHost.stop();
    }

    // `pulumi destroy`: a new host, every set deleted at once, as the engine deletes independent resources.
    const host = await startHost(hostEnv());
    let wallMs: number;
    let hostPeakRssBytes: number | undefined;
    let hostIdleRssBytes: number | undefined;
    let hostCpuMs: number | undefined;
    try {
      hostIdleRssBytes = rssBytes(host.pid);
      emu.resetCalls();
      const cpuBefore = cpuTimeMs(host.pid);
      const started = performance.now();
      await destroy(host, resources);
      wallMs = performance.now() - started;
      const cpuAfter = cpuTimeMs(host.pid);
      hostCpuMs = cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore;
      hostPeakRssBytes = peakRssBytes(host.pid);
    } finally {
      await host.stop();
    }
    const calls = emu.calls();
    const problems = verifyTeardown(emu, workload);
    const bound = lowerBound(workload, {
      latencyMs: options.latencyMs,
      concurrency: HTTP_DEFAULTS.connectionsPerOrigin,
      batchSize: options.maxBatchSize,
      stopDelayMs: DEFAULT_STOP_DELAY_MS,
    });
    const sample = await runBaseline(emu, Math.min(jobs, options.baselineSample));
    const baselineMs = sample.perJobMs * jobs;
    return {
      jobs,
      sets: workload.sets.length,
      wallMs,
      requests: calls.length,
      requestsByOp: countByOp(calls),
      peakInFlight: peakInFlight(calls),
      hostPeakRssBytes: hostPeakRssBytes ?? null,
      hostIdleRssBytes: hostIdleRssBytes ?? null,
      hostCpuMs: hostCpuMs ?? null,
      lowerBound: bound,
      baseline: { ...sample, extrapolated: sample.jobs < jobs, ms: baselineMs },
      vsLowerBound: wallMs / bound.ms,
      fasterThanBaseline: baselineMs / wallMs,
      up: upResult,
      refresh: refreshResult,
      problems,
    };
  } finally {
    await emu.close();
  }
}

/** IDs that pass each kind's schema; check and diff send nothing, so they need not exist. */
function fakeIds(kind: Kind, set: number, count: number): string[] {
  const hex = (n: number, width: number) => n.toString(16).padStart(width, "0");
  return Array.from({ length: count }, (_, i) => {
    const n = set * count + i + 1;
    if (kind === "flink") return String(1_000_000 + n);
    if (kind === "ehpc") return `hpcjob-${n.toString(36).padStart(8, "0")}`;
    return `${hex(n, 8)}-0000-4000-8000-${hex(set, 12)}`;
  });
}

/**
 * CPU time of `lifecycle.check` then `lifecycle.diff` over the sets, in this process: the provider's part of a
 * preview, without the host's gRPC server and protobuf conversions. Check and diff take no HTTP client, so
 * they cannot send anything.
 */
function lifecycleCheckDiffCpuMs(resources: readonly Resource[]): number {
  const services = { config: () => undefined, env: hostEnv(), progress: silentProgress, configKeys: [], isUnknown: () => false };
  const typeOf = (kind: Kind) => TYPES[kind].split(":").pop()!;
  const before = process.cpuUsage();
  for (const [i, r] of resources.entries()) {
    const checked = lifecycle.check(typeOf(r.kind), r.news, services);
    if (checked.failures.length) throw new Error(`lifecycle.check ${r.urn}: ${checked.failures.map((f) => f.reason).join("; ")}`);
    // The same ID as the host's diff in checkDiffScenario.
    if (lifecycle.diff(typeOf(r.kind), `${r.kind}/${i}`, checked.inputs, checked.inputs, services).changes) throw new Error(`lifecycle.diff ${r.urn}: a change`);
  }
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
}

async function checkDiffScenario(sets: number, texts: Record<Kind, string>): Promise<CheckDiffResult> {
  const JOBS_PER_SET = 10;
  const kinds: { kind: Kind; args: (ids: string[], endpoint: string) => Record<string, unknown> }[] = [
    { kind: "flink", args: (ids, endpoint) => ({ jobIds: ids, projectId: PROJECT_ID, endpoint, teardown: "stop-then-delete" }) },
    { kind: "spark", args: (ids, endpoint) => ({ batchIds: ids, projectId: PROJECT_ID, endpoint }) },
    { kind: "mrs", args: (ids, endpoint) => ({ clusterId: "bench-cluster", jobIds: ids, projectId: PROJECT_ID, endpoint }) },
    { kind: "ehpc", args: (ids, endpoint) => ({ clusterId: EHPC_CLUSTER_ID, zone: EHPC_ZONE, jobIds: ids, endpoint }) },
  ];
  const emu = await startEmulator();
  try {
    const resources: Resource[] = Array.from({ length: sets }, (_, i) => {
      const { kind, args } = kinds[i % kinds.length]!;
      return resource(kind, `check-${i}`, args(fakeIds(kind, i, JOBS_PER_SET), emu.url), texts[kind]);
    });
    const host = await startHost(hostEnv());
    try {
      const cpuBefore = cpuTimeMs(host.pid);
      const started = performance.now();
      const checked = await Promise.all(resources.map((r) => host.check(r.urn, {}, r.news)));
      // A preview with nothing changed: the state is what check returned, the new inputs the same.
      const diffs = await Promise.all(resources.map((r, i) => host.diff(`${r.kind}/${i}`, r.urn, checked[i]!.inputs, checked[i]!.inputs)));
      const wallMs = performance.now() - started;
      const cpuAfter = cpuTimeMs(host.pid);
      return {
        sets,
        jobs: sets * JOBS_PER_SET,
        hostCpuMs: cpuBefore === undefined || cpuAfter === undefined ? null : cpuAfter - cpuBefore,
        lifecycleCpuMs: lifecycleCheckDiffCpuMs(resources),
        wallMs,
        requests: emu.calls().length,
        changes: diffs.filter((d) => d.changes !== false).length,
        failures: checked.reduce((n, c) => n + c.failures.length, 0),
      };
    } finally {
      await host.stop();
    }
  } finally {
    await emu.close();
  }
}

/** A Flink and a Spark set (one DLI endpoint), torn down under `ceiling`, and again under the default. */
async function rateCeilingScenario(options: Options, texts: Record<Kind, string>): Promise<RateCeilingResult> {
  const limit = parseRateLimit(options.ceiling, "--ceiling")!;
  const size = options.smoke ? { spark: 8, flink: 12 } : { spark: 150, flink: 300 };
  const run = async (extraEnv: Record<string, string>) => {
    const emu = await startEmulator({ latencyMs: 5, maxBatchSize: options.maxBatchSize });
    try {
      const workload = {
        jobs: size.spark + size.flink,
        outsiders: { flink: "", spark: "", mrs: "", ehpc: "" },
        sets: [
          { group: "spark" as const, kind: "spark" as const, name: "ceiling-spark", ids: emu.seedSparkBatches(PROJECT_ID, Array.from({ length: size.spark }, () => ({ state: "running" }))) },
          {
            group: "flink-stop-then-delete" as const,
            kind: "flink" as const,
            name: "ceiling-flink",
            ids: emu.seedFlinkJobs(PROJECT_ID, Array.from({ length: size.flink }, () => ({ status: "job_running" as const }))),
          },
        ],
      };
      const resources = workload.sets.map((set) => resource(set.kind, set.name, setArgs(set, emu.url, options.maxBatchSize), texts[set.kind]));
      const upHost = await startHost(hostEnv());
      try {
        await up(upHost, resources);
      } finally {
        await upHost.stop();
      }
      const host = await startHost(hostEnv(extraEnv));
      emu.resetCalls();
      const started = performance.now();
      try {
        await destroy(host, resources);
      } finally {
        await host.stop();
      }
      const wallMs = performance.now() - started;
      const dli = emu.calls().filter((call) => call.service.startsWith("dli"));
      const problems = verifyTeardown(emu, workload).filter((problem) => !problem.includes("outsider"));
      return { requests: dli.length, maxInWindow: maxInWindow(dli.map((call) => call.at), limit.windowMs), wallMs, problems };
    } finally {
      await emu.close();
    }
  };
  const limited = await run({ JOBSETS_RATE_LIMIT_DLI: options.ceiling });
  const unlimited = await run({});
  return {
    variable: "JOBSETS_RATE_LIMIT_DLI",
    ceiling: options.ceiling,
    limit,
    requests: limited.requests,
    maxInWindow: limited.maxInWindow,
    wallMs: limited.wallMs,
    unlimited: { maxInWindow: unlimited.maxInWindow, wallMs: unlimited.wallMs },
    problems: [...limited.problems, ...unlimited.problems],
  };
}

async function main(): Promise<void> {
  const options = benchOptions(process.argv.slice(2));
  const texts = await providerTexts();
  const teardown: TeardownResult[] = [];
  for (const jobs of options.sizes) {
    console.error(`bench: teardown of ${n(jobs)} jobs…`);
    teardown.push(await teardownScenario(jobs, options, texts));
  }
  console.error(`bench: check + diff of ${n(options.checkSets)} sets…`);
  const checkDiff = await checkDiffScenario(options.checkSets, texts);
  console.error(`bench: a teardown under JOBSETS_RATE_LIMIT_DLI=${options.ceiling}…`);
  const rateCeiling = await rateCeilingScenario(options, texts);

  const bytesByKind = Object.fromEntries(Object.entries(texts).map(([kind, text]) => [kind, Buffer.byteLength(text)])) as Record<Kind, number>;
  const maxBytes = Math.max(...Object.values(bytesByKind));
  const largest = teardown.reduce((a, b) => (b.jobs > a.jobs ? b : a));
  const report: Report = {
    schema: 1,
    command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(" ")}` : ""}`,
    generatedAt: new Date().toISOString(),
    machine: { node: process.version, platform: `${os.platform()} ${os.release()}`, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? "unknown", memoryBytes: os.totalmem() },
    options: { ...options, out: path.relative(REPO_ROOT, options.out) || "." },
    settings: {
      connectionsPerEndpoint: HTTP_DEFAULTS.connectionsPerOrigin,
      concurrencyPerSet: Number(process.env.JOBSETS_CONCURRENCY) || DEFAULT_CONCURRENCY,
      stopDelayMs: DEFAULT_STOP_DELAY_MS,
      defaultRateLimits: Object.entries(DEFAULT_RATE_LIMITS)
        .map(([service, limit]) => `${service} ${limit ? formatRateLimit(limit) : "none"}`)
        .join(", "),
      environment: Object.fromEntries(Object.entries(process.env).filter(([key]) => key.startsWith("JOBSETS_")) as [string, string][]),
    },
    formulas: {
      lowerBound: LOWER_BOUND_FORMULA,
      baseline:
        "one request per job, sequentially (Flink DELETE /streaming/jobs/{id}, Spark per-batch cancel, MRS batch-delete of one ID, " +
        "EHPC deleteJobs of one ID), with the provider's clients and HttpClient; measured on a sample and extrapolated linearly",
    },
    teardown,
    checkDiff,
    rateCeiling,
    serializedProvider: { bytesByKind, maxBytes },
    targets: targetsOf(largest, checkDiff, rateCeiling, maxBytes),
  };
  printReport(report);

  fs.mkdirSync(options.out, { recursive: true });
  const json = path.join(options.out, "latest.json");
  const svg = path.join(options.out, "latest.svg");
  fs.writeFileSync(json, `${JSON.stringify(report, null, 2)}\n`);
  fs.writeFileSync(
    svg,
    teardownChart(
      teardown.map((row) => ({
        label: `${n(row.jobs)} jobs`,
        lowerBoundMs: row.lowerBound.ms,
        measuredMs: row.wallMs,
        baselineMs: row.baseline.ms,
        ...(row.baseline.extrapolated ? { baselineNote: "extrapolated" } : {}),
      })),
      `${options.latencyMs} ms a request, ${report.settings.connectionsPerEndpoint} connections, batch limit ${options.maxBatchSize}; ${report.command}`,
    ),
  );
  console.log(`\nWrote ${path.relative(process.cwd(), json)} and ${path.relative(process.cwd(), svg)}`);
  const problems = [...teardown.flatMap((row) => row.problems), ...rateCeiling.problems];
  if (problems.length || checkDiff.requests > 0 || checkDiff.changes > 0 || checkDiff.failures > 0) {
    console.error("bench: the runs were not correct (see PROBLEMS above): the figures do not count");
    process.exitCode = 1;
  }
}

runCommand("bench", USAGE, main);
