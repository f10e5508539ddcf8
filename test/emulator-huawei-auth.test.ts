/**
 * The emulator's Huawei authentication: its signature verifier against Huawei's own SDK-signed vectors, AK/SK at the
 * gateway, and IAM tokens. Each test gets its own emulator on 127.0.0.1:0 (the `emulator` fixture); a describe block
 * changes its options with `test.override({ emulatorOptions })`.
 */
import { request as undiciRequest } from "undici";
import { describe, expect } from "vitest";
import {
  DEFAULT_ACCESS_KEY,
  DEFAULT_IAM_USER,
  DEFAULT_PROJECT_ID,
  type Emulator,
  type HuaweiCredential,
  type ReceivedRequest,
  canonicalRequest,
  signHuaweiRequest,
  startEmulator,
  stringifyJsonExact,
  verifyHuaweiSignature,
} from "../emulator";
import { emulatorTest as test } from "./helpers/emulator-clients";
import { DEFAULT_CREDENTIAL, callApi, flinkPath, passwordAuthBody, statusOf } from "./helpers/emulator-flink";
import { type HuaweiVectorFile, loadVectors } from "./helpers/signing-vectors";

const vectorFile = loadVectors<HuaweiVectorFile>("huawei-signing-vectors.json");
const signingCases = [
  ...vectorFile.vectors.map((vector) => ({ ...vector, ak: vectorFile.ak, sk: vectorFile.sk, authorization: vector.headers.Authorization ?? "" })),
  { ...vectorFile.officialDocVector, name: "Huawei documentation example" },
].map((vector) => ({
  ...vector,
  securityToken: vector.headers["X-Security-Token"],
  dateMs: sdkDateMs(vector.headers["X-Sdk-Date"] ?? ""),
  request: {
    method: vector.method,
    url: vector.url.replace(/^https?:\/\/[^/]+/, ""), // path and query exactly as sent
    headers: { ...vector.headers, Authorization: vector.authorization } as Record<string, string>,
    body: vector.body,
  } satisfies ReceivedRequest,
}));

function sdkDateMs(text: string): number {
  const [, y, mo, d, h, mi, s] = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text)!.map(Number) as number[];
  return Date.UTC(y!, mo! - 1, d!, h!, mi!, s!);
}

function signedHeadersOf(authorization: string): string[] {
  return /SignedHeaders=([^,]+)/.exec(authorization)![1]!.split(";");
}

