/**
 * QingCloud EHPC request signing: EHPC's own scheme, not the classic IaaS (`/iaas/`, `time_stamp`) one.
 *
 * Algorithm: https://github.com/yunify/qingcloud-docs/blob/master/content/compute/hpc/api/get_api/signature.md
 * (published at https://docs.qingcloud.com/product/compute/hpc/api/get_api/signature), summarised in docs/apis.md
 * ("QingCloud EHPC") and pinned by the signing tests' vectors. The doc page's own example signature does not
 * reproduce with the key it prints, so it is not a vector.
 */

import { createHash, createHmac } from "node:crypto";
import { CredentialsError, InvalidInputError } from "../errors";
import { withSecretRedacted } from "./redact";

export interface QingCloudCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface EhpcSignableRequest {
  method: "GET" | "POST";
  /** Scheme and host (and port), e.g. `https://hpc.api.qingcloud.com`; a path prefix is kept and signed. */
  baseUrl: string;
  /** REST path such as `/api/job/deleteJobs`, without the trailing slash the signature adds. */
  path: string;
  /** Operation parameters (`zone` for GET calls, filters). Undefined and empty values are left out. */
  query?: Record<string, string | number | undefined>;
  /** The exact JSON text sent for a POST (see `ehpcJsonBody`). */
  body?: string;
}

export interface SignedEhpcRequest {
  /** The URL to call, common parameters and `signature` included. */
  url: string;
  stringToSign: string;
  /** The base64 HMAC-SHA256 (the URL carries it URL-encoded twice). */
  signature: string;
}

const SERVICE = "ehpc";

// Set by the signer on every request; a caller supplying one is a bug, not something to merge.
const COMMON_PARAMETERS = ["access_key_id", "signature_method", "signature_version", "version", "timestamp"] as const;
const SIGNATURE_PARAMETER = "signature";

// Characters `quote` leaves alone besides A-Z a-z 0-9: the path is used verbatim in the URL and the signature.
const SAFE_PATH = /^\/[A-Za-z0-9_.~/-]*$/;

/**
 * Serializes a request body byte for byte like Python's `json.dumps(value, sort_keys=True)`, which is what
 * QingCloud's SDK sends and therefore what the MD5 in the signature is expected to cover:
 * keys sorted by code point, separators `", "` and `": "`, everything outside printable ASCII as
 * lowercase `\uXXXX` (characters beyond the BMP as two surrogate escapes).
 *
 * JavaScript numbers do not say whether they are ints or floats: integral numbers are written as Python
 * ints (`2`, never `2.0`), others as Python's float repr (`1e-05`). Undefined properties are left out and
 * undefined array items become `null`, as with JSON.stringify. NaN and Infinity are refused (Python would
 * write `NaN`, which is not JSON).
 */
export function ehpcJsonBody(value: unknown): string {
  return pythonJson(value, "body", new Set());
}

/** `YYYY-MM-DDThh:mm:ssZ` in UTC (the server rejects timestamps more than 60 s off). */
export function formatEhpcTimestamp(date: Date): string {
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) {
    throw new InvalidInputError("cannot sign an EHPC request: the signing date is not a valid Date", { service: SERVICE });
  }
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/**
 * Adds the common parameters and the signature to an EHPC request and returns the URL to call.
 * The URL's query is exactly the canonical (signed) query followed by `&signature=`, so what is signed
 * is what is sent, and it never holds a bare `+` (the server would read it as a space).
 */
