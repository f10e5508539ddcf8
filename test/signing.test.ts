import { describe, it, expect } from "vitest";
import { createHash, createHmac } from "node:crypto";
import { type EhpcVectorFile, type HuaweiVectorFile, loadVectors } from "./helpers/signing-vectors";
import { thrownBy } from "./helpers/thrown";
import {
  canonicalRequest,
  formatSdkDate,
  parseAuthorizationHeader,
  signHuaweiRequest,
  stringToSign,
  type HuaweiCredentials,
} from "../provider/auth/huawei-signer";
import {
  ehpcJsonBody,
  formatEhpcTimestamp,
  signEhpcRequest,
  type QingCloudCredentials,
} from "../provider/auth/qingcloud-signer";


/** The error `run` throws; fails the test when it throws nothing. */
const errorThrownBy = (run: () => unknown) => thrownBy(run, Error);

function sha256Hex(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

// ---------------------------------------------------------------------------------------------------
// Huawei Cloud SDK-HMAC-SHA256
// ---------------------------------------------------------------------------------------------------

interface HuaweiCase {
  name: string;
  credentials: HuaweiCredentials;
  sdkDate: string;
  method: string;
  url: string;
  body: string;
  callerHeaders: Record<string, string>;
  /** Everything the signer must return, Authorization included. */
  expectedHeaders: Record<string, string>;
  canonicalRequest: string;
  canonicalRequestSha256: string;
  stringToSign: string;
}

// Headers the signer adds itself; the rest of a vector's headers are what the caller passes in.
const HUAWEI_SIGNER_HEADERS = new Set(["host", "x-sdk-date", "x-security-token", "authorization"]);

function huaweiCallerHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !HUAWEI_SIGNER_HEADERS.has(name.toLowerCase())));
}

function headerNamed(headers: Record<string, string>, name: string): string | undefined {
  return Object.entries(headers).find(([key]) => key.toLowerCase() === name.toLowerCase())?.[1];
}

function dateFromSdkDate(sdkDate: string): Date {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(sdkDate);
  if (!match) throw new Error(`not an X-Sdk-Date: ${sdkDate}`);
  const [, year, month, day, hour, minute, second] = match;
  return new Date(`${year}-${month}-${day}T${hour}:${minute}:${second}Z`);
}

const huaweiVectors = loadVectors<HuaweiVectorFile>("huawei-signing-vectors.json");
const official = huaweiVectors.officialDocVector;
const officialSdkDate = headerNamed(official.headers, "x-sdk-date")!;

const huaweiCases: HuaweiCase[] = [
  ...huaweiVectors.vectors.map((vector) => ({
    name: vector.name,
    credentials: {
      accessKey: huaweiVectors.ak,
      secretKey: huaweiVectors.sk,
      securityToken: headerNamed(vector.headers, "x-security-token"),
    },
    sdkDate: huaweiVectors.xSdkDate,
    method: vector.method,
    url: vector.url,
    body: vector.body,
    callerHeaders: huaweiCallerHeaders(vector.headers),
    expectedHeaders: vector.headers,
    canonicalRequest: vector.canonicalRequest,
    canonicalRequestSha256: vector.canonicalRequestSha256,
    stringToSign: vector.stringToSign,
  })),
  {
    name: "officialDocVector (Huawei's documented example)",
    credentials: { accessKey: official.ak, secretKey: official.sk },
    sdkDate: officialSdkDate,
    method: official.method,
    url: official.url,
    body: official.body,
    callerHeaders: huaweiCallerHeaders(official.headers),
    expectedHeaders: { ...official.headers, Authorization: official.authorization },
    canonicalRequest: official.canonicalRequest,
    canonicalRequestSha256: official.canonicalRequestSha256,
    // The doc vector records no string to sign: it is fully determined by the date and the hash.
    stringToSign: `SDK-HMAC-SHA256\n${officialSdkDate}\n${official.canonicalRequestSha256}`,
  },
];

