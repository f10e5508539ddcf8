/**
 * The emulator's MRS job-execution service against its brief: Huawei-SDK-signed calls, the quirks (202 lists, 200/202
 * details, 202 empty kills, 200 empty batch deletes, page-number offsets, both error spellings), the kill and delete
 * state machine, faults and the admin API. Each test gets its own emulator on 127.0.0.1:0 (the `emulator` fixture).
 */
import { request as undiciRequest } from "undici";
import { describe, expect } from "vitest";
import {
  DEFAULT_MRS_MAX_BATCH_SIZE,
  DEFAULT_PROJECT_ID,
  type Emulator,
  type MrsJobView,
  MRS_PARAMETER_ERROR_CODE,
  startEmulator,
} from "../emulator";
import { adminApi, emulatorTest as test, huaweiApi } from "./helpers/emulator-clients";
import { type HuaweiVector, type HuaweiVectorFile, loadVectors } from "./helpers/signing-vectors";

const KILL_DELAY_MS = 300;
const CLUSTER = "cid-1234";
const OTHER_PROJECT_ID = "fedcba9876543210fedcba9876543210";
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** An MRS error, in either spelling (the API uses both). */
interface MrsError {
  error_code?: string;
  error_msg?: string;
  errorCode?: string;
  errorMsg?: string;
}
/** A list answer when it succeeds (the fields these tests read by name). */
interface MrsList extends MrsError {
  total_record: number;
  job_list: { job_id: string }[];
}

const callApi = <T = MrsError>(emulator: Emulator, method: string, apiPath: string, body?: unknown) =>
  huaweiApi<T>(emulator, { method, path: apiPath, body, headers: { "x-project-id": DEFAULT_PROJECT_ID } });

const jobsPath = (suffix = "", cluster = CLUSTER, projectId = DEFAULT_PROJECT_ID) => `/v2/${projectId}/clusters/${cluster}/job-executions${suffix}`;
const list = (emulator: Emulator, query = "", cluster?: string) => callApi<MrsList>(emulator, "GET", jobsPath(query === "" ? "" : `?${query}`, cluster));
const kill = (emulator: Emulator, jobId: string, cluster?: string) => callApi(emulator, "POST", jobsPath(`/${jobId}/kill`, cluster));
const batchDelete = (emulator: Emulator, jobIds: readonly string[], cluster?: string) =>
  callApi(emulator, "POST", jobsPath("/batch-delete", cluster), { job_id_list: jobIds });
const stateOf = (emulator: Emulator, jobId: string) => emulator.mrsJobs().find((job) => job.jobId === jobId)?.state;
const EMPTY_200 = { status: 200, text: "", contentType: null };
const camel = (code: string, message: string) => ({ errorCode: code, errorMsg: message });
const snake = (code: string, message: string) => ({ error_code: code, error_msg: message });

// ---------------------------------------------------------------------------------------------------------------

