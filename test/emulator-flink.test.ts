/**
 * The emulator's DLI Flink API: exact JSON for job IDs above 2^53, list and detail, batch stop and delete, and
 * projects kept apart. Each test gets its own emulator on 127.0.0.1:0 (the `emulator` fixture); a describe block
 * changes its options with `test.override({ emulatorOptions })`.
 */
import { describe, expect } from "vitest";
import { DEFAULT_PROJECT_ID, FIRST_AUTO_FLINK_JOB_ID, parseJsonExact, stringifyJsonExact } from "../emulator";
import { emulatorTest as test } from "./helpers/emulator-clients";
import { type FlinkList, OTHER_PROJECT_ID, callApi, deleteJobs, flinkPath, statusOf, stopJobs } from "./helpers/emulator-flink";

const STOP_DELAY_MS = 300;

describe("exact JSON", () => {
  test("integers above 2^53 survive a round trip; small ones stay numbers", () => {
    const text = '{"job_ids":[9007199254740993,12,-9223372036854775808],"f":1.5,"s":"9007199254740993","n":null,"__proto__":1}';
    const parsed = parseJsonExact(text) as Record<string, unknown>;
    expect(parsed.job_ids).toEqual([9007199254740993n, 12, -9223372036854775808n]);
    expect(parsed.s).toBe("9007199254740993");
    expect(Object.keys(parsed)).toContain("__proto__");
    expect(stringifyJsonExact(parsed)).toBe(text);
    expect(() => parseJsonExact('{"a":1,}')).toThrow(SyntaxError);
    expect(() => parseJsonExact("[1] x")).toThrow(SyntaxError);
  });
});

describe("DLI Flink: list and detail", () => {
  test("pages of 10 in descending job_id order, total_count, limit > 100 refused", async ({ emulator }) => {
    const seeded = emulator.seedFlinkJobs(DEFAULT_PROJECT_ID, Array.from({ length: 25 }, (_, index) => ({ name: `job-${index}` })));
    expect(seeded[0]).toBe(FIRST_AUTO_FLINK_JOB_ID.toString());
    const pages: FlinkList["job_list"]["jobs"] = [];
    for (const offset of [0, 10, 20]) {
      const page = await callApi<FlinkList>(emulator, { method: "GET", path: `${flinkPath()}?offset=${offset}&limit=10` });
      expect(page.status).toBe(200);
      expect(page.json).toMatchObject({ is_success: "true", message: "", job_list: { total_count: 25 } });
      pages.push(...page.json.job_list.jobs);
    }
    const expectedOrder = [...seeded].sort((a, b) => (BigInt(b) > BigInt(a) ? 1 : -1));
    expect(pages.map((job) => job.job_id.toString())).toEqual(expectedOrder);
    expect(pages[0]).toMatchObject({ status: "job_running", create_time: expect.any(Number) });

    const defaultPage = await callApi<FlinkList>(emulator, { method: "GET", path: flinkPath() });
    expect(defaultPage.json.job_list.jobs).toHaveLength(10);
    const tooMany = await callApi(emulator, { method: "GET", path: `${flinkPath()}?limit=101` });
    expect(tooMany.status).toBe(400);
    expect(tooMany.json).toMatchObject({ error_code: "DLI.0001", error_msg: expect.stringContaining("limit") });
  });

  test("job IDs above 2^53 are written as exact JSON numbers", async ({ emulator }) => {
    emulator.seedFlinkJobs(DEFAULT_PROJECT_ID, [{ jobId: "9223372036854775807" }, { jobId: 9007199254740993n }]);
    const list = await callApi(emulator, { method: "GET", path: flinkPath() });
    expect(list.text).toContain('"job_id":9223372036854775807,');
    expect(list.text).toContain('"job_id":9007199254740993,');
    expect(JSON.parse(list.text).job_list.jobs[1].job_id).not.toBe(9007199254740993n); // what a naive client gets
    const detail = await callApi(emulator, { method: "GET", path: flinkPath("/9007199254740993") });
    expect(detail.text).toContain('"job_id":9007199254740993,');
    expect(detail.json).toMatchObject({ is_success: "true", job_detail: { job_id: 9007199254740993n, status: "job_running" } });
  });

  test("detail of a missing job → 400 DLI.16001; a non-numeric ID → 400 DLI.0001", async ({ emulator }) => {
    const missing = await callApi(emulator, { method: "GET", path: flinkPath("/42") });
    expect(missing.status).toBe(400);
    expect(missing.json).toEqual({ error_code: "DLI.16001", error_msg: "The job 42 does not exist." });
    expect((await callApi(emulator, { method: "GET", path: flinkPath("/abc") })).json.error_code).toBe("DLI.0001");
  });
});