const testCredentials: HuaweiCredentials = { accessKey: "AKTESTEXAMPLE0000001", secretKey: "SKtestExampleSecretKey0000000000000000001" };
const fixedDate = new Date("2024-01-15T08:30:00Z");

/** Signs and returns the lines of the canonical request the signature covers. */
function signedCanonicalLines(request: Parameters<typeof signHuaweiRequest>[0]): { headers: Record<string, string>; lines: string[] } {
  const headers = signHuaweiRequest(request, testCredentials, fixedDate);
  const { Authorization: authorization, ...sent } = headers;
  const parsed = parseAuthorizationHeader(authorization!);
  expect(parsed).toBeDefined();
  const canonical = canonicalRequest({ ...request, headers: sent }, parsed!.signedHeaders);
  // The signature in the header must be the one over this canonical request.
  const expectedSignature = createHmac("sha256", testCredentials.secretKey)
    .update(stringToSign(headers["X-Sdk-Date"]!, canonical))
    .digest("hex");
  expect(parsed!.signature).toBe(expectedSignature);
  return { headers, lines: canonical.split("\n") };
}

describe("Huawei SDK-HMAC-SHA256 signing: reference vectors", () => {
  it("covers every vector, including the official documentation example", () => {
    expect(huaweiCases.length).toBe(huaweiVectors.vectors.length + 1);
    expect(huaweiCases.length).toBeGreaterThanOrEqual(7);
  });

  it.each(huaweiCases)("$name", (vector) => {
    const date = dateFromSdkDate(vector.sdkDate);
    expect(formatSdkDate(date)).toBe(vector.sdkDate);

    const headers = signHuaweiRequest(
      { method: vector.method, url: vector.url, headers: vector.callerHeaders, body: vector.body },
      vector.credentials,
      date,
    );
    // The whole header set to send, Authorization included, and nothing else.
    expect(headers).toEqual(vector.expectedHeaders);
    expect(headers.Authorization).toBe(headerNamed(vector.expectedHeaders, "authorization"));

    const parsed = parseAuthorizationHeader(headers.Authorization!);
    expect(parsed?.accessKey).toBe(vector.credentials.accessKey);
    const { Authorization: _authorization, ...sentHeaders } = headers;
    const canonical = canonicalRequest(
      { method: vector.method, url: vector.url, headers: sentHeaders, body: vector.body },
      parsed!.signedHeaders,
    );
    expect(canonical).toBe(vector.canonicalRequest);
    expect(sha256Hex(canonical)).toBe(vector.canonicalRequestSha256);
    expect(stringToSign(vector.sdkDate, canonical)).toBe(vector.stringToSign);
  });
});