describe("signature verifier: Huawei's own SDK-signed vectors", () => {
  const lookup = (vector: (typeof signingCases)[number]) => (accessKey: string) =>
    accessKey === vector.ak ? { accessKey, secretKey: vector.sk, ...(vector.securityToken ? { securityToken: vector.securityToken } : {}) } : undefined;

  test.for(signingCases)("$name: same canonical request, accepted", (vector) => {
    expect(canonicalRequest(vector.request, signedHeadersOf(vector.authorization))).toBe(vector.canonicalRequest);
    expect(verifyHuaweiSignature(vector.request, lookup(vector), vector.dateMs)).toEqual({ valid: true, accessKey: vector.ak });
    // The test signer reproduces Huawei's Authorization exactly.
    const { Authorization: _authorization, "X-Sdk-Date": _date, "X-Security-Token": _token, ...unsigned } = vector.request.headers;
    const credential = { accessKey: vector.ak, secretKey: vector.sk, ...(vector.securityToken ? { securityToken: vector.securityToken } : {}) };
    expect(signHuaweiRequest({ ...vector.request, headers: unsigned }, credential, vector.dateMs).Authorization).toBe(vector.authorization);
  });

  test.for(signingCases)("$name: one byte of body changed → rejected", (vector) => {
    const body = vector.body === "" ? " " : vector.body.replace(/.$/, (last) => (last === "}" ? "]" : "}"));
    const verdict = verifyHuaweiSignature({ ...vector.request, body }, lookup(vector), vector.dateMs);
    expect(verdict).toMatchObject({ valid: false, errorCode: "APIG.0301" });
    expect(verdict.valid === false && verdict.message).toMatch(/^Incorrect IAM authentication information: verify aksk signature fail/);
  });

  test.for(signingCases)("$name: a signed header changed → rejected", (vector) => {
    const headers = { ...vector.request.headers, host: `${vector.request.headers.host}.evil` };
    expect(verifyHuaweiSignature({ ...vector.request, headers }, lookup(vector), vector.dateMs)).toMatchObject({ valid: false, errorCode: "APIG.0301" });
  });

  test.for(signingCases)("$name: a date more than 15 minutes off either way → APIG.0303; 14 minutes → accepted", (vector) => {
    const minutes = (n: number) => vector.dateMs + n * 60_000;
    expect(verifyHuaweiSignature(vector.request, lookup(vector), minutes(16))).toMatchObject({ valid: false, errorCode: "APIG.0303" });
    expect(verifyHuaweiSignature(vector.request, lookup(vector), minutes(-16))).toMatchObject({ valid: false, errorCode: "APIG.0303" });
    expect(verifyHuaweiSignature(vector.request, lookup(vector), minutes(14)).valid).toBe(true);
  });

  test("a path with characters to encode and a query with spaces, '*' and repeated keys: canonical forms", () => {
    const request = { method: "GET", url: "/v1/p/a%20b/c*d?z=2&a=x+y&a=*&k=%E4%B8%AD", headers: { "x-sdk-date": "20240115T083000Z" }, body: "" };
    expect(canonicalRequest(request, ["x-sdk-date"]).split("\n").slice(1, 3)).toEqual([
      "/v1/p/a%20b/c%2Ad/",
      "a=%2A&a=x%20y&k=%E4%B8%AD&z=2",
    ]);
  });

  test("temporary credentials: X-Security-Token must be sent and signed", ({ expect }) => {
    const vector = signingCases.find((candidate) => candidate.securityToken !== undefined)!;
    const withoutToken = { ...vector.request.headers, "X-Security-Token": undefined };
    expect(verifyHuaweiSignature({ ...vector.request, headers: withoutToken }, lookup(vector), vector.dateMs)).toMatchObject({ valid: false });
    const wrongStored = () => ({ accessKey: vector.ak, secretKey: vector.sk, securityToken: "OTHER" });
    expect(verifyHuaweiSignature(vector.request, wrongStored, vector.dateMs)).toMatchObject({ valid: false, errorCode: "APIG.0301" });
  });
});