describe("DLI Flink: batch stop", () => {
  // Long enough that a loaded CI machine still sees the intermediate state right after the answer.
  test.override({ emulatorOptions: { stopDelayMs: STOP_DELAY_MS } });

  test("without savepoint: job_canceling, then job_cancel_success after the stop delay; answers in request order", async ({ emulator }) => {
    const [running, draft, submitting] = emulator.seedFlinkJobs(DEFAULT_PROJECT_ID, [{}, { status: "job_init" }, { status: "job_submitting" }]);
    const result = await stopJobs(emulator, [submitting!, draft!, running!], false);
    expect(result.status).toBe(200);
    expect(result.json).toEqual([
      { is_success: "true", message: "The request for stopping the job is delivered successfully." },
      { is_success: "false", message: expect.stringContaining("not running (status: job_init)") },
      { is_success: "true", message: "The request for stopping the job is delivered successfully." },
    ]);
    expect(statusOf(emulator, running!)).toBe("job_canceling");
    expect(statusOf(emulator, draft!)).toBe("job_init");
    await expect.poll(() => statusOf(emulator, running!), { timeout: 2000, interval: 10 }).toBe("job_cancel_success");
    expect(statusOf(emulator, submitting!)).toBe("job_cancel_success");
    expect(emulator.flinkJobs().find((job) => job.jobId === running)?.savepoint).toBe(false);
    const detail = await callApi<{ job_detail: { status: string } }>(emulator, { method: "GET", path: flinkPath(`/${running}`) });
    expect(detail.json.job_detail.status).toBe("job_cancel_success");
  });

  test("with savepoint: job_savepointing, recorded on the job, then job_cancel_success", async ({ emulator }) => {
    const [jobId] = emulator.seedFlinkJobs(DEFAULT_PROJECT_ID, [{ status: "job_running_exception" }]);
    expect((await stopJobs(emulator, [jobId!], true)).json[0].is_success).toBe("true");
    expect(emulator.flinkJobs()[0]).toMatchObject({ status: "job_savepointing", savepoint: true });
    await expect.poll(() => emulator.flinkJobs()[0]?.status, { timeout: 2000, interval: 10 }).toBe("job_cancel_success");
    expect(emulator.flinkJobs()[0]?.savepoint).toBe(true);
  });

  test("stopping a stopped or finished job is refused per element and changes nothing", async ({ emulator }) => {
    const ids = emulator.seedFlinkJobs(DEFAULT_PROJECT_ID, [{ status: "job_cancel_success" }, { status: "job_finish" }]);
    const result = await stopJobs(emulator, ids);
    expect(result.json.map((element: { is_success: string }) => element.is_success)).toEqual(["false", "false"]);
    expect(emulator.flinkJobs().map((job) => job.status)).toEqual(["job_cancel_success", "job_finish"]);
  });

  test("a job seeded as job_canceling reaches job_cancel_success on its own", async ({ emulator }) => {
    const [jobId] = emulator.seedFlinkJobs(DEFAULT_PROJECT_ID, [{ status: "job_canceling" }]);
    expect(statusOf(emulator, jobId!)).toBe("job_canceling");
    await expect.poll(() => statusOf(emulator, jobId!), { timeout: 2000, interval: 10 }).toBe("job_cancel_success");
  });

  test("a job whose stop never completes stays job_canceling (seed stopDelayMs: null)", async ({ emulator }) => {
    const [stuck] = emulator.seedFlinkJobs(DEFAULT_PROJECT_ID, [{ stopDelayMs: null }]);
    await stopJobs(emulator, [stuck!]);
    await new Promise((resolve) => setTimeout(resolve, STOP_DELAY_MS + 50));
    expect(statusOf(emulator, stuck!)).toBe("job_canceling");
  });

  test("Long precision: stopping 2^53+1 leaves job 2^53 alone", async ({ emulator }) => {
    const [lower, upper] = emulator.seedFlinkJobs(DEFAULT_PROJECT_ID, [{ jobId: "9007199254740992" }, { jobId: "9007199254740993" }]);
    const result = await callApi(emulator, { method: "POST", path: flinkPath("/stop"), body: '{"job_ids":[9007199254740993],"trigger_savepoint":false}' });
    expect(result.json).toEqual([{ is_success: "true", message: expect.any(String) }]);
    expect(statusOf(emulator, upper!)).toBe("job_canceling");
    expect(statusOf(emulator, lower!)).toBe("job_running");
    expect(emulator.calls()[0]?.json).toEqual({ job_ids: [9007199254740993n], trigger_savepoint: false });
  });

  test("job_ids as strings, fractions, empty or missing, and a non-Boolean trigger_savepoint → 400 DLI.0001", async ({ emulator }) => {
    const [jobId] = emulator.seedFlinkJobs(DEFAULT_PROJECT_ID, [{}]);
    for (const body of [`{"job_ids":["${jobId}"]}`, '{"job_ids":[1.5]}', '{"job_ids":[]}', "{}", "not json", `{"job_ids":[${jobId}],"trigger_savepoint":"yes"}`]) {
      const result = await callApi(emulator, { method: "POST", path: flinkPath("/stop"), body });
      expect(result.status, body).toBe(400);
      expect(result.json, body).toMatchObject({ error_code: "DLI.0001", error_msg: expect.stringMatching(/^Parameter error: /) });
    }
    expect(statusOf(emulator, jobId!)).toBe("job_running");
  });
});