describe("Huawei SDK-HMAC-SHA256 signing: behaviour", () => {
  const url = "https://dli.cn-north-4.myhuaweicloud.com/v1.0/0123456789abcdef0123456789abcdef/streaming/jobs/delete";
  const headers = { "content-type": "application/json", "X-Project-Id": "0123456789abcdef0123456789abcdef" };

  it("changes the signature when the body changes, and hashes the exact bytes", () => {
    const first = signHuaweiRequest({ method: "POST", url, headers, body: '{"job_ids":[1]}' }, testCredentials, fixedDate);
    const second = signHuaweiRequest({ method: "POST", url, headers, body: '{"job_ids":[2]}' }, testCredentials, fixedDate);
    expect(second.Authorization).not.toBe(first.Authorization);

    // Same bytes as a Uint8Array: same signature. Same text in other bytes (Latin-1): different signature.
    const asBytes = signHuaweiRequest(
      { method: "POST", url, headers, body: new TextEncoder().encode('{"job_ids":[1]}') },
      testCredentials,
      fixedDate,
    );
    expect(asBytes.Authorization).toBe(first.Authorization);
    const utf8 = signHuaweiRequest({ method: "POST", url, headers, body: '{"name":"é"}' }, testCredentials, fixedDate);
    const latin1 = signHuaweiRequest(
      { method: "POST", url, headers, body: Buffer.from('{"name":"é"}', "latin1") },
      testCredentials,
      fixedDate,
    );
    expect(latin1.Authorization).not.toBe(utf8.Authorization);

    const { lines } = signedCanonicalLines({ method: "POST", url, headers, body: '{"job_ids":[1]}' });
    expect(lines.at(-1)).toBe(sha256Hex('{"job_ids":[1]}'));
  });

  it("changes the signature with the date, the method and the secret key", () => {
    const base = signHuaweiRequest({ method: "POST", url, headers, body: "{}" }, testCredentials, fixedDate);
    const later = signHuaweiRequest({ method: "POST", url, headers, body: "{}" }, testCredentials, new Date("2024-01-15T08:30:01Z"));
    const asPut = signHuaweiRequest({ method: "PUT", url, headers, body: "{}" }, testCredentials, fixedDate);
    const otherKey = signHuaweiRequest(
      { method: "POST", url, headers, body: "{}" },
      { ...testCredentials, secretKey: `${testCredentials.secretKey}x` },
      fixedDate,
    );
    expect(later["X-Sdk-Date"]).toBe("20240115T083001Z");
    expect(new Set([base.Authorization, later.Authorization, asPut.Authorization, otherKey.Authorization]).size).toBe(4);
  });

  it("signs the host with its port when the port is not the scheme's default", () => {
    const custom = signedCanonicalLines({ method: "GET", url: "https://dli.example.com:8443/v1.0/p/streaming/jobs" });
    expect(custom.headers.host).toBe("dli.example.com:8443");
    expect(custom.lines).toContain("host:dli.example.com:8443");

    const httpsDefault = signedCanonicalLines({ method: "GET", url: "https://dli.example.com:443/v1.0/p/streaming/jobs" });
    expect(httpsDefault.headers.host).toBe("dli.example.com");
    expect(httpsDefault.lines).toContain("host:dli.example.com");

    const httpCustom = signedCanonicalLines({ method: "GET", url: "http://127.0.0.1:8080/v1.0/p/streaming/jobs" });
    expect(httpCustom.headers.host).toBe("127.0.0.1:8080");

    const a = signHuaweiRequest({ method: "GET", url: "https://dli.example.com:8443/v1/x" }, testCredentials, fixedDate);
    const b = signHuaweiRequest({ method: "GET", url: "https://dli.example.com:9443/v1/x" }, testCredentials, fixedDate);
    expect(a.Authorization).not.toBe(b.Authorization);
  });

  it("honours an explicit Host header instead of sending two", () => {
    const { headers: sent, lines } = signedCanonicalLines({
      method: "GET",
      url: "http://127.0.0.1:8080/v1/x",
      headers: { Host: "dli.cn-north-4.myhuaweicloud.com" },
    });
    expect(Object.keys(sent).filter((name) => name.toLowerCase() === "host")).toEqual(["host"]);
    expect(sent.host).toBe("dli.cn-north-4.myhuaweicloud.com");
    expect(lines).toContain("host:dli.cn-north-4.myhuaweicloud.com");
  });

  it("percent-encodes path segments (space, unicode, RFC 3986 reserved) once, and ends the URI in /", () => {
    const raw = signedCanonicalLines({ method: "GET", url: "https://h.example.com/v1/my job/数据*(x)!/jobs" });
    expect(raw.lines[1]).toBe("/v1/my%20job/%E6%95%B0%E6%8D%AE%2A%28x%29%21/jobs/");

    // Already-encoded input must not be encoded twice.
    const encoded = signedCanonicalLines({ method: "GET", url: "https://h.example.com/v1/my%20job/%E6%95%B0%E6%8D%AE%2A%28x%29%21/jobs" });
    expect(encoded.lines[1]).toBe(raw.lines[1]);

    expect(signedCanonicalLines({ method: "GET", url: "https://h.example.com" }).lines[1]).toBe("/");
    expect(signedCanonicalLines({ method: "GET", url: "https://h.example.com/v1/x/" }).lines[1]).toBe("/v1/x/");
  });

  it("builds the canonical query: sorted keys, sorted repeated values, encoded both sides, empty values left out", () => {
    const { lines } = signedCanonicalLines({
      method: "GET",
      url: "https://h.example.com/v1/jobs?offset=0&tag=b&tag=a&empty=&name=a+b*&plus=x%2By&key%20sp=%E4%B8%AD",
    });
    expect(lines[2]).toBe("key%20sp=%E4%B8%AD&name=a%20b%2A&offset=0&plus=x%2By&tag=a&tag=b");
  });

  it("signs every header it sends, sorted and lowercase, and a security token when given", () => {
    const withToken = signHuaweiRequest(
      { method: "POST", url, headers: { ...headers, "X-Custom": "  padded  " }, body: "" },
      { ...testCredentials, securityToken: "TEMPTOKEN123" },
      fixedDate,
    );
    expect(withToken["X-Security-Token"]).toBe("TEMPTOKEN123");
    expect(withToken["X-Custom"]).toBe("padded");
    expect(parseAuthorizationHeader(withToken.Authorization!)?.signedHeaders).toEqual([
      "content-type",
      "host",
      "x-custom",
      "x-project-id",
      "x-sdk-date",
      "x-security-token",
    ]);

    const withoutToken = signHuaweiRequest({ method: "POST", url, headers, body: "" }, testCredentials, fixedDate);
    expect(withoutToken).not.toHaveProperty("X-Security-Token");
    expect(parseAuthorizationHeader(withoutToken.Authorization!)?.signedHeaders).not.toContain("x-security-token");
  });

  it("re-signs its own output (a retry) with fresh date and signature instead of duplicating headers", () => {
    const first = signHuaweiRequest({ method: "POST", url, headers, body: "{}" }, testCredentials, fixedDate);
    const later = new Date("2024-01-15T08:40:00Z");
    const again = signHuaweiRequest({ method: "POST", url, headers: first, body: "{}" }, testCredentials, later);
    const fresh = signHuaweiRequest({ method: "POST", url, headers, body: "{}" }, testCredentials, later);
    expect(again).toEqual(fresh);
  });

  it("refuses ambiguous or malformed headers", () => {
    expect(() =>
      signHuaweiRequest({ method: "GET", url, headers: { "Content-Type": "a", "content-type": "b" } }, testCredentials, fixedDate),
    ).toThrow(/given twice/);
    expect(() => signHuaweiRequest({ method: "GET", url, headers: { "bad name": "x" } }, testCredentials, fixedDate)).toThrow(
      /header name/,
    );
    expect(() =>
      canonicalRequest({ method: "GET", url, headers: { host: "h", "X-Sdk-Date": "20240115T083000Z" } }, ["host", "x-sdk-date", "x-project-id"]),
    ).toThrow(/x-project-id/);
  });

  it("formats X-Sdk-Date in UTC, dropping milliseconds, and refuses an invalid date", () => {
    expect(formatSdkDate(new Date(Date.UTC(2024, 0, 5, 3, 4, 5, 999)))).toBe("20240105T030405Z");
    expect(() => formatSdkDate(new Date(Number.NaN))).toThrow(/valid Date/);
    expect(() => stringToSign("2024-01-15T08:30:00Z", "x")).toThrow(/X-Sdk-Date/);
  });

  it("parses Authorization headers and rejects anything else", () => {
    const parsed = parseAuthorizationHeader(official.authorization);
    expect(parsed).toEqual({
      accessKey: "QTWAOYTTINDUT2QVKYUC",
      signedHeaders: ["content-type", "host", "x-sdk-date"],
      signature: "7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe",
    });
    expect(parseAuthorizationHeader("Bearer abc")).toBeUndefined();
    expect(parseAuthorizationHeader("SDK-HMAC-SHA256 Access=AK, SignedHeaders=host")).toBeUndefined();
    expect(parseAuthorizationHeader("SDK-HMAC-SHA256 Access=AK, SignedHeaders=host, Signature=nothex")).toBeUndefined();
  });

  it("never puts the secret key in an error message or stack", () => {
    const secretKey = testCredentials.secretKey;
    const failures = [
      // An invalid URL, including one that (by mistake) carries the secret key itself.
      errorThrownBy(() => signHuaweiRequest({ method: "GET", url: "not a url" }, testCredentials, fixedDate)),
      errorThrownBy(() => signHuaweiRequest({ method: "GET", url: `https://[${secretKey}]/v1` }, testCredentials, fixedDate)),
      errorThrownBy(() => signHuaweiRequest({ method: "GET", url: `ftp://h/${secretKey}` }, testCredentials, fixedDate)),
      // A header value that breaks lines, whose value is the secret key.
      errorThrownBy(() =>
        signHuaweiRequest({ method: "GET", url, headers: { "X-Note": `${secretKey}\r\nX-Evil: 1` } }, testCredentials, fixedDate),
      ),
      errorThrownBy(() => signHuaweiRequest({ method: "GET", url, headers: { [`${secretKey} `]: "x" } }, testCredentials, fixedDate)),
      errorThrownBy(() => signHuaweiRequest({ method: "GET", url }, testCredentials, new Date(Number.NaN))),
      errorThrownBy(() => signHuaweiRequest({ method: "GET", url }, { accessKey: "", secretKey }, fixedDate)),
    ];
    expect(failures[0]!.message).toMatch(/not a valid absolute URL/);
    expect(failures[1]!.message).toMatch(/not a valid absolute URL/);
    for (const failure of failures) {
      expect(failure.message).not.toContain(secretKey);
      expect(String(failure.stack)).not.toContain(secretKey);
    }
    expect(() => signHuaweiRequest({ method: "GET", url }, { accessKey: "AK", secretKey: "" }, fixedDate)).toThrow(/secret key/);
  });
});

