/**
 * The emulator's DLI Spark batch service against its brief: Huawei-SDK-signed and token calls through the gateway,
 * list/detail/state, the cancel state machine (mixed-case states included), error answers, faults and the admin
 * API. Each test gets its own emulator on 127.0.0.1:0 (the `emulator` fixture).
 */
import { request as undiciRequest } from "undici";
import { describe, expect } from "vitest";
import {
  DEFAULT_IAM_DOMAIN,
  DEFAULT_IAM_PASSWORD,
  DEFAULT_IAM_USER,
  DEFAULT_PROJECT_ID,
  type Emulator,
  type SparkBatchView,
  SPARK_LIST_DEFAULT_SIZE,
  SPARK_LIST_MAX_SIZE,
  startEmulator,
} from "../emulator";
import { adminApi, type HuaweiAuth, emulatorTest as test, huaweiApi } from "./helpers/emulator-clients";
import { type HuaweiVectorFile, loadVectors } from "./helpers/signing-vectors";

const CANCEL_DELAY_MS = 300;
const OTHER_PROJECT_ID = "fedcba9876543210fedcba9876543210";
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** A DLI error answer. */
interface DliError {
  error_code?: string;
  error_msg?: string;
}
/** A list answer when it succeeds (the fields these tests read by name). */
interface SparkList extends DliError {
  total: number;
  sessions: { id: string }[];
}

const callApi = <T = DliError>(emulator: Emulator, method: string, apiPath: string, auth: HuaweiAuth = "aksk") =>
  huaweiApi<T>(emulator, { method, path: apiPath, auth, headers: { "x-project-id": DEFAULT_PROJECT_ID } });

const batchesPath = (suffix = "", projectId = DEFAULT_PROJECT_ID) => `/v2.0/${projectId}/batches${suffix}`;
const cancel = (emulator: Emulator, batchId: string, projectId?: string) => callApi(emulator, "DELETE", batchesPath(`/${batchId}`, projectId));
const stateOf = (emulator: Emulator, batchId: string) => emulator.sparkBatches().find((batch) => batch.id === batchId)?.state;
const DELETED = { status: 200, json: { msg: "deleted" } };

// ---------------------------------------------------------------------------------------------------------------

describe("DLI Spark through the gateway", () => {
  test("Huawei's SDK-signed cancel vector is accepted over HTTP (emulator clock at the vector's date)", async () => {
    const file = loadVectors<HuaweiVectorFile>("huawei-signing-vectors.json");
    const vector = file.vectors.find((candidate) => candidate.name.startsWith("DLI CancelSparkJob"))!;
    const [, y, mo, d, h, mi, s] = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(file.xSdkDate)!.map(Number) as number[];
    const emulator = await startEmulator({
      credentials: [{ accessKey: file.ak, secretKey: file.sk }],
      clockSkewMs: Date.UTC(y!, mo! - 1, d!, h!, mi!, s!) - Date.now(),
    });
    try {
      const batchId = vector.url.split("/").pop()!;
      emulator.seedSparkBatches(file.projectId, [{ id: batchId }]);
      const response = await undiciRequest(emulator.url + vector.url.replace(/^https?:\/\/[^/]+/, ""), { method: "DELETE", headers: vector.headers });
      expect(response.statusCode).toBe(200);
      expect(await response.body.json()).toEqual({ msg: "deleted" });
      expect(emulator.calls()[0]).toMatchObject({ op: "spark.cancel", service: "dli-spark", authenticatedAs: file.ak, status: 200 });
      expect(emulator.sparkBatches()[0]?.cancelRequested).toBe(true);
    } finally {
      await emulator.close();
    }
  });

  test("no credentials → 401 APIG.0301; an IAM token works; a bad project ID → 400 DLI.0001", async ({ emulator }) => {
    expect((await callApi(emulator, "GET", batchesPath(), "none")).json.error_code).toBe("APIG.0301");
    const issued = await fetch(`${emulator.url}/v3/auth/tokens`, {
      method: "POST",
      body: JSON.stringify({
        auth: { identity: { methods: ["password"], password: { user: { name: DEFAULT_IAM_USER, password: DEFAULT_IAM_PASSWORD, domain: { name: DEFAULT_IAM_DOMAIN } } } } },
      }),
    });
    const token = issued.headers.get("x-subject-token")!;
    const listed = await callApi(emulator, "GET", batchesPath(), { token });
    expect(listed).toMatchObject({ status: 200, json: { from: 0, total: 0, sessions: [] } });
    expect(emulator.calls({ op: "spark.list" }).map((call) => call.authenticatedAs)).toEqual([undefined, `token:${DEFAULT_IAM_USER}`]);
    const badProject = await callApi(emulator, "GET", batchesPath("", "cn-north-4"));
    expect(badProject).toMatchObject({ status: 400, json: { error_code: "DLI.0001", error_msg: expect.stringContaining("project_id") } });
  });
});