describe("MRS through the gateway: Huawei's SDK-signed vectors (emulator clock at the vector's date)", () => {
  const file = loadVectors<HuaweiVectorFile>("huawei-signing-vectors.json");
  const [, y, mo, d, h, mi, s] = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(file.xSdkDate)!.map(Number) as number[];
  const clockSkewMs = () => Date.UTC(y!, mo! - 1, d!, h!, mi!, s!) - Date.now();
  const send = (emulator: Emulator, vector: HuaweiVector) =>
    undiciRequest(emulator.url + vector.url.replace(/^https?:\/\/[^/]+/, ""), {
      method: vector.method as "POST",
      headers: vector.headers,
      ...(vector.body !== "" ? { body: vector.body } : {}),
    });

  test("MRS BatchDeleteJobs: 200 with an empty body, the jobs are gone", async () => {
    const vector = file.vectors.find((candidate) => candidate.name === "MRS BatchDeleteJobs")!;
    const emulator = await startEmulator({ credentials: [{ accessKey: file.ak, secretKey: file.sk }], clockSkewMs: clockSkewMs() });
    try {
      emulator.seedMrsJobs(file.projectId, "cid-1234", [{ jobId: "jid-1", state: "FINISHED" }, { jobId: "jid-2", state: "FAILED" }, { jobId: "jid-3" }]);
      const response = await send(emulator, vector);
      expect(response.statusCode).toBe(200);
      expect(await response.body.text()).toBe("");
      expect(emulator.mrsJobs().map((job) => job.jobId)).toEqual(["jid-3"]);
      expect(emulator.calls()[0]).toMatchObject({ op: "mrs.batchDelete", service: "mrs", authenticatedAs: file.ak, status: 200, responseBody: "" });
    } finally {
      await emulator.close();
    }
  });

  test("MRS StopJob (kill, temporary credentials): 202 with no body; the job becomes KILLED", async () => {
    const vector = file.vectors.find((candidate) => candidate.name.startsWith("MRS StopJob"))!;
    const credential = { accessKey: file.ak, secretKey: file.sk, securityToken: vector.headers["X-Security-Token"]! };
    const emulator = await startEmulator({ credentials: [credential], clockSkewMs: clockSkewMs(), mrsKillDelayMs: 0 });
    try {
      emulator.seedMrsJobs(file.projectId, "cid-1234", [{ jobId: "jid-1" }]);
      const response = await send(emulator, vector);
      expect(response.statusCode).toBe(202);
      expect(await response.body.text()).toBe("");
      expect(emulator.mrsJobs()[0]).toMatchObject({ state: "KILLED", result: "KILLED", killRequested: true });
    } finally {
      await emulator.close();
    }
  });
});

describe("MRS list (HTTP 202, offset = page number from 1)", () => {
  test("pages 1..3 of 10 cover all 25 jobs newest first; total_record; page 4 is empty; the entries' fields", async ({ emulator }) => {
    const ids = emulator.seedMrsJobs(DEFAULT_PROJECT_ID, CLUSTER, Array.from({ length: 25 }, (_, index) => ({ name: `job-${index}` })));
    for (const id of ids) expect(id).toMatch(UUID_V4);
    const seen: MrsList["job_list"] = [];
    for (const offset of [1, 2, 3]) {
      const page = await list(emulator, `offset=${offset}&limit=10`);
      expect(page.status).toBe(202);
      expect(page.json.total_record).toBe(25);
      seen.push(...page.json.job_list);
    }
    expect(seen.map((job) => job.job_id)).toEqual([...ids].reverse());
    expect(seen[0]).toMatchObject({ job_id: ids[24], job_name: "job-24", job_state: "RUNNING", job_result: "UNDEFINED", submitted_time: expect.any(Number), finished_time: 0 });
    expect((await list(emulator, "offset=4&limit=10")).json).toEqual({ total_record: 25, job_list: [] });
    // A client treating offset as a record count would skip records: offset=10 is page 10.
    expect((await list(emulator, "offset=2&limit=5")).json.job_list.map((job: { job_id: string }) => job.job_id)).toEqual([...ids].reverse().slice(5, 10));
    expect((await list(emulator)).json.job_list).toHaveLength(10); // defaults: offset 1, limit 10
  });

  test("offset 0, limit above 100, bad sort_by or job_state → 400 in snake_case", async ({ emulator }) => {
    emulator.seedMrsJobs(DEFAULT_PROJECT_ID, CLUSTER, [{}]);
    for (const query of ["offset=0", "limit=101", "limit=0", "sort_by=up", "job_state=DONE", "offset=x"]) {
      const result = await list(emulator, query);
      expect(result.status, query).toBe(400);
      expect(result.json, query).toEqual(snake(MRS_PARAMETER_ERROR_CODE, expect.stringMatching(/^Invalid parameter: /)));
    }
  });

  test("filters job_state and job_result; sort_by asc", async ({ emulator }) => {
    const [first, , third] = emulator.seedMrsJobs(DEFAULT_PROJECT_ID, CLUSTER, [{}, { state: "FINISHED" }, { state: "KILLED" }]);
    expect((await list(emulator, "job_state=RUNNING")).json.job_list.map((job: { job_id: string }) => job.job_id)).toEqual([first]);
    expect((await list(emulator, "job_result=killed")).json.job_list.map((job: { job_id: string }) => job.job_id)).toEqual([third]);
    expect((await list(emulator, "sort_by=asc")).json.job_list[0].job_id).toBe(first);
  });

  test("an unknown cluster → 400 12000003; an added empty cluster lists nothing", async ({ emulator }) => {
    expect(await list(emulator)).toMatchObject({ status: 400, json: snake("12000003", "The cluster does not exist.") });
    emulator.addMrsCluster(DEFAULT_PROJECT_ID, CLUSTER);
    expect(await list(emulator)).toMatchObject({ status: 202, json: { total_record: 0, job_list: [] } });
    expect((await list(emulator, "", "other-cluster")).json.error_code).toBe("12000003");
  });
});

