/**
 * Reading a request off Node's HTTP server and writing an answer back, the way the emulated gateways do: bodies
 * capped, headers flattened as signatures cover them, a request ID and the emulator clock's `Date` on every answer.
 */
import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { parseJsonExact, stringifyJsonExact } from "./exact-json";
import type { ApiAnswer } from "./service";

/** Bodies above this are refused (413): batch calls of thousands of IDs stay far below it. */
export const MAX_BODY_BYTES = 10 * 1024 * 1024;

export class BodyTooLargeError extends Error {
  override readonly name = "BodyTooLargeError";
}

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new BodyTooLargeError(`The request body is larger than ${MAX_BODY_BYTES} bytes.`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** `text`: the body already serialized (what the call record holds), so it is not serialized twice. */
export function writeAnswer(res: ServerResponse, answer: ApiAnswer, requestId: string, nowMs: number, text?: string): void {
  const body = text ?? (answer.body === undefined ? "" : stringifyJsonExact(answer.body));
  // A real gateway's Date is its own clock: with `clockSkewMs` it must be the skewed one, since clients resynchronise
  // their signing clock from it (Node would otherwise stamp the machine's time).
  const headers: Record<string, string> = { "X-Request-Id": requestId, Date: new Date(nowMs).toUTCString(), ...answer.headers };
  if (body !== "") headers["Content-Type"] = "application/json;charset=UTF-8";
  res.writeHead(answer.status, headers);
  res.end(body);
}

/** Lowercased names (Node's), repeated values joined with ", " (as the signature covers them). */
export function flattenHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return headers;
}

/** The body as exact JSON for the call record, or undefined when it is not JSON (the record keeps the text too). */
export function parseJsonOrUndefined(text: string): unknown {
  if (text.trim() === "") return undefined;
  try {
    return parseJsonExact(text);
  } catch {
    return undefined;
  }
}

/** A path segment decoded for a route's params; a malformed escape stays as sent (the handler then refuses it). */
export function decodeLeniently(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

export function newRequestId(): string {
  return randomBytes(16).toString("hex");
}
