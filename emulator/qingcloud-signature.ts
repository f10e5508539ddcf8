/**
 * QingCloud EHPC's request signature, verified the way the server does it, as docs/apis.md ("QingCloud EHPC",
 * signing) describes it, and checked against `testdata/qingcloud-ehpc-signing-vectors.json`. An independent implementation:
 * nothing here comes from `provider/`.
 *
 * The server url-decodes the query once (so `+` becomes a space and `%253D` becomes `%3D`), rebuilds
 *   METHOD \n path-with-trailing-slash \n canonical query \n md5hex(body)
 * from the decoded parameters (all but `signature`, empty values dropped, sorted, quoted leaving `A-Za-z0-9_.-~/`),
 * computes base64(HMAC-SHA256(secret, that)) and compares its FORM-ENCODED form (`=` → `%3D`, `+` → `%2B`,
 * `/` → `%2F`) with the once-decoded `signature`. So a signature URL-encoded only once, or not at all, is refused.
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";

export interface QingCloudCredential {
  accessKeyId: string;
  secretAccessKey: string;
}

/** The server refuses a `timestamp` more than this far from its clock, either way (ret_code 1300). */
export const MAX_EHPC_TIMESTAMP_SKEW_MS = 60_000;
export const EHPC_SIGNATURE_METHOD = "HmacSHA256";
const COMMON_PARAMETERS = ["access_key_id", "signature_method", "signature_version", "version", "timestamp", "signature"] as const;
const TIMESTAMP_PATTERN = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z$/;

/** A request as the server received it: `url` is the path and query exactly as sent. */
export interface ReceivedEhpcRequest {
  method: string;
  url: string;
  body: string | Buffer;
}

export type EhpcSignatureVerdict =
  | { valid: true; accessKeyId: string }
  | { valid: false; retCode: 1100 | 1101 | 1200 | 1300; message: string };

