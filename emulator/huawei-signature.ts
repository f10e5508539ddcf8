/**
 * Huawei Cloud SDK-HMAC-SHA256, written independently of provider/auth so each checks the other.
 * Algorithm: https://support.huaweicloud.com/intl/en-us/devg-apisign/api-sign-algorithm-002.html (and -003, -005);
 * `testdata/huawei-signing-vectors.json` holds requests signed by Huawei's own Node SDK.
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";

export const HUAWEI_SIGNING_ALGORITHM = "SDK-HMAC-SHA256";
/** The gateway rejects an X-Sdk-Date further than this from its clock, in either direction. */
export const MAX_SIGNATURE_CLOCK_SKEW_MS = 15 * 60 * 1000;

/** A request as received: `url` is the path and query exactly as sent (still percent-encoded). */
export interface ReceivedRequest {
  method: string;
  url: string;
  /** Header names in any case; repeated values may be given as an array (joined with ", " as Node does). */
  headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  body: Buffer | string;
}

export interface HuaweiCredential {
  accessKey: string;
  secretKey: string;
  /** Temporary (STS) credentials: requests must carry and sign this as X-Security-Token. */
  securityToken?: string;
}

export type SignatureVerdict =
  | { valid: true; accessKey: string }
  | {
      valid: false;
      /** APIG.0301 for anything wrong with the credential or signature, APIG.0303 for an expired X-Sdk-Date. */
      errorCode: "APIG.0301" | "APIG.0303";
      message: string;
    };

/** Builds the six-line canonical request; `signedHeaders` are lowercase names in the order they are signed. */
export function canonicalRequest(request: ReceivedRequest, signedHeaders: readonly string[]): string {
  const headers = lowercaseHeaders(request.headers);
  const queryStart = request.url.indexOf("?");
  const rawPath = queryStart === -1 ? request.url : request.url.slice(0, queryStart);
  const rawQuery = queryStart === -1 ? "" : request.url.slice(queryStart + 1);
  return [
    request.method.toUpperCase(),
    canonicalUri(rawPath),
    canonicalQuery(rawQuery),
    signedHeaders.map((name) => `${name}:${(headers[name] ?? "").trim()}\n`).join(""),
    signedHeaders.join(";"),
    sha256Hex(request.body),
  ].join("\n");
}

export function stringToSign(canonical: string, sdkDate: string): string {
  return `${HUAWEI_SIGNING_ALGORITHM}\n${sdkDate}\n${sha256Hex(canonical)}`;
}

/**
 * Checks a received request's Authorization header the way the API gateway does.
 * `lookupCredential` finds the SK for an AK; `nowMs` is the gateway's clock.
 */
export function verifyHuaweiSignature(
  request: ReceivedRequest,
  lookupCredential: (accessKey: string) => HuaweiCredential | undefined,
  nowMs: number,
): SignatureVerdict {
  const headers = lowercaseHeaders(request.headers);
  const authorization = parseAuthorization(headers.authorization ?? "");
  if (!authorization) {
    return iamFailure(`Authorization header is not "${HUAWEI_SIGNING_ALGORITHM} Access=..., SignedHeaders=..., Signature=..."`);
  }
  const credential = lookupCredential(authorization.accessKey);
  if (!credential) return iamFailure(`Get secretKey failed,ak:${authorization.accessKey},err:ak not exist`);

  const { signedHeaders } = authorization;
  if (!signedHeaders.includes("x-sdk-date")) return iamFailure("verify aksk signature fail, x-sdk-date is not a signed header");
  const sdkDate = headers["x-sdk-date"] ?? "";
  const signedAt = parseSdkDate(sdkDate);
  if (signedAt === undefined) return iamFailure(`verify aksk signature fail, x-sdk-date "${sdkDate}" is not YYYYMMDDTHHMMSSZ`);
  if (Math.abs(nowMs - signedAt) > MAX_SIGNATURE_CLOCK_SKEW_MS) {
    return {
      valid: false,
      errorCode: "APIG.0303",
      message: `Incorrect app authentication information: signature expired, signature time:${sdkDate},server time:${formatSdkDate(nowMs)}`,
    };
  }
  const missing = signedHeaders.filter((name) => headers[name] === undefined);
  if (missing.length > 0) return iamFailure(`verify aksk signature fail, signed headers not sent: ${missing.join(", ")}`);

  const canonical = canonicalRequest(request, signedHeaders);
  const expected = createHmac("sha256", credential.secretKey).update(stringToSign(canonical, sdkDate)).digest();
  const received = /^[0-9a-f]{64}$/i.test(authorization.signature) ? Buffer.from(authorization.signature, "hex") : Buffer.alloc(0);
  if (received.length !== expected.length || !timingSafeEqual(received, expected)) {
    // Like the real gateway, show the canonical request (newlines as "|") so a client's signer can be debugged.
    return iamFailure(`verify aksk signature fail, canonicalRequest:${canonical.replaceAll("\n", "|")}`);
  }

  const sentToken = headers["x-security-token"];
  if (credential.securityToken !== undefined) {
    if (sentToken === undefined || !signedHeaders.includes("x-security-token")) {
      return iamFailure("verify aksk signature fail, temporary credentials need a signed X-Security-Token");
    }
    if (sentToken !== credential.securityToken) return iamFailure("verify securitytoken fail, the security token is invalid");
  } else if (sentToken !== undefined) {
    return iamFailure("verify securitytoken fail, X-Security-Token sent with a permanent access key");
  }
  return { valid: true, accessKey: credential.accessKey };
}

