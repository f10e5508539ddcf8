/**
 * `npm run emulator`: serves the emulator until SIGINT/SIGTERM. `--help` lists the options; the port defaults to
 * JOBSETS_EMULATOR_PORT, else 8787. A bad value stops it with the option's name and exit status 2.
 */
import { oneOf, parseCommandLine, runCommand, UsageError, wholeNumber } from "./command-line";
import { DEFAULT_PROJECT_ID, DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY } from "./huawei-gateway";
import { DEFAULT_IAM_DOMAIN, DEFAULT_IAM_PASSWORD, DEFAULT_IAM_USER } from "./huawei-iam";
import { type EmulatorOptions, startEmulator } from "./emulator";
import type { MissingJobAnswer } from "./huawei-dli-flink";
import type { MrsErrorSpelling } from "./huawei-mrs-errors";
import { DEFAULT_QINGCLOUD_ACCESS_KEY_ID, DEFAULT_QINGCLOUD_SECRET_ACCESS_KEY } from "./qingcloud-ehpc-gateway";

const COMMAND = "jobsets-emulator";
const DEFAULT_CLI_PORT = 8787;
const MAX_PORT = 65_535;
const MISSING_JOB_ANSWERS = ["element", "error"] as const satisfies readonly MissingJobAnswer[];
const MRS_ERROR_SPELLINGS = ["snake", "camel", "mixed"] as const satisfies readonly MrsErrorSpelling[];
const MRS_DETAIL_STATUSES = ["200", "202", "alternate"] as const;

export const USAGE =
  `usage: ${COMMAND} [--port N] [--host H] [--stop-delay-ms N] [--latency-ms N] [--max-batch-size N] ` +
  `[--missing-job-answer ${MISSING_JOB_ANSWERS.join("|")}] [--spark-cancel-delay-ms N] [--mrs-kill-delay-ms N] ` +
  `[--mrs-error-spelling ${MRS_ERROR_SPELLINGS.join("|")}] [--mrs-detail-status ${MRS_DETAIL_STATUSES.join("|")}] ` +
  "[--ehpc-stop-delay-ms N] [--ehpc-quota-per-hour N]";

const OPTIONS = {
  help: { type: "boolean", short: "h" },
  port: { type: "string" },
  host: { type: "string" },
  "stop-delay-ms": { type: "string" },
  "latency-ms": { type: "string" },
  "max-batch-size": { type: "string" },
  "missing-job-answer": { type: "string" },
  "spark-cancel-delay-ms": { type: "string" },
  "mrs-kill-delay-ms": { type: "string" },
  "mrs-error-spelling": { type: "string" },
  "mrs-detail-status": { type: "string" },
  "ehpc-stop-delay-ms": { type: "string" },
  "ehpc-quota-per-hour": { type: "string" },
} as const;

/**
 * The emulator's options from its command line and environment, or "help". Throws UsageError naming the option
 * (or JOBSETS_EMULATOR_PORT) when a value is not one it takes.
 */
export function emulatorOptions(argv: readonly string[], env: NodeJS.ProcessEnv): EmulatorOptions | "help" {
  const values = parseCommandLine(argv, OPTIONS);
  if (values.help) return "help";
  const ms = (name: keyof typeof OPTIONS & `${string}-ms`) => wholeNumber(`--${name}`, values[name], 0);
  const envPort = env.JOBSETS_EMULATOR_PORT === "" ? undefined : env.JOBSETS_EMULATOR_PORT;
  if (values.host === "") throw new UsageError("--host must name an address, got an empty string");
  const detailStatus = oneOf("--mrs-detail-status", values["mrs-detail-status"], MRS_DETAIL_STATUSES);
  const options: EmulatorOptions = {
    port: wholeNumber("--port", values.port, 0, MAX_PORT) ?? wholeNumber("JOBSETS_EMULATOR_PORT", envPort, 0, MAX_PORT) ?? DEFAULT_CLI_PORT,
    host: values.host,
    stopDelayMs: ms("stop-delay-ms"),
    latencyMs: ms("latency-ms"),
    maxBatchSize: wholeNumber("--max-batch-size", values["max-batch-size"], 1),
    missingJobAnswer: oneOf("--missing-job-answer", values["missing-job-answer"], MISSING_JOB_ANSWERS),
    sparkCancelDelayMs: ms("spark-cancel-delay-ms"),
    mrsKillDelayMs: ms("mrs-kill-delay-ms"),
    mrsErrorSpelling: oneOf("--mrs-error-spelling", values["mrs-error-spelling"], MRS_ERROR_SPELLINGS),
    mrsDetailStatus: detailStatus === undefined || detailStatus === "alternate" ? detailStatus : (Number(detailStatus) as 200 | 202),
    ehpcStopDelayMs: ms("ehpc-stop-delay-ms"),
    ehpcQuotaPerHour: wholeNumber("--ehpc-quota-per-hour", values["ehpc-quota-per-hour"], 0),
  };
  // Options not given keep the emulator's own defaults.
  for (const key of Object.keys(options) as (keyof EmulatorOptions)[]) if (options[key] === undefined) delete options[key];
  return options;
}

async function main(): Promise<void> {
  const options = emulatorOptions(process.argv.slice(2), process.env);
  if (options === "help") {
    console.log(USAGE);
    return;
  }
  const emulator = await startEmulator(options);
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

// Importing the module (the tests do) only parses; running it serves.
if (require.main === module) runCommand(COMMAND, USAGE, main);
