// The fault table's numbers, read from the calls the emulator recorded: how many requests, how many of them
// retries, and whether a call names a job.
import type { RecordedCall } from "../../emulator";
import type { Call } from "./restartable-emulator";

/** EHPC's per-attempt signing parameters: a resend carries new ones, yet it is the same request. */
const SIGNING_PARAMETERS = new Set(["access_key_id", "signature_method", "signature_version", "version", "timestamp", "signature"]);

function requestKey(call: RecordedCall): string {
  const query = Object.entries(call.query)
    .filter(([name]) => !SIGNING_PARAMETERS.has(name))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, value]) => `${name}=${value}`)
    .join("&");
  return `${call.op} ${call.method} ${call.path}?${query} ${call.body}`;
}

/** Whether the client got no usable answer: dropped, not 2xx, or an EHPC error in a 2xx (`ret_code` ≠ 0). */
export function failedAnswer(call: RecordedCall): boolean {
  if (call.dropped || call.status < 200 || call.status >= 300) return true;
  const retCode = /"ret_code"\s*:\s*(-?\d+)/.exec(call.responseBody)?.[1];
  return retCode !== undefined && retCode !== "0";
}

export interface CallStats {
  /** API calls the emulator recorded (every incarnation; IAM logins included). */
  requests: number;
  /** See `callStats`. */
  retries: number;
}

/**
 * The table's numbers. A call is a RETRY when it resends a request (same op, method, path, query without EHPC's
 * signing parameters, and body) whose previous sending got no usable answer: a non-2xx status, an EHPC ret_code
 * other than 0, a dropped connection, or an answer that came only after this resend had arrived (the client had
 * timed out). Repeated polls whose previous answer was fine are not retries, and neither is a call that sends
 * fewer IDs after a failure (that is the teardown narrowing down, not a resend). Connection attempts refused while
 * an emulator was down are not recorded anywhere, so they are in neither number.
 */
export function callStats(calls: readonly Call[]): CallStats {
  const last = new Map<string, Call>();
  let retries = 0;
  for (const call of [...calls].sort((a, b) => a.incarnation - b.incarnation || a.seq - b.seq)) {
    const key = requestKey(call);
    const previous = last.get(key);
    if (previous && (failedAnswer(previous) || (previous.incarnation === call.incarnation && previous.answeredAt > call.at))) retries++;
    last.set(key, call);
  }
  return { requests: calls.length, retries };
}

/** Whether `id` appears in the call's path or body as a whole token (digits IDs not inside longer numbers). */
export function mentions(call: RecordedCall, id: string): boolean {
  const escaped = id.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`(?<![0-9A-Za-z-])${escaped}(?![0-9A-Za-z-])`).test(`${decodeURIComponent(call.path)} ${call.body}`);
}
