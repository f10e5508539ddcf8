// Bad input: a corpus of malformed job sets of every kind, each checked by the real provider host (Check, as the
// engine calls it before anything else). Each must fail with exactly one failure that names the property by its
// dot path (`batchIds[1]`) and says what was expected and what was received, and no request may reach the cloud.
//
// The rows are declared by one run of the fixture program (so each carries the real serialized `__provider`), and
// checked one by one with `host.check(urn, {}, inputs)`: `stack.up` would stop at the first failing check. One host
// serves all four kinds (Check is offline and keeps nothing between calls). The ceiling rows swap a list of
// MAX_JOBS_PER_SET + 1 IDs into the registered inputs: that many IDs do not fit in the program's config (one
// environment variable).
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { DEFAULT_PROJECT_ID, startEmulator, type Emulator } from "../emulator";
import type { ProgramRun } from "./harness/program";
import { startProvider, type ProviderHost } from "./harness/provider-host";
import { PROGRAM_DIR, PROJECT, emulatorEnv, program, type Declaration } from "./helpers/jobsets";
import { formatTable } from "./helpers/reliability";
import { MAX_JOBS_PER_SET } from "../provider/schema";

type Kind = "flink" | "spark" | "mrs" | "ehpc";

/** Stands for "leave this argument out". */
const OMIT = Symbol("omit");
/** Stands for a list of MAX_JOBS_PER_SET + 1 distinct, valid IDs (swapped in after the program run). */
const OVER_CEILING = Symbol("over the ceiling");
/** Stands for the emulator's URL (unknown until it starts) with something appended. */
const emulatorUrl = (suffix: string) => ({ emulatorUrl: suffix });

interface BadInput {
  kind: Kind;
  /** What is wrong, for the test name. */
  defect: string;
  /** Merged over the kind's valid arguments. */
  args: Record<string, unknown>;
  property: string;
  reason: RegExp;
  /** A value the reason must not repeat (credentials in a URL). */
  mustNotEcho?: string;
}

const U1 = "0a324461-d9d9-45da-a52a-3b3c7a3d809e";
const U2 = "8f14e45f-ceea-467f-a0e6-9b6e3f1f3c2b";
const U3 = "c9f0f895-fb98-4b91-9f4e-7a6f2c1d0e3a";
const CEILING = MAX_JOBS_PER_SET;
const AT_MOST = new RegExp(`at most ${CEILING.toLocaleString("en-US")} jobs.*received ${(CEILING + 1).toLocaleString("en-US")}`);

