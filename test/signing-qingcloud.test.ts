/**
 * The provider's QingCloud EHPC signer: every reference vector (emulator/testdata), its behaviour request by request,
 * and the body layout it signs (Python's json.dumps with sorted keys, as QingCloud's SDK writes it).
 */
import { describe, it, expect } from "vitest";
import { createHash, createHmac } from "node:crypto";
import { type EhpcVectorFile, loadVectors } from "./helpers/signing-vectors";
import { thrownBy } from "./helpers/thrown";
import {
  ehpcJsonBody,
  formatEhpcTimestamp,
  signEhpcRequest,
  type QingCloudCredentials,
} from "../provider/auth/qingcloud-signer";

/** The error `run` throws; fails the test when it throws nothing. */
const errorThrownBy = (run: () => unknown) => thrownBy(run, Error);

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