/**
 * Signs a request (returns the headers to add: X-Sdk-Date and Authorization). For tests and tools that talk to
 * the emulator directly; the provider has its own signer. Signs `x-sdk-date` and every header given (so pass
 * `host` to sign it, as Huawei's SDK does).
 */
export function signHuaweiRequest(
  request: ReceivedRequest,
  credential: HuaweiCredential,
  dateMs: number,
): { "X-Sdk-Date": string; Authorization: string; "X-Security-Token"?: string } {
  const sdkDate = formatSdkDate(dateMs);
  const headers: Record<string, string | readonly string[] | undefined> = { ...lowercaseHeaders(request.headers), "x-sdk-date": sdkDate };
  if (credential.securityToken !== undefined) headers["x-security-token"] = credential.securityToken;
  const signedHeaders = Object.keys(headers).filter((name) => headers[name] !== undefined).sort();
  const canonical = canonicalRequest({ ...request, headers }, signedHeaders);
  const signature = createHmac("sha256", credential.secretKey).update(stringToSign(canonical, sdkDate)).digest("hex");
  const authorization = `${HUAWEI_SIGNING_ALGORITHM} Access=${credential.accessKey}, SignedHeaders=${signedHeaders.join(";")}, Signature=${signature}`;
  return credential.securityToken === undefined
    ? { "X-Sdk-Date": sdkDate, Authorization: authorization }
    : { "X-Sdk-Date": sdkDate, Authorization: authorization, "X-Security-Token": credential.securityToken };
}

/** `20240115T083000Z` for the given time. */
export function formatSdkDate(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
}

/** Milliseconds since epoch, or undefined when the text is not exactly `YYYYMMDDTHHMMSSZ`. */
export function parseSdkDate(text: string): number | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [number, number, number, number, number, number];
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  // Date.UTC rolls over out-of-range fields (month 13); a real date formats back to the same text.
  return formatSdkDate(ms) === text ? ms : undefined;
}

function iamFailure(detail: string): SignatureVerdict {
  return { valid: false, errorCode: "APIG.0301", message: `Incorrect IAM authentication information: ${detail}` };
}

function parseAuthorization(header: string): { accessKey: string; signedHeaders: string[]; signature: string } | undefined {
  const match = /^SDK-HMAC-SHA256\s+Access=([^,\s]+)\s*,\s*SignedHeaders=([^,\s]+)\s*,\s*Signature=([^,\s]+)\s*$/.exec(header.trim());
  if (!match) return undefined;
  const [, accessKey, signedHeaders, signature] = match as unknown as [string, string, string, string];
  return { accessKey, signedHeaders: signedHeaders.split(";").map((name) => name.toLowerCase()), signature };
}

function lowercaseHeaders(headers: ReceivedRequest["headers"]): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    result[name.toLowerCase()] = typeof value === "string" ? value : value.join(", ");
  }
  return result;
}

/** Each segment decoded then re-encoded canonically, always ending in "/" (the URL sent has no trailing slash). */
function canonicalUri(rawPath: string): string {
  const encoded = rawPath
    .split("/")
    .map((segment) => encodeRfc3986(decodeLeniently(segment)))
    .join("/");
  return encoded.endsWith("/") ? encoded : `${encoded}/`;
}

/** Keys sorted, repeated keys' values sorted, both sides encoded; "+" in the URL means a space, as in forms. */
function canonicalQuery(rawQuery: string): string {
  if (rawQuery === "") return "";
  const pairs = [...new URLSearchParams(rawQuery)].map(([key, value]) => [encodeRfc3986(key), encodeRfc3986(value)] as const);
  pairs.sort(([keyA, valueA], [keyB, valueB]) => compareStrings(keyA, keyB) || compareStrings(valueA, valueB));
  return pairs.map(([key, value]) => `${key}=${value}`).join("&");
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Percent-encodes everything except A-Z a-z 0-9 - . _ ~ (UTF-8, uppercase hex). */
function encodeRfc3986(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
}

function decodeLeniently(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment; // a stray "%" is signed as sent
  }
}

function sha256Hex(data: Buffer | string): string {
  return createHash("sha256").update(data).digest("hex");
}
