// MRS job execution sets through `provider/lifecycle.ts` against the emulator: check offline, create by
// list (pages from 1), teardown = list → kill what has not ended → wait → batch delete in chunks; the
// cluster or executions already gone are done; 0202 retried, 0161 reported per execution; killRunning
// false refuses before deleting anything; nothing outside the set is touched.
import { describe, expect } from "vitest";
import { DEFAULT_ACCESS_KEY, DEFAULT_PROJECT_ID, DEFAULT_SECRET_KEY, type Emulator } from "../emulator";
import { killJobExecution } from "../provider/clients/huawei-mrs";
import { huaweiAuthorizer } from "../provider/clients/huawei-iam";
import { AuthError, CredentialsError, JobsNotFoundError, PartialTeardownError } from "../provider/errors";
import * as lifecycle from "../provider/lifecycle";
import { failure, servicesFor, test } from "./helpers/lifecycle";

const TYPE = "MrsJobExecutionSet";
const P = DEFAULT_PROJECT_ID;
const C = "b5c1d3e2-8f4a-4c6b-9d2e-0a1b2c3d4e5f";
const OTHER_CLUSTER = "c0ffee00-1111-4222-8333-444455556666";
const UNKNOWN_EXECUTION = "48c45725-b699-4aa9-9bfd-f7ff87eb6fe8";

function env(emu: Emulator, extra: Record<string, string | undefined> = {}) {
  return { HW_ACCESS_KEY: DEFAULT_ACCESS_KEY, HW_SECRET_KEY: DEFAULT_SECRET_KEY, HW_PROJECT_ID: P, JOBSETS_MRS_ENDPOINT: emu.url, ...extra };
}

function checked(services: lifecycle.Services, inputs: Record<string, unknown>) {
  const result = lifecycle.check(TYPE, { clusterId: C, ...inputs }, services);
  expect(result.failures).toEqual([]);
  return result.inputs;
}

const execPath = (suffix = "", cluster = C) => `/v2/${P}/clusters/${cluster}/job-executions${suffix}`;
const stateOf = (emu: Emulator, id: string) => emu.mrsJobs(P).find((j) => j.jobId === id)?.state;
const deletedLists = (emu: Emulator) => emu.calls({ op: "mrs.batchDelete" }).map((c) => (c.json as { job_id_list: string[] }).job_id_list);

describe("check", () => {
  const rows: [string, Record<string, unknown>, string, RegExp][] = [
    ["an empty clusterId", { clusterId: "", jobIds: [UNKNOWN_EXECUTION] }, "clusterId", /clusterId must not be empty/],
    ["no clusterId", { clusterId: undefined, jobIds: [UNKNOWN_EXECUTION] }, "clusterId", /expected clusterId as a string, received a value of type undefined/],
    ["an execution ID that is not a UUID", { jobIds: [UNKNOWN_EXECUTION, "job-7"] }, "jobIds[1]", /expected an MRS job execution ID as a UUID.*received "job-7"/],
    ["killRunning as a string", { jobIds: [UNKNOWN_EXECUTION], killRunning: "no" }, "killRunning", /true or false, received "no"/],
    ["a zero batch size", { jobIds: [UNKNOWN_EXECUTION], batchSize: 0 }, "batchSize", /at least 1/],
    ["a Flink-only property", { jobIds: [UNKNOWN_EXECUTION], teardown: "delete" }, "teardown", /unknown property "teardown"/],
  ];
  for (const [scenario, inputs, property, reason] of rows) {
    test(`${scenario}: fails at ${property}, and no request is sent`, async ({ emu, http, progress }) => {
      const result = lifecycle.check(TYPE, { clusterId: C, ...inputs }, servicesFor({ http, progress }, env(emu)));
      const failure = result.failures.find((f) => f.property === property);
      expect(failure, JSON.stringify(result.failures)).toBeDefined();
      expect(failure!.reason).toMatch(reason);
      expect(emu.calls()).toEqual([]);
    });
  }

  const endpoints: [string, Record<string, string>, string][] = [
    ["cn-north-4", {}, "https://mrs.cn-north-4.myhuaweicloud.com"],
    ["ap-southeast-1", {}, "https://mrs.ap-southeast-1.myhuaweicloud.cn"],
    ["ru-northwest-2", {}, "https://mrs.ru-northwest-2.myhuaweicloud.cn"],
    ["ap-southeast-4", {}, "https://mrs.ap-southeast-4.myhuaweicloud.cn"],
    ["eu-west-101", {}, "https://mrs.eu-west-101.myhuaweicloud.eu"],
    ["cn-north-4", { JOBSETS_MRS_ENDPOINT: "http://127.0.0.1:9999" }, "http://127.0.0.1:9999"],
  ];
  for (const [region, extra, endpoint] of endpoints) {
    test(`region ${region}${extra.JOBSETS_MRS_ENDPOINT ? " with JOBSETS_MRS_ENDPOINT" : ""}: endpoint ${endpoint}`, async ({ emu, http, progress }) => {
      const services = servicesFor({ http, progress }, { ...env(emu, { JOBSETS_MRS_ENDPOINT: undefined }), ...extra });
      const inputs = checked(services, { jobIds: [UNKNOWN_EXECUTION.toUpperCase()], region });
      expect(inputs).toEqual({
        clusterId: C,
        jobIds: [UNKNOWN_EXECUTION],
        projectId: P,
        region,
        endpoint,
        killRunning: true,
        batchSize: 200,
        waitTimeoutSeconds: 1200,
      });
    });
  }
});