describe("gateway authentication (AK/SK)", () => {
  test("a Huawei-SDK-signed request from the vectors is accepted over HTTP and deletes its jobs", async () => {
    const vector = signingCases.find((candidate) => candidate.name === "DLI BatchDeleteFlinkJobs")!;
    // Put the emulator's clock at the vector's date, so its 2024 signature is fresh.
    const emulator = await startEmulator({
      credentials: [{ accessKey: vector.ak, secretKey: vector.sk }],
      clockSkewMs: vector.dateMs - Date.now(),
    });
    try {
      emulator.seedFlinkJobs(vectorFile.projectId, [{ jobId: 12345 }, { jobId: 67890 }, { jobId: 1 }]);
      // undici.request sends the vector's Host header as is (fetch would replace it).
      const response = await undiciRequest(emulator.url + vector.request.url, {
        method: "POST",
        headers: vector.request.headers as Record<string, string>,
        body: vector.body,
      });
      expect(response.statusCode).toBe(200);
      expect(await response.body.json()).toEqual([
        { is_success: "true", message: "The job is deleted." },
        { is_success: "true", message: "The job is deleted." },
      ]);
      expect(emulator.flinkJobs().map((job) => job.jobId)).toEqual(["1"]);
      expect(emulator.calls()[0]).toMatchObject({ op: "flink.delete", authenticatedAs: vector.ak, status: 200 });
    } finally {
      await emulator.close();
    }
  });

  test("a wrong secret key → 401 APIG.0301 with the gateway's error shape", async ({ emulator }) => {
    const result = await callApi(emulator, { method: "GET", path: flinkPath(), auth: { credential: { accessKey: DEFAULT_ACCESS_KEY, secretKey: "wrong" } } });
    expect(result.status).toBe(401);
    expect(result.json).toEqual({
      error_code: "APIG.0301",
      error_msg: expect.stringMatching(/^Incorrect IAM authentication information: verify aksk signature fail, canonicalRequest:GET\|/),
      request_id: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
    expect(result.headers.get("x-request-id")).toBe(result.json.request_id);
  });

  test("an unknown access key → 401 APIG.0301 'ak not exist'", async ({ emulator }) => {
    const result = await callApi(emulator, { method: "GET", path: flinkPath(), auth: { credential: { accessKey: "NOSUCHAK", secretKey: "x" } } });
    expect(result.status).toBe(401);
    expect(result.json).toMatchObject({ error_code: "APIG.0301", error_msg: expect.stringContaining("ak:NOSUCHAK,err:ak not exist") });
  });

  test("the body changed after signing → 401 APIG.0301, and nothing is deleted", async ({ emulator }) => {
    const [jobId] = emulator.seedFlinkJobs(DEFAULT_PROJECT_ID, [{}]);
    const body = stringifyJsonExact({ job_ids: [BigInt(jobId!)] });
    const headers: Record<string, string> = { "content-type": "application/json", host: new URL(emulator.url).host };
    Object.assign(headers, signHuaweiRequest({ method: "POST", url: flinkPath("/delete"), headers, body: body.replace("]", ",1]") }, DEFAULT_CREDENTIAL, emulator.now()));
    delete headers.host;
    const response = await fetch(emulator.url + flinkPath("/delete"), { method: "POST", headers, body });
    expect(response.status).toBe(401);
    expect(statusOf(emulator, jobId!)).toBe("job_running");
  });

  test("a query with spaces and '*' is verified from the raw URL", async ({ emulator }) => {
    const result = await callApi(emulator, { method: "GET", path: `${flinkPath()}?limit=5&offset=0&name=a+b*&x=%2A%20y` });
    expect(result.status).toBe(200);
  });

  test("no Authorization and no X-Auth-Token → 401 APIG.0301", async ({ emulator }) => {
    const result = await callApi(emulator, { method: "GET", path: flinkPath(), auth: "none" });
    expect(result.status).toBe(401);
    expect(result.json.error_code).toBe("APIG.0301");
  });

  describe("the emulator's clock 20 minutes ahead", () => {
    test.override({ emulatorOptions: { clockSkewMs: 20 * 60_000 } });

    test("a signature dated by the machine clock has expired → 401 APIG.0303", async ({ emulator }) => {
      const headers: Record<string, string> = { host: new URL(emulator.url).host };
      Object.assign(headers, signHuaweiRequest({ method: "GET", url: flinkPath(), headers, body: "" }, DEFAULT_CREDENTIAL, Date.now()));
      delete headers.host;
      const response = await fetch(emulator.url + flinkPath(), { headers });
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({
        error_code: "APIG.0303",
        error_msg: expect.stringMatching(/^Incorrect app authentication information: signature expired, signature time:\d{8}T\d{6}Z,server time:/),
      });
      expect(emulator.now() - Date.now()).toBeGreaterThan(19 * 60_000);
    });
  });

  describe("temporary credentials", () => {
    const sts: HuaweiCredential = { accessKey: "STSAK000000000000001", secretKey: "sts-secret", securityToken: "STS-TOKEN-1" };
    test.override({ emulatorOptions: { credentials: [sts] } });

    test("accepted with the signed X-Security-Token; refused without it or with another", async ({ emulator }) => {
      expect((await callApi(emulator, { method: "GET", path: flinkPath(), auth: { credential: sts } })).status).toBe(200);
      const { securityToken: _token, ...permanent } = sts;
      expect((await callApi(emulator, { method: "GET", path: flinkPath(), auth: { credential: permanent } })).status).toBe(401);
      const otherToken = { ...sts, securityToken: "STS-TOKEN-2" };
      expect((await callApi(emulator, { method: "GET", path: flinkPath(), auth: { credential: otherToken } })).json.error_code).toBe("APIG.0301");
      expect(emulator.calls().map((call) => call.headers["x-security-token"])).toEqual(["***", undefined, "***"]);
    });
  });
});

describe("IAM tokens", () => {
  const issueToken = (emulator: Emulator, body: unknown = passwordAuthBody()) =>
    callApi<{ token: { expires_at: string } }>(emulator, { method: "POST", path: "/v3/auth/tokens", body, auth: "none" });

  test("password auth → 201 with X-Subject-Token; the token then authenticates DLI calls", async ({ emulator }) => {
    const issued = await issueToken(emulator);
    expect(issued.status).toBe(201);
    const token = issued.headers.get("x-subject-token")!;
    expect(token).toMatch(/^MII/);
    expect(issued.json.token).toMatchObject({ methods: ["password"], expires_at: expect.stringMatching(/Z$/), project: { id: DEFAULT_PROJECT_ID } });
    expect(Date.parse(issued.json.token.expires_at) - emulator.now()).toBeGreaterThan(23 * 3600_000);

    const listed = await callApi(emulator, { method: "GET", path: flinkPath(), auth: { token } });
    expect(listed.status).toBe(200);
    const [tokenCall, listCall] = emulator.calls();
    expect(tokenCall).toMatchObject({ op: "iam.token", service: "iam", status: 201 });
    expect(listCall).toMatchObject({ op: "flink.list", authenticatedAs: `token:${DEFAULT_IAM_USER}`, headers: { "x-auth-token": "***" } });
  });

  test("wrong password or domain → 401 in IAM's own error shape", async ({ emulator }) => {
    const wrong = await issueToken(emulator, passwordAuthBody("nope"));
    expect(wrong.status).toBe(401);
    expect(wrong.json).toEqual({ error: { code: 401, message: "The username or password is wrong.", title: "Unauthorized" } });
    const otherDomain = passwordAuthBody();
    otherDomain.auth.identity.password.user.domain.name = "other";
    expect((await issueToken(emulator, otherDomain)).status).toBe(401);
    expect((await issueToken(emulator, { auth: {} })).status).toBe(400);
  });

  test("expireTokens(): the next call with the token → 401 APIG.0307", async ({ emulator }) => {
    const token = (await issueToken(emulator)).headers.get("x-subject-token")!;
    emulator.expireTokens();
    const result = await callApi(emulator, { method: "GET", path: flinkPath(), auth: { token } });
    expect(result.status).toBe(401);
    expect(result.json).toMatchObject({ error_code: "APIG.0307", error_msg: "The token must be updated." });
    const fresh = (await issueToken(emulator)).headers.get("x-subject-token")!;
    expect((await callApi(emulator, { method: "GET", path: flinkPath(), auth: { token: fresh } })).status).toBe(200);
  });

  test("a token the emulator never issued → 401 APIG.0307", async ({ emulator }) => {
    expect((await callApi(emulator, { method: "GET", path: flinkPath(), auth: { token: "MIIforged" } })).json.error_code).toBe("APIG.0307");
  });

  describe("with a ready-made token and a 30 ms token lifetime", () => {
    test.override({ emulatorOptions: { tokens: ["READY-TOKEN"], tokenTtlMs: 30 } });

    test("the ready token is accepted; an issued one expires on its own", async ({ emulator }) => {
      const ready = await callApi(emulator, { method: "GET", path: flinkPath(), auth: { token: "READY-TOKEN" } });
      expect(ready.status).toBe(200);
      expect(emulator.calls()[0]?.authenticatedAs).toBe("token:preset");
      const token = (await issueToken(emulator)).headers.get("x-subject-token")!;
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect((await callApi(emulator, { method: "GET", path: flinkPath(), auth: { token } })).status).toBe(401);
    });
  });
});

// ---------------------------------------------------------------------------------------------------------------