describe("DLI Flink: delete", () => {
  test("batch delete removes jobs in any state, answers in order", async ({ emulator }) => {
    const statuses = ["job_running", "job_canceling", "job_init", "job_cancel_success", "job_submit_fail"] as const;
    const ids = emulator.seedFlinkJobs(DEFAULT_PROJECT_ID, statuses.map((status) => ({ status })));
    const result = await deleteJobs(emulator, ids);
    expect(result.status).toBe(200);
    expect(result.json).toEqual(ids.map(() => ({ is_success: "true", message: "The job is deleted." })));
    expect(emulator.flinkJobs()).toEqual([]);
    expect((await deleteJobs(emulator, [])).json.error_code).toBe("DLI.0001");
  });

  test("DELETE one job → 200; again → 400 DLI.16001", async ({ emulator }) => {
    const [jobId] = emulator.seedFlinkJobs(DEFAULT_PROJECT_ID, [{}]);
    const first = await callApi(emulator, { method: "DELETE", path: flinkPath(`/${jobId}`) });
    expect(first.status).toBe(200);
    expect(first.json).toEqual({ is_success: "true", message: "The job is deleted." });
    const second = await callApi(emulator, { method: "DELETE", path: flinkPath(`/${jobId}`) });
    expect(second.status).toBe(400);
    expect(second.json).toEqual({ error_code: "DLI.16001", error_msg: `The job ${jobId} does not exist.` });
    expect(emulator.calls().map((call) => call.op)).toEqual(["flink.deleteOne", "flink.deleteOne"]);
  });

  test("missingJobAnswer 'element' (default): 200 with is_success 'false' for the missing ID only", async ({ emulator }) => {
    const [jobId] = emulator.seedFlinkJobs(DEFAULT_PROJECT_ID, [{}]);
    const result = await deleteJobs(emulator, ["123", jobId!]);
    expect(result.status).toBe(200);
    expect(result.json).toEqual([
      { is_success: "false", message: "The job 123 does not exist." },
      { is_success: "true", message: "The job is deleted." },
    ]);
    const stop = await stopJobs(emulator, ["123"]);
    expect(stop.json).toEqual([{ is_success: "false", message: "The job 123 does not exist." }]);
  });

  describe("missingJobAnswer 'error'", () => {
    test.override({ emulatorOptions: { missingJobAnswer: "error" } });

    test("one missing ID fails the whole call with 400 DLI.16001 and changes nothing", async ({ emulator }) => {
      const [jobId] = emulator.seedFlinkJobs(DEFAULT_PROJECT_ID, [{}]);
      for (const result of [await deleteJobs(emulator, [jobId!, "123"]), await stopJobs(emulator, [jobId!, "123"])]) {
        expect(result.status).toBe(400);
        expect(result.json).toEqual({ error_code: "DLI.16001", error_msg: "The job 123 does not exist." });
      }
      expect(statusOf(emulator, jobId!)).toBe("job_running");
      expect((await deleteJobs(emulator, [jobId!])).status).toBe(200);
    });
  });

  describe("maxBatchSize 2", () => {
    test.override({ emulatorOptions: { maxBatchSize: 2 } });

    test("3 IDs → 400 DLI.0001 and nothing changes; 2 IDs pass", async ({ emulator }) => {
      const ids = emulator.seedFlinkJobs(DEFAULT_PROJECT_ID, [{}, {}, {}]);
      for (const result of [await deleteJobs(emulator, ids), await stopJobs(emulator, ids)]) {
        expect(result.status).toBe(400);
        expect(result.json).toMatchObject({ error_code: "DLI.0001", error_msg: expect.stringContaining("more than the 2 allowed") });
      }
      expect(emulator.flinkJobs()).toHaveLength(3);
      expect((await deleteJobs(emulator, ids.slice(0, 2))).status).toBe(200);
    });
  });
});

