/** The record of API calls the emulator answered, for tests to assert on ("no job outside the set was touched"). */

export interface RecordedCall {
  /** Arrival order, from 1. */
  seq: number;
  /** e.g. `iam`, `dli-flink`; `unknown` for requests no route matched. */
  service: string;
  /** Stable op name, e.g. `flink.stop`; `unknown` for requests no route matched. */
  op: string;
  method: string;
  /** Path as sent (still percent-encoded), without the query. */
  path: string;
  /** Decoded query parameters (last value wins for repeated keys). */
  query: Record<string, string>;
  /** Lowercased request headers; credentials (Authorization, X-Auth-Token, X-Security-Token) are "***". */
  headers: Record<string, string>;
  /** Raw request body as UTF-8 text. */
  body: string;
  /** The body parsed with `parseJsonExact` (integers above 2^53 are bigints), or undefined if not JSON. */
  json: unknown;
  /** HTTP status answered; for `dropped: "before"` 0, for `dropped: "after"` the status that was not sent. */
  status: number;
  /** The serialized answer body ("" when none or dropped before processing). */
  responseBody: string;
  /** Set when an injected fault destroyed the connection instead of answering. */
  dropped?: "before" | "after";
  /** The AK that signed the request, or `token:<user>` for an X-Auth-Token. */
  authenticatedAs?: string;
  /** Emulator-clock time of arrival (ms since epoch). */
  at: number;
  /**
   * Emulator-clock time the answer was written or the connection dropped (ms since epoch). Later than `at` by the
   * latency and any injected `delayMs`: a client that timed out meanwhile may have resent the call before it.
   */
  answeredAt: number;
}

export type CallFilter =
  | { service?: string; op?: string | readonly string[]; authenticatedAs?: string }
  | ((call: RecordedCall) => boolean);

const REDACTED_HEADERS = new Set(["authorization", "x-auth-token", "x-security-token"]);

export function redactHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  const redacted: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) redacted[name] = REDACTED_HEADERS.has(name) ? "***" : value;
  return redacted;
}

export class CallRecorder {
  private recorded: RecordedCall[] = [];
  private lastSeq = 0;

  /** Reserves the next sequence number at arrival, so the order reflects arrival even when answers are delayed. */
  nextSeq(): number {
    return ++this.lastSeq;
  }

  record(call: RecordedCall): void {
    this.recorded.push(call);
  }

  list(filter?: CallFilter): RecordedCall[] {
    const matches = typeof filter === "function" ? filter : filter ? matcher(filter) : () => true;
    return this.recorded.filter(matches).sort((a, b) => a.seq - b.seq);
  }

  reset(): void {
    this.recorded = [];
  }
}

function matcher(filter: Exclude<CallFilter, (call: RecordedCall) => boolean>): (call: RecordedCall) => boolean {
  const ops = typeof filter.op === "string" ? [filter.op] : filter.op;
  return (call) =>
    (filter.service === undefined || call.service === filter.service) &&
    (ops === undefined || ops.includes(call.op)) &&
    (filter.authenticatedAs === undefined || call.authenticatedAs === filter.authenticatedAs);
}
