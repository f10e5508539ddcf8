// QingCloud EHPC job sets through `provider/lifecycle.ts` against the emulator: check offline, create by
// list, teardown = list → stopJobs → wait → deleteJobs (stop-then-delete by default), every request signed
// in its URL (the emulator verifies each signature), the body sent byte for byte as signed; ret_code
// handling (2100 gone, 5000 retried, 2500 backed off, 1300 re-signed once, 1200/1400 fail at once);
// credentials from config, environment or ~/.qingcloud/config.yaml.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect } from "vitest";
import { DEFAULT_QINGCLOUD_ACCESS_KEY_ID, DEFAULT_QINGCLOUD_SECRET_ACCESS_KEY, type Emulator } from "../emulator";
import { resolveQingCloudAuth } from "../provider/auth/credentials";
import { ehpcJsonBody } from "../provider/auth/qingcloud-signer";
import { ehpcAuthorizer, listEhpcJobs } from "../provider/clients/qingcloud-ehpc";
import { ApiError, AuthError, CredentialsError, JobsNotFoundError, PartialTeardownError } from "../provider/errors";
import * as lifecycle from "../provider/lifecycle";
import { failure, servicesFor, test } from "./helpers/lifecycle";

const TYPE = "EhpcJobSet";
const ZONE = "jn1a";
const C = "ehpc-8jqdq0mz";
const OTHER_CLUSTER = "ehpc-otherclu";
const AK = DEFAULT_QINGCLOUD_ACCESS_KEY_ID;
const SK = DEFAULT_QINGCLOUD_SECRET_ACCESS_KEY;

function env(emu: Emulator, home: string, extra: Record<string, string | undefined> = {}) {
  return { QY_ACCESS_KEY_ID: AK, QY_SECRET_ACCESS_KEY: SK, JOBSETS_EHPC_ENDPOINT: emu.url, HOME: home, ...extra };
}

function checked(services: lifecycle.Services, inputs: Record<string, unknown>) {
  const result = lifecycle.check(TYPE, { clusterId: C, zone: ZONE, ...inputs }, services);
  expect(result.failures).toEqual([]);
  return result.inputs;
}

const statusOf = (emu: Emulator, id: string) => emu.ehpcJobs(ZONE, C).find((j) => j.jobId === id)?.status;
const idsIn = (emu: Emulator, op: string) => emu.calls({ op }).map((c) => (c.json as { job_ids: string[] }).job_ids);
const bodyFor = (ids: string[]) => ehpcJsonBody({ cluster_id: C, job_ids: ids, zone: ZONE });

