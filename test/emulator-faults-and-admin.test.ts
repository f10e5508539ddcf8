/**
 * The emulator's test controls, shown on DLI Flink: injected faults (failNext, failJobs, latency), the recorded
 * calls, and the HTTP admin API that does the same as the programmatic one. Each test gets its own emulator on
 * 127.0.0.1:0 (the `emulator` fixture).
 */
import { describe, expect } from "vitest";
import { DEFAULT_ACCESS_KEY, DEFAULT_PROJECT_ID, FIRST_AUTO_FLINK_JOB_ID, type FlinkJobView, type RecordedCall } from "../emulator";
import { adminApi, emulatorTest as test } from "./helpers/emulator-clients";
import { callApi, deleteJobs, flinkPath, passwordAuthBody, statusOf, stopJobs } from "./helpers/emulator-flink";

const FAULT_DELAY_MS = 250;

describe("injected faults", () => {
  test("failNext status 500: the default DLI.0999 body, nothing changes, the next call succeeds", async ({ emulator }) => {
    const [jobId] = emulator.seedFlinkJobs(DEFAULT_PROJECT_ID, [{}]);
    emulator.failNext("flink.delete", { status: 500 });
    const failed = await deleteJobs(emulator, [jobId!]);
    expect(failed.status).toBe(500);
    expect(failed.json).toEqual({ error_code: "DLI.0999", error_msg: "Internal server error" });
    expect(statusOf(emulator, jobId!)).toBe("job_running");
    expect((await deleteJobs(emulator, [jobId!])).status).toBe(200);
  });

  test("429 with Retry-After: APIG.0308, twice (times: 2), then through", async ({ emulator }) => {
    emulator.failNext("flink.list", { status: 429, retryAfterS: 3, times: 2 });
    for (let attempt = 0; attempt < 2; attempt++) {
      const throttled = await callApi(emulator, { method: "GET", path: flinkPath() });
      expect(throttled.status).toBe(429);
      expect(throttled.headers.get("retry-after")).toBe("3");
      expect(throttled.json).toMatchObject({ error_code: "APIG.0308", error_msg: expect.stringMatching(/^The throttling threshold has been reached/) });
    }
    expect((await callApi(emulator, { method: "GET", path: flinkPath() })).status).toBe(200);
    expect(emulator.calls({ op: "flink.list" }).map((call) => call.status)).toEqual([429, 429, 200]);
  });

  test("error bodies as arrays: arrayBody wraps the default; an array body is sent as given", async ({ emulator }) => {
    emulator.failNext("flink.stop", { status: 500, arrayBody: true });
    emulator.failNext("flink.stop", { status: 400, body: [{ error_code: "DLI.0001", error_msg: "bad" }, { error_code: "DLI.0002", error_msg: "worse" }] });
    expect((await stopJobs(emulator, ["1"])).json).toEqual([{ error_code: "DLI.0999", error_msg: "Internal server error" }]);
    const second = await stopJobs(emulator, ["1"]);
    expect(second.status).toBe(400);
    expect(second.json).toHaveLength(2);
  });

  test("drop 'before': the connection dies and nothing changes", async ({ emulator }) => {
    const [jobId] = emulator.seedFlinkJobs(DEFAULT_PROJECT_ID, [{}]);
    emulator.failNext("flink.delete", { drop: "before" });
    await expect(deleteJobs(emulator, [jobId!])).rejects.toThrow();
    expect(statusOf(emulator, jobId!)).toBe("job_running");
    expect(emulator.calls()[0]).toMatchObject({ op: "flink.delete", dropped: "before", status: 0 });
  });

  test("drop 'after': the jobs ARE deleted but the client never hears back; a retry finds them gone", async ({ emulator }) => {
    const ids = emulator.seedFlinkJobs(DEFAULT_PROJECT_ID, [{}, {}]);
    emulator.failNext("flink.delete", { drop: "after" });
    await expect(deleteJobs(emulator, ids)).rejects.toThrow();
    expect(emulator.flinkJobs()).toEqual([]);
    expect(emulator.calls()[0]).toMatchObject({ dropped: "after", status: 200 });
    const retry = await deleteJobs(emulator, ids);
    expect(retry.json.every((element: { is_success: string }) => element.is_success === "false")).toBe(true);
  });

  test("delayMs: the answer comes late", async ({ emulator }) => {
    emulator.failNext("flink.list", { delayMs: FAULT_DELAY_MS });
    const started = performance.now();
    expect((await callApi(emulator, { method: "GET", path: flinkPath() })).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(FAULT_DELAY_MS - 10);
  });

  test("faults count only calls the gateway admitted, and IAM faults use IAM's shape", async ({ emulator }) => {
    emulator.failNext("iam.token", { status: 503 });
    const refused = await callApi(emulator, { method: "GET", path: flinkPath(), auth: "none" });
    expect(refused.status).toBe(401);
    const token = await callApi(emulator, { method: "POST", path: "/v3/auth/tokens", body: passwordAuthBody(), auth: "none" });
    expect(token.status).toBe(503);
    expect(token.json).toMatchObject({ error: { code: 503 } });
  });

  test("an unknown op is refused, so a typo can't make a test pass", ({ emulator }) => {
    expect(() => emulator.failNext("flink.stpo", { status: 500 })).toThrow(/flink\.stpo/);
    expect(() => emulator.failJobs("flink.list", ["1"])).toThrow(/per-job answers/);
  });

  test("failJobs: those jobs' elements fail and the jobs stay; clearFaults() lifts it", async ({ emulator }) => {
    const [first, second] = emulator.seedFlinkJobs(DEFAULT_PROJECT_ID, [{}, {}]);
    emulator.failJobs("flink.delete", [second!]);
    emulator.failJobs("flink.stop", [BigInt(first!)], "savepoint storage unavailable");
    expect((await deleteJobs(emulator, [first!, second!])).json).toEqual([
      { is_success: "true", message: "The job is deleted." },
      { is_success: "false", message: "Failed to delete the job: internal error" },
    ]);
    expect(emulator.flinkJobs().map((job) => job.jobId)).toEqual([second]);
    expect((await deleteJobs(emulator, [second!])).json[0].is_success).toBe("false"); // until cleared
    emulator.clearFaults();
    expect((await deleteJobs(emulator, [second!])).json[0].is_success).toBe("true");
  });

  test("failJobs on DELETE one job: 200 with is_success 'false', the job stays", async ({ emulator }) => {
    const [jobId] = emulator.seedFlinkJobs(DEFAULT_PROJECT_ID, [{}]);
    emulator.failJobs("flink.deleteOne", [jobId!]);
    const result = await callApi(emulator, { method: "DELETE", path: flinkPath(`/${jobId}`) });
    expect(result).toMatchObject({ status: 200, json: { is_success: "false", message: "Failed to delete the job: internal error" } });
    expect(emulator.flinkJobs()).toHaveLength(1);
  });

  test("failJobs on stop keeps the job running", async ({ emulator }) => {
    const [jobId] = emulator.seedFlinkJobs(DEFAULT_PROJECT_ID, [{}]);
    emulator.failJobs("flink.stop", [jobId!], "savepoint storage unavailable");
    expect((await stopJobs(emulator, [jobId!], true)).json).toEqual([{ is_success: "false", message: "savepoint storage unavailable" }]);
    expect(emulator.flinkJobs()[0]).toMatchObject({ status: "job_running", savepoint: false });
  });

  describe("latencyMs 120", () => {
    test.override({ emulatorOptions: { latencyMs: 120 } });

    test("every API answer takes at least the latency", async ({ emulator }) => {
      const started = performance.now();
      expect((await callApi(emulator, { method: "GET", path: flinkPath() })).status).toBe(200);
      expect(performance.now() - started).toBeGreaterThanOrEqual(110);
    });
  });
});

describe("recorded calls", () => {
  test("op, headers with credentials redacted, raw body, exact json, authenticatedAs; resetCalls()", async ({ emulator }) => {
    const [jobId] = emulator.seedFlinkJobs(DEFAULT_PROJECT_ID, [{}]);
    await callApi(emulator, { method: "GET", path: `${flinkPath()}?limit=5` });
    await stopJobs(emulator, [jobId!], true);
    const [list, stop] = emulator.calls();
    expect(list).toMatchObject({ seq: 1, service: "dli-flink", op: "flink.list", method: "GET", query: { limit: "5" }, body: "", json: undefined, status: 200 });
    expect(stop).toMatchObject({
      seq: 2,
      op: "flink.stop",
      method: "POST",
      path: flinkPath("/stop"),
      body: `{"job_ids":[${jobId}],"trigger_savepoint":true}`,
      json: { job_ids: [BigInt(jobId!)], trigger_savepoint: true },
      authenticatedAs: DEFAULT_ACCESS_KEY,
      headers: { authorization: "***", "x-project-id": DEFAULT_PROJECT_ID, "content-type": "application/json" },
    });
    expect(stop?.at).toBeLessThanOrEqual(emulator.now());
    expect(emulator.calls({ op: "flink.stop" })).toHaveLength(1);
    expect(emulator.calls((call) => call.method === "GET")).toHaveLength(1);
    emulator.resetCalls();
    expect(emulator.calls()).toEqual([]);
  });
});

describe("HTTP admin API", () => {
  test("seed, list, faults, job-faults, calls, reset: the same as the programmatic API", async ({ emulator }) => {
    const seeded = await adminApi(emulator, "POST", "/__admin/flink/jobs", {
      projectId: DEFAULT_PROJECT_ID,
      jobs: [{ jobId: "9007199254740995", name: "a" }, { status: "job_init" }],
    });
    expect(seeded.status).toBe(200);
    expect(seeded.json).toEqual({ jobIds: ["9007199254740995", FIRST_AUTO_FLINK_JOB_ID.toString()] });
    const listed = await adminApi<{ jobs: FlinkJobView[] }>(emulator, "GET", `/__admin/flink/jobs?projectId=${DEFAULT_PROJECT_ID}`);
    expect(listed.json.jobs).toMatchObject([
      { jobId: "9007199254740995", name: "a", status: "job_running", savepoint: false },
      { jobId: "9007199254740993", status: "job_init" },
    ]);

    expect((await adminApi(emulator, "POST", "/__admin/faults", { op: "flink.list", status: 429, retryAfterS: 2 })).status).toBe(204);
    expect((await callApi(emulator, { method: "GET", path: flinkPath() })).status).toBe(429);
    expect((await adminApi(emulator, "POST", "/__admin/job-faults", { op: "flink.delete", jobIds: ["9007199254740995"], message: "no" })).status).toBe(204);
    expect((await deleteJobs(emulator, ["9007199254740995"])).json).toEqual([{ is_success: "false", message: "no" }]);
    expect((await adminApi(emulator, "DELETE", "/__admin/faults")).status).toBe(204);
    expect((await deleteJobs(emulator, ["9007199254740995"])).json[0].is_success).toBe("true");

    const calls = await adminApi<{ calls: RecordedCall[] }>(emulator, "GET", "/__admin/calls?op=flink.delete");
    expect(calls.json.calls).toHaveLength(2);
    expect(calls.json.calls[0]).toMatchObject({ op: "flink.delete", json: { job_ids: [9007199254740995n] }, headers: { authorization: "***" } });
    expect((await adminApi(emulator, "DELETE", "/__admin/calls")).status).toBe(204);
    expect(emulator.calls()).toEqual([]);

    expect((await adminApi(emulator, "POST", "/__admin/reset")).status).toBe(204);
    expect(emulator.flinkJobs()).toEqual([]);
    expect(emulator.calls()).toEqual([]); // admin calls are never recorded
  });

  test("bad admin input → 400 with the reason; unknown admin path → 404", async ({ emulator }) => {
    const badStatus = await adminApi(emulator, "POST", "/__admin/flink/jobs", { projectId: DEFAULT_PROJECT_ID, jobs: [{ status: "" }] });
    expect(badStatus.status).toBe(400);
    expect(badStatus.json.error).toContain("status");
    expect((await adminApi(emulator, "POST", "/__admin/faults", { op: "flink.nope" })).status).toBe(400);
    const duplicate = { projectId: DEFAULT_PROJECT_ID, jobs: [{ jobId: "5" }, { jobId: "5" }] };
    expect((await adminApi(emulator, "POST", "/__admin/flink/jobs", duplicate)).json.error).toContain("already exists");
    expect((await adminApi(emulator, "GET", "/__admin/nothing")).status).toBe(404);
  });

  test("tokens can be expired over HTTP too", async ({ emulator }) => {
    const token = (await callApi(emulator, { method: "POST", path: "/v3/auth/tokens", body: passwordAuthBody(), auth: "none" })).headers.get("x-subject-token")!;
    expect((await adminApi(emulator, "POST", "/__admin/tokens/expire")).status).toBe(204);
    expect((await callApi(emulator, { method: "GET", path: flinkPath(), auth: { token } })).status).toBe(401);
  });
});