// ---------------------------------------------------------------------------------------------------
// QingCloud EHPC
// ---------------------------------------------------------------------------------------------------

const ehpcVectors = loadVectors<EhpcVectorFile>("qingcloud-ehpc-signing-vectors.json");
const ehpcCredentials: QingCloudCredentials = {
  accessKeyId: ehpcVectors.accessKeyId,
  secretAccessKey: ehpcVectors.secretAccessKey,
};
const ehpcBaseUrl = "https://hpc.api.qingcloud.com";
const ehpcDate = new Date(ehpcVectors.timestamp);
const EHPC_SIGNER_PARAMETERS = new Set(["access_key_id", "signature_method", "signature_version", "version", "timestamp", "signature"]);

function queryOf(url: string): string {
  return new URL(url).search.slice(1);
}

describe("QingCloud EHPC signing: reference vectors", () => {
  it("covers every vector", () => {
    expect(ehpcVectors.vectors.length).toBeGreaterThanOrEqual(4);
  });

  it.each(ehpcVectors.vectors)("$name", (vector) => {
    // The vectors record the signed URL; the request's own inputs are its path and its non-signer parameters.
    const vectorUrl = new URL(vector.url);
    const method = vector.stringToSign.split("\n")[0] as "GET" | "POST";
    const query = Object.fromEntries([...vectorUrl.searchParams].filter(([key]) => !EHPC_SIGNER_PARAMETERS.has(key)));
    const body = vector.body ?? undefined;

    expect(formatEhpcTimestamp(ehpcDate)).toBe(ehpcVectors.timestamp);
    const signed = signEhpcRequest({ method, baseUrl: ehpcBaseUrl, path: vectorUrl.pathname, query, body }, ehpcCredentials, ehpcDate);

    expect(signed.stringToSign).toBe(vector.stringToSign);
    expect(signed.stringToSign.split("\n")[3]).toBe(vector.bodyMd5);
    expect(createHash("md5").update(body ?? "", "utf8").digest("hex")).toBe(vector.bodyMd5);
    expect(signed.signature).toBe(vector.signatureBase64);
    expect(signed.url).toBe(vector.url);
    expect(signed.url.endsWith(`&signature=${vector.signatureOnWire}`)).toBe(true);

    // The SDK body layout is exactly what ehpcJsonBody produces.
    if (vector.body !== null) expect(ehpcJsonBody(JSON.parse(vector.body))).toBe(vector.body);
  });
});

