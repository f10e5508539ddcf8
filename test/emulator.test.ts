/**
 * The emulator against its brief: Huawei's signing vectors, gateway auth, IAM tokens, DLI Flink's quirks,
 * injected faults and the admin API. Each test gets its own emulator on 127.0.0.1:0 (the `emulator` fixture);
 * a describe block changes its options with `test.override({ emulatorOptions })`.
 */
import { request as undiciRequest } from "undici";
import { describe, expect } from "vitest";
import {
  DEFAULT_ACCESS_KEY,
  DEFAULT_IAM_DOMAIN,
  DEFAULT_IAM_PASSWORD,
  DEFAULT_IAM_USER,
  DEFAULT_PROJECT_ID,
  DEFAULT_SECRET_KEY,
  type Emulator,
  FIRST_AUTO_FLINK_JOB_ID,
  type FlinkJobView,
  type HuaweiCredential,
  type ReceivedRequest,
  type RecordedCall,
  canonicalRequest,
  parseJsonExact,
  signHuaweiRequest,
  startEmulator,
  stringifyJsonExact,
  verifyHuaweiSignature,
} from "../emulator";
import { adminApi, type HuaweiCall, emulatorTest as test, huaweiApi } from "./helpers/emulator-clients";
import { type HuaweiVectorFile, loadVectors } from "./helpers/signing-vectors";

// Timing constants, in one place.
const STOP_DELAY_MS = 300;
const FAULT_DELAY_MS = 250;
const OTHER_PROJECT_ID = "fedcba9876543210fedcba9876543210";
const DEFAULT_CREDENTIAL: HuaweiCredential = { accessKey: DEFAULT_ACCESS_KEY, secretKey: DEFAULT_SECRET_KEY };

// ---------------------------------------------------------------------------------------------------------------
// Calls carry the project header real clients send; the signed client is the shared one (its signer is proven
// against Huawei's vectors below).
/** A DLI or gateway error answer. */
interface DliError {
  error_code?: string;
  error_msg?: string;
  request_id?: string;
}
/** A batch stop or delete answer: one result per job, or an error. */
type FlinkBatchAnswer = { is_success: string; message: string }[] & DliError;
/** A list answer when it succeeds (the fields these tests read by name). */
interface FlinkList extends DliError {
  job_list: { total_count: number; jobs: { job_id: bigint | number; status: string }[] };
}

const callApi = <T = DliError>(emulator: Emulator, call: HuaweiCall) =>
  huaweiApi<T>(emulator, { ...call, headers: { "x-project-id": DEFAULT_PROJECT_ID, ...call.headers } });

const flinkPath = (suffix = "", projectId = DEFAULT_PROJECT_ID) => `/v1.0/${projectId}/streaming/jobs${suffix}`;
const stopJobs = (emulator: Emulator, jobIds: readonly (string | bigint)[], triggerSavepoint?: boolean, projectId?: string) =>
  callApi<FlinkBatchAnswer>(emulator, {
    method: "POST",
    path: flinkPath("/stop", projectId),
    body: { job_ids: jobIds.map((id) => BigInt(id)), ...(triggerSavepoint === undefined ? {} : { trigger_savepoint: triggerSavepoint }) },
  });
const deleteJobs = (emulator: Emulator, jobIds: readonly (string | bigint)[], projectId?: string) =>
  callApi<FlinkBatchAnswer>(emulator, { method: "POST", path: flinkPath("/delete", projectId), body: { job_ids: jobIds.map((id) => BigInt(id)) } });
const statusOf = (emulator: Emulator, jobId: string, projectId = DEFAULT_PROJECT_ID) =>
  emulator.flinkJobs(projectId).find((job) => job.jobId === jobId)?.status;
const passwordAuthBody = (password = DEFAULT_IAM_PASSWORD) => ({
  auth: {
    identity: { methods: ["password"], password: { user: { name: DEFAULT_IAM_USER, password, domain: { name: DEFAULT_IAM_DOMAIN } } } },
    scope: { project: { id: DEFAULT_PROJECT_ID } },
  },
});

// ---------------------------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------------------------

describe("lifecycle", () => {
  test("listens on 127.0.0.1 with a free port; a port in use makes startEmulator reject", async ({ emulator }) => {
    expect(emulator.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(emulator.port).toBeGreaterThan(0);
    await expect(startEmulator({ port: emulator.port })).rejects.toMatchObject({ code: "EADDRINUSE" });
  });

  test("close() ends keep-alive connections and is idempotent", async () => {
    const emulator = await startEmulator();
    await callApi(emulator, { method: "GET", path: flinkPath() });
    await Promise.all([emulator.close(), emulator.close()]);
    await expect(fetch(emulator.url + flinkPath())).rejects.toThrow();
  });

  test("invalid options are refused", async () => {
    await expect(startEmulator({ maxBatchSize: 0 })).rejects.toThrow(/maxBatchSize/);
    await expect(startEmulator({ stopDelayMs: -1 })).rejects.toThrow(/stopDelayMs/);
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
