/**
 * What the `jobsets plan` tests run the built command on: test/fixtures/stack-export.json (a `pulumi stack export`
 * with sets of both routes) pointed at the test's emulator, readable forms of its secrets, the jobs it names seeded
 * with known statuses, and a clean environment holding the emulator's credentials.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { DEFAULT_ACCESS_KEY, DEFAULT_PROJECT_ID, DEFAULT_QINGCLOUD_ACCESS_KEY_ID, DEFAULT_QINGCLOUD_SECRET_ACCESS_KEY, DEFAULT_SECRET_KEY, type Emulator } from "../../emulator";
import { type CommandRun, runJobsetsCommand } from "./jobsets-command";

const P = DEFAULT_PROJECT_ID;
const FIXTURE = path.join(__dirname, "..", "fixtures", "stack-export.json");
/** The endpoint the fixture's sets were created with; each test puts its emulator's URL there. */
const FIXTURE_ENDPOINT = "http://127.0.0.1:8787";
/** Requests that change nothing: the reads a teardown starts with. */
export const READ_ONLY_OPS = /^(flink\.(list|detail)|spark\.(list|state|detail)|mrs\.(list|detail)|ehpc\.(list|detail))$/;

const SECRET_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
export const METRICS_URN = "urn:pulumi:dev::jobsets-quickstart::pulumi-nodejs:dynamic/jobsets:DliFlinkJobSet::metrics-streams";
export const NIGHTLY_URN = "urn:pulumi:dev::jobsets-quickstart::jobsets:dli:SparkBatchSet::nightly-batches";

/**
 * The selector set's batches (selector: names starting with "nightly-" in queue "etl"): the one its IDs list, those
 * the selector matches now (one recorded at the last up, one submitted since), one recorded that is gone, and
 * neighbours a destroy leaves alone: the prefix in another queue, the queue without the prefix, the prefix inside
 * the name (the server's name filter matches substrings).
 */
export const NIGHTLY = {
  declared: "3d6f0a8e-2b7c-4e1d-9f5a-6c4b3a2d1e0f",
  recordedMatched: "8b2c4d6e-1f3a-4b5c-9d7e-0a1b2c3d4e5f",
  late: "9c3d5e7f-2a4b-4c6d-8e0f-1a2b3c4d5e6f",
  recordedGone: "6a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
  otherQueue: "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d",
  noPrefix: "b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6e",
  infix: "c3d4e5f6-a7b8-4c9d-8e1f-2a3b4c5d6e7f",
};

/** The fixture's members, seeded under their IDs with the statuses the assertions expect. */
export function seed(emu: Emulator): void {
  emu.seedFlinkJobs(P, [
    { jobId: "268435" },
    { jobId: "268436", status: "job_init" },
    { jobId: "9007199254740993" },
    { jobId: "9007199254740994", status: "job_cancel_success" },
    // A stop under way that does not end while the test runs.
    { jobId: "9007199254740995", status: "job_canceling", stopDelayMs: null },
    // The secret set's member (the fixture's ciphertext is not readable; the --show-secrets form names it).
    { jobId: "268440" },
  ]);
  emu.seedSparkBatches(P, [
    { id: "0a324461-d9d9-45da-a52a-3b3c7a3d809e", state: "running" },
    { id: "7c1e0e1c-5a1b-4f7e-9d35-2b1c3a4d5e6f", state: "success" },
    { id: NIGHTLY.declared, name: "backfill-2026-11", queue: "etl", state: "success" },
    { id: NIGHTLY.recordedMatched, name: "nightly-2026-12-03", queue: "etl", state: "success" },
    { id: NIGHTLY.late, name: "nightly-2026-12-04", queue: "etl", state: "running" },
    { id: NIGHTLY.otherQueue, name: "nightly-2026-12-04", queue: "adhoc", state: "running" },
    { id: NIGHTLY.noPrefix, name: "hourly-2026-12-04", queue: "etl", state: "running" },
    { id: NIGHTLY.infix, name: "pre-nightly-2026-12-04", queue: "etl", state: "running" },
  ]);
  emu.seedMrsJobs(P, "b5c1d3e2-0f4a-4b6c-9d8e-7f6a5b4c3d2e", [
    { jobId: "48c45725-b699-4aa9-9bfd-f7ff87eb6fe8", state: "RUNNING" },
    { jobId: "b1f9a7e2-3c4d-4e5f-8a6b-7c8d9e0f1a2b", state: "FINISHED" },
  ]);
  emu.seedEhpcJobs("pek3", "ehpc-8jqdq0mz", [
    { jobId: "hpcjob-bp6rj09f", status: "running" },
    { jobId: "hpcjob-c2k8m1xz", status: "finished" },
  ]);
}