const corpus: BadInput[] = [
  // DLI Flink
  { kind: "flink", defect: "a negative job ID", args: { jobIds: ["101", -5] }, property: "jobIds[1]", reason: /expected a positive integer job ID, received -5/ },
  { kind: "flink", defect: "a negative job ID as a string", args: { jobIds: ["-7"] }, property: "jobIds[0]", reason: /expected a string of digits, received "-7"/ },
  { kind: "flink", defect: "job ID 0", args: { jobIds: [0, "101"] }, property: "jobIds[0]", reason: /expected a positive integer job ID, received 0/ },
  { kind: "flink", defect: "a fractional job ID", args: { jobIds: ["101", "102", 1.5] }, property: "jobIds[2]", reason: /expected a positive integer job ID, received 1\.5/ },
  { kind: "flink", defect: "a job ID above 2^53 as a number", args: { jobIds: ["101", Number("9007199254740993")] }, property: "jobIds[1]", reason: /above 2\^53-1 and has already lost precision.*as a string of digits/ },
  { kind: "flink", defect: "a job ID above a Long", args: { jobIds: ["9223372036854775808"] }, property: "jobIds[0]", reason: /"9223372036854775808" is larger than a DLI Long \(2\^63-1\)/ },
  { kind: "flink", defect: "a non-numeric job ID", args: { jobIds: ["101", "12a"] }, property: "jobIds[1]", reason: /expected a string of digits, received "12a"/ },
  { kind: "flink", defect: "a boolean job ID", args: { jobIds: [true] }, property: "jobIds[0]", reason: /expected an integer or a string of digits, received true/ },
  { kind: "flink", defect: "jobIds not a list", args: { jobIds: "101,102" }, property: "jobIds", reason: /expected a list of Flink job IDs, received "101,102"/ },
  { kind: "flink", defect: "an empty projectId", args: { projectId: "" }, property: "projectId", reason: /projectId must not be empty/ },
  { kind: "flink", defect: "a numeric projectId", args: { projectId: 12345 }, property: "projectId", reason: /expected projectId as a string, received 12345/ },
  { kind: "flink", defect: "an empty region", args: { region: "" }, property: "region", reason: /region must not be empty/ },
  { kind: "flink", defect: "a region given as a list", args: { region: ["cn-north-4"] }, property: "region", reason: /expected region as a string, received an array/ },
  { kind: "flink", defect: "an unknown teardown", args: { teardown: "destroy" }, property: "teardown", reason: /expected one of "delete", "stop", "stop-then-delete", received "destroy"/ },
  { kind: "flink", defect: "an endpoint with a path", args: { endpoint: emulatorUrl("/v1.0") }, property: "endpoint", reason: /expected no path in the endpoint, received "\/v1\.0"/ },
  { kind: "flink", defect: "an endpoint with a query", args: { endpoint: emulatorUrl("/?project=x") }, property: "endpoint", reason: /expected no query string in the endpoint, received "\?project=x"/ },
  { kind: "flink", defect: "credentials in the endpoint", args: { endpoint: "https://ak:hunter2@dli.cn-north-4.myhuaweicloud.com" }, property: "endpoint", reason: /must not carry credentials/, mustNotEcho: "hunter2" },
  { kind: "flink", defect: "plain http to a remote host", args: { endpoint: "http://dli.cn-north-4.myhuaweicloud.com" }, property: "endpoint", reason: /plain http is allowed only for loopback hosts.*use https for "dli\.cn-north-4\.myhuaweicloud\.com"/ },
  { kind: "flink", defect: "a string for a flag", args: { teardown: "stop", triggerSavepoint: "yes" }, property: "triggerSavepoint", reason: /expected triggerSavepoint as true or false, received "yes"/ },
  { kind: "flink", defect: "batchSize 0", args: { batchSize: 0 }, property: "batchSize", reason: /expected batchSize of at least 1, received 0/ },
  { kind: "flink", defect: "a fractional timeout", args: { waitTimeoutSeconds: 2.5 }, property: "waitTimeoutSeconds", reason: /expected waitTimeoutSeconds as a whole number, received 2\.5/ },
  { kind: "flink", defect: "a misspelt teardown", args: { teardwon: "stop" }, property: "teardwon", reason: /unknown property "teardwon" \(did you mean "teardown"\?\)/ },
  { kind: "flink", defect: "a set above the ceiling", args: { jobIds: OVER_CEILING }, property: "jobIds", reason: AT_MOST },

  // DLI Spark
  { kind: "spark", defect: "a batch ID that is not a UUID", args: { batchIds: [U1, "not-a-uuid"] }, property: "batchIds[1]", reason: /expected a Spark batch ID as a UUID .*received "not-a-uuid"/ },
  { kind: "spark", defect: "a numeric batch ID", args: { batchIds: [12345] }, property: "batchIds[0]", reason: /expected a Spark batch ID as a UUID .*received 12345/ },
  { kind: "spark", defect: "a UUID one digit short", args: { batchIds: [U1, U2, "0a324461-d9d9-45da-a52a-3b3c7a3d809"] }, property: "batchIds[2]", reason: /as a UUID .*received "0a324461-d9d9-45da-a52a-3b3c7a3d809"/ },
  { kind: "spark", defect: "batchIds not a list", args: { batchIds: { id: U1 } }, property: "batchIds", reason: /expected a list of Spark batch IDs \(UUIDs\), received a value of type object/ },
  { kind: "spark", defect: "a numeric projectId", args: { projectId: 7 }, property: "projectId", reason: /expected projectId as a string, received 7/ },
  { kind: "spark", defect: "a numeric region", args: { region: 7 }, property: "region", reason: /expected region as a string, received 7/ },
  { kind: "spark", defect: "an ftp endpoint", args: { endpoint: "ftp://dli.example.com" }, property: "endpoint", reason: /expected an https:\/\/ URL, received the scheme "ftp:"/ },
  { kind: "spark", defect: "an endpoint that is no URL", args: { endpoint: "dli.example.com" }, property: "endpoint", reason: /expected a base URL such as "https:\/\/dli\.cn-north-4\.myhuaweicloud\.com", received "dli\.example\.com"/ },
  { kind: "spark", defect: "a timeout as a string", args: { waitTimeoutSeconds: "60" }, property: "waitTimeoutSeconds", reason: /expected waitTimeoutSeconds as a number, received "60"/ },
  { kind: "spark", defect: "a misspelt batchIds", args: { batchIDs: [U3] }, property: "batchIDs", reason: /unknown property "batchIDs" \(did you mean "batchIds"\?\)/ },
  { kind: "spark", defect: "a set above the ceiling", args: { batchIds: OVER_CEILING }, property: "batchIds", reason: AT_MOST },

  // MRS
  { kind: "mrs", defect: "an execution ID that is not a UUID", args: { jobIds: ["job-1"] }, property: "jobIds[0]", reason: /expected an MRS job execution ID as a UUID .*received "job-1"/ },
  { kind: "mrs", defect: "a numeric execution ID", args: { jobIds: [U1, 42] }, property: "jobIds[1]", reason: /as a UUID .*received 42/ },
  { kind: "mrs", defect: "an empty clusterId", args: { clusterId: "" }, property: "clusterId", reason: /clusterId must not be empty/ },
  { kind: "mrs", defect: "a blank clusterId", args: { clusterId: "   " }, property: "clusterId", reason: /clusterId must not be empty/ },
  { kind: "mrs", defect: "a numeric clusterId", args: { clusterId: 123 }, property: "clusterId", reason: /expected clusterId as a string, received 123/ },
  { kind: "mrs", defect: "no clusterId", args: { clusterId: OMIT }, property: "clusterId", reason: /expected clusterId as a string, received/ },
  { kind: "mrs", defect: "a projectId with a slash", args: { projectId: "proj/../x" }, property: "projectId", reason: /projectId may hold only letters, digits, '-', '_' and '\.', received "proj\/\.\.\/x"/ },
  { kind: "mrs", defect: "an empty region", args: { region: "" }, property: "region", reason: /region must not be empty/ },
  { kind: "mrs", defect: "a string for killRunning", args: { killRunning: "false" }, property: "killRunning", reason: /expected killRunning as true or false, received "false"/ },
  { kind: "mrs", defect: "an endpoint with a fragment", args: { endpoint: emulatorUrl("/#frag") }, property: "endpoint", reason: /expected no fragment in the endpoint, received "#frag"/ },
  { kind: "mrs", defect: "batchSize above the maximum", args: { batchSize: 1001 }, property: "batchSize", reason: /expected batchSize of at most 1000, received 1001/ },
  { kind: "mrs", defect: "a misspelt killRunning", args: { kilRunning: true }, property: "kilRunning", reason: /unknown property "kilRunning" \(did you mean "killRunning"\?\)/ },
  { kind: "mrs", defect: "a set above the ceiling", args: { jobIds: OVER_CEILING }, property: "jobIds", reason: AT_MOST },

  // QingCloud EHPC
  { kind: "ehpc", defect: "the scheduler's job_id", args: { jobIds: ["1547554"] }, property: "jobIds[0]", reason: /starting with "hpcjob-".*received "1547554" \(that looks like the scheduler's job_id/ },
  { kind: "ehpc", defect: "the scheduler's job_id as a number", args: { jobIds: ["hpcjob-aaaa1111", 1547554] }, property: "jobIds[1]", reason: /starting with "hpcjob-".*received 1547554 \(that looks like the scheduler's job_id/ },
  { kind: "ehpc", defect: "an ID without hpcjob-", args: { jobIds: ["hpcjob-aaaa1111", "job-abc"] }, property: "jobIds[1]", reason: /starting with "hpcjob-" followed by letters and digits.*received "job-abc"/ },
  { kind: "ehpc", defect: "an empty zone", args: { zone: "" }, property: "zone", reason: /zone must not be empty/ },
  { kind: "ehpc", defect: "a numeric zone", args: { zone: 3 }, property: "zone", reason: /expected zone as a string, received 3/ },
  { kind: "ehpc", defect: "a boolean clusterId", args: { clusterId: false }, property: "clusterId", reason: /expected clusterId as a string, received false/ },
  { kind: "ehpc", defect: "an unknown teardown", args: { teardown: "stop-and-delete" }, property: "teardown", reason: /expected one of "delete", "stop", "stop-then-delete", received "stop-and-delete"/ },
  { kind: "ehpc", defect: "plain http to a remote host", args: { endpoint: "http://hpc.api.qingcloud.com" }, property: "endpoint", reason: /plain http is allowed only for loopback hosts/ },
  { kind: "ehpc", defect: "credentials in the endpoint", args: { endpoint: "https://QYKEY:qysecret99@hpc.api.qingcloud.com" }, property: "endpoint", reason: /must not carry credentials/, mustNotEcho: "qysecret99" },
  { kind: "ehpc", defect: "an endpoint with a path", args: { endpoint: emulatorUrl("/api") }, property: "endpoint", reason: /expected no path in the endpoint, received "\/api"/ },
  { kind: "ehpc", defect: "a negative batchSize", args: { batchSize: -1 }, property: "batchSize", reason: /expected batchSize of at least 1, received -1/ },
  { kind: "ehpc", defect: "a misspelt zone", args: { zones: "pek3" }, property: "zones", reason: /unknown property "zones" \(did you mean "zone"\?\)/ },
  { kind: "ehpc", defect: "a set above the ceiling", args: { jobIds: OVER_CEILING }, property: "jobIds", reason: AT_MOST },
];

const DECLARED_KIND: Record<Kind, Declaration["kind"]> = { flink: "dli.FlinkJobSet", spark: "dli.SparkBatchSet", mrs: "mrs.JobExecutionSet", ehpc: "ehpc.JobSet" };

/** Valid arguments of each kind: a row changes one of them. */
function validArgs(kind: Kind, endpoint: string): Record<string, unknown> {
  switch (kind) {
    case "flink":
      return { jobIds: ["101", "102", "103"], projectId: DEFAULT_PROJECT_ID, endpoint };
    case "spark":
      return { batchIds: [U1, U2, U3], projectId: DEFAULT_PROJECT_ID, endpoint };
    case "mrs":
      return { clusterId: "mrs-c1", jobIds: [U1, U2], projectId: DEFAULT_PROJECT_ID, endpoint };
    case "ehpc":
      return { clusterId: "ehpc-c1", zone: "pek3", jobIds: ["hpcjob-aaaa1111", "hpcjob-bbbb2222"], endpoint };
  }
}

function overCeiling(kind: Kind): string[] {
  const n = CEILING + 1;
  if (kind === "flink") return Array.from({ length: n }, (_, i) => String(1_000_000 + i));
  if (kind === "ehpc") return Array.from({ length: n }, (_, i) => `hpcjob-${i.toString(36).padStart(8, "0")}`);
  return Array.from({ length: n }, () => randomUUID());
}

let emu: Emulator;
let host: ProviderHost;
let run: ProgramRun;
const printed: { kind: string; property: string; reason: string }[] = [];

/** The row's arguments as the program passes them; OVER_CEILING is left for the swap. */
function argsOf(row: BadInput): Record<string, unknown> {
  const args: Record<string, unknown> = { ...validArgs(row.kind, emu.url) };
  for (const [key, value] of Object.entries(row.args)) {
    if (value === OMIT) delete args[key];
    else if (value === OVER_CEILING) args[key] = [...(args[key] as unknown[])];
    else if (typeof value === "object" && value !== null && "emulatorUrl" in value) args[key] = `${emu.url}${(value as { emulatorUrl: string }).emulatorUrl}`;
    else args[key] = value;
  }
  return args;
}

const name = (i: number) => `bad-${i}`;
const controls = (["flink", "spark", "mrs", "ehpc"] as const).map((kind) => ({ kind, name: `valid-${kind}` }));

beforeAll(async () => {
  emu = await startEmulator();
  const declarations: Declaration[] = [
    ...corpus.map((row, i) => ({ kind: DECLARED_KIND[row.kind], name: name(i), args: argsOf(row) })),
    ...controls.map(({ kind, name: control }) => ({ kind: DECLARED_KIND[kind], name: control, args: validArgs(kind, emu.url) })),
  ];
  [run, host] = await Promise.all([program(declarations), startProvider({ cwd: PROGRAM_DIR, project: PROJECT, env: emulatorEnv(emu) })]);
  await host.configure(run.config, { secretKeys: run.secretKeys });
});

afterAll(async () => {
  await host?.stop();
  await emu?.close();
  console.log(`\nBad inputs: what Check answered (${printed.length} rows)\n${formatTable(printed, ["kind", "property", "reason"])}\n`);
});

function registered(setName: string) {
  const resource = run.resources.find((r) => r.name === setName);
  if (!resource) throw new Error(`the program did not register ${setName}`);
  return resource;
}

describe("malformed inputs fail Check with one failure naming the property, and nothing is sent", () => {
  test("the corpus covers every kind with at least 40 rows", () => {
    expect(corpus.length).toBeGreaterThanOrEqual(40);
    for (const kind of ["flink", "spark", "mrs", "ehpc"]) expect(corpus.filter((row) => row.kind === kind).length).toBeGreaterThanOrEqual(8);
  });

  test("the same sets without their defect pass Check", async () => {
    for (const { name: control } of controls) {
      const resource = registered(control);
      expect((await host.check(resource.urn, {}, resource.inputs)).failures).toEqual([]);
    }
  });

  test.for(corpus.map((row, i) => ({ ...row, i })))("$kind: $defect → $property", async (row) => {
    const resource = registered(name(row.i));
    const inputs = { ...resource.inputs };
    for (const [key, value] of Object.entries(row.args)) if (value === OVER_CEILING) inputs[key] = overCeiling(row.kind);
    const before = emu.calls().length;

    const { failures } = await host.check(resource.urn, {}, inputs);

    for (const failure of failures) printed.push({ kind: row.kind, ...failure });
    expect(failures.map((f) => f.property)).toEqual([row.property]);
    expect(failures[0]!.reason).toMatch(row.reason);
    if (row.mustNotEcho) expect(failures[0]!.reason).not.toContain(row.mustNotEcho);
    expect(emu.calls().length).toBe(before);
  });

  test("no request reached the emulator", () => {
    expect(emu.calls()).toEqual([]);
  });
});