describe("MRS detail", () => {
  test("answers 200, 202, 200, … by default; an unknown job → 400 0201", async ({ emulator }) => {
    const [jobId] = emulator.seedMrsJobs(DEFAULT_PROJECT_ID, CLUSTER, [{ state: "ACCEPTED" }]);
    const statuses = [];
    for (let call = 0; call < 4; call++) {
      const detail = await callApi<{ job_detail: unknown }>(emulator, "GET", jobsPath(`/${jobId}`));
      expect(detail.json.job_detail).toMatchObject({ job_id: jobId, job_state: "ACCEPTED", job_result: "UNDEFINED" });
      statuses.push(detail.status);
    }
    expect(statuses).toEqual([200, 202, 200, 202]);
    expect(await callApi(emulator, "GET", jobsPath("/nope"))).toMatchObject({ status: 400, json: snake("0201", "The job does not exist.") });
  });

  describe("mrsDetailStatus 202", () => {
    test.override({ emulatorOptions: { mrsDetailStatus: 202 } });

    test("always 202", async ({ emulator }) => {
      const [jobId] = emulator.seedMrsJobs(DEFAULT_PROJECT_ID, CLUSTER, [{}]);
      for (let call = 0; call < 3; call++) expect((await callApi(emulator, "GET", jobsPath(`/${jobId}`))).status).toBe(202);
    });
  });
});