describe("create", () => {
  test("verifies with list calls (pages from 1, 100 a page); unknown executions and other clusters fail, named", async ({ emu, http, progress }) => {
    const services = servicesFor({ http, progress }, env(emu));
    emu.seedMrsJobs(P, C, Array.from({ length: 150 }, () => ({ state: "FINISHED" as const })));
    const [known] = emu.seedMrsJobs(P, C, [{}]);
    const [elsewhere] = emu.seedMrsJobs(P, OTHER_CLUSTER, [{}]);
    const error = await failure(lifecycle.create(TYPE, checked(services, { jobIds: [known, UNKNOWN_EXECUTION, elsewhere] }), services));
    expect(error).toBeInstanceOf(JobsNotFoundError);
    expect(error.message).toBe(`mrs: 2 of 3 jobs do not exist in cluster ${C} of project ${P}: ${UNKNOWN_EXECUTION}, ${elsewhere}`);
    const lists = emu.calls({ op: "mrs.list" });
    expect(lists.every((c) => c.path === execPath())).toBe(true);
    expect(lists.map((c) => c.query).sort((a, b) => Number(a.offset) - Number(b.offset))).toEqual([
      { offset: "1", limit: "100" },
      { offset: "2", limit: "100" },
    ]);
    // Pages read by number cannot prove a job absent (the list may move between them): the two not seen were asked
    // for by their detail call, which answered "does not exist".
    expect(emu.calls({ op: "mrs.detail" }).map((c) => c.path.split("/").pop()).sort()).toEqual([UNKNOWN_EXECUTION, elsewhere].sort());
    expect(emu.calls()).toHaveLength(4);
  });

  test("a cluster that does not exist: the create fails, saying so", async ({ emu, http, progress }) => {
    const services = servicesFor({ http, progress }, env(emu));
    const error = await failure(lifecycle.create(TYPE, checked(services, { jobIds: [UNKNOWN_EXECUTION] }), services));
    expect(error.message).toMatch(/do not exist in cluster .* \(the cluster does not exist\)/);
  });
});