/** The fixture with the emulator's URL as every set's endpoint. */
export function exportFor(emu: Emulator): string {
  return fs.readFileSync(FIXTURE, "utf8").replaceAll(FIXTURE_ENDPOINT, emu.url);
}

/**
 * The fixture with the secret set's IDs readable: as `pulumi stack export --show-secrets` writes them ("plaintext",
 * the value as JSON text), as a state holds them before encryption ("value"), or plain beside the `secretIds` flag
 * the SDK records when the program passed them as a secret ("flag").
 */
export function exportWithSecretsShown(emu: Emulator, jobIds: string[], form: "plaintext" | "value" | "flag"): string {
  const document = JSON.parse(exportFor(emu)) as { deployment: { resources: { urn: string; outputs: Record<string, unknown> }[] } };
  const metrics = document.deployment.resources.find((resource) => resource.urn === METRICS_URN)!;
  if (form === "flag") Object.assign(metrics.outputs, { jobIds, secretIds: true });
  else metrics.outputs.jobIds = { [SECRET_KEY]: SECRET_SIG, ...(form === "plaintext" ? { plaintext: JSON.stringify(jobIds) } : { value: jobIds }) };
  return JSON.stringify(document);
}

/**
 * The fixture with the selector set's recorded members readable, as `pulumi stack export --show-secrets` writes them;
 * with `secretIds`, its IDs were a secret too (the SDK's flag).
 */
export function exportWithSelectionShown(emu: Emulator, selectedIds: string[], secretIds = false): string {
  const document = JSON.parse(exportFor(emu)) as { deployment: { resources: { urn: string; outputs: Record<string, unknown> }[] } };
  const nightly = document.deployment.resources.find((resource) => resource.urn === NIGHTLY_URN)!;
  nightly.outputs.selectedIds = { [SECRET_KEY]: SECRET_SIG, plaintext: JSON.stringify(selectedIds) };
  if (secretIds) nightly.outputs.secretIds = true;
  return JSON.stringify(document);
}

/** A clean environment (nothing of the developer's shell) with the emulator's credentials, plus `extra`. */
export function planEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "",
    // Never the developer's real ~/.qingcloud/config.yaml.
    HOME: "/nonexistent-jobsets-test-home",
    HW_ACCESS_KEY: DEFAULT_ACCESS_KEY,
    HW_SECRET_KEY: DEFAULT_SECRET_KEY,
    QY_ACCESS_KEY_ID: DEFAULT_QINGCLOUD_ACCESS_KEY_ID,
    QY_SECRET_ACCESS_KEY: DEFAULT_QINGCLOUD_SECRET_ACCESS_KEY,
    JOBSETS_RETRY_MIN_DELAY_MS: "20",
    ...extra,
  };
}

/** Runs the built command in `planEnv()` unless told. */
export function jobsets(args: string[], opts: { stdin?: string; env?: Record<string, string> } = {}): Promise<CommandRun> {
  return runJobsetsCommand(args, opts.stdin ?? "", opts.env ?? planEnv());
}

/** A temp file holding `text`, removed after the test. */
export function tempFile(text: string, onTestFinished: (fn: () => void) => void): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "jobsets-plan-"));
  onTestFinished(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, "state.json");
  fs.writeFileSync(file, text);
  return file;
}

/** Every job's status now, for "the plan changed nothing". */
export function everyStatus(emu: Emulator): string {
  return JSON.stringify([emu.flinkJobs(P), emu.sparkBatches(P), emu.mrsJobs(P), emu.ehpcJobs()].map((jobs) => jobs.map((job) => Object.entries(job).sort())));
}

export interface JsonPlan {
  sets: { urn: string; jobs: { id: string; status: string; actions: string[]; selected?: boolean }[] | null; unreadable?: string; notes?: string[] }[];
}

/** What the JSON plan says of each set: name → [id, status, actions][] (or the reason it was not read); a job its selector holds is marked. */
export function bySet(plan: JsonPlan) {
  return Object.fromEntries(
    plan.sets.map((set) => [set.urn.split("::").pop(), set.jobs?.map((job) => [job.id, job.status, job.actions, ...(job.selected ? ["selected"] : [])]) ?? set.unreadable]),
  );
}