describe("projects are isolated", () => {
  test("the same job ID in two projects: a delete in one never touches the other", async ({ emulator }) => {
    emulator.seedFlinkJobs(DEFAULT_PROJECT_ID, [{ jobId: "777" }]);
    emulator.seedFlinkJobs(OTHER_PROJECT_ID, [{ jobId: "777" }, { jobId: "888" }]);
    expect((await deleteJobs(emulator, ["777", "888"])).json[1]).toEqual({ is_success: "false", message: "The job 888 does not exist." });
    expect(emulator.flinkJobs(DEFAULT_PROJECT_ID)).toEqual([]);
    expect(emulator.flinkJobs(OTHER_PROJECT_ID).map((job) => job.jobId)).toEqual(["777", "888"]);
    const otherList = await callApi<FlinkList>(emulator, { method: "GET", path: flinkPath("", OTHER_PROJECT_ID) });
    expect(otherList.json.job_list.total_count).toBe(2);
  });

  test("a path project ID that is not 32 hex characters → 400 DLI.0001", async ({ emulator }) => {
    const result = await callApi(emulator, { method: "GET", path: flinkPath("", "cn-north-4") });
    expect(result.status).toBe(400);
    expect(result.json).toMatchObject({ error_code: "DLI.0001", error_msg: expect.stringContaining("project_id 'cn-north-4'") });
    expect(() => emulator.seedFlinkJobs("nope", [{}])).toThrow(/project_id/);
  });

  test("an unknown route → 404 APIG.0101", async ({ emulator }) => {
    const result = await callApi(emulator, { method: "PUT", path: flinkPath() });
    expect(result.status).toBe(404);
    expect(result.json).toMatchObject({ error_code: "APIG.0101", error_msg: "The API does not exist or has not been published in the environment." });
    expect(emulator.calls()[0]).toMatchObject({ op: "unknown", service: "unknown", status: 404 });
  });
});

// ---------------------------------------------------------------------------------------------------------------
