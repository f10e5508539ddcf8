/**
 * The emulator's QingCloud EHPC service against its brief: the stop/delete state machine, list and detail, quota,
 * injected faults, seeding and the admin API (its signature: emulator-ehpc-signature.test.ts). Each test gets its own
 * emulator (the `emulator` fixture).
 */
import { describe, expect } from "vitest";
import { EHPC_JOB_ID_PATTERN, type EhpcJobView, FIRST_EHPC_SCHEDULER_JOB_ID } from "../emulator";
import { adminApi, ehpcApi, emulatorTest as test } from "./helpers/emulator-clients";
import { CLUSTER, DEFAULT_CREDENTIAL, type EhpcListedJob, OK_DELETE, OK_STOP, ZONE, deleteJobs, listJobs, statusOf, stopJobs } from "./helpers/emulator-ehpc";

const STOP_DELAY_MS = 300;

describe("EHPC stopJobs and deleteJobs", () => {
  test.override({ emulatorOptions: { ehpcStopDelayMs: STOP_DELAY_MS } });

  test("stop: running and pending jobs keep their status for the stop delay, then show 'stopped'", async ({ emulator }) => {
    const [running, pending, finished] = emulator.seedEhpcJobs(ZONE, CLUSTER, [{}, { status: "pending" }, { status: "finished" }]);
    const result = await stopJobs(emulator, [running!, pending!, finished!]);
    expect(result).toMatchObject({ status: 200, json: OK_STOP });
    expect(statusOf(emulator, running!)).toBe("running");
    expect(statusOf(emulator, pending!)).toBe("pending");
    expect(emulator.ehpcJobs().map((job) => job.stopRequested)).toEqual([true, true, false]);
    await expect.poll(() => statusOf(emulator, running!), { timeout: 2000, interval: 10 }).toBe("stopped");
    expect(statusOf(emulator, pending!)).toBe("stopped");
    expect(statusOf(emulator, finished!)).toBe("finished"); // stopping an ended job is a no-op
    const listed = await listJobs(emulator, { job_status: "stopped" });
    expect(listed.json.total_count).toBe(2);
    expect(listed.json.hpc_job_set[0].end_time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  });

  test("delete refuses running and pending jobs with 1400 and deletes nothing, not even the finished one", async ({ emulator }) => {
    const [running, pending, done] = emulator.seedEhpcJobs(ZONE, CLUSTER, [{}, { status: "pending" }, { status: "exited" }]);
    const result = await deleteJobs(emulator, [done!, running!, pending!]);
    expect(result.status).toBe(200);
    expect(result.json).toEqual({ ret_code: 1400, message: `PermissionDenied, job [${running} (running), ${pending} (pending)] is running: stop it first` });
    expect(emulator.ehpcJobs()).toHaveLength(3);
  });

  test("stop, then delete while stopping → 1400 (stopping); once stopped → deleted", async ({ emulator }) => {
    const [jobId] = emulator.seedEhpcJobs(ZONE, CLUSTER, [{}]);
    await stopJobs(emulator, [jobId!]);
    expect((await deleteJobs(emulator, [jobId!])).json).toMatchObject({ ret_code: 1400, message: expect.stringContaining("(running, stopping)") });
    await expect.poll(() => statusOf(emulator, jobId!), { timeout: 2000, interval: 10 }).toBe("stopped");
    expect((await deleteJobs(emulator, [jobId!])).json).toEqual(OK_DELETE);
    expect(emulator.ehpcJobs()).toEqual([]);
  });

  test("ended jobs in every final status are deleted; a second delete → 2100", async ({ emulator }) => {
    const ids = emulator.seedEhpcJobs(ZONE, CLUSTER, (["finished", "exited", "cancelled", "stopped"] as const).map((status) => ({ status })));
    expect((await deleteJobs(emulator, ids)).json).toEqual(OK_DELETE);
    expect(emulator.ehpcJobs()).toEqual([]);
    const again = await deleteJobs(emulator, ids.slice(0, 1));
    expect(again.json).toEqual({ ret_code: 2100, message: `ResourceNotFound, resource [${ids[0]}] not found` });
  });

  test("unknown IDs → 2100 naming them, and nothing changes (stop and delete)", async ({ emulator }) => {
    const [known] = emulator.seedEhpcJobs(ZONE, CLUSTER, [{ status: "finished" }]);
    const [running] = emulator.seedEhpcJobs(ZONE, CLUSTER, [{}]);
    for (const result of [await deleteJobs(emulator, [known!, "hpcjob-zzzzzzzz", "hpcjob-yyyyyyyy"]), await stopJobs(emulator, [running!, "hpcjob-zzzzzzzz"])]) {
      expect(result.json).toMatchObject({ ret_code: 2100, message: expect.stringMatching(/^ResourceNotFound, resource \[hpcjob-zzzzzzzz/) });
    }
    expect(emulator.ehpcJobs().map((job) => [job.status, job.stopRequested])).toEqual([
      ["finished", false],
      ["running", false],
    ]);
  });

  test("a job whose stop never completes stays running (seed stopDelayMs: null)", async ({ emulator }) => {
    const [stuck] = emulator.seedEhpcJobs(ZONE, CLUSTER, [{ stopDelayMs: null }]);
    expect((await stopJobs(emulator, [stuck!])).json).toEqual(OK_STOP);
    await new Promise((resolve) => setTimeout(resolve, STOP_DELAY_MS + 50));
    expect(emulator.ehpcJobs()[0]).toMatchObject({ status: "running", stopRequested: true });
  });

  test("bad bodies: missing zone/cluster_id/job_ids → 1101, wrong types, scheduler job IDs, a zone mismatch → 1100", async ({ emulator }) => {
    const [jobId] = emulator.seedEhpcJobs(ZONE, CLUSTER, [{ status: "finished" }]);
    const post = (body: unknown, parameters?: Record<string, string>) =>
      ehpcApi(emulator, { method: "POST", path: "/api/job/deleteJobs", body, ...(parameters ? { parameters } : {}) });
    const cases: [unknown, number, string][] = [
      [{ cluster_id: CLUSTER, job_ids: [jobId] }, 1101, "[zone]"],
      [{ zone: ZONE, job_ids: [jobId] }, 1101, "[cluster_id]"],
      [{ zone: ZONE, cluster_id: CLUSTER }, 1101, "[job_ids]"],
      [{ zone: ZONE, cluster_id: CLUSTER, job_ids: [] }, 1100, "[job_ids]"],
      [{ zone: ZONE, cluster_id: CLUSTER, job_ids: ["1547554"] }, 1100, "hpcjob_uuid"],
      [{ zone: ZONE, cluster_id: 7, job_ids: [jobId] }, 1100, "[cluster_id]"],
      ["not json", 1100, "JSON"],
      [[jobId], 1100, "object"],
    ];
    for (const [body, retCode, mention] of cases) {
      const result = await post(body);
      expect(result.status).toBe(200);
      expect(result.json, JSON.stringify(body)).toMatchObject({ ret_code: retCode, message: expect.stringContaining(mention) });
    }
    const mismatch = await post({ zone: ZONE, cluster_id: CLUSTER, job_ids: [jobId] }, { zone: "pek3" });
    expect(mismatch.json).toMatchObject({ ret_code: 1100, message: expect.stringContaining("[pek3] in the query") });
    expect(emulator.ehpcJobs()).toHaveLength(1);
    const matching = await post({ zone: ZONE, cluster_id: CLUSTER, job_ids: [jobId] }, { zone: ZONE });
    expect(matching.json).toEqual(OK_DELETE);
  });

  test("zones and clusters are isolated: the same job ID elsewhere is untouched; an unknown cluster → 2100", async ({ emulator }) => {
    emulator.seedEhpcJobs(ZONE, CLUSTER, [{ jobId: "hpcjob-aaaaaaaa", status: "finished" }]);
    emulator.seedEhpcJobs("pek3", CLUSTER, [{ jobId: "hpcjob-aaaaaaaa", status: "finished" }]);
    emulator.seedEhpcJobs(ZONE, "ehpc-other000", [{ jobId: "hpcjob-aaaaaaaa", status: "finished" }]);
    expect((await deleteJobs(emulator, ["hpcjob-aaaaaaaa"])).json).toEqual(OK_DELETE);
    expect(emulator.ehpcJobs().map((job) => `${job.zone}/${job.clusterId}`).sort()).toEqual(["jn1a/ehpc-other000", "pek3/ehpc-8jqdq0mz"]);
    const unknown = await deleteJobs(emulator, ["hpcjob-aaaaaaaa"], "ehpc-nosuch00");
    expect(unknown.json).toEqual({ ret_code: 2100, message: `ResourceNotFound, resource [ehpc-nosuch00] not found in zone [${ZONE}]` });
    expect((await deleteJobs(emulator, ["hpcjob-aaaaaaaa"], CLUSTER, "sh1a")).json.ret_code).toBe(2100);
  });

  describe("maxBatchSize 2", () => {
    test.override({ emulatorOptions: { maxBatchSize: 2 } });

    test("3 IDs → 1100 and nothing changes; 2 pass", async ({ emulator }) => {
      const ids = emulator.seedEhpcJobs(ZONE, CLUSTER, [{ status: "finished" }, { status: "finished" }, { status: "finished" }]);
      expect((await deleteJobs(emulator, ids)).json).toMatchObject({ ret_code: 1100, message: expect.stringContaining("more than the 2 allowed") });
      expect(emulator.ehpcJobs()).toHaveLength(3);
      expect((await deleteJobs(emulator, ids.slice(0, 2))).json).toEqual(OK_DELETE);
    });
  });
});

describe("EHPC list and detail", () => {
  test("pages by record offset, newest first; total_count; the entries' fields", async ({ emulator }) => {
    const seeded = emulator.seedEhpcJobs(ZONE, CLUSTER, Array.from({ length: 25 }, (_, index) => ({ name: `job-${index}` })));
    const pages: EhpcListedJob[] = [];
    for (const offset of [0, 10, 20]) {
      const page = await listJobs(emulator, { offset, limit: 10 });
      expect(page.json).toMatchObject({ action: "HpcJobListJobsResponse", total_count: 25, ret_code: 0 });
      pages.push(...page.json.hpc_job_set);
    }
    expect(pages.map((job) => job.hpcjob_uuid)).toEqual([...seeded].reverse());
    expect(pages[0]).toMatchObject({
      hpcjob_uuid: seeded[24],
      job_id: String(FIRST_EHPC_SCHEDULER_JOB_ID + 24),
      job_name: "job-24",
      job_status: "running",
      cluster_id: CLUSTER,
      submit_time: expect.stringMatching(/Z$/),
    });
    expect((await listJobs(emulator)).json.hpc_job_set).toHaveLength(20); // the default limit
  });

  test("job_status filters; limit above 100, a bad offset or status → 1100; missing zone → 1101; unknown cluster → 2100", async ({ emulator }) => {
    emulator.seedEhpcJobs(ZONE, CLUSTER, [{}, { status: "pending" }, { status: "pending" }]);
    expect((await listJobs(emulator, { job_status: "pending" })).json.total_count).toBe(2);
    expect((await listJobs(emulator, { limit: 100 })).json.ret_code).toBe(0);
    expect((await listJobs(emulator, { limit: 101 })).json).toMatchObject({ ret_code: 1100, message: expect.stringContaining("[limit]") });
    expect((await listJobs(emulator, { offset: "x" })).json).toMatchObject({ ret_code: 1100, message: expect.stringContaining("[offset]") });
    expect((await listJobs(emulator, { job_status: "done" })).json).toMatchObject({ ret_code: 1100, message: expect.stringContaining("[job_status]") });
    const noZone = await ehpcApi(emulator, { method: "GET", path: "/api/job/list", parameters: { cluster_id: CLUSTER } });
    expect(noZone.json).toEqual({ ret_code: 1101, message: "MissingParameter, parameter [zone] is required" });
    expect((await listJobs(emulator, { cluster_id: "ehpc-nosuch00" })).json.ret_code).toBe(2100);
  });

  test("detail: hpc_job_set with the one job; an unknown job → 2100", async ({ emulator }) => {
    const [jobId] = emulator.seedEhpcJobs(ZONE, CLUSTER, [{ status: "pending", name: "sim" }]);
    const detail = await ehpcApi(emulator, { method: "GET", path: `/api/job/jobdetail/${jobId}`, parameters: { cluster_id: CLUSTER, zone: ZONE } });
    expect(detail.json).toMatchObject({
      action: "HpcJobJobdetailResponse",
      hpc_job_set: [{ hpcjob_uuid: jobId, job_name: "sim", job_status: "pending", start_time: "", end_time: "" }],
      ret_code: 0,
    });
    expect(emulator.calls()[0]?.op).toBe("ehpc.detail");
    const missing = await ehpcApi(emulator, { method: "GET", path: "/api/job/jobdetail/hpcjob-zzzzzzzz", parameters: { cluster_id: CLUSTER, zone: ZONE } });
    expect(missing.json).toEqual({ ret_code: 2100, message: "ResourceNotFound, resource [hpcjob-zzzzzzzz] not found" });
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe("EHPC quota", () => {
  test.override({ emulatorOptions: { ehpcQuotaPerHour: 3 } });

  test("past the hourly quota every call answers 2500; refused signatures don't count; reset() clears it", async ({ emulator }) => {
    emulator.addEhpcCluster(ZONE, CLUSTER);
    const badKey = { accessKeyId: "NOPE", secretAccessKey: "x" };
    expect((await ehpcApi(emulator, { method: "GET", path: "/api/job/list", parameters: { zone: ZONE, cluster_id: CLUSTER }, credential: badKey })).json.ret_code).toBe(1200);
    for (let call = 0; call < 3; call++) expect((await listJobs(emulator)).json.ret_code).toBe(0);
    const refused = await listJobs(emulator);
    expect(refused).toMatchObject({ status: 200, json: { ret_code: 2500, message: "QuotaExceeded, API calls exceed the quota of 3 requests per hour" } });
    expect((await stopJobs(emulator, ["hpcjob-aaaaaaaa"])).json.ret_code).toBe(2500);
    emulator.reset();
    emulator.addEhpcCluster(ZONE, CLUSTER);
    expect((await listJobs(emulator)).json.ret_code).toBe(0);
  });
});

describe("EHPC injected faults", () => {
  test("failNext status 500 → HTTP 500 with ret_code 5000; 503 → 5100; 429 → 2500; nothing changes", async ({ emulator }) => {
    const [jobId] = emulator.seedEhpcJobs(ZONE, CLUSTER, [{ status: "finished" }]);
    emulator.failNext("ehpc.delete", { status: 500 });
    emulator.failNext("ehpc.delete", { status: 503 });
    emulator.failNext("ehpc.delete", { status: 429, retryAfterS: 2 });
    const expected: [number, number, RegExp][] = [
      [500, 5000, /^InternalError, /],
      [503, 5100, /^ServerBusy, /],
      [429, 2500, /^QuotaExceeded, /],
    ];
    for (const [status, retCode, message] of expected) {
      const result = await deleteJobs(emulator, [jobId!]);
      expect(result.status).toBe(status);
      expect(result.json).toEqual({ ret_code: retCode, message: expect.stringMatching(message) });
    }
    expect(emulator.ehpcJobs()).toHaveLength(1);
    expect((await deleteJobs(emulator, [jobId!])).json).toEqual(OK_DELETE);
  });

  test("failNext status 200: the real shape of an EHPC failure (HTTP 200, ret_code 5000)", async ({ emulator }) => {
    const [jobId] = emulator.seedEhpcJobs(ZONE, CLUSTER, [{}]);
    emulator.failNext("ehpc.stop", { status: 200 });
    const result = await stopJobs(emulator, [jobId!]);
    expect(result).toMatchObject({ status: 200, json: { ret_code: 5000 } });
    expect(emulator.ehpcJobs()[0]?.stopRequested).toBe(false);
  });

  test("faults count only calls whose signature passed", async ({ emulator }) => {
    emulator.addEhpcCluster(ZONE, CLUSTER);
    emulator.failNext("ehpc.list", { status: 503 });
    const refused = await ehpcApi(emulator, { method: "GET", path: "/api/job/list", parameters: { zone: ZONE, cluster_id: CLUSTER }, credential: { ...DEFAULT_CREDENTIAL, secretAccessKey: "x" } });
    expect(refused.json.ret_code).toBe(1200);
    expect((await listJobs(emulator)).status).toBe(503);
    expect((await listJobs(emulator)).status).toBe(200);
  });

  test("failJobs on delete: the call answers 5000 naming the job; the other job IS deleted", async ({ emulator }) => {
    const [kept, gone] = emulator.seedEhpcJobs(ZONE, CLUSTER, [{ status: "finished" }, { status: "finished" }]);
    emulator.failJobs("ehpc.delete", [kept!]);
    const result = await deleteJobs(emulator, [kept!, gone!]);
    expect(result).toMatchObject({ status: 200, json: { ret_code: 5000, message: `InternalError, failed to delete job [${kept}]: Failed to delete the job: internal error` } });
    expect(emulator.ehpcJobs().map((job) => job.jobId)).toEqual([kept]);
    emulator.clearFaults();
    expect((await deleteJobs(emulator, [kept!])).json).toEqual(OK_DELETE);
  });

  test("failJobs on stop: 5000 with the test's message; that job keeps running, the other stops", async ({ emulator }) => {
    const [failing, stopping] = emulator.seedEhpcJobs(ZONE, CLUSTER, [{}, {}]);
    emulator.failJobs("ehpc.stop", [failing!], "scheduler unreachable");
    const result = await stopJobs(emulator, [failing!, stopping!]);
    expect(result.json).toEqual({ ret_code: 5000, message: `InternalError, failed to stop job [${failing}]: scheduler unreachable` });
    expect(emulator.ehpcJobs().map((job) => job.stopRequested)).toEqual([false, true]);
  });

  test("drop 'after': the jobs ARE deleted but no answer comes; a retry answers 2100", async ({ emulator }) => {
    const ids = emulator.seedEhpcJobs(ZONE, CLUSTER, [{ status: "stopped" }]);
    emulator.failNext("ehpc.delete", { drop: "after" });
    await expect(deleteJobs(emulator, ids)).rejects.toThrow();
    expect(emulator.ehpcJobs()).toEqual([]);
    expect((await deleteJobs(emulator, ids)).json.ret_code).toBe(2100);
  });

  test("ops are checked: failJobs on a list op or a typo is refused", ({ emulator }) => {
    expect(() => emulator.failJobs("ehpc.list", ["hpcjob-aaaaaaaa"])).toThrow(/per-job answers/);
    expect(() => emulator.failNext("ehpc.stopp", { status: 500 })).toThrow(/ehpc\.stopp/);
  });
});

describe("EHPC seeding and the admin API", () => {
  type EhpcAdminList = { jobs: EhpcJobView[] };

  test("auto IDs are hpcjob-xxxxxxxx and unique; bad seeds are refused", ({ emulator }) => {
    const ids = emulator.seedEhpcJobs(ZONE, CLUSTER, Array.from({ length: 50 }, () => ({})));
    expect(new Set(ids).size).toBe(50);
    for (const id of ids) expect(id).toMatch(EHPC_JOB_ID_PATTERN);
    expect(EHPC_JOB_ID_PATTERN.test("hpcjob-ABCDEFGH")).toBe(false);
    expect(() => emulator.seedEhpcJobs(ZONE, CLUSTER, [{ jobId: "hpcjob-1" }])).toThrow(/jobId/);
    expect(() => emulator.seedEhpcJobs(ZONE, CLUSTER, [{ jobId: ids[0]! }])).toThrow(/already exists/);
    expect(() => emulator.seedEhpcJobs(ZONE, CLUSTER, [{ status: "" }])).toThrow(/status/);
    expect(() => emulator.seedEhpcJobs("", CLUSTER, [])).toThrow(/zone/);
  });

  test("seed, list (filtered by zone and cluster), add a cluster, reset", async ({ emulator }) => {
    const seeded = await adminApi<{ jobIds: string[] }>(emulator, "POST", "/__admin/ehpc/jobs", { zone: ZONE, clusterId: CLUSTER, jobs: [{ jobId: "hpcjob-abcd1234", status: "pending" }, {}] });
    expect(seeded.status).toBe(200);
    expect(seeded.json.jobIds[0]).toBe("hpcjob-abcd1234");
    await adminApi(emulator, "POST", "/__admin/ehpc/jobs", { zone: "pek3", clusterId: CLUSTER, jobs: [{}] });
    const listed = await adminApi<EhpcAdminList>(emulator, "GET", `/__admin/ehpc/jobs?zone=${ZONE}&clusterId=${CLUSTER}`);
    expect(listed.json.jobs).toMatchObject([
      { zone: ZONE, clusterId: CLUSTER, jobId: "hpcjob-abcd1234", status: "pending", stopRequested: false, schedulerJobId: String(FIRST_EHPC_SCHEDULER_JOB_ID) },
      { status: "running" },
    ]);
    expect((await adminApi<EhpcAdminList>(emulator, "GET", "/__admin/ehpc/jobs")).json.jobs).toHaveLength(3);
    expect((await adminApi(emulator, "POST", "/__admin/ehpc/clusters", { zone: "sh1a", clusterId: "ehpc-empty000" })).status).toBe(204);
    const empty = await ehpcApi(emulator, { method: "GET", path: "/api/job/list", parameters: { zone: "sh1a", cluster_id: "ehpc-empty000" } });
    expect(empty.json).toMatchObject({ ret_code: 0, total_count: 0 });

    expect((await adminApi(emulator, "POST", "/__admin/ehpc/jobs", { zone: ZONE, clusterId: CLUSTER, jobs: [{ status: "" }] })).status).toBe(400);
    expect((await adminApi(emulator, "POST", "/__admin/ehpc/jobs", { zone: ZONE, clusterId: CLUSTER, jobs: [{ jobId: "x" }] })).json.error).toContain("jobId");
    expect((await adminApi(emulator, "POST", "/__admin/job-faults", { op: "ehpc.delete", jobIds: ["hpcjob-abcd1234"] })).status).toBe(204);
    expect((await adminApi(emulator, "POST", "/__admin/reset")).status).toBe(204);
    expect(emulator.ehpcJobs()).toEqual([]);
    expect((await ehpcApi(emulator, { method: "GET", path: "/api/job/list", parameters: { zone: "sh1a", cluster_id: "ehpc-empty000" } })).json.ret_code).toBe(2100);
  });
});
