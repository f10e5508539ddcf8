/**
 * The provider's Huawei Cloud SDK-HMAC-SHA256 signer: every reference vector (Huawei's SDK and its documentation
 * example, from emulator/testdata), then its behaviour request by request.
 */
import { describe, it, expect } from "vitest";
import { createHash, createHmac } from "node:crypto";
import { type HuaweiVectorFile, loadVectors } from "./helpers/signing-vectors";
import { thrownBy } from "./helpers/thrown";
import {
  canonicalRequest,
  formatSdkDate,
  parseAuthorizationHeader,
  signHuaweiRequest,
  stringToSign,
  type HuaweiCredentials,
} from "../provider/auth/huawei-signer";

/** The error `run` throws; fails the test when it throws nothing. */
const errorThrownBy = (run: () => unknown) => thrownBy(run, Error);

function sha256Hex(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

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
