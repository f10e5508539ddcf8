/**
 * Huawei Cloud API Gateway AK/SK signing (`SDK-HMAC-SHA256`), as pure functions.
 *
 * Algorithm: https://support.huaweicloud.com/intl/en-us/devg-apisign/api-sign-algorithm-002.html
 * (canonical request), -003 (string to sign), -004 (signature) and -005 (Authorization header).
 * The signing tests' vectors were produced by Huawei's own
 * Node SDK signer (`@huaweicloud/huaweicloud-sdk-core`, `core/auth/AKSKSigner.ts`); this module reproduces
 * all of them. Where that SDK and the documented algorithm disagree (it encodes path segments with
 * `encodeURIComponent`, leaving `!'()*` bare and re-encoding `%`), we follow the documented algorithm,
 * which is also what Huawei's Go signer does.
 */

import { createHash, createHmac } from "node:crypto";
import { CredentialsError, InvalidInputError } from "../errors";
import { withSecretRedacted } from "./redact";

export interface HuaweiCredentials {
  accessKey: string;
  secretKey: string;
  /** Present for temporary (STS) credentials; sent and signed as `X-Security-Token`. */
  securityToken?: string;
}

export interface SignableRequest {
  method: string;
  /** Full URL as it will be sent. The query is read from here; repeated keys are allowed. */
  url: string | URL;
  headers?: Record<string, string>;
  /** The exact bytes that will be sent (a string is sent, and hashed, as UTF-8). */
  body?: string | Uint8Array;
}

export interface ParsedAuthorizationHeader {
  accessKey: string;
  signedHeaders: string[];
  signature: string;
}

const SIGNING_ALGORITHM = "SDK-HMAC-SHA256";

// Headers the signer owns: a caller's copy (say, the output of an earlier signing being re-signed for a
// retry) is replaced rather than sent twice under two spellings.
const SDK_DATE_HEADER = "X-Sdk-Date";
const SECURITY_TOKEN_HEADER = "X-Security-Token";
const AUTHORIZATION_HEADER = "Authorization";
const HOST_HEADER = "host";

// RFC 7230 token: what a header name or a method may consist of.
const HTTP_TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// A header value must not be able to add lines to the canonical request (or to the HTTP message).
const HEADER_VALUE_BREAKERS = /[\r\n\0]/;

const SDK_DATE_FORMAT = /^\d{8}T\d{6}Z$/;

/** `YYYYMMDDTHHMMSSZ` in UTC, the `X-Sdk-Date` format (the gateway rejects dates more than 15 minutes off). */
export function formatSdkDate(date: Date): string {
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) {
    throw new InvalidInputError("cannot sign a Huawei Cloud request: the signing date is not a valid Date");
  }
  // toISOString is always UTC: 2024-01-15T08:30:00.000Z -> 20240115T083000Z.
  return date.toISOString().replace(/\.\d{3}Z$/, "Z").replace(/[-:]/g, "");
}

/**
 * The six-line canonical request: method, canonical URI, canonical query, canonical headers block,
 * signed header names, payload hash. `req.headers` must already hold every header named in
 * `signedHeaderNames` (looked up case-insensitively), including `host` and `x-sdk-date`.
 */
export function canonicalRequest(
  req: SignableRequest & { headers: Record<string, string> },
  signedHeaderNames: string[],
): string {
  const url = parseRequestUrl(req.url);
  const headerValues = headerValuesByLowercaseName(req.headers);
  const names = normalizeSignedHeaderNames(signedHeaderNames);

  // Each header is `name:value\n`, so the block ends with a newline and a blank line precedes the names.
  const canonicalHeaders = names
    .map((name) => {
      const value = headerValues.get(name);
      if (value === undefined) {
        throw new InvalidInputError(`cannot sign a Huawei Cloud request: signed header "${name}" is not among the request headers`);
      }
      return `${name}:${value.trim()}\n`;
    })
    .join("");

  return [
    normalizeMethod(req.method),
    canonicalUri(url.pathname),
    canonicalQuery(url.searchParams),
    canonicalHeaders,
    names.join(";"),
    sha256Hex(req.body ?? ""),
  ].join("\n");
}

/** `SDK-HMAC-SHA256\n<X-Sdk-Date>\n<hex SHA-256 of the canonical request>`. */
export function stringToSign(sdkDate: string, canonicalRequestText: string): string {
  if (!SDK_DATE_FORMAT.test(sdkDate)) {
    throw new InvalidInputError(`cannot sign a Huawei Cloud request: "${sdkDate}" is not an X-Sdk-Date (YYYYMMDDTHHMMSSZ)`);
  }
  return `${SIGNING_ALGORITHM}\n${sdkDate}\n${sha256Hex(canonicalRequestText)}`;
}