export function signEhpcRequest(
  req: EhpcSignableRequest,
  creds: QingCloudCredentials,
  now: Date = new Date(),
): SignedEhpcRequest {
  return withSecretRedacted(creds?.secretAccessKey, () => {
    validateCredentials(creds);
    if (req.method !== "GET" && req.method !== "POST") {
      throw new InvalidInputError(`cannot sign an EHPC request: method "${String(req.method)}" is neither GET nor POST`, { service: SERVICE });
    }
    if (req.method === "GET" && req.body !== undefined && req.body !== "") {
      throw new InvalidInputError("cannot sign an EHPC request: a GET request carries no body", { service: SERVICE });
    }
    if (req.body !== undefined && typeof req.body !== "string") {
      throw new InvalidInputError("cannot sign an EHPC request: the body must be a string (see ehpcJsonBody)", { service: SERVICE });
    }

    const { origin, basePath } = parseBaseUrl(req.baseUrl);
    if (typeof req.path !== "string" || !SAFE_PATH.test(req.path)) {
      throw new InvalidInputError(
        `cannot sign an EHPC request: path "${String(req.path)}" must start with "/" and hold only A-Z a-z 0-9 _ . ~ - /`,
        { service: SERVICE, property: "path" },
      );
    }
    const requestPath = `${basePath}${req.path}`;
    // The signed URI ends in "/" although the URL sent does not.
    const canonicalUri = requestPath.endsWith("/") ? requestPath : `${requestPath}/`;

    const parameters = new Map<string, string>();
    for (const [key, value] of Object.entries(req.query ?? {})) {
      if ((COMMON_PARAMETERS as readonly string[]).includes(key) || key === SIGNATURE_PARAMETER) {
        throw new InvalidInputError(`cannot sign an EHPC request: query parameter "${key}" is set by the signer`, {
          service: SERVICE,
          property: `query.${key}`,
        });
      }
      const text = queryValueText(key, value);
      if (text !== undefined && text !== "") parameters.set(key, text);
    }
    parameters.set("access_key_id", creds.accessKeyId);
    parameters.set("signature_method", "HmacSHA256");
    parameters.set("signature_version", "1");
    parameters.set("version", "1");
    parameters.set("timestamp", formatEhpcTimestamp(now));

    const canonicalQuery = [...parameters.keys()]
      .sort(compareCodePoints)
      .map((key) => `${quote(key)}=${quote(parameters.get(key)!)}`)
      .join("&");

    const bodyMd5 = createHash("md5").update(req.body ?? "", "utf8").digest("hex");
    const stringToSign = `${req.method}\n${canonicalUri}\n${canonicalQuery}\n${bodyMd5}`;
    const signature = createHmac("sha256", creds.secretAccessKey).update(stringToSign, "utf8").digest("base64");

    // Encoded twice: the server decodes the query once and compares with the form-encoded base64.
    const signatureOnWire = encodeURIComponent(encodeURIComponent(signature));
    return {
      url: `${origin}${requestPath}?${canonicalQuery}&${SIGNATURE_PARAMETER}=${signatureOnWire}`,
      stringToSign,
      signature,
    };
  });
}