describe("MRS kill and batch delete", () => {
  test.override({ emulatorOptions: { mrsKillDelayMs: KILL_DELAY_MS } });

  test("kill: 202 with NO body; the job keeps its state for the delay, then KILLED / KILLED", async ({ emulator }) => {
    const [jobId] = emulator.seedMrsJobs(DEFAULT_PROJECT_ID, CLUSTER, [{}]);
    const result = await kill(emulator, jobId!);
    expect(result).toMatchObject({ status: 202, text: "", contentType: null });
    expect(stateOf(emulator, jobId!)).toBe("RUNNING");
    expect(emulator.mrsJobs()[0]?.killRequested).toBe(true);
    await expect.poll(() => stateOf(emulator, jobId!), { timeout: 2000, interval: 10 }).toBe("KILLED");
    const detail = await callApi<{ job_detail: unknown }>(emulator, "GET", jobsPath(`/${jobId}`));
    expect(detail.json.job_detail).toMatchObject({ job_state: "KILLED", job_result: "KILLED", finished_time: expect.any(Number), job_progress: 100 });
  });

  test("every active state is killable; a second kill while under way → 202 again", async ({ emulator }) => {
    const states = ["NEW", "NEW_SAVING", "SUBMITTED", "ACCEPTED", "RUNNING"] as const;
    const ids = emulator.seedMrsJobs(DEFAULT_PROJECT_ID, CLUSTER, states.map((state) => ({ state })));
    for (const id of ids) expect((await kill(emulator, id)).status).toBe(202);
    expect((await kill(emulator, ids[0]!)).status).toBe(202);
    await expect.poll(() => emulator.mrsJobs().map((job) => job.state), { timeout: 2000, interval: 10 }).toEqual(states.map(() => "KILLED"));
  });

  test("killing an ended job → 400 0175; an unknown job → 400 0201; both snake_case", async ({ emulator }) => {
    const ids = emulator.seedMrsJobs(DEFAULT_PROJECT_ID, CLUSTER, [{ state: "FINISHED" }, { state: "FAILED" }, { state: "KILLED" }]);
    for (const id of ids) expect(await kill(emulator, id)).toMatchObject({ status: 400, json: snake("0175", "Failed to kill the job.") });
    expect(await kill(emulator, "nope")).toMatchObject({ status: 400, json: snake("0201", "The job does not exist.") });
    expect(emulator.mrsJobs().map((job) => job.killRequested)).toEqual([false, false, false]);
  });

  test("batch delete of ended jobs: 200 with an EMPTY body (no content type); the jobs are gone", async ({ emulator }) => {
    const ids = emulator.seedMrsJobs(DEFAULT_PROJECT_ID, CLUSTER, [{ state: "FINISHED" }, { state: "FAILED" }, { state: "KILLED" }]);
    expect(await batchDelete(emulator, ids)).toMatchObject(EMPTY_200);
    expect(emulator.mrsJobs()).toEqual([]);
  });

  test("a running job in the list → 400 camelCase 0183 and nothing is deleted; kill, wait, delete → 200", async ({ emulator }) => {
    const [running, done] = emulator.seedMrsJobs(DEFAULT_PROJECT_ID, CLUSTER, [{ state: "SUBMITTED" }, { state: "FINISHED" }]);
    const refused = await batchDelete(emulator, [done!, running!]);
    expect(refused).toMatchObject({ status: 400, json: camel("0183", "The job is running.") });
    expect(refused.json).not.toHaveProperty("error_code");
    expect(emulator.mrsJobs()).toHaveLength(2);
    await kill(emulator, running!);
    expect((await batchDelete(emulator, [running!])).json).toEqual(camel("0183", "The job is running.")); // still being killed
    await expect.poll(() => stateOf(emulator, running!), { timeout: 2000, interval: 10 }).toBe("KILLED");
    expect(await batchDelete(emulator, [done!, running!])).toMatchObject(EMPTY_200);
    expect(emulator.mrsJobs()).toEqual([]);
  });

  test("an unknown ID in the list → 400 camelCase 0176 and nothing is deleted; deleting twice → 0176", async ({ emulator }) => {
    const [done] = emulator.seedMrsJobs(DEFAULT_PROJECT_ID, CLUSTER, [{ state: "FINISHED" }]);
    expect(await batchDelete(emulator, [done!, "jid-404"])).toMatchObject({ status: 400, json: camel("0176", "The job does not exist.") });
    expect(emulator.mrsJobs()).toHaveLength(1);
    expect((await batchDelete(emulator, [done!])).status).toBe(200);
    expect((await batchDelete(emulator, [done!])).json).toEqual(camel("0176", "The job does not exist."));
  });

  test("bad bodies → 400 camelCase parameter errors; an unknown cluster → 400 camelCase 12000003", async ({ emulator }) => {
    const [done] = emulator.seedMrsJobs(DEFAULT_PROJECT_ID, CLUSTER, [{ state: "FINISHED" }]);
    for (const body of ["{}", '{"job_id_list":[]}', '{"job_id_list":[1]}', '{"job_id_list":"a"}', "nope", "[]"]) {
      const result = await callApi(emulator, "POST", jobsPath("/batch-delete"), body);
      expect(result.status, body).toBe(400);
      expect(result.json, body).toEqual(camel(MRS_PARAMETER_ERROR_CODE, expect.stringMatching(/^Invalid parameter: /)));
    }
    expect(await batchDelete(emulator, [done!], "cid-none")).toMatchObject({ status: 400, json: camel("12000003", "The cluster does not exist.") });
    expect(await kill(emulator, done!, "cid-none")).toMatchObject({ status: 400, json: snake("12000003", "The cluster does not exist.") });
    expect(emulator.mrsJobs()).toHaveLength(1);
  });

  test(`more than ${DEFAULT_MRS_MAX_BATCH_SIZE} IDs → 400 0202 and nothing is deleted; exactly ${DEFAULT_MRS_MAX_BATCH_SIZE} pass`, async ({ emulator }) => {
    const ids = emulator.seedMrsJobs(DEFAULT_PROJECT_ID, CLUSTER, Array.from({ length: DEFAULT_MRS_MAX_BATCH_SIZE + 1 }, () => ({ state: "FINISHED" as const })));
    const refused = await batchDelete(emulator, ids);
    expect(refused).toMatchObject({ status: 400, json: camel("0202", expect.stringContaining(`exceeds the upper limit ${DEFAULT_MRS_MAX_BATCH_SIZE}`)) });
    expect(emulator.mrsJobs()).toHaveLength(DEFAULT_MRS_MAX_BATCH_SIZE + 1);
    expect(await batchDelete(emulator, ids.slice(1))).toMatchObject(EMPTY_200);
    expect(emulator.mrsJobs().map((job) => job.jobId)).toEqual([ids[0]]);
  });

  test("a job whose kill never completes stays RUNNING (seed killDelayMs: null)", async ({ emulator }) => {
    const [stuck] = emulator.seedMrsJobs(DEFAULT_PROJECT_ID, CLUSTER, [{ killDelayMs: null }]);
    expect((await kill(emulator, stuck!)).status).toBe(202);
    await new Promise((resolve) => setTimeout(resolve, KILL_DELAY_MS + 50));
    expect(stateOf(emulator, stuck!)).toBe("RUNNING");
  });

  test("projects and clusters are isolated", async ({ emulator }) => {
    emulator.seedMrsJobs(DEFAULT_PROJECT_ID, CLUSTER, [{ jobId: "jid-1", state: "FINISHED" }]);
    emulator.seedMrsJobs(DEFAULT_PROJECT_ID, "cid-5678", [{ jobId: "jid-1", state: "FINISHED" }]);
    emulator.seedMrsJobs(OTHER_PROJECT_ID, CLUSTER, [{ jobId: "jid-1", state: "FINISHED" }]);
    expect((await batchDelete(emulator, ["jid-1"])).status).toBe(200);
    expect(emulator.mrsJobs().map((job) => `${job.projectId.slice(0, 4)}/${job.clusterId}`)).toEqual(["0123/cid-5678", "fedc/cid-1234"]);
    expect(emulator.mrsJobs(DEFAULT_PROJECT_ID, "cid-5678")).toHaveLength(1);
  });

  describe("maxBatchSize 2", () => {
    test.override({ emulatorOptions: { maxBatchSize: 2 } });

    test("3 IDs → 0202", async ({ emulator }) => {
      const ids = emulator.seedMrsJobs(DEFAULT_PROJECT_ID, CLUSTER, [{ state: "FINISHED" }, { state: "FINISHED" }, { state: "FINISHED" }]);
      expect((await batchDelete(emulator, ids)).json.errorCode).toBe("0202");
      expect((await batchDelete(emulator, [ids[0]!, ids[0]!, ids[1]!])).status).toBe(200); // duplicates count once
    });
  });
});