describe("DLI Spark list, detail, state", () => {
  test("list: newest first, from/size paging, total; the defaults and the size limit", async ({ emulator }) => {
    const ids = emulator.seedSparkBatches(DEFAULT_PROJECT_ID, Array.from({ length: 12 }, (_, index) => ({ name: `b-${index}` })));
    for (const id of ids) expect(id).toMatch(UUID_V4);
    const pages: SparkList["sessions"] = [];
    for (const from of [0, 5, 10]) {
      const page = await callApi<SparkList>(emulator, "GET", batchesPath(`?from=${from}&size=5`));
      expect(page).toMatchObject({ status: 200, json: { from, total: 12 } });
      pages.push(...page.json.sessions);
    }
    expect(pages.map((session) => session.id)).toEqual([...ids].reverse());
    expect(pages[0]).toMatchObject({ id: ids[11], state: "running", appId: expect.stringMatching(/^application_/), name: "b-11", create_time: expect.any(Number) });
    expect((await callApi<SparkList>(emulator, "GET", batchesPath())).json.sessions).toHaveLength(Math.min(12, SPARK_LIST_DEFAULT_SIZE));
    const tooBig = await callApi(emulator, "GET", batchesPath(`?size=${SPARK_LIST_MAX_SIZE + 1}`));
    expect(tooBig).toMatchObject({ status: 400, json: { error_code: "DLI.0001", error_msg: expect.stringContaining("size") } });
    expect((await callApi(emulator, "GET", batchesPath("?from=-1"))).json.error_code).toBe("DLI.0001");
  });

  test("detail and state answer the state exactly as stored (mixed case kept)", async ({ emulator }) => {
    const [mixed, starting] = emulator.seedSparkBatches(DEFAULT_PROJECT_ID, [{ state: "Success", name: "done" }, { state: "starting" }]);
    expect(await callApi(emulator, "GET", batchesPath(`/${mixed}/state`))).toMatchObject({ status: 200, json: { id: mixed, state: "Success" } });
    const detail = await callApi(emulator, "GET", batchesPath(`/${mixed}`));
    expect(detail.json).toMatchObject({ id: mixed, state: "Success", name: "done", queue: "default" });
    expect((await callApi<{ appId: string | null }>(emulator, "GET", batchesPath(`/${starting}`))).json.appId).toBeNull();
    expect(emulator.calls().map((call) => call.op)).toEqual(["spark.state", "spark.detail", "spark.detail"]);
  });

  test("an unknown batch → 400 DLI.0002; a batch ID that isn't a UUID → 400 DLI.0001", async ({ emulator }) => {
    const missingId = "0a324461-d9d9-45da-a52a-3b3c7a3d809e";
    for (const suffix of ["", "/state"]) {
      const result = await callApi(emulator, "GET", batchesPath(`/${missingId}${suffix}`));
      expect(result).toMatchObject({ status: 400, json: { error_code: "DLI.0002", error_msg: `The batch ${missingId} does not exist.` } });
    }
    const notUuid = await callApi(emulator, "GET", batchesPath("/12345/state"));
    expect(notUuid).toMatchObject({ status: 400, json: { error_code: "DLI.0001", error_msg: expect.stringContaining("not a UUID") } });
  });
});

