/**
 * What the emulator's reads show, on all four kinds: statuses outside the documented lists (which behave as running),
 * transient 400s on reads, Flink's savepoint_path, and the name and queue every list entry carries. Each test gets
 * its own emulator (the `emulator` fixture); the kinds are test/helpers/emulator-kinds.ts.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect } from "vitest";
import { DEFAULT_PROJECT_ID, type Emulator, type JobService, defaultFlinkSavepointPath } from "../emulator";
import { type ApiResult, ehpcApi, emulatorTest as test, huaweiApi } from "./helpers/emulator-clients";
import { OTHER_PROJECT_ID, flinkPath } from "./helpers/emulator-flink";
import { EHPC_CLUSTER, EHPC_ZONE, KINDS, type Kind, SETTLE_MS, ehpc, ehpcCluster, flink, flinkDetail, mrs, mrsPath, spark, sparkPath } from "./helpers/emulator-kinds";

const UNKNOWN_STATUS: Record<JobService, string> = {
  "dli-flink": "job_migrating",
  "dli-spark": "Queued",
  mrs: "SUSPENDED",
  ehpc: "suspended",
};

describe("statuses outside the documented lists behave as running", () => {
  test.for(KINDS)("$service: a seeded unknown status is listed as given, and a stop ends it after the usual delay", async (kind, { emulator }) => {
    const status = UNKNOWN_STATUS[kind.service];
    const [jobId] = kind.seed(emulator, [{ status }]);
    expect((await kind.page(emulator, 0, 10)).entries[0]).toMatchObject(
      kind.service === "dli-spark" ? { state: status } : kind.service === "mrs" ? { job_state: status } : kind.service === "ehpc" ? { job_status: status } : { status },
    );
    await kind.stop(emulator, [jobId!]);
    await sleep(SETTLE_MS);
    expect(kind.statusOf(emulator, jobId!)).toBe(kind.stopped);
  });

  test.for(KINDS)("$service: setJobStatus moves a job to any status at any time, a stop under way included", async (kind, { emulator }) => {
    const [jobId] = kind.seed(emulator, [{}]);
    await kind.stop(emulator, [jobId!]);
    emulator.setJobStatus(kind.service, jobId!, UNKNOWN_STATUS[kind.service]);
    await sleep(SETTLE_MS);
    expect(kind.statusOf(emulator, jobId!)).toBe(UNKNOWN_STATUS[kind.service]); // the earlier stop no longer completes
    await kind.stop(emulator, [jobId!]);
    await sleep(SETTLE_MS);
    expect(kind.statusOf(emulator, jobId!)).toBe(kind.stopped);
    emulator.setJobStatus(kind.service, jobId!, kind.running);
    expect(kind.statusOf(emulator, jobId!)).toBe(kind.running);
  });

  test.for(KINDS)("$service: stopDelayMs null on the seed: the stop is accepted and never completes", async (kind, { emulator }) => {
    const [stuck, normal] = kind.seed(emulator, [{ stopDelayMs: null }, {}]);
    await kind.stop(emulator, [stuck!, normal!]);
    await sleep(SETTLE_MS);
    expect(kind.statusOf(emulator, stuck!)).toBe(kind.service === "dli-flink" ? "job_canceling" : kind.running);
    expect(kind.statusOf(emulator, normal!)).toBe(kind.stopped);
  });

  test("setJobStatus: an unknown ID, an ID in two projects without `where`, an empty status or service are refused", ({ emulator }) => {
    emulator.seedFlinkJobs(DEFAULT_PROJECT_ID, [{ jobId: 7 }]);
    emulator.seedFlinkJobs(OTHER_PROJECT_ID, [{ jobId: 7 }]);
    expect(() => emulator.setJobStatus("dli-flink", 7, "job_idle")).toThrow(`dli-flink job 7 is in project ${DEFAULT_PROJECT_ID} and project ${OTHER_PROJECT_ID}`);
    emulator.setJobStatus("dli-flink", 7, "job_idle", { projectId: OTHER_PROJECT_ID });
    expect(emulator.flinkJobs().map((job) => job.status)).toEqual(["job_running", "job_idle"]);
    expect(() => emulator.setJobStatus("dli-flink", 8, "job_idle")).toThrow(/no dli-flink job 8/);
    expect(() => emulator.setJobStatus("dli-flink", 7, "", { projectId: OTHER_PROJECT_ID })).toThrow(/status must be a non-empty string/);
    expect(() => emulator.setJobStatus("iam" as never, 7, "x")).toThrow(/service must be one of dli-flink, dli-spark, mrs, ehpc/);
    expect(() => emulator.seedSparkBatches(DEFAULT_PROJECT_ID, [{ cancelDelayMs: 10, stopDelayMs: 20 }])).toThrow(/cancelDelayMs and stopDelayMs/);
    expect(() => emulator.seedEhpcJobs(EHPC_ZONE, EHPC_CLUSTER, [{ stopDelayMs: -1 }])).toThrow(/stopDelayMs must be a number ≥ 0 or null/);
  });
});

// ---------------------------------------------------------------------------------------------------------------

/** A list call answering the raw result (the kinds' `page` expects success). */
const listCall = (kind: Kind) => (emulator: Emulator): Promise<ApiResult> => {
  if (kind === flink) return huaweiApi(emulator, { method: "GET", path: flinkPath() });
  if (kind === spark) return huaweiApi(emulator, { method: "GET", path: sparkPath() });
  if (kind === mrs) return huaweiApi(emulator, { method: "GET", path: mrsPath() });
  return ehpcApi(emulator, { method: "GET", path: "/api/job/list", parameters: ehpcCluster });
};
const DLI_PARAMETER_ERROR = { error_code: "DLI.0001", error_msg: "parameter error" };
const MRS_PARAMETER_ERROR = { error_code: "0002", error_msg: "parameter error" };
const EHPC_PARAMETER_ERROR = { ret_code: 1100, message: "InvalidParameter, parameter error" };

