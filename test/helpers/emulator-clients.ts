/**
 * Signed clients for the emulator's APIs (Huawei AK/SK and QingCloud's query signature), each sending to any base URL
 * of the emulator (`urlFor("localhost")` included) and signing the Host header that URL sends, plus a per-test
 * emulator fixture. For emulator tests that drive several services.
 */
import { test as base } from "vitest";
import {
  DEFAULT_ACCESS_KEY,
  DEFAULT_QINGCLOUD_ACCESS_KEY_ID,
  DEFAULT_QINGCLOUD_SECRET_ACCESS_KEY,
  DEFAULT_SECRET_KEY,
  type Emulator,
  type EmulatorOptions,
  type HuaweiCredential,
  type QingCloudCredential,
  parseJsonExact,
  signEhpcTestRequest,
  signHuaweiRequest,
  stringifyJsonExact,
} from "../../emulator";
import { emulatorFixture } from "./emulator-fixture";

/** Each test gets its own emulator (`emulatorOptions` overridable per describe), closed after the test. */
export const emulatorTest = base.extend<{ emulatorOptions: EmulatorOptions; emulator: Emulator }>({
  emulatorOptions: {},
  emulator: emulatorFixture,
});

/** An answer; `T` is the body's shape the caller expects, which the test's assertions then check. */
export interface ApiResult<T = unknown> {
  status: number;
  headers: Headers;
  contentType: string | null;
  text: string;
  /** Parsed with parseJsonExact (integers above 2^53 are bigints); undefined for an empty body. */
  json: T;
}

async function send<T>(url: string, init: RequestInit): Promise<ApiResult<T>> {
  const response = await fetch(url, init);
  const text = await response.text();
  const { headers } = response;
  const json = (text === "" ? undefined : parseJsonExact(text)) as T;
  return { status: response.status, headers, contentType: headers.get("content-type"), text, json };
}

/** What the admin API answers a refused request (400): the error, naming the field. */
export interface AdminAnswer {
  error?: string;
}

/** An emulator admin call (`/__admin/...`), unsigned; `body` is sent as JSON. */
export function adminApi<T = AdminAnswer>(emulator: Emulator, method: string, adminPath: string, body?: unknown): Promise<ApiResult<T>> {
  return send(emulator.url + adminPath, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
}

/** A string body is sent byte for byte; anything else is written with stringifyJsonExact (bigints exact). */
function bodyText(body: unknown): string {
  return body === undefined ? "" : typeof body === "string" ? body : stringifyJsonExact(body);
}

/** How a Huawei call authenticates: signed with the default AK/SK or another credential, a token, or nothing. */
export type HuaweiAuth = "aksk" | "none" | { token: string } | { credential: HuaweiCredential };

export interface HuaweiCall {
  method: string;
  /** Path and query, sent as given. */
  path: string;
  body?: unknown;
  /** Default "aksk". */
  auth?: HuaweiAuth;
  /** Sent (and signed) besides Host and content-type, e.g. `x-project-id`. */
  headers?: Record<string, string>;
  /** Default: the emulator's `url`. */
  baseUrl?: string;
  /** The Host the signature covers; default the one `baseUrl` sends (a different one must be refused). */
  signedHost?: string;
}

/** A DLI, MRS or IAM call, signed with the emulator's default AK/SK unless `auth` says otherwise. */
export function huaweiApi<T = unknown>(emulator: Emulator, call: HuaweiCall): Promise<ApiResult<T>> {
  const baseUrl = call.baseUrl ?? emulator.url;
  const body = bodyText(call.body);
  const headers: Record<string, string> = { ...call.headers };
  if (body !== "") headers["content-type"] = "application/json";
  const auth = call.auth ?? "aksk";
  if (auth === "aksk" || (typeof auth === "object" && "credential" in auth)) {
    const credential = auth === "aksk" ? { accessKey: DEFAULT_ACCESS_KEY, secretKey: DEFAULT_SECRET_KEY } : auth.credential;
    const host = call.signedHost ?? new URL(baseUrl).host;
    Object.assign(headers, signHuaweiRequest({ method: call.method, url: call.path, headers: { ...headers, host }, body }, credential, emulator.now()));
  } else if (typeof auth === "object") {
    headers["x-auth-token"] = auth.token;
  }
  return send(baseUrl + call.path, { method: call.method, headers, ...(body === "" ? {} : { body }) });
}

export interface EhpcCall {
  method: "GET" | "POST";
  path: string;
  parameters?: Record<string, string | number>;
  body?: unknown;
  /** Default: the emulator's default QingCloud key. */
  credential?: QingCloudCredential;
  /** Signing time; the emulator clock by default. */
  signedAt?: number;
  /** Rewrites the signed path-and-query before sending (to break it on purpose). */
  tamperUrl?: (url: string) => string;
  /** Sends this body instead of the signed one. */
  sentBody?: string;
  baseUrl?: string;
}

/** What every EHPC answer carries: 0 or the error code, and the error's message. */
export interface EhpcAnswer {
  ret_code: number;
  message?: string;
}

/** An EHPC call signed with the emulator's default QingCloud key unless `credential` says otherwise. */
export function ehpcApi<T = EhpcAnswer>(emulator: Emulator, call: EhpcCall): Promise<ApiResult<T>> {
  const body = bodyText(call.body);
  const credential = call.credential ?? { accessKeyId: DEFAULT_QINGCLOUD_ACCESS_KEY_ID, secretAccessKey: DEFAULT_QINGCLOUD_SECRET_ACCESS_KEY };
  const request = { method: call.method, path: call.path, ...(call.parameters ? { parameters: call.parameters } : {}), body };
  const signed = signEhpcTestRequest(request, credential, call.signedAt ?? emulator.now());
  const url = call.tamperUrl ? call.tamperUrl(signed.url) : signed.url;
  const sent = call.sentBody ?? body;
  return send((call.baseUrl ?? emulator.url) + url, {
    method: call.method,
    ...(sent === "" ? {} : { body: sent, headers: { "content-type": "application/json" } }),
  });
}