describe("QingCloud EHPC signing: behaviour", () => {
  const deleteJobs = (body: string) =>
    signEhpcRequest({ method: "POST", baseUrl: ehpcBaseUrl, path: "/api/job/deleteJobs", body }, ehpcCredentials, ehpcDate);

  it("changes the MD5 and the signature when the body changes", () => {
    const first = deleteJobs(ehpcJsonBody({ cluster_id: "ehpc-1", job_ids: ["hpcjob-a"], zone: "jn1a" }));
    const second = deleteJobs(ehpcJsonBody({ cluster_id: "ehpc-1", job_ids: ["hpcjob-b"], zone: "jn1a" }));
    expect(second.stringToSign.split("\n")[3]).not.toBe(first.stringToSign.split("\n")[3]);
    expect(second.signature).not.toBe(first.signature);
    expect(second.url).not.toBe(first.url);

    // Compact JSON (JSON.stringify) is a different body from the SDK's layout, so it signs differently.
    const compact = deleteJobs(JSON.stringify({ cluster_id: "ehpc-1", job_ids: ["hpcjob-a"], zone: "jn1a" }));
    expect(compact.signature).not.toBe(first.signature);
  });

  it("signs with HMAC-SHA256 of the string to sign, and puts it in the URL encoded twice", () => {
    const signed = signEhpcRequest(
      { method: "GET", baseUrl: ehpcBaseUrl, path: "/api/job/list", query: { zone: "jn1a" } },
      ehpcCredentials,
      ehpcDate,
    );
    expect(signed.signature).toBe(createHmac("sha256", ehpcCredentials.secretAccessKey).update(signed.stringToSign).digest("base64"));
    const onWire = signed.url.slice(signed.url.lastIndexOf("&signature=") + "&signature=".length);
    // The server decodes the query once and compares with the form-encoded base64.
    expect(decodeURIComponent(onWire)).toBe(encodeURIComponent(signed.signature));
  });

  it("encodes '/' and '+' in the signature as %252F and %252B", () => {
    // Walk the clock until signatures containing '/' and '+' turn up (deterministic: fixed inputs).
    let sawSlash = false;
    let sawPlus = false;
    for (let second = 0; second < 600 && !(sawSlash && sawPlus); second++) {
      const signed = signEhpcRequest(
        { method: "GET", baseUrl: ehpcBaseUrl, path: "/api/job/list", query: { zone: "jn1a" } },
        ehpcCredentials,
        new Date(ehpcDate.getTime() + second * 1000),
      );
      const onWire = signed.url.slice(signed.url.lastIndexOf("&signature=") + "&signature=".length);
      expect(onWire).toMatch(/^[A-Za-z0-9%]+$/);
      expect(onWire).toBe(signed.signature.replace(/\+/g, "%252B").replace(/\//g, "%252F").replace(/=/g, "%253D"));
      sawSlash ||= signed.signature.includes("/");
      sawPlus ||= signed.signature.includes("+");
    }
    expect(sawSlash && sawPlus).toBe(true);
  });

  it("encodes the query like Python's quote (space %20, '+' %2B, ':' %3A, '/' kept) in the signature and the URL alike", () => {
    const signed = signEhpcRequest(
      {
        method: "GET",
        baseUrl: ehpcBaseUrl,
        path: "/api/job/list",
        query: { zone: "jn1a", job_name: "a b+c:/~*!'()é😀&=", limit: 10, offset: 0 },
      },
      ehpcCredentials,
      ehpcDate,
    );
    const signedQuery = signed.stringToSign.split("\n")[2]!;
    // Expected from Python: urllib.parse.quote("a b+c:/~*!'()é😀&=", safe="/")
    expect(signedQuery).toContain("job_name=a%20b%2Bc%3A/~%2A%21%27%28%29%C3%A9%F0%9F%98%80%26%3D&limit=10&offset=0");
    const sentQuery = queryOf(signed.url);
    expect(sentQuery.startsWith(`${signedQuery}&signature=`)).toBe(true);
    expect(sentQuery).not.toContain("+");
    // And the server, decoding the URL, gets the original value back.
    expect(new URL(signed.url).searchParams.get("job_name")).toBe("a b+c:/~*!'()é😀&=");
  });

  it("drops empty and undefined parameters and sorts the rest", () => {
    const signed = signEhpcRequest(
      {
        method: "GET",
        baseUrl: ehpcBaseUrl,
        path: "/api/job/list",
        query: { zone: "jn1a", job_status: "", cluster_id: "ehpc-1", owner: undefined },
      },
      ehpcCredentials,
      ehpcDate,
    );
    expect(signed.stringToSign.split("\n")[2]).toBe(
      "access_key_id=QYACCESSKEYIDEXAMPLE&cluster_id=ehpc-1&signature_method=HmacSHA256&signature_version=1" +
        "&timestamp=2021-08-19T16%3A44%3A40Z&version=1&zone=jn1a",
    );
    expect(signed.url).not.toContain("job_status");
    expect(signed.url).not.toContain("owner");
  });

  it("adds the trailing slash to the signed URI only, and keeps a custom port and path prefix", () => {
    const signed = signEhpcRequest(
      { method: "GET", baseUrl: "http://127.0.0.1:8787/ehpc/", path: "/api/job/jobdetail/hpcjob-bp6rj09f" },
      ehpcCredentials,
      ehpcDate,
    );
    expect(signed.stringToSign.split("\n")[1]).toBe("/ehpc/api/job/jobdetail/hpcjob-bp6rj09f/");
    expect(signed.url.startsWith("http://127.0.0.1:8787/ehpc/api/job/jobdetail/hpcjob-bp6rj09f?")).toBe(true);
  });

  it("refuses signer-owned parameters, a GET body and unsafe paths", () => {
    const request = { method: "GET" as const, baseUrl: ehpcBaseUrl, path: "/api/job/list" };
    expect(() => signEhpcRequest({ ...request, query: { timestamp: "x" } }, ehpcCredentials, ehpcDate)).toThrow(/set by the signer/);
    expect(() => signEhpcRequest({ ...request, query: { signature: "x" } }, ehpcCredentials, ehpcDate)).toThrow(/set by the signer/);
    expect(() => signEhpcRequest({ ...request, body: "{}" }, ehpcCredentials, ehpcDate)).toThrow(/GET/);
    expect(() => signEhpcRequest({ ...request, path: "/api/job/a b" }, ehpcCredentials, ehpcDate)).toThrow(/path/);
    expect(() => signEhpcRequest({ ...request, query: { limit: Number.NaN } }, ehpcCredentials, ehpcDate)).toThrow(/finite/);
  });

  it("formats the timestamp in UTC without milliseconds", () => {
    expect(formatEhpcTimestamp(new Date(Date.UTC(2021, 7, 19, 16, 44, 40, 987)))).toBe("2021-08-19T16:44:40Z");
    expect(() => formatEhpcTimestamp(new Date("nope"))).toThrow(/valid Date/);
  });

  it("never puts the secret access key in an error message or stack", () => {
    const secret = ehpcCredentials.secretAccessKey;
    const failures = [
      errorThrownBy(() => signEhpcRequest({ method: "GET", baseUrl: "not a url", path: "/api/job/list" }, ehpcCredentials, ehpcDate)),
      errorThrownBy(() =>
        signEhpcRequest({ method: "GET", baseUrl: `https://[${secret}]`, path: "/api/job/list" }, ehpcCredentials, ehpcDate),
      ),
      errorThrownBy(() => signEhpcRequest({ method: "GET", baseUrl: ehpcBaseUrl, path: `/api/${secret} x` }, ehpcCredentials, ehpcDate)),
      errorThrownBy(() =>
        signEhpcRequest({ method: "GET", baseUrl: `${ehpcBaseUrl}?k=${secret}`, path: "/api/job/list" }, ehpcCredentials, ehpcDate),
      ),
      errorThrownBy(() => signEhpcRequest({ method: "GET", baseUrl: ehpcBaseUrl, path: "/api/job/list" }, ehpcCredentials, new Date(Number.NaN))),
    ];
    expect(failures[0]!.message).toMatch(/not a valid absolute URL/);
    expect(failures[1]!.message).toMatch(/not a valid absolute URL/);
    for (const failure of failures) {
      expect(failure.message).not.toContain(secret);
      expect(String(failure.stack)).not.toContain(secret);
    }
    expect(() =>
      signEhpcRequest({ method: "GET", baseUrl: ehpcBaseUrl, path: "/api/job/list" }, { accessKeyId: "AK", secretAccessKey: "" }, ehpcDate),
    ).toThrow(/secret access key/);
  });
});

describe("ehpcJsonBody: Python json.dumps(value, sort_keys=True)", () => {
  // Every expected string below was produced by CPython 3.11's json.dumps(value, sort_keys=True).
  it("sorts keys at every depth and uses Python's separators", () => {
    expect(ehpcJsonBody({ b: [1, { z: null, a: true }], a: "x", c: {}, d: [], e: false })).toBe(
      '{"a": "x", "b": [1, {"a": true, "z": null}], "c": {}, "d": [], "e": false}',
    );
    expect(ehpcJsonBody({ zone: "jn1a", job_ids: ["hpcjob-bp6rj09f"], cluster_id: "ehpc-8jqdq0mz" })).toBe(
      '{"cluster_id": "ehpc-8jqdq0mz", "job_ids": ["hpcjob-bp6rj09f"], "zone": "jn1a"}',
    );
  });

  it("escapes non-ASCII as lowercase \\uXXXX, emoji as surrogate pairs, in values and keys", () => {
    expect(ehpcJsonBody({ a: "中文😀", é: false })).toBe('{"a": "\\u4e2d\\u6587\\ud83d\\ude00", "\\u00e9": false}');
    expect(ehpcJsonBody(["Ünïcödé", "\u2028"])).toBe('["\\u00dcn\\u00efc\\u00f6d\\u00e9", "\\u2028"]');
  });

  it("escapes quotes, backslashes and control characters like Python, and leaves '/' alone", () => {
    expect(ehpcJsonBody({ s: 'quote" back\\ nl\n tab\t cr\r bs\b ff\f ctl\x01 del\x7f slash/ ~' })).toBe(
      '{"s": "quote\\" back\\\\ nl\\n tab\\t cr\\r bs\\b ff\\f ctl\\u0001 del\\u007f slash/ ~"}',
    );
  });

  it("orders keys by code point, not UTF-16 code unit", () => {
    expect(ehpcJsonBody({ "\ue000": 1, "😀": 2, z: 3, A: 4 })).toBe('{"A": 4, "z": 3, "\\ue000": 1, "\\ud83d\\ude00": 2}');
  });

  it("writes integers as Python ints and other numbers as Python's float repr", () => {
    expect(ehpcJsonBody({ f: [0.1, 1.5, 0.0001, 0.00001, 1.5e-7, 123.456, -2.5e-5, 1e-7], i: [0, -3, 1e21, 2 ** 53 + 2] })).toBe(
      '{"f": [0.1, 1.5, 0.0001, 1e-05, 1.5e-07, 123.456, -2.5e-05, 1e-07], "i": [0, -3, 1000000000000000000000, 9007199254740994]}',
    );
    expect(ehpcJsonBody(12345678901234567890n)).toBe("12345678901234567890");
  });

  it("leaves out undefined properties, writes undefined array items as null, and refuses what JSON cannot carry", () => {
    expect(ehpcJsonBody({ a: undefined, b: [undefined, 1] })).toBe('{"b": [null, 1]}');
    expect(() => ehpcJsonBody({ n: Number.POSITIVE_INFINITY })).toThrow(/Infinity/);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => ehpcJsonBody(cyclic)).toThrow(/refers back to itself/);
    expect(() => ehpcJsonBody(undefined)).toThrow(/undefined/);
  });
});
