/**
 * The emulator's QingCloud EHPC service against its brief: the EHPC signature (every QingCloud vector, with the
 * emulator clock at the vector's timestamp), ret_code errors at HTTP 200, the stop/delete state machine, list and
 * detail, quota, injected faults and the admin API. Each test gets its own emulator (the `emulator` fixture).
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { request as undiciRequest } from "undici";
import { test as base, describe, expect } from "vitest";
import {
  DEFAULT_QINGCLOUD_ACCESS_KEY_ID,
  DEFAULT_QINGCLOUD_SECRET_ACCESS_KEY,
  EHPC_JOB_ID_PATTERN,
  type EhpcJobView,
  type Emulator,
  FIRST_EHPC_SCHEDULER_JOB_ID,
  MAX_EHPC_TIMESTAMP_SKEW_MS,
  type QingCloudCredential,
  ehpcFormEncode,
  ehpcSignature,
  ehpcStringToSign,
  formatEhpcTimestamp,
  signEhpcTestRequest,
  startEmulator,
  verifyEhpcSignature,
} from "../emulator";
import { adminApi, type EhpcAnswer, ehpcApi, emulatorTest as test } from "./helpers/emulator-clients";
import { type EhpcVectorFile, loadVectors, VECTORS_DIR } from "./helpers/signing-vectors";

const STOP_DELAY_MS = 300;
const ZONE = "jn1a";
const CLUSTER = "ehpc-8jqdq0mz";
const DEFAULT_CREDENTIAL: QingCloudCredential = { accessKeyId: DEFAULT_QINGCLOUD_ACCESS_KEY_ID, secretAccessKey: DEFAULT_QINGCLOUD_SECRET_ACCESS_KEY };

// ---------------------------------------------------------------------------------------------------------------
/** A job in a list answer (the fields these tests read). */
interface EhpcListedJob {
  hpcjob_uuid: string;
  job_name: string;
  job_status: string;
  start_time: string;
  end_time: string;
}
/** The list answer when it succeeds; a refusal has only ret_code and message. */
interface EhpcList extends EhpcAnswer {
  total_count: number;
  hpc_job_set: EhpcListedJob[];
}

const listJobs = (emulator: Emulator, parameters: Record<string, string | number> = {}) =>
  ehpcApi<EhpcList>(emulator, { method: "GET", path: "/api/job/list", parameters: { cluster_id: CLUSTER, zone: ZONE, ...parameters } });
const stopJobs = (emulator: Emulator, jobIds: readonly string[], cluster = CLUSTER, zone = ZONE) =>
  ehpcApi(emulator, { method: "POST", path: "/api/job/stopJobs", body: { cluster_id: cluster, job_ids: jobIds, zone } });
const deleteJobs = (emulator: Emulator, jobIds: readonly string[], cluster = CLUSTER, zone = ZONE) =>
  ehpcApi(emulator, { method: "POST", path: "/api/job/deleteJobs", body: { cluster_id: cluster, job_ids: jobIds, zone } });
const statusOf = (emulator: Emulator, jobId: string) => emulator.ehpcJobs().find((job) => job.jobId === jobId)?.status;
const OK_STOP = { action: "HpcJobStopJobsResponse", ret_code: 0 };
const OK_DELETE = { action: "HpcJobDeleteJobsResponse", ret_code: 0 };

// ---------------------------------------------------------------------------------------------------------------

const vectorFile = loadVectors<EhpcVectorFile>("qingcloud-ehpc-signing-vectors.json");
const VECTOR_TIME = Date.parse(vectorFile.timestamp);
/** SHA-256 of the shared reference's qingcloud-ehpc-signing-vectors.json. */
const REFERENCE_VECTORS_SHA256 = "6d1c0451daa24d646103ff8e51714ed5e712ac188c9fdb2906529f4ac0ee1d69";
const VECTOR_CREDENTIAL: QingCloudCredential = { accessKeyId: vectorFile.accessKeyId, secretAccessKey: vectorFile.secretAccessKey };
const vectors = vectorFile.vectors.map((vector) => {
  const pathAndQuery = vector.url.replace(/^https?:\/\/[^/]+/, "");
  const [pathOnly, query = ""] = pathAndQuery.split("?") as [string, string?];
  return {
    ...vector,
    method: vector.stringToSign.split("\n")[0] as "GET" | "POST",
    pathAndQuery,
    path: pathOnly,
    rawBody: vector.body ?? "",
    parameters: [...new URLSearchParams(query)],
  };
});
type PreparedVector = (typeof vectors)[number];
const lookupVectorKey = (accessKeyId: string) => (accessKeyId === VECTOR_CREDENTIAL.accessKeyId ? VECTOR_CREDENTIAL : undefined);
const verifyVector = (vector: PreparedVector, changes: { url?: string; body?: string; now?: number } = {}) =>
  verifyEhpcSignature({ method: vector.method, url: changes.url ?? vector.pathAndQuery, body: changes.body ?? vector.rawBody }, lookupVectorKey, changes.now ?? VECTOR_TIME);
