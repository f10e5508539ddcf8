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
  parseJsonExact,
  signEhpcTestRequest,
  signHuaweiRequest,
  startEmulator,
  stringifyJsonExact,
} from "../../emulator";

/** Each test gets its own emulator (`emulatorOptions` overridable per describe), closed after the test. */
export const emulatorTest = base.extend<{ emulatorOptions: EmulatorOptions; emulator: Emulator }>({
  emulatorOptions: {},
  emulator: async ({ emulatorOptions }, use) => {
    const emulator = await startEmulator(emulatorOptions);
    try {
      await use(emulator);
    } finally {
      await emulator.close();
    }
  },
});

export interface ApiResult {
  status: number;
  text: string;
  /** Parsed with parseJsonExact (integers above 2^53 are bigints); undefined for an empty body. */
  json: any;
}

async function send(url: string, init: RequestInit): Promise<ApiResult> {
  const response = await fetch(url, init);
  const text = await response.text();
  return { status: response.status, text, json: text === "" ? undefined : parseJsonExact(text) };
}

export interface HuaweiCall {
  method: string;
  /** Path and query, sent as given. */
  path: string;
  /** Written with stringifyJsonExact (bigints exact). */
  body?: unknown;
  /** Default: the emulator's `url`. */
  baseUrl?: string;
  /** The Host the signature covers; default the one `baseUrl` sends (a different one must be refused). */
  signedHost?: string;
}

/** A DLI or MRS call signed with the emulator's default AK/SK. */
export function huaweiApi(emulator: Emulator, call: HuaweiCall): Promise<ApiResult> {
  const baseUrl = call.baseUrl ?? emulator.url;
  const body = call.body === undefined ? "" : stringifyJsonExact(call.body);
  const headers: Record<string, string> = body === "" ? {} : { "content-type": "application/json" };
  const host = call.signedHost ?? new URL(baseUrl).host;
  const credential = { accessKey: DEFAULT_ACCESS_KEY, secretKey: DEFAULT_SECRET_KEY };
  Object.assign(headers, signHuaweiRequest({ method: call.method, url: call.path, headers: { ...headers, host }, body }, credential, emulator.now()));
  return send(baseUrl + call.path, { method: call.method, headers, ...(body === "" ? {} : { body }) });
}

export interface EhpcCall {
  method: "GET" | "POST";
  path: string;
  parameters?: Record<string, string | number>;
  /** Written as JSON. */
  body?: unknown;
  baseUrl?: string;
}

/** An EHPC call signed with the emulator's default QingCloud key. */
export function ehpcApi(emulator: Emulator, call: EhpcCall): Promise<ApiResult> {
  const body = call.body === undefined ? "" : JSON.stringify(call.body);
  const credential = { accessKeyId: DEFAULT_QINGCLOUD_ACCESS_KEY_ID, secretAccessKey: DEFAULT_QINGCLOUD_SECRET_ACCESS_KEY };
  const request = { method: call.method, path: call.path, ...(call.parameters ? { parameters: call.parameters } : {}), body };
  const signed = signEhpcTestRequest(request, credential, emulator.now());
  return send((call.baseUrl ?? emulator.url) + signed.url, {
    method: call.method,
    ...(body === "" ? {} : { body, headers: { "content-type": "application/json" } }),
  });
}