/**
 * Signs a request and returns the complete header set to send with it: the caller's headers, `host`,
 * `X-Sdk-Date`, `X-Security-Token` (temporary credentials) and `Authorization`.
 *
 * Like Huawei's SDK, every header in that set except `Authorization` is signed (lowercase names, sorted),
 * so nothing in it may be changed after signing. The URL and body must be sent exactly as given; query
 * parameters with empty values are left out of the signature, so do not send any.
 */
export function signHuaweiRequest(
  req: SignableRequest,
  creds: HuaweiCredentials,
  now: Date = new Date(),
): Record<string, string> {
  return withSecretRedacted(creds?.secretKey, () => {
    validateCredentials(creds);
    const url = parseRequestUrl(req.url);
    const sdkDate = formatSdkDate(now);

    const headersToSend: Record<string, string> = {};
    // URL.host already omits the scheme's default port, which is what the gateway compares with.
    let host = url.host;
    let callerSecurityToken: string | undefined;
    const seenNames = new Set<string>();
    for (const [name, value] of Object.entries(req.headers ?? {})) {
      const lowercaseName = validateHeader(name, value);
      if (seenNames.has(lowercaseName)) {
        throw new InvalidInputError(`cannot sign a Huawei Cloud request: header "${lowercaseName}" is given twice`);
      }
      seenNames.add(lowercaseName);
      if (lowercaseName === HOST_HEADER) {
        // An explicit Host (a gateway reached by IP, an emulator) wins, as in Huawei's SDK.
        host = value.trim();
      } else if (lowercaseName === SECURITY_TOKEN_HEADER.toLowerCase()) {
        callerSecurityToken = value.trim();
      } else if (lowercaseName !== SDK_DATE_HEADER.toLowerCase() && lowercaseName !== AUTHORIZATION_HEADER.toLowerCase()) {
        headersToSend[name] = value.trim();
      }
    }

    headersToSend[HOST_HEADER] = host;
    headersToSend[SDK_DATE_HEADER] = sdkDate;
    const securityToken = creds.securityToken ?? callerSecurityToken;
    if (securityToken !== undefined && securityToken !== "") {
      validateHeader(SECURITY_TOKEN_HEADER, securityToken);
      headersToSend[SECURITY_TOKEN_HEADER] = securityToken;
    }

    const signedHeaderNames = normalizeSignedHeaderNames(Object.keys(headersToSend));
    const canonical = canonicalRequest(
      { method: req.method, url, headers: headersToSend, body: req.body },
      signedHeaderNames,
    );
    const signature = createHmac("sha256", creds.secretKey).update(stringToSign(sdkDate, canonical), "utf8").digest("hex");

    headersToSend[AUTHORIZATION_HEADER] =
      `${SIGNING_ALGORITHM} Access=${creds.accessKey}, ` +
      `SignedHeaders=${signedHeaderNames.join(";")}, Signature=${signature}`;
    return headersToSend;
  });
}

/** Splits `SDK-HMAC-SHA256 Access=<AK>, SignedHeaders=<a;b>, Signature=<hex>`; undefined when it is not one. */
export function parseAuthorizationHeader(value: string): ParsedAuthorizationHeader | undefined {
  const prefix = `${SIGNING_ALGORITHM} `;
  if (typeof value !== "string" || !value.startsWith(prefix)) return undefined;

  const fields = new Map<string, string>();
  for (const part of value.slice(prefix.length).split(",")) {
    const separator = part.indexOf("=");
    if (separator <= 0) return undefined;
    const key = part.slice(0, separator).trim();
    if (fields.has(key)) return undefined;
    fields.set(key, part.slice(separator + 1).trim());
  }

  const accessKey = fields.get("Access");
  const signedHeaders = fields.get("SignedHeaders");
  const signature = fields.get("Signature");
  if (fields.size !== 3 || !accessKey || !signedHeaders || !signature) return undefined;
  if (!/^[0-9a-f]{64}$/.test(signature)) return undefined;
  const names = signedHeaders.split(";");
  if (names.some((name) => !HTTP_TOKEN.test(name))) return undefined;
  return { accessKey, signedHeaders: names, signature };
}

// Canonical URI: each segment decoded, then percent-encoded as RFC 3986 unreserved-only, and the
// whole always ending in "/" (the URL actually sent keeps its own form).
function canonicalUri(encodedPath: string): string {
  const segments = encodedPath.split("/").map((segment) => {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      throw new InvalidInputError("cannot sign a Huawei Cloud request: the URL path has malformed percent-encoding");
    }
    return percentEncode(decoded);
  });
  const path = segments.join("/");
  return path.endsWith("/") ? path : `${path}/`;
}

