/**
 * The emulator's QingCloud EHPC authentication: its signature verifier against every QingCloud vector (with the
 * verifier's or the emulator's clock at the vector's timestamp), then over HTTP against the emulator's own clock,
 * with ret_code errors at HTTP 200. Each test gets its own emulator (the `emulator` fixture) unless it says otherwise.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { request as undiciRequest } from "undici";
import { test as base, describe, expect } from "vitest";
import {
  DEFAULT_QINGCLOUD_ACCESS_KEY_ID,
  type Emulator,
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
import { ehpcApi, emulatorTest as test } from "./helpers/emulator-clients";
import { CLUSTER, DEFAULT_CREDENTIAL, OK_DELETE, ZONE, listJobs } from "./helpers/emulator-ehpc";
import { type EhpcVectorFile, loadVectors, VECTORS_DIR } from "./helpers/signing-vectors";

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