describe("teardown", () => {
  test("kills what has not ended, waits, then batch-deletes the set; outsiders untouched", async ({ emu, http, progress }) => {
    const services = servicesFor({ http, progress }, env(emu));
    const running = emu.seedMrsJobs(P, C, [{ state: "RUNNING" }, { state: "ACCEPTED" }, { state: "NEW" }]);
    const ended = emu.seedMrsJobs(P, C, [{ state: "FINISHED" }, { state: "FAILED" }, { state: "KILLED" }]);
    const [outsider] = emu.seedMrsJobs(P, C, [{ state: "RUNNING" }]);
    const [otherCluster] = emu.seedMrsJobs(P, OTHER_CLUSTER, [{ state: "FINISHED" }]);
    const ids = [...running, ...ended];
    const { id, outs } = await lifecycle.create(TYPE, checked(services, { jobIds: ids }), services);
    expect(id).toMatch(new RegExp(`^mrs/${P}/${C}/set-[0-9a-f]{16}$`));
    emu.resetCalls();

    await lifecycle.remove(TYPE, id, outs, services);

    const calls = emu.calls();
    expect(calls[0]).toMatchObject({ op: "mrs.list", method: "GET", path: execPath(), query: { offset: "1", limit: "100" }, status: 202 });
    const kills = calls.filter((c) => c.op === "mrs.kill");
    expect(kills.map((c) => [c.method, c.path, c.status, c.responseBody]).sort()).toEqual(running.map((j) => ["POST", execPath(`/${j}/kill`), 202, ""]).sort());
    const deletes = calls.filter((c) => c.op === "mrs.batchDelete");
    expect(deletes).toHaveLength(1);
    expect(deletes[0]).toMatchObject({ method: "POST", path: execPath("/batch-delete"), status: 200, responseBody: "" });
    expect(Object.keys(JSON.parse(deletes[0]!.body))).toEqual(["job_id_list"]);
    expect(deletedLists(emu)[0]!.sort()).toEqual([...ids].sort());
    // Order: snapshot, kills, the wait's lists, the delete, then one list that confirms the executions are gone.
    const lastKill = Math.max(...kills.map((c) => c.seq));
    expect(calls.filter((c) => c.seq > lastKill && c.seq < deletes[0]!.seq).every((c) => c.op === "mrs.list")).toBe(true);
    expect(calls.filter((c) => c.seq > deletes[0]!.seq).map((c) => c.op)).toEqual(["mrs.list"]);
    expect(calls.every((c) => c.authenticatedAs === DEFAULT_ACCESS_KEY && c.path.startsWith(execPath()))).toBe(true);

    expect(emu.mrsJobs(P, C).map((j) => j.jobId)).toEqual([outsider]);
    expect(emu.mrsJobs(P, C)[0]).toMatchObject({ state: "RUNNING", killRequested: false });
    expect(emu.mrsJobs(P, OTHER_CLUSTER).map((j) => j.jobId)).toEqual([otherCluster]);
    expect(progress.logs.join("\n")).toMatch(/killing 3 executions[\s\S]*deleting 6 executions[\s\S]*6 jobs torn down \(kill, then delete\)/);
  });

  test("a large set: list pages from 1, batch deletes in chunks of batchSize (200 by default)", async ({ emu, http, progress }) => {
    const services = servicesFor({ http, progress }, env(emu));
    const ids = emu.seedMrsJobs(P, C, Array.from({ length: 450 }, () => ({ state: "FINISHED" as const })));
    const outs = checked(services, { jobIds: ids });

    await lifecycle.remove(TYPE, "x", outs, services);

    expect(deletedLists(emu).map((list) => list.length).sort((a, b) => b - a)).toEqual([200, 200, 50]);
    expect(deletedLists(emu).flat().sort()).toEqual([...ids].sort());
    expect(emu.calls({ op: "mrs.list" }).map((c) => Number(c.query.offset)).sort((a, b) => a - b)).toEqual([1, 1, 2, 3, 4, 5]); // the snapshot's five pages, then one (the cluster now empty) to confirm the deletes
    expect(emu.mrsJobs(P, C)).toEqual([]);
  });

  test("a rerun after a complete teardown lists once and sends nothing else", async ({ emu, http, progress }) => {
    const services = servicesFor({ http, progress }, env(emu));
    const ids = emu.seedMrsJobs(P, C, [{}, { state: "FINISHED" }]);
    emu.seedMrsJobs(P, C, [{ state: "FINISHED" }]);
    const { id, outs } = await lifecycle.create(TYPE, checked(services, { jobIds: ids }), services);
    await lifecycle.remove(TYPE, id, outs, services);
    emu.resetCalls();

    await lifecycle.remove(TYPE, id, outs, services);

    expect(emu.calls().map((c) => c.op)).toEqual(["mrs.list"]);
    expect(progress.logs.at(-2)).toBe("mrs: 2 of 2 jobs already gone");
  });

  test("a cluster that no longer exists (12000003): every execution is gone, with a warning", async ({ emu, http, progress }) => {
    const services = servicesFor({ http, progress }, env(emu));
    const outs = checked(services, { jobIds: [UNKNOWN_EXECUTION] });

    await lifecycle.remove(TYPE, "x", outs, services);

    // The list's 12000003 is confirmed by the execution's own detail call before it counts as gone.
    expect(emu.calls().map((c) => `${c.op} ${c.status}`)).toEqual(["mrs.list 400", "mrs.detail 400"]);
    expect(progress.warnings).toEqual([`mrs: cluster ${C} was reported missing (12000003); 1 of 1 executions confirmed gone by their own detail calls`]);
  });

  test("killRunning false: executions not ended fail the delete, named, before anything is deleted", async ({ emu, http, progress }) => {
    const services = servicesFor({ http, progress }, env(emu));
    const [running] = emu.seedMrsJobs(P, C, [{ state: "RUNNING" }]);
    const [finished] = emu.seedMrsJobs(P, C, [{ state: "FINISHED" }]);
    const outs = checked(services, { jobIds: [finished, running], killRunning: false });

    const error = await failure(lifecycle.remove(TYPE, "x", outs, services));

    expect(error).toBeInstanceOf(PartialTeardownError);
    expect(error.message.split("\n")[0]).toBe(
      `mrs: 1 executions in cluster ${C} have not ended and killRunning is false, so nothing was deleted: ${running}. ` +
        "Wait for them to end, kill them, or set killRunning to true; then run the destroy again:",
    );
    expect(error.message).toContain(`mrs job ${running}: still RUNNING and killRunning is false`);
    expect([...(error as PartialTeardownError).failed.keys()].sort()).toEqual([finished, running].sort());
    expect(emu.calls().map((c) => c.op)).toEqual(["mrs.list"]);
    expect(emu.mrsJobs(P, C).map((j) => j.state)).toEqual(["RUNNING", "FINISHED"]);

    // Once the execution has ended (killed by hand here), the rerun deletes both.
    const ctx = { http, endpoint: emu.url, projectId: P, clusterId: C, authorizer: huaweiAuthorizer(http, { kind: "aksk", accessKey: DEFAULT_ACCESS_KEY, secretKey: DEFAULT_SECRET_KEY, source: "test" }, P) };
    await killJobExecution(ctx, running);
    await expect.poll(() => stateOf(emu, running)).toBe("KILLED");
    emu.resetCalls();
    await lifecycle.remove(TYPE, "x", outs, services);
    expect(emu.calls().map((c) => c.op)).toEqual(["mrs.list", "mrs.batchDelete", "mrs.list"]);
    expect(emu.mrsJobs(P, C)).toEqual([]);
  });

  test("partial failure: 0161 (HTTP 500) names the execution, after retries; the others are deleted; a rerun finishes", async ({ emu, http, progress }) => {
    const services = servicesFor({ http, progress }, env(emu));
    const ids = emu.seedMrsJobs(P, C, [{ state: "FINISHED" }, { state: "FINISHED" }, { state: "FAILED" }]);
    const { id, outs } = await lifecycle.create(TYPE, checked(services, { jobIds: ids }), services);
    emu.failJobs("mrs.batchDelete", [ids[1]!], "HDFS is in safe mode");

    const error = await failure(lifecycle.remove(TYPE, id, outs, services));

    expect(error).toBeInstanceOf(PartialTeardownError);
    expect([...(error as PartialTeardownError).failed.keys()]).toEqual([ids[1]]);
    expect(error.message).toMatch(/^mrs: 1 of 3 jobs were not torn down \(2 done; a rerun of the destroy retries only what is left\):/);
    expect(error.message).toMatch(new RegExp(`mrs job ${ids[1]}: mrs: batch delete failed: Failed to delete jobs in batches\\. ${ids[1]}: HDFS is in safe mode \\(HTTP 500 0161\\)`));
    // Retried before being reported.
    expect(emu.calls({ op: "mrs.batchDelete" }).filter((c) => c.status === 500).length).toBeGreaterThan(1);
    expect(emu.mrsJobs(P, C).map((j) => j.jobId)).toEqual([ids[1]]);

    emu.clearFaults();
    emu.resetCalls();
    await lifecycle.remove(TYPE, id, outs, services);
    expect(deletedLists(emu)).toEqual([[ids[1]]]);
    expect(emu.mrsJobs(P, C)).toEqual([]);
  });

  test("an execution that ended between the snapshot and its kill (400 0175): the wait confirms it, then it is deleted", async ({ emu, http, progress }) => {
    const services = servicesFor({ http, progress }, env(emu));
    const [execution] = emu.seedMrsJobs(P, C, [{ state: "FINISHED" }]);
    const outs = checked(services, { jobIds: [execution] });
    // The snapshot still sees it running.
    emu.failNext("mrs.list", { status: 202, body: { total_record: 1, job_list: [{ job_id: execution, job_state: "RUNNING", job_result: "UNDEFINED" }] } });

    await lifecycle.remove(TYPE, "x", outs, services);

    expect(emu.calls().map((c) => `${c.op} ${c.status}`)).toEqual(["mrs.list 202", "mrs.kill 400", "mrs.list 202", "mrs.batchDelete 200", "mrs.list 202"]);
    expect(emu.mrsJobs(P, C)).toEqual([]);
  });

  test("a kill that fails (0175) fails that execution, which is not deleted; the others are", async ({ emu, http, progress }) => {
    const services = servicesFor({ http, progress }, env(emu));
    const [stuck, fine] = emu.seedMrsJobs(P, C, [{ state: "RUNNING" }, { state: "RUNNING" }]);
    const outs = checked(services, { jobIds: [stuck, fine] });
    emu.failJobs("mrs.kill", [stuck!], "YARN ResourceManager unreachable");

    const error = await failure(lifecycle.remove(TYPE, "x", outs, services));

    expect([...(error as PartialTeardownError).failed.keys()]).toEqual([stuck]);
    expect(error.message).toContain(`\n  mrs job ${stuck}: kill failed: YARN ResourceManager unreachable (HTTP 500 0175)`);
    expect(deletedLists(emu)).toEqual([[fine]]);
    expect(emu.mrsJobs(P, C)).toMatchObject([{ jobId: stuck, state: "RUNNING" }]);
  });

  test("0202 (too many jobs, retry later) is retried with backoff, in either error spelling", async ({ emu, http, progress }) => {
    const services = servicesFor({ http, progress }, env(emu));
    const ids = emu.seedMrsJobs(P, C, [{ state: "FINISHED" }]);
    const outs = checked(services, { jobIds: ids });
    emu.failNext("mrs.batchDelete", { status: 400, body: { errorCode: "0202", errorMsg: "Too many jobs. Try again later." } });
    emu.failNext("mrs.batchDelete", { status: 400, body: { error_code: "0202", error_msg: "Too many jobs. Try again later." } });

    await lifecycle.remove(TYPE, "x", outs, services);

    expect(emu.calls({ op: "mrs.batchDelete" }).map((c) => c.status)).toEqual([400, 400, 200]);
    expect(emu.mrsJobs(P, C)).toEqual([]);
  });

  test("a batchSize above MRS's limit: 0202 outlasts its retries, so the chunk is halved", async ({ emu, http, progress }) => {
    const services = servicesFor({ http, progress }, env(emu));
    const ids = emu.seedMrsJobs(P, C, Array.from({ length: 300 }, () => ({ state: "FINISHED" as const })));
    const outs = checked(services, { jobIds: ids, batchSize: 300 });

    await lifecycle.remove(TYPE, "x", outs, services);

    const sizes = emu.calls({ op: "mrs.batchDelete" }).map((c) => [(c.json as { job_id_list: string[] }).job_id_list.length, c.status]);
    expect(sizes.filter(([, status]) => status === 400).every(([n]) => n === 300)).toBe(true);
    expect(sizes.filter(([, status]) => status === 200)).toEqual([
      [150, 200],
      [150, 200],
    ]);
    expect(emu.mrsJobs(P, C)).toEqual([]);
  });

  test("transient failures: a 500 on the list and one 0161 on the delete are retried", async ({ emu, http, progress }) => {
    const services = servicesFor({ http, progress }, env(emu));
    const ids = emu.seedMrsJobs(P, C, [{ state: "FINISHED" }]);
    const outs = checked(services, { jobIds: ids });
    emu.failNext("mrs.list", { status: 500 });
    emu.failNext("mrs.batchDelete", { status: 500, body: { error_code: "0161", error_msg: "Failed to delete jobs in batches." } });

    await lifecycle.remove(TYPE, "x", outs, services);

    expect(emu.calls().map((c) => `${c.op} ${c.status}`)).toEqual(["mrs.list 500", "mrs.list 202", "mrs.batchDelete 500", "mrs.batchDelete 200", "mrs.list 202"]);
  });

  test("executions deleted out of band since the snapshot: 0176 makes it list again and resend only what exists", async ({ emu, http, progress }) => {
    const services = servicesFor({ http, progress }, env(emu));
    const ids = emu.seedMrsJobs(P, C, [{ state: "FINISHED" }, { state: "FINISHED" }]);
    const outs = checked(services, { jobIds: ids });
    emu.failNext("mrs.batchDelete", { status: 400, body: { errorCode: "0176", errorMsg: "The job does not exist." } });

    await lifecycle.remove(TYPE, "x", outs, services);

    expect(emu.calls().map((c) => c.op)).toEqual(["mrs.list", "mrs.batchDelete", "mrs.list", "mrs.batchDelete", "mrs.list"]);
    expect(emu.mrsJobs(P, C)).toEqual([]);
  });
});

