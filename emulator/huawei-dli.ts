/**
 * What DLI's Flink and Spark APIs answer alike: the `error_code`/`error_msg` body, the parameter error DLI.0001, and
 * the bodies injected faults carry (the gateway's for 401 and 429, DLI's own otherwise).
 */
import { throttledBody } from "./huawei-gateway";
import type { ApiAnswer } from "./service";

export function dliError(status: number, errorCode: string, errorMsg: string): ApiAnswer {
  return { status, body: { error_code: errorCode, error_msg: errorMsg } };
}

export function dliParameterError(detail: string): ApiAnswer {
  return dliError(400, "DLI.0001", `Parameter error: ${detail}`);
}

/** The body of an injected fault with this HTTP status when the test gives none. */
export function dliFaultBody(status: number, requestId: string): unknown {
  switch (status) {
    case 429:
      return throttledBody(requestId);
    case 400:
      return { error_code: "DLI.0001", error_msg: "Parameter error" };
    case 401:
      return { error_code: "APIG.0307", error_msg: "The token must be updated.", request_id: requestId };
    case 404:
      return { error_code: "DLI.0023", error_msg: "No related resources were found." };
    case 503:
      return { error_code: "DLI.0999", error_msg: "Service unavailable" };
    default:
      return { error_code: "DLI.0999", error_msg: "Internal server error" };
  }
}

/** The project a DLI path names. */
export function projectIdOf(request: { params: Readonly<Record<string, string>> }): string {
  return request.params.projectId ?? "";
}
