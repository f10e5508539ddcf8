/**
 * How EHPC answers errors (docs/apis.md, "QingCloud EHPC"): HTTP 200 whatever went wrong, with
 * `{"ret_code":<int>,"message":"<Name>, <detail>"}`, so clients must read ret_code; and the bodies injected faults carry.
 */
import type { ApiAnswer } from "./service";

/** The error names in EHPC messages ("<Name>, <detail>"), by ret_code. */
export const EHPC_ERROR_NAMES = {
  1100: "InvalidParameter",
  1101: "MissingParameter",
  1200: "AuthFailure",
  1300: "RequestExpired",
  1400: "PermissionDenied",
  2100: "ResourceNotFound",
  2500: "QuotaExceeded",
  5000: "InternalError",
  5100: "ServerBusy",
} as const;
export type RetCode = keyof typeof EHPC_ERROR_NAMES;

/** An EHPC error: HTTP 200, the ret_code and "<Name>, <detail>". */
export function ehpcError(retCode: RetCode, detail: string): ApiAnswer {
  return { status: 200, body: { ret_code: retCode, message: `${EHPC_ERROR_NAMES[retCode]}, ${detail}` } };
}

/** Injected faults keep EHPC's shape; the HTTP status is the fault's, the ret_code follows it (200 → 5000). */
export function ehpcFaultBody(status: number): unknown {
  const [retCode, detail]: [RetCode, string] =
    status === 400
      ? [1100, "invalid request"]
      : status === 401
        ? [1200, "authentication failed"]
        : status === 403
          ? [1400, "permission denied"]
          : status === 404
            ? [2100, "resource not found"]
            : status === 429
              ? [2500, "too many requests, please try later"]
              : status === 503
                ? [5100, "server busy, please try later"]
                : [5000, "internal error, please try later"];
  return ehpcError(retCode, detail).body;
}