describe("check", () => {
  const rows: [string, Record<string, unknown>, string, RegExp][] = [
    ["an empty clusterId", { clusterId: "", jobIds: ["hpcjob-bp6rj09f"] }, "clusterId", /clusterId must not be empty/],
    ["an empty zone", { zone: " ", jobIds: ["hpcjob-bp6rj09f"] }, "zone", /zone must not be empty/],
    ["the scheduler's job_id", { jobIds: ["hpcjob-bp6rj09f", "1547554"] }, "jobIds[1]", /starting with "hpcjob-".*received "1547554" \(that looks like the scheduler's job_id/],
    ["a number", { jobIds: [1547554] }, "jobIds[0]", /starting with "hpcjob-".*received 1547554/],
    ["another prefix", { jobIds: ["hpcq-df3u98dr"] }, "jobIds[0]", /starting with "hpcjob-".*received "hpcq-df3u98dr"/],
    ["the bare prefix", { jobIds: ["hpcjob-"] }, "jobIds[0]", /followed by letters and digits.*received "hpcjob-"/],
    ["an unknown teardown", { jobIds: ["hpcjob-bp6rj09f"], teardown: "cancel" }, "teardown", /"delete", "stop", "stop-then-delete".*received "cancel"/],
    ["a batch size above the ceiling", { jobIds: ["hpcjob-bp6rj09f"], batchSize: 5000 }, "batchSize", /at most 1000/],
    ["a typo", { jobIds: ["hpcjob-bp6rj09f"], clusterID: C }, "clusterID", /did you mean "clusterId"/],
  ];
  for (const [scenario, inputs, property, reason] of rows) {
    test(`${scenario}: fails at ${property}, and no request is sent`, async ({ emu, http, progress, home }) => {
      const result = lifecycle.check(TYPE, { clusterId: C, zone: ZONE, ...inputs }, servicesFor({ http, progress }, env(emu, home)));
      const failure = result.failures.find((f) => f.property === property);
      expect(failure, JSON.stringify(result.failures)).toBeDefined();
      expect(failure!.reason).toMatch(reason);
      expect(emu.calls()).toEqual([]);
    });
  }

  test("defaults: stop-then-delete, 100 a batch, the public endpoint; credentials never reach the state", async ({ emu, http, progress, home }) => {
    const services = servicesFor({ http, progress }, env(emu, home, { JOBSETS_EHPC_ENDPOINT: undefined }));
    const inputs = checked(services, { jobIds: ["hpcjob-bp6rj09f", "hpcjob-bp6rj09f"] });
    expect(inputs).toEqual({
      clusterId: C,
      zone: ZONE,
      jobIds: ["hpcjob-bp6rj09f"],
      endpoint: "https://hpc.api.qingcloud.com",
      teardown: "stop-then-delete",
      batchSize: 100,
      waitTimeoutSeconds: 1200,
    });
    expect(JSON.stringify(inputs)).not.toContain(SK);
    expect(JSON.stringify(inputs)).not.toContain(AK);
  });
});

describe("create", () => {
  test("verifies with list calls; unknown jobs and jobs of other clusters fail, named", async ({ emu, http, progress, home }) => {
    const services = servicesFor({ http, progress }, env(emu, home));
    const [known] = emu.seedEhpcJobs(ZONE, C, [{}]);
    const [elsewhere] = emu.seedEhpcJobs(ZONE, OTHER_CLUSTER, [{}]);
    const error = await failure(lifecycle.create(TYPE, checked(services, { jobIds: [known, elsewhere] }), services));
    expect(error).toBeInstanceOf(JobsNotFoundError);
    expect(error.message).toBe(`ehpc: 1 of 2 jobs do not exist in cluster ${C} in zone ${ZONE}: ${elsewhere}`);
    expect(emu.calls()).toMatchObject([{ op: "ehpc.list", method: "GET", query: { cluster_id: C, zone: ZONE, limit: "100", offset: "0" }, authenticatedAs: AK }]);
  });
});

describe("teardown", () => {
  test("stop-then-delete (default): stop what has not ended, wait, delete the set; signed bodies sent as hashed; outsiders untouched", async ({ emu, http, progress, home }) => {
    const services = servicesFor({ http, progress }, env(emu, home));
    const active = emu.seedEhpcJobs(ZONE, C, [{ status: "running" }, { status: "pending" }]);
    const ended = emu.seedEhpcJobs(ZONE, C, [{ status: "finished" }, { status: "exited" }]);
    const [outsider] = emu.seedEhpcJobs(ZONE, C, [{ status: "running" }]);
    const [otherCluster] = emu.seedEhpcJobs(ZONE, OTHER_CLUSTER, [{ status: "running" }]);
    const ids = [...active, ...ended];
    const { id, outs } = await lifecycle.create(TYPE, checked(services, { jobIds: ids }), services);
    expect(id).toMatch(new RegExp(`^ehpc/${ZONE}/${C}/set-[0-9a-f]{16}$`));
    emu.resetCalls();

    await lifecycle.remove(TYPE, id, outs, services);

    const calls = emu.calls();
    const ops = calls.map((c) => c.op);
    expect(ops[0]).toBe("ehpc.list");
    expect(ops[1]).toBe("ehpc.stop");
    // Then the wait's lists, the delete, and a last list that confirms the jobs are gone.
    expect(ops.at(-2)).toBe("ehpc.delete");
    expect(ops.at(-1)).toBe("ehpc.list");
    expect(ops.slice(2, -2).every((op) => op === "ehpc.list")).toBe(true);
    const [stop] = emu.calls({ op: "ehpc.stop" });
    const [del] = emu.calls({ op: "ehpc.delete" });
    // The bytes sent are Python's json.dumps(sort_keys=True) of the body, exactly what the signature hashed.
    expect(stop!.body).toBe(bodyFor((stop!.json as { job_ids: string[] }).job_ids));
    expect(stop!.body).toMatch(/^\{"cluster_id": "ehpc-8jqdq0mz", "job_ids": \["hpcjob-[a-z0-9]{8}", "hpcjob-[a-z0-9]{8}"\], "zone": "jn1a"\}$/);
    expect([...(stop!.json as { job_ids: string[] }).job_ids].sort()).toEqual([...active].sort());
    expect([...(del!.json as { job_ids: string[] }).job_ids].sort()).toEqual([...ids].sort());
    expect(del!.body).toBe(bodyFor((del!.json as { job_ids: string[] }).job_ids));
    for (const call of calls) {
      // Signed in the URL: the emulator verified each signature and names the key it matched.
      expect(call.authenticatedAs).toBe(AK);
      expect(call.query).toMatchObject({ access_key_id: AK, signature_method: "HmacSHA256", signature_version: "1", version: "1" });
      expect(call.query.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
      if (call.method === "POST") {
        expect(call.headers["content-type"]).toBe("application/json");
        expect(call.query.zone).toBeUndefined();
      }
      expect(call.status).toBe(200);
      expect(JSON.parse(call.responseBody).ret_code).toBe(0);
    }

    expect(emu.ehpcJobs(ZONE, C).map((j) => [j.jobId, j.status, j.stopRequested])).toEqual([[outsider, "running", false]]);
    expect(emu.ehpcJobs(ZONE, OTHER_CLUSTER).map((j) => [j.jobId, j.status])).toEqual([[otherCluster, "running"]]);
    expect(progress.logs.join("\n")).toMatch(/stopping 2 jobs[\s\S]*deleting 4 jobs[\s\S]*4 jobs torn down \(stop-then-delete\)/);
  });

  test("stop: stops and waits, deletes nothing", async ({ emu, http, progress, home }) => {
    const services = servicesFor({ http, progress }, env(emu, home));
    const ids = emu.seedEhpcJobs(ZONE, C, [{ status: "running" }, { status: "cancelled" }]);
    const outs = checked(services, { jobIds: ids, teardown: "stop" });

    await lifecycle.remove(TYPE, "x", outs, services);

    expect(idsIn(emu, "ehpc.stop")).toEqual([[ids[0]]]);
    expect(emu.calls({ op: "ehpc.delete" })).toEqual([]);
    expect(ids.map((j) => statusOf(emu, j))).toEqual(["stopped", "cancelled"]);
  });

  test("delete: one deleteJobs; a running job makes it fail at once (1400) with EHPC's message, no retry", async ({ emu, http, progress, home }) => {
    const services = servicesFor({ http, progress }, env(emu, home));
    const [running, finished] = emu.seedEhpcJobs(ZONE, C, [{ status: "running" }, { status: "finished" }]);
    const outs = checked(services, { jobIds: [running, finished], teardown: "delete" });

    const error = await failure(lifecycle.remove(TYPE, "x", outs, services));

    expect(error).toBeInstanceOf(PartialTeardownError);
    expect(error.message).toContain(`ehpc job ${running}: ehpc: deleteJobs failed: PermissionDenied, job [${running} (running)] is running: stop it first (HTTP 200 ret_code 1400)`);
    expect(emu.calls().map((c) => c.op)).toEqual(["ehpc.list", "ehpc.delete"]);
    expect(emu.calls({ op: "ehpc.stop" })).toEqual([]);

    // Only ended jobs: one deleteJobs, then one list that confirms they are gone.
    emu.resetCalls();
    await lifecycle.remove(TYPE, "x", checked(services, { jobIds: [finished], teardown: "delete" }), services);
    expect(emu.calls().map((c) => c.op)).toEqual(["ehpc.list", "ehpc.delete", "ehpc.list"]);
    expect(statusOf(emu, finished)).toBeUndefined();
  });

  test("a rerun after a complete teardown lists once and sends nothing else", async ({ emu, http, progress, home }) => {
    const services = servicesFor({ http, progress }, env(emu, home));
    const ids = emu.seedEhpcJobs(ZONE, C, [{}, { status: "finished" }]);
    const { id, outs } = await lifecycle.create(TYPE, checked(services, { jobIds: ids }), services);
    await lifecycle.remove(TYPE, id, outs, services);
    emu.resetCalls();

    await lifecycle.remove(TYPE, id, outs, services);

    expect(emu.calls().map((c) => c.op)).toEqual(["ehpc.list"]);
  });

  test("a cluster that no longer exists (ret_code 2100): every job is gone, with a warning", async ({ emu, http, progress, home }) => {
    const services = servicesFor({ http, progress }, env(emu, home));
    const outs = checked(services, { jobIds: ["hpcjob-bp6rj09f"] });

    await lifecycle.remove(TYPE, "x", outs, services);

    // The list's 2100 names no job: the job's own detail call confirms it is gone.
    expect(emu.calls().map((c) => [c.op, JSON.parse(c.responseBody).ret_code])).toEqual([["ehpc.list", 2100], ["ehpc.detail", 2100]]);
    expect(progress.warnings).toEqual([`ehpc: cluster ${C} in zone ${ZONE} was reported missing (ret_code 2100); 1 of 1 jobs confirmed gone by their own detail calls`]);
  });

  test("partial failure: a job whose delete keeps failing (5000) is named with EHPC's message; the others go; a rerun finishes", async ({ emu, http, progress, home }) => {
    const services = servicesFor({ http, progress }, env(emu, home));
    const ids = emu.seedEhpcJobs(ZONE, C, [{ status: "finished" }, { status: "finished" }, { status: "exited" }]);
    const { id, outs } = await lifecycle.create(TYPE, checked(services, { jobIds: ids }), services);
    emu.failJobs("ehpc.delete", [ids[2]!], "the scheduler is restarting");

    const error = await failure(lifecycle.remove(TYPE, id, outs, services));

    expect(error).toBeInstanceOf(PartialTeardownError);
    expect([...(error as PartialTeardownError).failed.keys()]).toEqual([ids[2]]);
    expect(error.message).toContain(
      `ehpc job ${ids[2]}: ehpc: deleteJobs failed: InternalError, failed to delete job [${ids[2]}]: the scheduler is restarting (HTTP 200 ret_code 5000)`,
    );
    expect(emu.calls({ op: "ehpc.delete" }).length).toBeGreaterThan(2);
    expect(emu.ehpcJobs(ZONE, C).map((j) => j.jobId)).toEqual([ids[2]]);

    emu.clearFaults();
    emu.resetCalls();
    await lifecycle.remove(TYPE, id, outs, services);
    expect(idsIn(emu, "ehpc.delete")).toEqual([[ids[2]]]);
    expect(emu.ehpcJobs(ZONE, C)).toEqual([]);
  });

  test("retries: 5100 on a list, 2500 (throttled) on a stop, each signed afresh", async ({ emu, http, progress, home }) => {
    const services = servicesFor({ http, progress }, env(emu, home));
    const ids = emu.seedEhpcJobs(ZONE, C, [{}]);
    const outs = checked(services, { jobIds: ids });
    emu.failNext("ehpc.list", { status: 200, body: { ret_code: 5100, message: "ServerBusy, try later" }, times: 2 });
    emu.failNext("ehpc.stop", { status: 200, body: { ret_code: 2500, message: "QuotaExceeded, too many API calls" } });

    await lifecycle.remove(TYPE, "x", outs, services);

    const seen = emu.calls().map((c) => `${c.op} ${JSON.parse(c.responseBody).ret_code}`);
    expect(seen.slice(0, 5)).toEqual(["ehpc.list 5100", "ehpc.list 5100", "ehpc.list 0", "ehpc.stop 2500", "ehpc.stop 0"]);
    expect(emu.calls().every((c) => c.authenticatedAs === AK)).toBe(true);
    expect(emu.ehpcJobs(ZONE, C)).toEqual([]);
  });

  test("the hourly quota (2500) outlasting the retries is reported with EHPC's message", async ({ emu, http, progress, home }) => {
    const services = servicesFor({ http, progress }, env(emu, home));
    emu.seedEhpcJobs(ZONE, C, [{}]);
    const outs = checked(services, { jobIds: emu.ehpcJobs(ZONE, C).map((j) => j.jobId) });
    emu.failNext("ehpc.list", { status: 200, body: { ret_code: 2500, message: "QuotaExceeded, API calls exceed the quota" }, times: 100 });

    const error = await failure(lifecycle.remove(TYPE, "x", outs, services));

    expect(error).toBeInstanceOf(ApiError);
    expect(error.message).toBe(`ehpc: listing the jobs of cluster ${C} failed: QuotaExceeded, API calls exceed the quota (HTTP 200 ret_code 2500)`);
    expect(emu.calls().length).toBeGreaterThan(1);
    expect(emu.calls({ op: ["ehpc.stop", "ehpc.delete"] })).toEqual([]);
  });

  test("an expired request (1300) is signed again, once, with a fresh timestamp", async ({ emu, http, progress, home }) => {
    const services = servicesFor({ http, progress }, env(emu, home));
    const ids = emu.seedEhpcJobs(ZONE, C, [{ status: "finished" }]);
    const outs = checked(services, { jobIds: ids, teardown: "delete" });
    emu.failNext("ehpc.delete", { status: 200, body: { ret_code: 1300, message: "RequestExpired, the request timestamp is too old" } });

    await lifecycle.remove(TYPE, "x", outs, services);

    expect(emu.calls({ op: "ehpc.delete" }).map((c) => JSON.parse(c.responseBody).ret_code)).toEqual([1300, 0]);

    // Twice in a row: reported, not retried forever.
    const [again] = emu.seedEhpcJobs(ZONE, C, [{ status: "finished" }]);
    emu.resetCalls();
    emu.failNext("ehpc.delete", { status: 200, body: { ret_code: 1300, message: "RequestExpired, the request timestamp is too old" }, times: 2 });
    const error = await failure(lifecycle.remove(TYPE, "x", checked(services, { jobIds: [again], teardown: "delete" }), services));
    expect(error.message).toContain("RequestExpired, the request timestamp is too old (HTTP 200 ret_code 1300)");
    expect(emu.calls({ op: "ehpc.delete" })).toHaveLength(2);
  });
});

describe("signing", () => {
  test("every attempt is signed afresh: a retried call carries a new timestamp and signature", async ({ emu, http }) => {
    emu.addEhpcCluster(ZONE, C);
    const signer = ehpcAuthorizer(http, { accessKeyId: AK, secretAccessKey: SK });
    let rounds = 0;
    // Moves the signing clock 5 s on for each round, so two signatures cannot share a timestamp.
    const authorizer = {
      ...signer,
      authorizeUrl: (request: Parameters<typeof signer.authorizeUrl>[0]) => {
        http.clock.offsetMs = rounds++ * 5_000;
        return signer.authorizeUrl(request);
      },
    };
    emu.failNext("ehpc.list", { status: 200, body: { ret_code: 5000, message: "InternalError, try again" } });

    await listEhpcJobs({ http, endpoint: emu.url, zone: ZONE, clusterId: C, authorizer }, 0);

    const [first, second] = emu.calls();
    expect([first!.authenticatedAs, second!.authenticatedAs]).toEqual([AK, AK]);
    expect(Date.parse(second!.query.timestamp!) - Date.parse(first!.query.timestamp!)).toBeGreaterThanOrEqual(4_000);
    expect(second!.query.signature).not.toBe(first!.query.signature);
  });
});

describe("update", () => {
  test("jobs removed from the set are torn down alone; a change of zone replaces the set", async ({ emu, http, progress, home }) => {
    const services = servicesFor({ http, progress }, env(emu, home));
    const [a, b] = emu.seedEhpcJobs(ZONE, C, [{}, {}]);
    const { id, outs } = await lifecycle.create(TYPE, checked(services, { jobIds: [a, b] }), services);
    expect(lifecycle.diff(TYPE, id, outs, checked(services, { jobIds: [a, b], zone: "pek3a" }), services).replaces).toEqual(["zone"]);
    emu.resetCalls();

    const updated = await lifecycle.update(TYPE, id, outs, checked(services, { jobIds: [b] }), services);

    expect(updated.outs.jobIds).toEqual([b]);
    expect(idsIn(emu, "ehpc.stop")).toEqual([[a]]);
    expect(idsIn(emu, "ehpc.delete")).toEqual([[a]]);
    expect(emu.ehpcJobs(ZONE, C).map((j) => [j.jobId, j.status])).toEqual([[b, "running"]]);
  });
});

describe("credentials", () => {
  test("a wrong secret is rejected (1200) with a clear error; nothing is stopped and the secret is not echoed", async ({ emu, http, progress, home }) => {
    const secret = "wrong-secret-access-key-0123456789";
    const services = servicesFor({ http, progress }, env(emu, home, { QY_SECRET_ACCESS_KEY: secret }));
    const ids = emu.seedEhpcJobs(ZONE, C, [{}]);
    const error = await failure(lifecycle.remove(TYPE, "x", checked(services, { jobIds: ids }), services));
    expect(error).toBeInstanceOf(AuthError);
    expect(error.message).toMatch(/^ehpc: listing the jobs of cluster .* failed: AuthFailure.*\(HTTP 200 ret_code 1200\)\. Check the QingCloud access key ID and secret access key/);
    expect(`${error.message} ${error.stack} ${JSON.stringify(error.body)}`).not.toContain(secret);
    expect(emu.calls().map((c) => c.op)).toEqual(["ehpc.list"]);
    expect(statusOf(emu, ids[0]!)).toBe("running");
  });

  test("an unknown access key is rejected the same way", async ({ emu, http, progress, home }) => {
    const services = servicesFor({ http, progress }, env(emu, home, { QY_ACCESS_KEY_ID: "QYUNKNOWNKEY" }));
    const error = await failure(lifecycle.create(TYPE, checked(services, { jobIds: ["hpcjob-bp6rj09f"] }), services));
    expect(error).toBeInstanceOf(AuthError);
    expect(error.vendorCode).toBe("1200");
  });

  test("no credentials anywhere: a CredentialsError listing every option, before any request", async ({ emu, http, progress, home }) => {
    const services = servicesFor({ http, progress }, env(emu, home, { QY_ACCESS_KEY_ID: undefined, QY_SECRET_ACCESS_KEY: undefined }));
    const error = await failure(lifecycle.remove(TYPE, "x", checked(services, { jobIds: ["hpcjob-bp6rj09f"] }), services));
    expect(error).toBeInstanceOf(CredentialsError);
    for (const option of ["jobsets:qingcloudAccessKeyId", "QY_ACCESS_KEY_ID", "QINGCLOUD_ACCESS_KEY_ID", "~/.qingcloud/config.yaml"]) {
      expect(error.message).toContain(option);
    }
    expect(emu.calls()).toEqual([]);
  });

  test("~/.qingcloud/config.yaml is read from HOME and its keys sign the calls", async ({ emu, http, progress, home }) => {
    mkdirSync(path.join(home, ".qingcloud"));
    writeFileSync(
      path.join(home, ".qingcloud", "config.yaml"),
      `qy_access_key_id: '${AK}'\nqy_secret_access_key: "${SK}"  \nzone: pek3a\nhost: 'api.qingcloud.com'\n`,
    );
    const services = servicesFor({ http, progress }, env(emu, home, { QY_ACCESS_KEY_ID: undefined, QY_SECRET_ACCESS_KEY: undefined }));
    const ids = emu.seedEhpcJobs(ZONE, C, [{ status: "finished" }]);

    await lifecycle.remove(TYPE, "x", checked(services, { jobIds: ids }), services);

    expect(emu.calls().every((c) => c.authenticatedAs === AK)).toBe(true);
    expect(emu.ehpcJobs(ZONE, C)).toEqual([]);
  });
});

describe("resolveQingCloudAuth", () => {
  const config = (values: Record<string, string>) => (key: string) => values[key];
  const none = config({});

  test("order: stack config, then QY_*, then QINGCLOUD_*, then the config file", ({ home }) => {
    mkdirSync(path.join(home, ".qingcloud"));
    writeFileSync(path.join(home, ".qingcloud", "config.yaml"), "qy_access_key_id: FILEAK\nqy_secret_access_key: filesk # a comment\n");
    const qy = { QY_ACCESS_KEY_ID: "QYAK", QY_SECRET_ACCESS_KEY: "qysk" };
    const qingcloud = { QINGCLOUD_ACCESS_KEY_ID: "QCAK", QINGCLOUD_SECRET_ACCESS_KEY: "qcsk" };
    const fromConfig = config({ "jobsets:qingcloudAccessKeyId": "CFGAK", "jobsets:qingcloudSecretAccessKey": "cfgsk" });
    expect(resolveQingCloudAuth(fromConfig, { ...qy, ...qingcloud, HOME: home })).toMatchObject({ accessKeyId: "CFGAK", secretAccessKey: "cfgsk", source: "stack config" });
    expect(resolveQingCloudAuth(none, { ...qy, ...qingcloud, HOME: home })).toMatchObject({ accessKeyId: "QYAK", secretAccessKey: "qysk" });
    expect(resolveQingCloudAuth(none, { ...qingcloud, HOME: home })).toMatchObject({ accessKeyId: "QCAK", secretAccessKey: "qcsk" });
    expect(resolveQingCloudAuth(none, { HOME: home })).toMatchObject({ accessKeyId: "FILEAK", secretAccessKey: "filesk", source: path.join(home, ".qingcloud", "config.yaml") });
  });

  const halves: [string, Parameters<typeof resolveQingCloudAuth>[0], Record<string, string>, string][] = [
    ["config without the secret", config({ "jobsets:qingcloudAccessKeyId": "AK" }), {}, "jobsets:qingcloudSecretAccessKey"],
    ["config without the key ID", config({ "jobsets:qingcloudSecretAccessKey": "sk-secret-1" }), {}, "jobsets:qingcloudAccessKeyId"],
    ["QY_* without the secret", none, { QY_ACCESS_KEY_ID: "AK" }, "QY_SECRET_ACCESS_KEY"],
    ["QINGCLOUD_* without the key ID", none, { QINGCLOUD_SECRET_ACCESS_KEY: "sk-secret-2" }, "QINGCLOUD_ACCESS_KEY_ID"],
  ];
  for (const [scenario, reader, vars, missing] of halves) {
    test(`${scenario}: an error naming ${missing}, never the secret`, ({ home }) => {
      let error: unknown;
      try {
        resolveQingCloudAuth(reader, { ...vars, HOME: home });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(CredentialsError);
      expect((error as CredentialsError).message).toMatch(new RegExp(`${missing} is not set`));
      expect((error as CredentialsError).property).toBe(missing);
      expect((error as CredentialsError).message).not.toMatch(/sk-secret/);
    });
  }

  test("a config file with only the key ID: an error naming qy_secret_access_key and the file", ({ home }) => {
    mkdirSync(path.join(home, ".qingcloud"));
    writeFileSync(path.join(home, ".qingcloud", "config.yaml"), "qy_access_key_id: FILEAK\n");
    expect(() => resolveQingCloudAuth(none, { HOME: home })).toThrow(/qy_secret_access_key is not set, but qy_access_key_id is \(.*config\.yaml\)/);
  });
});
