/**
 * `npm run emulator`: serves the emulator until SIGINT/SIGTERM.
 * Options: --port N (or JOBSETS_EMULATOR_PORT; default 8787), --host H, --stop-delay-ms N, --latency-ms N,
 * --max-batch-size N, --missing-job-answer element|error, --spark-cancel-delay-ms N, --mrs-kill-delay-ms N,
 * --mrs-error-spelling snake|camel|mixed, --mrs-detail-status 200|202|alternate, --ehpc-stop-delay-ms N,
 * --ehpc-quota-per-hour N.
 */
import { DEFAULT_PROJECT_ID, DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY } from "./huawei-gateway";
import { DEFAULT_IAM_DOMAIN, DEFAULT_IAM_PASSWORD, DEFAULT_IAM_USER } from "./huawei-iam";
import { type EmulatorOptions, startEmulator } from "./emulator";
import type { MissingJobAnswer } from "./huawei-dli-flink";
import type { MrsDetailStatus, MrsErrorSpelling } from "./huawei-mrs";
import { DEFAULT_QINGCLOUD_ACCESS_KEY_ID, DEFAULT_QINGCLOUD_SECRET_ACCESS_KEY } from "./qingcloud-ehpc";

const DEFAULT_CLI_PORT = 8787;
const USAGE =
  "usage: jobsets-emulator [--port N] [--host H] [--stop-delay-ms N] [--latency-ms N] [--max-batch-size N] " +
  "[--missing-job-answer element|error] [--spark-cancel-delay-ms N] [--mrs-kill-delay-ms N] " +
  "[--mrs-error-spelling snake|camel|mixed] [--mrs-detail-status 200|202|alternate] [--ehpc-stop-delay-ms N] [--ehpc-quota-per-hour N]";

function parseArgs(argv: readonly string[]): EmulatorOptions {
  const values = new Map<string, string>();
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index] ?? "";
    if (arg === "--help" || arg === "-h") {
      console.log(USAGE);
      process.exit(0);
    }
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!match?.[1]) throw new Error(`unexpected argument ${arg}`);
    const value = match[2] ?? argv[++index];
    if (value === undefined) throw new Error(`--${match[1]} needs a value`);
    values.set(match[1], value);
  }
  const integer = (name: string): number | undefined => {
    const text = values.get(name);
    if (text === undefined) return undefined;
    if (!/^\d+$/.test(text)) throw new Error(`--${name} must be a non-negative integer, got ${text}`);
    return Number(text);
  };
  const known = new Set([
    "port",
    "host",
    "stop-delay-ms",
    "latency-ms",
    "max-batch-size",
    "missing-job-answer",
    "spark-cancel-delay-ms",
    "mrs-kill-delay-ms",
    "mrs-error-spelling",
    "mrs-detail-status",
    "ehpc-stop-delay-ms",
    "ehpc-quota-per-hour",
  ]);
  for (const name of values.keys()) if (!known.has(name)) throw new Error(`unknown option --${name}`);

  const envPort = process.env["JOBSETS_EMULATOR_PORT"];
  const options: EmulatorOptions = { port: integer("port") ?? (envPort ? Number(envPort) : DEFAULT_CLI_PORT) };
  const host = values.get("host");
  if (host !== undefined) options.host = host;
  const stopDelayMs = integer("stop-delay-ms");
  if (stopDelayMs !== undefined) options.stopDelayMs = stopDelayMs;
  const latencyMs = integer("latency-ms");
  if (latencyMs !== undefined) options.latencyMs = latencyMs;
  const maxBatchSize = integer("max-batch-size");
  if (maxBatchSize !== undefined) options.maxBatchSize = maxBatchSize;
  const missingJobAnswer = values.get("missing-job-answer");
  if (missingJobAnswer !== undefined) options.missingJobAnswer = missingJobAnswer as MissingJobAnswer;
  const sparkCancelDelayMs = integer("spark-cancel-delay-ms");
  if (sparkCancelDelayMs !== undefined) options.sparkCancelDelayMs = sparkCancelDelayMs;
  const mrsKillDelayMs = integer("mrs-kill-delay-ms");
  if (mrsKillDelayMs !== undefined) options.mrsKillDelayMs = mrsKillDelayMs;
  const mrsErrorSpelling = values.get("mrs-error-spelling");
  if (mrsErrorSpelling !== undefined) options.mrsErrorSpelling = mrsErrorSpelling as MrsErrorSpelling;
  const mrsDetailStatus = values.get("mrs-detail-status");
  if (mrsDetailStatus !== undefined) {
    options.mrsDetailStatus = (/^\d+$/.test(mrsDetailStatus) ? Number(mrsDetailStatus) : mrsDetailStatus) as MrsDetailStatus;
  }
  const ehpcStopDelayMs = integer("ehpc-stop-delay-ms");
  if (ehpcStopDelayMs !== undefined) options.ehpcStopDelayMs = ehpcStopDelayMs;
  const ehpcQuotaPerHour = integer("ehpc-quota-per-hour");
  if (ehpcQuotaPerHour !== undefined) options.ehpcQuotaPerHour = ehpcQuotaPerHour;
  return options;
}

async function main(): Promise<void> {
  const emulator = await startEmulator(parseArgs(process.argv.slice(2)));
  console.log(`pulumi-jobsets emulator listening on ${emulator.url}`);
  console.log("Emulator-only test credentials (public values, not real Huawei Cloud or QingCloud keys):");
  console.log(`  HW_ACCESS_KEY=${DEFAULT_ACCESS_KEY}`);
  console.log(`  HW_SECRET_KEY=${DEFAULT_SECRET_KEY}`);
  console.log(`  HW_DOMAIN_NAME=${DEFAULT_IAM_DOMAIN} HW_USER_NAME=${DEFAULT_IAM_USER} HW_USER_PASSWORD=${DEFAULT_IAM_PASSWORD}`);
  console.log(`  HW_PROJECT_ID=${DEFAULT_PROJECT_ID} (any 32-hex project ID works)`);
  console.log(`  QINGCLOUD_ACCESS_KEY_ID=${DEFAULT_QINGCLOUD_ACCESS_KEY_ID}`);
  console.log(`  QINGCLOUD_SECRET_ACCESS_KEY=${DEFAULT_QINGCLOUD_SECRET_ACCESS_KEY}`);
  console.log("Services: DLI Flink /v1.0/…, DLI Spark /v2.0/{project}/batches, MRS /v2/{project}/clusters/{cluster}/job-executions,");
  console.log("  IAM /v3/auth/tokens, QingCloud EHPC /api/job/… (EHPC errors are HTTP 200 with a ret_code).");
  console.log(
    `Admin API: ${emulator.url}/__admin/ (flink/jobs, spark/batches, mrs/jobs, mrs/clusters, ehpc/jobs, ehpc/clusters, calls, faults, job-faults, reset). Ctrl-C to stop.`,
  );
  const stop = (signal: string): void => {
    console.log(`${signal}: stopping the emulator`);
    emulator.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.once("SIGINT", () => stop("SIGINT"));
  process.once("SIGTERM", () => stop("SIGTERM"));
}

main().catch((error: unknown) => {
  console.error(`jobsets emulator: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