/** The vector's URL with its signature replaced by `signature` (sent as is). */
const withSignature = (vector: PreparedVector, signature: string) => vector.pathAndQuery.replace(/signature=[^&]*$/, `signature=${signature}`);

describe("EHPC signature: QingCloud's vectors, verifier clock at the vector's timestamp", () => {
  // The verifier is only as good as the vectors it is checked against: an edit to the copy (a "fixed" signature, a
  // dropped vector) would let a wrong verifier pass. The digest is the shared reference's
  // (reference/qingcloud-ehpc-signing-vectors.json), pinned here because a clean clone has no shared folder.
  test("the vectors are QingCloud's reference vectors, unedited: the copy's SHA-256 is the reference's", () => {
    const copy = readFileSync(path.join(VECTORS_DIR, "qingcloud-ehpc-signing-vectors.json"));
    expect(createHash("sha256").update(copy).digest("hex")).toBe(REFERENCE_VECTORS_SHA256);
    expect(vectors).toHaveLength(4);
  });

  test.for(vectors)("$name: same string to sign and signature, accepted", (vector) => {
    const signed = vector.parameters.filter(([key]) => key !== "signature");
    const stringToSign = ehpcStringToSign(vector.method, vector.path, signed, vector.rawBody);
    expect(stringToSign).toBe(vector.stringToSign);
    expect(stringToSign.endsWith(vector.bodyMd5)).toBe(true);
    expect(ehpcSignature(stringToSign, vectorFile.secretAccessKey)).toBe(vector.signatureBase64);
    expect(encodeURIComponent(ehpcFormEncode(vector.signatureBase64))).toBe(vector.signatureOnWire);
    expect(verifyVector(vector)).toEqual({ valid: true, accessKeyId: vectorFile.accessKeyId });
    // The test signer reproduces the vector's URL exactly (its query is the canonical query plus the signature).
    const common = new Set(["access_key_id", "signature_method", "signature_version", "version", "timestamp", "signature"]);
    const parameters = Object.fromEntries(vector.parameters.filter(([key]) => !common.has(key)));
    const ours = signEhpcTestRequest({ method: vector.method, path: vector.path, parameters, body: vector.rawBody }, VECTOR_CREDENTIAL, VECTOR_TIME);
    expect(ours).toEqual({ url: vector.pathAndQuery, stringToSign: vector.stringToSign, signature: vector.signatureBase64 });
  });

  test.for(vectors)("$name: the signature URL-encoded only once, or not at all → 1200", (vector) => {
    for (const signature of [encodeURIComponent(vector.signatureBase64), vector.signatureBase64]) {
      expect(verifyVector(vector, { url: withSignature(vector, signature) }), signature).toMatchObject({
        valid: false,
        retCode: 1200,
        message: expect.stringMatching(/^AuthFailure, signature not matched/),
      });
    }
  });

  test.for(vectors)("$name: one byte of body changed → 1200", (vector) => {
    const body = vector.rawBody === "" ? " " : vector.rawBody.replace("jn1a", "jn1b");
    expect(body).not.toBe(vector.rawBody);
    expect(verifyVector(vector, { body })).toMatchObject({ valid: false, retCode: 1200 });
  });

  test.for(vectors)("$name: a parameter added, a value changed, or another method → 1200", (vector) => {
    expect(verifyVector(vector, { url: vector.pathAndQuery.replace("&signature=", "&page=2&signature=") })).toMatchObject({ valid: false, retCode: 1200 });
    expect(verifyVector(vector, { url: vector.pathAndQuery.replace("access_key_id=QYACCESSKEYIDEXAMPLE", "access_key_id=QYACCESSKEYIDEXAMPLE&cluster_id=x") })).toMatchObject({ valid: false });
    expect(verifyVector(vector, { url: vector.pathAndQuery.replace("/api/job/", "/api/jobs/").replace("/api/cluster/", "/api/clusters/") })).toMatchObject({ valid: false, retCode: 1200 });
    expect(verifyVector({ ...vector, method: vector.method === "GET" ? "POST" : "GET" })).toMatchObject({ valid: false, retCode: 1200 });
  });

  test.for(vectors)("$name: an empty parameter is not signed, so adding one keeps the signature valid", (vector) => {
    expect(verifyVector(vector, { url: vector.pathAndQuery.replace("&signature=", "&job_status=&signature=") }).valid).toBe(true);
    expect(verifyVector(vector, { url: vector.pathAndQuery.replace("&signature=", "&job_status=x&signature=") }).valid).toBe(false);
  });

  test.for(vectors)("$name: more than 60 s off either way → 1300; 59 s → accepted", (vector) => {
    const seconds = (n: number) => VECTOR_TIME + n * 1000;
    expect(verifyVector(vector, { now: seconds(61) })).toMatchObject({ valid: false, retCode: 1300, message: expect.stringMatching(/^RequestExpired, /) });
    expect(verifyVector(vector, { now: seconds(-61) })).toMatchObject({ valid: false, retCode: 1300 });
    expect(verifyVector(vector, { now: seconds(59) }).valid).toBe(true);
    expect(verifyVector(vector, { now: seconds(-59) }).valid).toBe(true);
    expect(MAX_EHPC_TIMESTAMP_SKEW_MS).toBe(60_000);
  });

  test("an unknown access key → 1200 naming it; a wrong secret → 1200", () => {
    const [vector] = vectors;
    const verdict = verifyEhpcSignature({ method: vector!.method, url: vector!.pathAndQuery, body: "" }, () => undefined, VECTOR_TIME);
    expect(verdict).toEqual({ valid: false, retCode: 1200, message: `AuthFailure, access key [${vectorFile.accessKeyId}] does not exist` });
    const wrongSecret = () => ({ ...VECTOR_CREDENTIAL, secretAccessKey: "other" });
    expect(verifyEhpcSignature({ method: vector!.method, url: vector!.pathAndQuery, body: "" }, wrongSecret, VECTOR_TIME)).toMatchObject({ retCode: 1200 });
  });

  test("a bare '+' in the query is read as a space: signed as %2B, sent as + → 1200", () => {
    const signed = signEhpcTestRequest({ method: "GET", path: "/api/job/list", parameters: { zone: ZONE, cluster_id: CLUSTER, word: "a+b" } }, VECTOR_CREDENTIAL, VECTOR_TIME);
    expect(signed.url).toContain("word=a%2Bb");
    const check = (url: string) => verifyEhpcSignature({ method: "GET", url, body: "" }, lookupVectorKey, VECTOR_TIME);
    expect(check(signed.url).valid).toBe(true);
    expect(check(signed.url.replace("word=a%2Bb", "word=a+b"))).toMatchObject({ valid: false, retCode: 1200 });
    // Spaces are signed as %20, so a client that encodes a space as %20 or + is accepted either way.
    const spaced = signEhpcTestRequest({ method: "GET", path: "/api/job/list", parameters: { word: "a b" } }, VECTOR_CREDENTIAL, VECTOR_TIME);
    expect(spaced.stringToSign).toContain("word=a%20b");
    expect(check(spaced.url.replace("word=a%20b", "word=a+b")).valid).toBe(true);
  });

  test("missing or unsupported common parameters → 1101/1100 naming the parameter; a repeated one → 1100", () => {
    const [vector] = vectors;
    const url = vector!.pathAndQuery;
    const check = (changed: string) => verifyEhpcSignature({ method: "GET", url: changed, body: "" }, lookupVectorKey, VECTOR_TIME);
    expect(check(url.replace(/&signature=.*$/, ""))).toEqual({ valid: false, retCode: 1101, message: "MissingParameter, parameter [signature] is required" });
    expect(check(url.replace("&version=1", ""))).toMatchObject({ retCode: 1101, message: expect.stringContaining("[version]") });
    expect(check(url.replace("HmacSHA256", "HmacSHA1"))).toMatchObject({ retCode: 1100, message: expect.stringContaining("[signature_method]") });
    expect(check(url.replace("signature_version=1", "signature_version=2"))).toMatchObject({ retCode: 1100, message: expect.stringContaining("[signature_version]") });
    expect(check(url.replace("2021-08-19T16%3A44%3A40Z", "2021-08-19%2016%3A44%3A40"))).toMatchObject({ retCode: 1100, message: expect.stringContaining("[timestamp]") });
    expect(check(url.replace("2021-08-19T16%3A44%3A40Z", "2021-02-30T16%3A44%3A40Z"))).toMatchObject({ retCode: 1100 });
    expect(check(url.replace("zone=jinan1a", "zone=jinan1a&zone=jinan1a"))).toMatchObject({ retCode: 1100, message: expect.stringContaining("[zone]") });
  });

  test("the timestamp format and the double-encoding helper", () => {
    expect(formatEhpcTimestamp(VECTOR_TIME)).toBe(vectorFile.timestamp);
    expect(ehpcFormEncode("a+b/c=")).toBe("a%2Bb%2Fc%3D");
  });
});