// Canonical query: keys sorted, a repeated key's values sorted, both sides encoded, empty values left out.
// URLSearchParams reads `+` as a space, as the gateway does (the vectors send `name=a+b*` for "a b*").
function canonicalQuery(searchParams: URLSearchParams): string {
  const valuesByKey = new Map<string, string[]>();
  for (const [key, value] of searchParams) {
    if (value === "") continue;
    const values = valuesByKey.get(key);
    if (values) values.push(value);
    else valuesByKey.set(key, [value]);
  }
  return [...valuesByKey.keys()]
    .sort()
    .flatMap((key) =>
      valuesByKey
        .get(key)!
        .sort()
        .map((value) => `${percentEncode(key)}=${percentEncode(value)}`),
    )
    .join("&");
}

// Everything but A-Z a-z 0-9 - . _ ~ is encoded (UTF-8, uppercase hex). encodeURIComponent leaves
// !'()* alone, so those are finished here.
function percentEncode(text: string): string {
  let encoded: string;
  try {
    encoded = encodeURIComponent(text);
  } catch {
    throw new InvalidInputError("cannot sign a Huawei Cloud request: the URL holds text that is not valid Unicode");
  }
  return encoded.replace(/[!'()*]/g, (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`);
}

function parseRequestUrl(url: string | URL): URL {
  let parsed: URL;
  try {
    parsed = new URL(url instanceof URL ? url.href : url);
  } catch {
    // Node's own error keeps the raw input on `.input`; ours carries no copy of it.
    throw new InvalidInputError(`cannot sign a Huawei Cloud request: "${String(url)}" is not a valid absolute URL`);
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") {
    throw new InvalidInputError(`cannot sign a Huawei Cloud request: URL scheme "${parsed.protocol}" is not http or https`);
  }
  return parsed;
}

function normalizeMethod(method: string): string {
  if (typeof method !== "string" || !HTTP_TOKEN.test(method)) {
    throw new InvalidInputError("cannot sign a Huawei Cloud request: the HTTP method is missing or malformed");
  }
  // fetch uppercases the standard methods before sending, so the signature must use the uppercase form.
  return method.toUpperCase();
}

function normalizeSignedHeaderNames(names: string[]): string[] {
  const lowercase = new Set(names.map((name) => name.toLowerCase()));
  if (lowercase.size === 0) {
    throw new InvalidInputError("cannot sign a Huawei Cloud request: no headers to sign (x-sdk-date is mandatory)");
  }
  return [...lowercase].sort();
}

function headerValuesByLowercaseName(headers: Record<string, string>): Map<string, string> {
  const values = new Map<string, string>();
  for (const [name, value] of Object.entries(headers)) {
    const lowercaseName = validateHeader(name, value);
    if (values.has(lowercaseName)) {
      throw new InvalidInputError(`cannot sign a Huawei Cloud request: header "${lowercaseName}" is given twice`);
    }
    values.set(lowercaseName, value);
  }
  return values;
}

/** Returns the lowercase name. The value is never quoted in errors: it may be a token. */
function validateHeader(name: string, value: unknown): string {
  if (!HTTP_TOKEN.test(name)) {
    throw new InvalidInputError(`cannot sign a Huawei Cloud request: "${name}" is not a valid header name`);
  }
  if (typeof value !== "string" || HEADER_VALUE_BREAKERS.test(value)) {
    throw new InvalidInputError(`cannot sign a Huawei Cloud request: header "${name}" has a value that is not a single-line string`);
  }
  return name.toLowerCase();
}

function validateCredentials(creds: HuaweiCredentials): void {
  if (typeof creds !== "object" || creds === null) {
    throw new CredentialsError("cannot sign a Huawei Cloud request: no credentials were given");
  }
  if (typeof creds.accessKey !== "string" || !HTTP_TOKEN.test(creds.accessKey) || creds.accessKey.includes(",")) {
    throw new CredentialsError("cannot sign a Huawei Cloud request: the access key (AK) is empty or malformed");
  }
  if (typeof creds.secretKey !== "string" || creds.secretKey === "") {
    throw new CredentialsError("cannot sign a Huawei Cloud request: the secret key (SK) is empty");
  }
  if (creds.securityToken !== undefined && typeof creds.securityToken !== "string") {
    throw new CredentialsError("cannot sign a Huawei Cloud request: the security token is not a string");
  }
}

function sha256Hex(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}