describe("MRS error spelling options", () => {
  describe("snake", () => {
    test.override({ emulatorOptions: { mrsErrorSpelling: "snake" } });

    test("batch delete's errors in snake_case too", async ({ emulator }) => {
      emulator.addMrsCluster(DEFAULT_PROJECT_ID, CLUSTER);
      expect((await batchDelete(emulator, ["x"])).json).toEqual(snake("0176", "The job does not exist."));
    });
  });

  describe("camel", () => {
    test.override({ emulatorOptions: { mrsErrorSpelling: "camel" } });

    test("every MRS error in camelCase, injected faults included", async ({ emulator }) => {
      expect((await list(emulator)).json).toEqual(camel("12000003", "The cluster does not exist."));
      emulator.addMrsCluster(DEFAULT_PROJECT_ID, CLUSTER);
      expect((await kill(emulator, "x")).json).toEqual(camel("0201", "The job does not exist."));
      emulator.failNext("mrs.list", { status: 500 });
      expect((await list(emulator)).json).toEqual(camel("0162", "Failed to query the job."));
    });
  });

  test("an unknown spelling is refused at start", async () => {
    await expect(startEmulator({ mrsErrorSpelling: "kebab" as never })).rejects.toThrow(/mrsErrorSpelling/);
    await expect(startEmulator({ mrsDetailStatus: 201 as never })).rejects.toThrow(/mrsDetailStatus/);
  });
});