describe("EHPC signature over HTTP, emulator clock at the vector's timestamp", () => {
  // The skew is computed as each emulator starts (the window is only 60 s), so the fixture is replaced here.
  const vectorTest = base.extend<{ emulator: Emulator }>({
    emulator: async ({}, use) => {
      const emulator = await startEmulator({ qingcloudCredentials: [VECTOR_CREDENTIAL], clockSkewMs: VECTOR_TIME - Date.now() });
      try {
        await use(emulator);
      } finally {
        await emulator.close();
      }
    },
  });
  const send = (emulator: Emulator, vector: PreparedVector, url = vector.pathAndQuery, body = vector.rawBody) =>
    // undici sends the URL's bytes as they are (the vectors' double-encoded signature included).
    undiciRequest(emulator.url + url, { method: vector.method, ...(body !== "" ? { body, headers: { "content-type": "application/json" } } : {}) });
  const byName = (letter: string) => vectors.find((vector) => vector.name.startsWith(letter))!;

  vectorTest("B and C (deleteJobs, zone only in the body / also in the query): accepted, the job is deleted", async ({ emulator }) => {
    for (const vector of [byName("B"), byName("C")]) {
      emulator.seedEhpcJobs(ZONE, CLUSTER, [{ jobId: "hpcjob-bp6rj09f", status: "finished" }]);
      const response = await send(emulator, vector);
      expect(response.statusCode).toBe(200);
      expect(await response.body.json()).toEqual(OK_DELETE);
      expect(emulator.ehpcJobs()).toEqual([]);
    }
    expect(emulator.calls().map((call) => [call.op, call.service, call.authenticatedAs])).toEqual([
      ["ehpc.delete", "ehpc", vectorFile.accessKeyId],
      ["ehpc.delete", "ehpc", vectorFile.accessKeyId],
    ]);
  });

  vectorTest("D (job list): accepted", async ({ emulator }) => {
    emulator.seedEhpcJobs(ZONE, CLUSTER, [{}, {}]);
    const response = await send(emulator, byName("D"));
    expect(response.statusCode).toBe(200);
    expect(await response.body.json()).toMatchObject({ action: "HpcJobListJobsResponse", total_count: 2, ret_code: 0 });
  });

  vectorTest("A (cluster list) passes the verifier at the emulator's clock", ({ emulator }) => {
    const vector = byName("A");
    expect(verifyVector(vector, { now: emulator.now() })).toEqual({ valid: true, accessKeyId: vectorFile.accessKeyId });
  });

  vectorTest("B with its signature encoded once, or a changed body byte → HTTP 200, ret_code 1200, nothing deleted", async ({ emulator }) => {
    const vector = byName("B");
    emulator.seedEhpcJobs(ZONE, CLUSTER, [{ jobId: "hpcjob-bp6rj09f", status: "finished" }]);
    const once = await send(emulator, vector, withSignature(vector, encodeURIComponent(vector.signatureBase64)));
    expect(once.statusCode).toBe(200);
    expect(await once.body.json()).toMatchObject({ ret_code: 1200, message: expect.stringMatching(/^AuthFailure, signature not matched/) });
    const changed = await send(emulator, vector, vector.pathAndQuery, vector.rawBody.replace("jn1a", "jn1b"));
    expect(await changed.body.json()).toMatchObject({ ret_code: 1200 });
    expect(emulator.ehpcJobs()).toHaveLength(1);
    expect(emulator.calls().map((call) => [call.op, call.status, call.authenticatedAs])).toEqual([
      ["ehpc.delete", 200, undefined],
      ["ehpc.delete", 200, undefined],
    ]);
  });

  vectorTest("C with the '+' of its signature sent once-encoded (%2B) or bare → 1200", async ({ emulator }) => {
    const vector = byName("C");
    expect(vector.signatureBase64).toContain("+");
    emulator.seedEhpcJobs(ZONE, CLUSTER, [{ jobId: "hpcjob-bp6rj09f", status: "finished" }]);
    for (const signature of [vector.signatureOnWire.replace("%252B", "%2B"), vector.signatureOnWire.replace("%252B", "+")]) {
      expect(await (await send(emulator, vector, withSignature(vector, signature))).body.json()).toMatchObject({ ret_code: 1200 });
    }
    expect(emulator.ehpcJobs()).toHaveLength(1);
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe("EHPC authentication against the emulator clock", () => {
  test("the default key pair is accepted; recorded calls name it", async ({ emulator }) => {
    emulator.addEhpcCluster(ZONE, CLUSTER);
    const result = await listJobs(emulator, { limit: 5 });
    expect(result).toMatchObject({ status: 200, json: { action: "HpcJobListJobsResponse", hpc_job_set: [], total_count: 0, ret_code: 0 } });
    expect(emulator.calls()[0]).toMatchObject({
      op: "ehpc.list",
      service: "ehpc",
      method: "GET",
      path: "/api/job/list",
      authenticatedAs: DEFAULT_QINGCLOUD_ACCESS_KEY_ID,
      query: { cluster_id: CLUSTER, zone: ZONE, limit: "5", access_key_id: DEFAULT_QINGCLOUD_ACCESS_KEY_ID },
    });
  });

  test("an unknown key or a wrong secret → HTTP 200 with ret_code 1200", async ({ emulator }) => {
    emulator.addEhpcCluster(ZONE, CLUSTER);
    const unknown = await ehpcApi(emulator, { method: "GET", path: "/api/job/list", parameters: { zone: ZONE, cluster_id: CLUSTER }, credential: { accessKeyId: "NOPE", secretAccessKey: "x" } });
    expect(unknown).toMatchObject({ status: 200, json: { ret_code: 1200, message: "AuthFailure, access key [NOPE] does not exist" } });
    const wrong = await ehpcApi(emulator, {
      method: "GET",
      path: "/api/job/list",
      parameters: { zone: ZONE, cluster_id: CLUSTER },
      credential: { ...DEFAULT_CREDENTIAL, secretAccessKey: "wrong" },
    });
    expect(wrong.json).toMatchObject({ ret_code: 1200 });
    expect(Object.keys(wrong.json).sort()).toEqual(["message", "ret_code"]);
  });

  test("a timestamp 2 minutes old or ahead → 1300; a request with no signature at all → 1101", async ({ emulator }) => {
    emulator.addEhpcCluster(ZONE, CLUSTER);
    for (const offset of [-120_000, 120_000]) {
      const result = await ehpcApi(emulator, { method: "GET", path: "/api/job/list", parameters: { zone: ZONE, cluster_id: CLUSTER }, signedAt: emulator.now() + offset });
      expect(result.json).toMatchObject({ ret_code: 1300, message: expect.stringMatching(/^RequestExpired, /) });
    }
    const bare = await fetch(`${emulator.url}/api/job/list?zone=${ZONE}&cluster_id=${CLUSTER}`);
    expect(bare.status).toBe(200);
    expect(await bare.json()).toEqual({ ret_code: 1101, message: "MissingParameter, parameter [access_key_id] is required" });
  });

  describe("the emulator's clock 5 minutes ahead", () => {
    test.override({ emulatorOptions: { clockSkewMs: 5 * 60_000 } });

    test("a request signed by the machine clock has expired → 1300", async ({ emulator }) => {
      emulator.addEhpcCluster(ZONE, CLUSTER);
      const result = await ehpcApi(emulator, { method: "GET", path: "/api/job/list", parameters: { zone: ZONE, cluster_id: CLUSTER }, signedAt: Date.now() });
      expect(result.json.ret_code).toBe(1300);
      expect((await listJobs(emulator)).json.ret_code).toBe(0);
    });
  });

  describe("custom credentials", () => {
    const mine: QingCloudCredential = { accessKeyId: "QYMINE", secretAccessKey: "mine-secret" };
    test.override({ emulatorOptions: { qingcloudCredentials: [mine] } });

    test("only the configured pairs are accepted", async ({ emulator }) => {
      emulator.addEhpcCluster(ZONE, CLUSTER);
      expect((await listJobs(emulator)).json.ret_code).toBe(1200);
      const result = await ehpcApi(emulator, { method: "GET", path: "/api/job/list", parameters: { zone: ZONE, cluster_id: CLUSTER }, credential: mine });
      expect(result.json.ret_code).toBe(0);
    });
  });
});

// ---------------------------------------------------------------------------------------------------------------

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