/** Every read op of the four kinds, a call of it, and a 400 body in its service's shape as a test would choose it. */
const transientReads = [
  { op: "spark.state", kind: spark, body: DLI_PARAMETER_ERROR, call: spark.reads["spark.state"]! },
  { op: "spark.detail", kind: spark, body: DLI_PARAMETER_ERROR, call: spark.reads["spark.detail"]! },
  { op: "spark.list", kind: spark, body: DLI_PARAMETER_ERROR, call: listCall(spark) },
  { op: "flink.detail", kind: flink, body: DLI_PARAMETER_ERROR, call: flink.reads["flink.detail"]! },
  { op: "flink.list", kind: flink, body: DLI_PARAMETER_ERROR, call: listCall(flink) },
  { op: "mrs.detail", kind: mrs, body: MRS_PARAMETER_ERROR, call: mrs.reads["mrs.detail"]! },
  { op: "mrs.list", kind: mrs, body: MRS_PARAMETER_ERROR, call: listCall(mrs) },
  { op: "ehpc.list", kind: ehpc, body: EHPC_PARAMETER_ERROR, call: listCall(ehpc) },
  { op: "ehpc.detail", kind: ehpc, body: EHPC_PARAMETER_ERROR, call: ehpc.reads["ehpc.detail"]! },
];

describe("a transient 400 on a read: failNext({ status: 400, body, times })", () => {
  test.for(transientReads)("$op: two answers of 400 with the test's body, then the normal answer; the job unchanged", async (read, { emulator }) => {
    const [jobId] = read.kind.seed(emulator, [{}]);
    emulator.failNext(read.op, { status: 400, body: read.body, times: 2 });
    for (let attempt = 0; attempt < 2; attempt++) {
      const { status, text, json } = await read.call(emulator, jobId!);
      expect({ status, text, json }).toEqual({ status: 400, text: JSON.stringify(read.body), json: read.body });
    }
    const normal = await read.call(emulator, jobId!);
    expect(normal.status).toBe(read.op === "mrs.list" ? 202 : 200); // an MRS detail alternates 200, 202, … from 200
    expect(normal.text).toContain(jobId);
    if (read.kind === ehpc) expect(normal.json).toMatchObject({ ret_code: 0 });
    expect(emulator.calls({ op: read.op }).map((recorded) => recorded.status)).toEqual([400, 400, normal.status]);
    expect(read.kind.statusOf(emulator, jobId!)).toBe(read.kind.running);
  });
});

describe("Flink savepoint_path and the list entries' names and queues", () => {
  const detail = async (emulator: Emulator, jobId: string) => (await flinkDetail(emulator, jobId)).json.job_detail;
  const stop = (emulator: Emulator, jobIds: readonly string[], savepoint: boolean) =>
    huaweiApi(emulator, { method: "POST", path: flinkPath("/stop"), body: { job_ids: jobIds.map(BigInt), trigger_savepoint: savepoint } });

  test("null until a stop with trigger_savepoint=true completes, then the job's OBS path; a plain stop leaves it null", async ({ emulator }) => {
    const [saved, plain] = flink.seed(emulator, [{}, {}]);
    expect(await detail(emulator, saved!)).toMatchObject({ savepoint_path: null });
    await stop(emulator, [saved!], true);
    await stop(emulator, [plain!], false);
    expect(await detail(emulator, saved!)).toMatchObject({ status: "job_savepointing", savepoint_path: null });
    await sleep(SETTLE_MS);
    expect(await detail(emulator, saved!)).toMatchObject({ status: "job_cancel_success", savepoint_path: defaultFlinkSavepointPath(saved!) });
    expect(defaultFlinkSavepointPath(saved!)).toMatch(new RegExp(`^obs://.*${saved}`));
    expect(await detail(emulator, plain!)).toMatchObject({ status: "job_cancel_success", savepoint_path: null });
    expect(emulator.flinkJobs().map((job) => job.savepointPath)).toEqual([defaultFlinkSavepointPath(saved!), null]);
  });

  describe("flinkSavepointPath: null (DLI leaving it empty)", () => {
    test.override({ emulatorOptions: { flinkSavepointPath: (jobId) => (jobId.endsWith("1") ? null : `obs://bucket/sp/${jobId}`) } });

    test("the option decides the path per job", async ({ emulator }) => {
      const [first, second] = emulator.seedFlinkJobs(DEFAULT_PROJECT_ID, [{ jobId: 11 }, { jobId: 12 }]);
      await stop(emulator, [first!, second!], true);
      await sleep(SETTLE_MS);
      expect((await detail(emulator, first!)).savepoint_path).toBeNull();
      expect((await detail(emulator, second!)).savepoint_path).toBe("obs://bucket/sp/12");
    });
  });

  test.for(KINDS)("$service: list entries carry the seeded name and queue (defaults: generated name, queue 'default')", async (kind, { emulator }) => {
    const [named] = kind.seed(emulator, [{ name: "nightly-etl", queue: "etl_queue" }]);
    kind.seed(emulator, [{}]);
    const { ids, entries } = await kind.page(emulator, 0, 10);
    const namedEntry = entries[ids.indexOf(named!)];
    expect(namedEntry).toMatchObject({ [kind.nameField]: "nightly-etl", [kind.queueField]: "etl_queue" });
    expect(entries[1 - ids.indexOf(named!)]).toMatchObject({ [kind.nameField]: expect.any(String), [kind.queueField]: "default" });
  });
});