describe("DLI Spark cancel", () => {
  test.override({ emulatorOptions: { sparkCancelDelayMs: CANCEL_DELAY_MS } });

  test("running: {msg: deleted}; the state stays for the delay, then 'dead'", async ({ emulator }) => {
    const [batchId] = emulator.seedSparkBatches(DEFAULT_PROJECT_ID, [{}]);
    expect(await cancel(emulator, batchId!)).toMatchObject(DELETED);
    expect(stateOf(emulator, batchId!)).toBe("running");
    expect((await callApi<{ state: string }>(emulator, "GET", batchesPath(`/${batchId}/state`))).json.state).toBe("running");
    await expect.poll(() => stateOf(emulator, batchId!), { timeout: 2000, interval: 10 }).toBe("dead");
    expect((await callApi(emulator, "GET", batchesPath(`/${batchId}/state`))).json).toEqual({ id: batchId, state: "dead" });
    expect(emulator.sparkBatches()[0]).toMatchObject({ cancelRequested: true, state: "dead" });
  });

  test("starting, recovering and mixed-case 'Running' are cancellable; a second cancel while under way → 200 again", async ({ emulator }) => {
    const ids = emulator.seedSparkBatches(DEFAULT_PROJECT_ID, [{ state: "starting" }, { state: "recovering" }, { state: "Running" }]);
    for (const id of ids) expect(await cancel(emulator, id)).toMatchObject(DELETED);
    expect(emulator.sparkBatches().map((batch) => batch.state)).toEqual(["starting", "recovering", "Running"]);
    expect(await cancel(emulator, ids[2]!)).toMatchObject(DELETED);
    await expect.poll(() => emulator.sparkBatches().map((batch) => batch.state), { timeout: 2000, interval: 10 }).toEqual(["dead", "dead", "dead"]);
  });

  test("a finished batch (dead, success, 'Success') → 400 DLI.0001 'already finished', unchanged", async ({ emulator }) => {
    const ids = emulator.seedSparkBatches(DEFAULT_PROJECT_ID, [{ state: "dead" }, { state: "success" }, { state: "Success" }]);
    for (const [index, id] of ids.entries()) {
      const result = await cancel(emulator, id);
      expect(result.status).toBe(400);
      expect(result.json).toEqual({
        error_code: "DLI.0001",
        error_msg: `The batch job ${id} is already finished (state: ${["dead", "success", "Success"][index]}) and cannot be canceled.`,
      });
    }
    expect(emulator.sparkBatches().map((batch) => [batch.state, batch.cancelRequested])).toEqual([
      ["dead", false],
      ["success", false],
      ["Success", false],
    ]);
  });

  test("once dead, cancelling again → 400; an unknown batch → 400 DLI.0002", async ({ emulator }) => {
    const [batchId] = emulator.seedSparkBatches(DEFAULT_PROJECT_ID, [{ cancelDelayMs: 0 }]);
    expect((await cancel(emulator, batchId!)).status).toBe(200);
    expect(stateOf(emulator, batchId!)).toBe("dead");
    expect((await cancel(emulator, batchId!)).json.error_code).toBe("DLI.0001");
    const missing = await cancel(emulator, "11111111-2222-4333-8444-555555555555");
    expect(missing).toMatchObject({ status: 400, json: { error_code: "DLI.0002", error_msg: "The batch 11111111-2222-4333-8444-555555555555 does not exist." } });
  });

  test("a batch whose cancel never completes stays running (seed cancelDelayMs: null)", async ({ emulator }) => {
    const [stuck] = emulator.seedSparkBatches(DEFAULT_PROJECT_ID, [{ cancelDelayMs: null }]);
    expect(await cancel(emulator, stuck!)).toMatchObject(DELETED);
    await new Promise((resolve) => setTimeout(resolve, CANCEL_DELAY_MS + 50));
    expect(stateOf(emulator, stuck!)).toBe("running");
  });

  test("projects are isolated: the same UUID in two projects", async ({ emulator }) => {
    const id = "0a324461-d9d9-45da-a52a-3b3c7a3d809e";
    emulator.seedSparkBatches(DEFAULT_PROJECT_ID, [{ id, cancelDelayMs: 0 }]);
    emulator.seedSparkBatches(OTHER_PROJECT_ID, [{ id }]);
    expect((await cancel(emulator, id)).status).toBe(200);
    expect(emulator.sparkBatches(DEFAULT_PROJECT_ID)[0]?.state).toBe("dead");
    expect(emulator.sparkBatches(OTHER_PROJECT_ID)[0]).toMatchObject({ state: "running", cancelRequested: false });
  });
});