describe("MRS faults", () => {
  test("500s carry each op's failure code in snake_case: 0161 batch delete, 0175 kill, 0162 list/detail", async ({ emulator }) => {
    const [running, done] = emulator.seedMrsJobs(DEFAULT_PROJECT_ID, CLUSTER, [{}, { state: "FINISHED" }]);
    for (const op of ["mrs.batchDelete", "mrs.kill", "mrs.list", "mrs.detail"]) emulator.failNext(op, { status: 500 });
    expect(await batchDelete(emulator, [done!])).toMatchObject({ status: 500, json: snake("0161", "Failed to delete jobs in batches.") });
    expect(await kill(emulator, running!)).toMatchObject({ status: 500, json: snake("0175", "Failed to kill the job.") });
    expect(await list(emulator)).toMatchObject({ status: 500, json: snake("0162", "Failed to query the job.") });
    expect((await callApi(emulator, "GET", jobsPath(`/${running}`))).json).toEqual(snake("0162", "Failed to query the job."));
    expect(emulator.mrsJobs().map((job) => [job.state, job.killRequested])).toEqual([
      ["RUNNING", false],
      ["FINISHED", false],
    ]);
    emulator.failNext("mrs.list", { status: 429 });
    expect((await list(emulator)).json.error_code).toBe("APIG.0308");
  });

  test("failJobs on batch delete: 500 0161 naming the job; the OTHER jobs are deleted", async ({ emulator }) => {
    const [kept, gone] = emulator.seedMrsJobs(DEFAULT_PROJECT_ID, CLUSTER, [{ state: "FINISHED" }, { state: "FINISHED" }]);
    emulator.failJobs("mrs.batchDelete", [kept!], "HDFS unavailable");
    const result = await batchDelete(emulator, [kept!, gone!]);
    expect(result).toMatchObject({ status: 500, json: camel("0161", `Failed to delete jobs in batches. ${kept}: HDFS unavailable`) });
    expect(emulator.mrsJobs().map((job) => job.jobId)).toEqual([kept]);
    // A retry of the whole batch now meets an ID that is gone: clients must cope with 0176.
    expect((await batchDelete(emulator, [kept!, gone!])).json.errorCode).toBe("0176");
  });

  test("failJobs on kill: 500 0175 with the message; the job keeps running", async ({ emulator }) => {
    const [jobId] = emulator.seedMrsJobs(DEFAULT_PROJECT_ID, CLUSTER, [{}]);
    emulator.failJobs("mrs.kill", [jobId!]);
    expect(await kill(emulator, jobId!)).toMatchObject({ status: 500, json: snake("0175", "Failed to kill the job: internal error") });
    expect(emulator.mrsJobs()[0]).toMatchObject({ state: "RUNNING", killRequested: false });
    expect(() => emulator.failJobs("mrs.list", [jobId!])).toThrow(/per-job answers/);
  });

  test("drop 'before' on batch delete: the connection dies and nothing changes", async ({ emulator }) => {
    const ids = emulator.seedMrsJobs(DEFAULT_PROJECT_ID, CLUSTER, [{ state: "FINISHED" }]);
    emulator.failNext("mrs.batchDelete", { drop: "before" });
    await expect(batchDelete(emulator, ids)).rejects.toThrow();
    expect(emulator.mrsJobs()).toHaveLength(1);
    expect(emulator.calls()[0]).toMatchObject({ op: "mrs.batchDelete", dropped: "before", status: 0 });
  });
});