/** Python's `quote(text, safe="/~")`-style escaping: leaves `A-Z a-z 0-9 _ . - ~ /`, UTF-8, uppercase hex. */
export function ehpcQuote(text: string): string {
  let out = "";
  for (const byte of Buffer.from(text, "utf8")) {
    const char = String.fromCharCode(byte);
    out += /[A-Za-z0-9_.\-~/]/.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** The base64 signature as the server expects to find it after decoding the query once (form-encoded). */
export function ehpcFormEncode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Decoded parameters (all but `signature`, empty values dropped), sorted by key, quoted, joined with `&`. */
export function ehpcCanonicalQuery(parameters: Iterable<readonly [string, string]>): string {
  return [...parameters]
    .filter(([key, value]) => key !== "signature" && value !== "")
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => `${ehpcQuote(key)}=${ehpcQuote(value)}`)
    .join("&");
}

/** The path as the signature covers it: decoded, quoted, with a trailing `/`. */
export function ehpcCanonicalUri(path: string): string {
  const quoted = ehpcQuote(decodeLeniently(path));
  return quoted.endsWith("/") ? quoted : `${quoted}/`;
}

export function ehpcStringToSign(method: string, path: string, parameters: Iterable<readonly [string, string]>, body: string | Buffer): string {
  const md5 = createHash("md5").update(body).digest("hex");
  return `${method.toUpperCase()}\n${ehpcCanonicalUri(path)}\n${ehpcCanonicalQuery(parameters)}\n${md5}`;
}

export function ehpcSignature(stringToSign: string, secretAccessKey: string): string {
  return createHmac("sha256", secretAccessKey).update(stringToSign, "utf8").digest("base64");
}

/** `YYYY-MM-DDThh:mm:ssZ` (UTC, whole seconds). */
export function formatEhpcTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

function parseEhpcTimestamp(text: string): number | undefined {
  const match = TIMESTAMP_PATTERN.exec(text);
  if (!match) return undefined;
  const [y, mo, d, h, mi, s] = match.slice(1).map(Number) as [number, number, number, number, number, number];
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  // Reject what Date.UTC would silently roll over (2021-02-30, 25:00:00).
  return formatEhpcTimestamp(ms) === text ? ms : undefined;
}

function decodeLeniently(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * Checks the common parameters and the signature of a received EHPC request, with `nowMs` as the server clock.
 * Order: a repeated parameter or a missing/unsupported common parameter (1100/1101), the timestamp window (1300),
 * the access key (1200), the signature (1200).
 */
export function verifyEhpcSignature(
  request: ReceivedEhpcRequest,
  lookup: (accessKeyId: string) => QingCloudCredential | undefined,
  nowMs: number,
): EhpcSignatureVerdict {
  const queryStart = request.url.indexOf("?");
  const path = queryStart === -1 ? request.url : request.url.slice(0, queryStart);
  // URLSearchParams decodes once, `+` as a space: exactly what the server does.
  const parameters = [...new URLSearchParams(queryStart === -1 ? "" : request.url.slice(queryStart + 1))];
  const seen = new Set<string>();
  for (const [key] of parameters) {
    if (seen.has(key)) return { valid: false, retCode: 1100, message: `InvalidParameter, parameter [${key}] is given more than once` };
    seen.add(key);
  }
  const value = (key: string) => parameters.find(([name]) => name === key)?.[1];
  for (const key of COMMON_PARAMETERS) {
    if (!value(key)) return { valid: false, retCode: 1101, message: `MissingParameter, parameter [${key}] is required` };
  }
  const invalid = (key: string, expected: string) =>
    ({ valid: false, retCode: 1100, message: `InvalidParameter, parameter [${key}] should be ${expected}, got [${value(key)}]` }) as const;
  if (value("signature_method") !== EHPC_SIGNATURE_METHOD) return invalid("signature_method", EHPC_SIGNATURE_METHOD);
  if (value("signature_version") !== "1") return invalid("signature_version", "1");
  if (value("version") !== "1") return invalid("version", "1");
  const timestamp = parseEhpcTimestamp(value("timestamp")!);
  if (timestamp === undefined) return invalid("timestamp", "a UTC time YYYY-MM-DDThh:mm:ssZ");
  if (Math.abs(nowMs - timestamp) > MAX_EHPC_TIMESTAMP_SKEW_MS) {
    return {
      valid: false,
      retCode: 1300,
      message: `RequestExpired, the request timestamp [${value("timestamp")}] is more than ${MAX_EHPC_TIMESTAMP_SKEW_MS / 1000}s from the server time [${formatEhpcTimestamp(nowMs)}]`,
    };
  }
  const accessKeyId = value("access_key_id")!;
  const credential = lookup(accessKeyId);
  if (!credential) return { valid: false, retCode: 1200, message: `AuthFailure, access key [${accessKeyId}] does not exist` };
  const stringToSign = ehpcStringToSign(request.method, path, parameters, request.body);
  const expected = Buffer.from(ehpcFormEncode(ehpcSignature(stringToSign, credential.secretAccessKey)));
  const received = Buffer.from(value("signature")!);
  if (expected.length !== received.length || !timingSafeEqual(expected, received)) {
    return { valid: false, retCode: 1200, message: `AuthFailure, signature not matched, string to sign: ${JSON.stringify(stringToSign)}` };
  }
  return { valid: true, accessKeyId };
}

export interface EhpcTestRequest {
  method: "GET" | "POST";
  /** e.g. `/api/job/list` (no trailing slash). */
  path: string;
  /** Operation parameters (`cluster_id`, `zone` for GET, …); the common ones are added. Empty values are left out. */
  parameters?: Record<string, string | number>;
  body?: string;
}

/**
 * Signs a request for tests: returns the path and query to send (the canonical query, then `signature` URL-encoded
 * twice), the string to sign and the base64 signature. Deliberately simple; the provider has its own signer.
 */
export function signEhpcTestRequest(
  request: EhpcTestRequest,
  credential: QingCloudCredential,
  nowMs: number,
): { url: string; stringToSign: string; signature: string } {
  const parameters: [string, string][] = Object.entries(request.parameters ?? {}).map(([key, value]) => [key, String(value)]);
  parameters.push(
    ["access_key_id", credential.accessKeyId],
    ["signature_method", EHPC_SIGNATURE_METHOD],
    ["signature_version", "1"],
    ["version", "1"],
    ["timestamp", formatEhpcTimestamp(nowMs)],
  );
  const stringToSign = ehpcStringToSign(request.method, request.path, parameters, request.body ?? "");
  const signature = ehpcSignature(stringToSign, credential.secretAccessKey);
  const url = `${request.path}?${ehpcCanonicalQuery(parameters)}&signature=${encodeURIComponent(ehpcFormEncode(signature))}`;
  return { url, stringToSign, signature };
}