describe("DLI Spark faults", () => {
  test("failNext 500: DLI.0999, the batch keeps running; 429: APIG.0308 with Retry-After", async ({ emulator }) => {
    const [batchId] = emulator.seedSparkBatches(DEFAULT_PROJECT_ID, [{}]);
    emulator.failNext("spark.cancel", { status: 500 });
    expect(await cancel(emulator, batchId!)).toMatchObject({ status: 500, json: { error_code: "DLI.0999", error_msg: "Internal server error" } });
    expect(emulator.sparkBatches()[0]?.cancelRequested).toBe(false);
    emulator.failNext("spark.state", { status: 429, retryAfterS: 2 });
    const throttled = await callApi(emulator, "GET", batchesPath(`/${batchId}/state`));
    expect(throttled).toMatchObject({ status: 429, json: { error_code: "APIG.0308" } });
    expect((await cancel(emulator, batchId!)).status).toBe(200);
  });

  test("failJobs on cancel: 500 DLI.0999 with the message, the batch unchanged, until clearFaults()", async ({ emulator }) => {
    const [batchId] = emulator.seedSparkBatches(DEFAULT_PROJECT_ID, [{}]);
    emulator.failJobs("spark.cancel", [batchId!]);
    expect(await cancel(emulator, batchId!)).toMatchObject({ status: 500, json: { error_code: "DLI.0999", error_msg: "Failed to cancel the job: internal error" } });
    emulator.failJobs("spark.cancel", [batchId!], "queue busy");
    expect((await cancel(emulator, batchId!)).json.error_msg).toBe("queue busy");
    expect(emulator.sparkBatches()[0]?.cancelRequested).toBe(false);
    emulator.clearFaults();
    expect(await cancel(emulator, batchId!)).toMatchObject(DELETED);
    expect(() => emulator.failJobs("spark.list", [batchId!])).toThrow(/per-job answers/);
  });

  test("drop 'after': the cancel happens but no answer comes", async ({ emulator }) => {
    const [batchId] = emulator.seedSparkBatches(DEFAULT_PROJECT_ID, [{}]);
    emulator.failNext("spark.cancel", { drop: "after" });
    await expect(cancel(emulator, batchId!)).rejects.toThrow();
    expect(emulator.sparkBatches()[0]?.cancelRequested).toBe(true);
    expect(emulator.calls()[0]).toMatchObject({ op: "spark.cancel", dropped: "after", status: 200 });
  });
});

describe("DLI Spark seeding and the admin API", () => {
  test("seeds: explicit UUIDs, any-case states; refused: non-UUIDs, empty states, duplicates, bad projects", ({ emulator }) => {
    const [id] = emulator.seedSparkBatches(DEFAULT_PROJECT_ID, [{ id: "0A324461-D9D9-45DA-A52A-3B3C7A3D809E", state: "DEAD" }]);
    expect(emulator.sparkBatches()[0]).toMatchObject({ id, state: "DEAD" });
    expect(() => emulator.seedSparkBatches(DEFAULT_PROJECT_ID, [{ id: "batch-1" }])).toThrow(/not a UUID/);
    expect(() => emulator.seedSparkBatches(DEFAULT_PROJECT_ID, [{ state: "" }])).toThrow(/state must be a non-empty string/);
    expect(() => emulator.seedSparkBatches(DEFAULT_PROJECT_ID, [{ id: id! }])).toThrow(/already exists/);
    expect(() => emulator.seedSparkBatches("nope", [{}])).toThrow(/project_id/);
  });

  test("POST/GET /__admin/spark/batches, bad input → 400, reset", async ({ emulator }) => {
    type SparkAdminList = { batches: SparkBatchView[] };
    const seeded = await adminApi<{ batchIds: string[] }>(emulator, "POST", "/__admin/spark/batches", { projectId: DEFAULT_PROJECT_ID, batches: [{ state: "Success", name: "x" }, {}] });
    expect(seeded.status).toBe(200);
    expect(seeded.json.batchIds).toHaveLength(2);
    await adminApi(emulator, "POST", "/__admin/spark/batches", { projectId: OTHER_PROJECT_ID, batches: [{}] });
    const listed = await adminApi<SparkAdminList>(emulator, "GET", `/__admin/spark/batches?projectId=${DEFAULT_PROJECT_ID}`);
    expect(listed.json.batches).toMatchObject([
      { projectId: DEFAULT_PROJECT_ID, id: seeded.json.batchIds[0], state: "Success", name: "x", cancelRequested: false },
      { id: seeded.json.batchIds[1], state: "running" },
    ]);
    expect((await adminApi<SparkAdminList>(emulator, "GET", "/__admin/spark/batches")).json.batches).toHaveLength(3);
    const bad = await adminApi(emulator, "POST", "/__admin/spark/batches", { projectId: DEFAULT_PROJECT_ID, batches: [{ state: "" }] });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toContain("state");
    expect((await adminApi(emulator, "POST", "/__admin/job-faults", { op: "spark.cancel", jobIds: [seeded.json.batchIds[1]] })).status).toBe(204);
    expect((await cancel(emulator, seeded.json.batchIds[1])).status).toBe(500);
    expect((await adminApi(emulator, "POST", "/__admin/reset")).status).toBe(204);
    expect(emulator.sparkBatches()).toEqual([]);
    expect(emulator.calls()).toEqual([]);
  });
});