describe("MRS seeding and the admin API", () => {
  type MrsAdminList = { jobs: MrsJobView[] };

  test("seeds: results follow the state unless given; bad IDs, empty states, duplicates and projects are refused", ({ emulator }) => {
    emulator.seedMrsJobs(DEFAULT_PROJECT_ID, CLUSTER, [{ state: "FINISHED" }, { state: "FAILED" }, { state: "KILLED" }, { state: "FINISHED", result: "FAILED" }]);
    expect(emulator.mrsJobs().map((job) => job.result)).toEqual(["SUCCEEDED", "FAILED", "KILLED", "FAILED"]);
    expect(() => emulator.seedMrsJobs(DEFAULT_PROJECT_ID, CLUSTER, [{ jobId: "a/b" }])).toThrow(/jobId/);
    expect(() => emulator.seedMrsJobs(DEFAULT_PROJECT_ID, CLUSTER, [{ state: "" }])).toThrow(/state/);
    expect(() => emulator.seedMrsJobs(DEFAULT_PROJECT_ID, CLUSTER, [{ jobId: "j" }, { jobId: "j" }])).toThrow(/already exists/);
    expect(() => emulator.seedMrsJobs("nope", CLUSTER, [])).toThrow(/project_id/);
    expect(() => emulator.addMrsCluster(DEFAULT_PROJECT_ID, "a/b")).toThrow(/cluster ID/);
  });

  test("POST/GET /__admin/mrs/jobs (filters), POST /__admin/mrs/clusters, bad input → 400, reset", async ({ emulator }) => {
    const seeded = await adminApi(emulator, "POST", "/__admin/mrs/jobs", { projectId: DEFAULT_PROJECT_ID, clusterId: CLUSTER, jobs: [{ jobId: "jid-1", state: "ACCEPTED" }, {}] });
    expect(seeded).toMatchObject({ status: 200, json: { jobIds: ["jid-1", expect.stringMatching(UUID_V4)] } });
    await adminApi(emulator, "POST", "/__admin/mrs/jobs", { projectId: DEFAULT_PROJECT_ID, clusterId: "cid-2", jobs: [{}] });
    const listed = await adminApi<MrsAdminList>(emulator, "GET", `/__admin/mrs/jobs?projectId=${DEFAULT_PROJECT_ID}&clusterId=${CLUSTER}`);
    expect(listed.json.jobs).toMatchObject([
      { projectId: DEFAULT_PROJECT_ID, clusterId: CLUSTER, jobId: "jid-1", state: "ACCEPTED", result: "UNDEFINED", killRequested: false },
      { state: "RUNNING" },
    ]);
    expect((await adminApi<MrsAdminList>(emulator, "GET", "/__admin/mrs/jobs")).json.jobs).toHaveLength(3);
    expect((await adminApi(emulator, "POST", "/__admin/mrs/clusters", { projectId: DEFAULT_PROJECT_ID, clusterId: "cid-empty" })).status).toBe(204);
    expect((await list(emulator, "", "cid-empty")).status).toBe(202);
    expect((await adminApi(emulator, "POST", "/__admin/mrs/jobs", { projectId: DEFAULT_PROJECT_ID, clusterId: CLUSTER, jobs: [{ state: "" }] })).status).toBe(400);
    expect((await adminApi(emulator, "POST", "/__admin/mrs/clusters", { projectId: "nope", clusterId: "c" })).json.error).toContain("project_id");
    expect((await adminApi(emulator, "POST", "/__admin/reset")).status).toBe(204);
    expect(emulator.mrsJobs()).toEqual([]);
    expect((await list(emulator, "", "cid-empty")).json.error_code).toBe("12000003");
  });
});
