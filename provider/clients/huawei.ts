/**
 * What every Huawei Cloud API shares: the error body (one object or an array of them, `error_code` or
 * `errorCode`), the gateway's verdicts (throttled, token expired, signature date off), and the message
 * format users read: `<service> job <id>: <what> (HTTP <status> <vendor code>)`.
 */
import { z } from "zod";
import { ApiError, AuthError, ResponseFormatError } from "../errors";
import { tryParseJson } from "./json";
import type { ApiResponse, Verdict } from "./http";

const errorObject = z
  .object({
    error_code: z.union([z.string(), z.number()]).optional(),
    error_msg: z.string().optional(),
    errorCode: z.union([z.string(), z.number()]).optional(),
    errorMsg: z.string().optional(),
    // IAM's own shape: {"error":{"code":401,"message":…,"title":…}}
    error: z.object({ code: z.union([z.string(), z.number()]).optional(), message: z.string().optional() }).optional(),
  })
  .loose();

export interface HuaweiErrorDetail {
  code?: string;
  message?: string;
}

/** The vendor error(s) in a body, whatever its shape; empty when the body carries none. */
export function huaweiErrors(body: unknown): HuaweiErrorDetail[] {
  const items = Array.isArray(body) ? body : [body];
  const details: HuaweiErrorDetail[] = [];
  for (const item of items) {
    const parsed = errorObject.safeParse(item);
    if (!parsed.success) continue;
    const e = parsed.data;
    const code = e.error_code ?? e.errorCode ?? e.error?.code;
    const message = e.error_msg ?? e.errorMsg ?? e.error?.message;
    if (code !== undefined || message !== undefined) {
      details.push({ ...(code !== undefined ? { code: String(code) } : {}), ...(message !== undefined ? { message } : {}) });
    }
  }
  return details;
}

export function firstError(response: ApiResponse): HuaweiErrorDetail {
  return huaweiErrors(tryParseJson(response.text))[0] ?? {};
}

/** The gateway's answers that say "slow down", "your token expired", "your signature's date is off". */
export const APIG_THROTTLED = "APIG.0308";
const APIG_TOKEN_EXPIRED = new Set(["APIG.0307"]);
const APIG_DATE_OFF = new Set(["APIG.0303"]);

export function classifyHuawei(response: ApiResponse): Verdict {
  if (response.statusCode < 400) return "ok";
  const { code, message } = firstError(response);
  if (code === APIG_THROTTLED) return "throttled";
  if (response.statusCode === 401 && code && APIG_TOKEN_EXPIRED.has(code)) return "reauthenticate";
  if (response.statusCode === 401 && ((code && APIG_DATE_OFF.has(code)) || /expired|x-sdk-date/i.test(message ?? ""))) {
    return "resync-clock";
  }
  return "ok";
}

/** `<service> job <id>: <what> (HTTP <status> <vendor code>)`, with the job part only when there is one. */
export function describeFailure(service: string, what: string, response: ApiResponse, jobId?: string): string {
  const { code, message } = firstError(response);
  const subject = jobId ? `${service} job ${jobId}` : service;
  const detail = message ? `: ${message}` : "";
  return `${subject}: ${what}${detail} (HTTP ${response.statusCode}${code ? ` ${code}` : ""})`;
}

/** The error for an answer we will not retry or reinterpret. 401/403 become AuthError with a hint. */
export function huaweiApiError(service: string, what: string, response: ApiResponse, jobId?: string): ApiError | AuthError {
  const { code } = firstError(response);
  const context = {
    service,
    statusCode: response.statusCode,
    ...(code ? { vendorCode: code } : {}),
    ...(jobId ? { jobId } : {}),
    body: tryParseJson(response.text) ?? response.text.slice(0, 500),
  };
  const message = describeFailure(service, what, response, jobId);
  if (response.statusCode === 401 || response.statusCode === 403) {
    return new AuthError(`${message}. Check the credentials (and the clock, for AK/SK signatures).`, context);
  }
  return new ApiError(message, context);
}

/** Parses a success body with a zod schema; a mismatch is reported with the path zod found wrong. */
export function parseBody<T>(schema: z.ZodType<T>, response: ApiResponse, service: string, what: string): T {
  const parsed = schema.safeParse(tryParseJson(response.text));
  if (!parsed.success) {
    throw new ResponseFormatError(
      `${service}: unexpected answer to ${what} (HTTP ${response.statusCode}): ${z.prettifyError(parsed.error).replace(/\n/g, " ")}`,
      { service, statusCode: response.statusCode, body: response.text.slice(0, 500) },
    );
  }
  return parsed.data;
}

/** `is_success` is documented as Boolean but arrives as the string "true"/"false": accept both. */
export const isSuccessFlag = z
  .union([z.boolean(), z.string()])
  .transform((v) => v === true || (typeof v === "string" && v.trim().toLowerCase() === "true"));