describe("update", () => {
  test("executions removed from the set are torn down; a change of cluster replaces the set", async ({ emu, http, progress }) => {
    const services = servicesFor({ http, progress }, env(emu));
    const [a, b] = emu.seedMrsJobs(P, C, [{ state: "FINISHED" }, { state: "RUNNING" }]);
    const { id, outs } = await lifecycle.create(TYPE, checked(services, { jobIds: [a, b] }), services);
    expect(lifecycle.diff(TYPE, id, outs, checked(services, { jobIds: [a, b], clusterId: OTHER_CLUSTER }), services).replaces).toEqual(["clusterId"]);
    emu.resetCalls();

    const updated = await lifecycle.update(TYPE, id, outs, checked(services, { jobIds: [b] }), services);

    expect(updated.outs.jobIds).toEqual([b]);
    expect(deletedLists(emu)).toEqual([[a]]);
    expect(emu.calls({ op: "mrs.kill" })).toEqual([]);
    expect(emu.mrsJobs(P, C)).toMatchObject([{ jobId: b, state: "RUNNING" }]);
  });
});

describe("credentials", () => {
  test("a wrong secret key is rejected with a clear error before any kill or delete", async ({ emu, http, progress }) => {
    const secret = "definitely-wrong-secret-key-123";
    const services = servicesFor({ http, progress }, env(emu, { HW_SECRET_KEY: secret }));
    const ids = emu.seedMrsJobs(P, C, [{}]);
    const error = await failure(lifecycle.remove(TYPE, "x", checked(services, { jobIds: ids }), services));
    expect(error).toBeInstanceOf(AuthError);
    expect(error.message).toMatch(/^mrs: listing the executions of cluster .* failed: .*\(HTTP 401 APIG\.\d+\)\. Check the credentials/);
    expect(`${error.message} ${JSON.stringify(error.body)}`).not.toContain(secret);
    expect(emu.calls().map((c) => c.op)).toEqual(["mrs.list"]);
    expect(emu.mrsJobs(P, C)).toMatchObject([{ state: "RUNNING", killRequested: false }]);
  });

  test("half-set credentials: an error naming the missing one, before any request", async ({ emu, http, progress }) => {
    const services = servicesFor({ http, progress }, env(emu, { HW_SECRET_KEY: undefined }));
    const error = await failure(lifecycle.remove(TYPE, "x", checked(services, { jobIds: [UNKNOWN_EXECUTION] }), services));
    expect(error).toBeInstanceOf(CredentialsError);
    expect(error.message).toMatch(/HW_SECRET_KEY is not set/);
    expect(emu.calls()).toEqual([]);
  });
});