// Python's urllib.parse.quote(text, safe="/"): everything but A-Z a-z 0-9 _ . - ~ / percent-encoded as
// UTF-8 with uppercase hex, so a space is %20 (never "+") and ":" is %3A.
function quote(text: string): string {
  let encoded: string;
  try {
    encoded = encodeURIComponent(text);
  } catch {
    throw new InvalidInputError("cannot sign an EHPC request: a query parameter is not valid Unicode", { service: SERVICE });
  }
  return encoded
    .replace(/[!'()*]/g, (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%2F/g, "/");
}

function queryValueText(key: string, value: string | number | undefined): string | undefined {
  if (key === "") {
    throw new InvalidInputError("cannot sign an EHPC request: a query parameter has an empty name", { service: SERVICE });
  }
  if (value === undefined || typeof value === "string") return value;
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  throw new InvalidInputError(`cannot sign an EHPC request: query parameter "${key}" is not a string or a finite number`, {
    service: SERVICE,
    property: `query.${key}`,
  });
}

function parseBaseUrl(baseUrl: string): { origin: string; basePath: string } {
  let parsed: URL;
  try {
    parsed = new URL(baseUrl);
  } catch {
    // Node's own error keeps the raw input on `.input`; ours carries no copy of it.
    throw new InvalidInputError(`cannot sign an EHPC request: base URL "${String(baseUrl)}" is not a valid absolute URL`, {
      service: SERVICE,
      property: "baseUrl",
    });
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") {
    throw new InvalidInputError(`cannot sign an EHPC request: base URL scheme "${parsed.protocol}" is not http or https`, {
      service: SERVICE,
      property: "baseUrl",
    });
  }
  if (parsed.search !== "" || parsed.hash !== "" || parsed.username !== "" || parsed.password !== "") {
    throw new InvalidInputError("cannot sign an EHPC request: the base URL must not carry a query, fragment or user info", {
      service: SERVICE,
      property: "baseUrl",
    });
  }
  const basePath = parsed.pathname.replace(/\/+$/, "");
  if (basePath !== "" && !SAFE_PATH.test(basePath)) {
    throw new InvalidInputError("cannot sign an EHPC request: the base URL path must hold only A-Z a-z 0-9 _ . ~ - /", {
      service: SERVICE,
      property: "baseUrl",
    });
  }
  return { origin: parsed.origin, basePath };
}

function validateCredentials(creds: QingCloudCredentials): void {
  if (typeof creds !== "object" || creds === null) {
    throw new CredentialsError("cannot sign an EHPC request: no credentials were given", { service: SERVICE });
  }
  if (typeof creds.accessKeyId !== "string" || creds.accessKeyId === "") {
    throw new CredentialsError("cannot sign an EHPC request: the access key ID is empty", { service: SERVICE });
  }
  if (typeof creds.secretAccessKey !== "string" || creds.secretAccessKey === "") {
    throw new CredentialsError("cannot sign an EHPC request: the secret access key is empty", { service: SERVICE });
  }
}

// ---- Python json.dumps(value, sort_keys=True) ----

// json.dumps' ensure_ascii escapes: the short forms, then \uXXXX (lowercase hex) for the rest.
const PYTHON_SHORT_ESCAPES: Record<string, string> = {
  '"': '\\"',
  "\\": "\\\\",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
  "\b": "\\b",
  "\f": "\\f",
};

function pythonJson(value: unknown, where: string, ancestors: Set<object>): string {
  if (value === null) return "null";
  switch (typeof value) {
    case "string":
      return pythonJsonString(value);
    case "boolean":
      return value ? "true" : "false";
    case "number":
      return pythonJsonNumber(value, where);
    case "bigint":
      return value.toString();
    case "object":
      break;
    default:
      throw new InvalidInputError(`cannot serialize an EHPC request: ${where} is a ${typeof value}, which JSON cannot carry`, {
        service: SERVICE,
        property: where,
      });
  }

  const object = value as object;
  const toJSON = (object as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === "function") return pythonJson(toJSON.call(object), where, ancestors);
  if (ancestors.has(object)) {
    throw new InvalidInputError(`cannot serialize an EHPC request: ${where} refers back to itself`, { service: SERVICE, property: where });
  }
  ancestors.add(object);
  try {
    if (Array.isArray(object)) {
      const items = object.map((item: unknown, index) =>
        isOmittedByJson(item) ? "null" : pythonJson(item, `${where}[${index}]`, ancestors),
      );
      return `[${items.join(", ")}]`;
    }
    const members = Object.entries(object)
      .filter(([, member]) => !isOmittedByJson(member))
      .sort(([a], [b]) => compareCodePoints(a, b))
      .map(([key, member]) => `${pythonJsonString(key)}: ${pythonJson(member, `${where}.${key}`, ancestors)}`);
    return `{${members.join(", ")}}`;
  } finally {
    ancestors.delete(object);
  }
}

function isOmittedByJson(value: unknown): boolean {
  return value === undefined || typeof value === "function" || typeof value === "symbol";
}

function pythonJsonString(text: string): string {
  // Without the `u` flag the class matches UTF-16 code units, so an emoji becomes its two surrogate escapes.
  const escaped = text.replace(
    /["\\]|[^\x20-\x7e]/g,
    (character) => PYTHON_SHORT_ESCAPES[character] ?? `\\u${character.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
  return `"${escaped}"`;
}

function pythonJsonNumber(value: number, where: string): string {
  if (!Number.isFinite(value)) {
    throw new InvalidInputError(`cannot serialize an EHPC request: ${where} is ${value}, which JSON cannot carry`, {
      service: SERVICE,
      property: where,
    });
  }
  // An integral value is written as a Python int, in full (1e21 -> 1000000000000000000000).
  if (Number.isInteger(value)) return BigInt(value).toString();
  // Python's float repr: the same shortest digits as JavaScript, but exponent notation when the
  // exponent is below -4 or at least 16, written with a sign and at least two digits (1e-05).
  const [mantissa, exponentText] = value.toExponential().split("e");
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 16) {
    return `${mantissa}e${exponent < 0 ? "-" : "+"}${String(Math.abs(exponent)).padStart(2, "0")}`;
  }
  return String(value);
}

// Python orders str by code point; JavaScript's default sort orders UTF-16 code units, which differs
// once characters beyond the BMP meet characters from U+E000 to U+FFFF.
function compareCodePoints(a: string, b: string): number {
  const aPoints = Array.from(a, (character) => character.codePointAt(0)!);
  const bPoints = Array.from(b, (character) => character.codePointAt(0)!);
  const length = Math.min(aPoints.length, bPoints.length);
  for (let index = 0; index < length; index++) {
    if (aPoints[index] !== bPoints[index]) return aPoints[index]! - bPoints[index]!;
  }
  return aPoints.length - bPoints.length;
}
