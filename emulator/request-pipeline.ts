/**
 * What happens to every request, whichever service it is for: read body → admin API or route → gateway checks →
 * injected fault → handler → list churn → latency → answer (or drop) → record. Service modules only describe routes
 * (service.ts); everything cross-cutting is here, in that order.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { setTimeout as delay } from "node:timers/promises";
import { adminAnswer } from "./admin";
import { type CallRecorder, type RecordedCall, redactHeaders } from "./calls";
import type { ListChurner } from "./churn";
import { stringifyJsonExact } from "./exact-json";
import type { Fault, FaultRegistry } from "./faults";
import { apigError } from "./huawei-gateway";
import { BodyTooLargeError, decodeLeniently, flattenHeaders, newRequestId, parseJsonOrUndefined, readBody, writeAnswer } from "./http-wire";
import type { Admission, AdminRoute, ApiAnswer, ApiRequest, Route, ServiceModule } from "./service";

export interface PipelineParts {
  modules: readonly ServiceModule[];
  adminRoutes: readonly AdminRoute[];
  recorder: CallRecorder;
  faults: FaultRegistry;
  churner: ListChurner;
  /** The emulator clock. */
  now: () => number;
  /** Added to every API answer, in ms. */
  latencyMs: number;
  /** Aborted when the emulator closes: requests still waiting out their latency end without an answer. */
  closing: AbortSignal;
}

interface MatchedRoute {
  module: ServiceModule;
  route: Route;
  params: Record<string, string>;
}

export class RequestPipeline {
  constructor(private readonly parts: PipelineParts) {}

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { recorder, now } = this.parts;
    const arrivedAt = now();
    let rawBody: Buffer;
    try {
      rawBody = await readBody(req);
    } catch (error) {
      if (error instanceof BodyTooLargeError) writeAnswer(res, { status: 413, body: { error_msg: error.message } }, newRequestId(), now());
      else req.socket.destroy(); // the client went away mid-body
      return;
    }
    const rawUrl = req.url ?? "/";
    const queryStart = rawUrl.indexOf("?");
    const path = queryStart === -1 ? rawUrl : rawUrl.slice(0, queryStart);
    const query = new URLSearchParams(queryStart === -1 ? "" : rawUrl.slice(queryStart + 1));
    const method = (req.method ?? "GET").toUpperCase();
    if (path === "/__admin" || path.startsWith("/__admin/")) {
      writeAnswer(res, adminAnswer(this.parts.adminRoutes, method, path, query, rawBody.toString("utf8")), newRequestId(), now());
      return;
    }

    const seq = recorder.nextSeq();
    const requestId = newRequestId();
    const matched = this.matchRoute(method, path);
    const request: ApiRequest = {
      method,
      rawUrl,
      path,
      query,
      headers: flattenHeaders(req),
      rawBody,
      bodyText: rawBody.toString("utf8"),
      params: matched?.params ?? {},
      requestId,
    };
    const record = (call: Pick<RecordedCall, "status" | "responseBody"> & Partial<RecordedCall>): void =>
      recorder.record({
        answeredAt: now(),
        seq,
        service: matched?.module.service ?? "unknown",
        op: matched?.route.op ?? "unknown",
        method,
        path,
        query: Object.fromEntries(query),
        headers: redactHeaders(request.headers),
        body: request.bodyText,
        json: parseJsonOrUndefined(request.bodyText),
        at: arrivedAt,
        ...call,
      });

    const { answer, fault, authenticatedAs } = this.process(request, matched);
    const identity = authenticatedAs === undefined ? {} : { authenticatedAs };
    if (fault?.drop === "before") {
      record({ status: 0, responseBody: "", dropped: "before", ...identity });
      req.socket.destroy();
      return;
    }
    if (!(await this.waitOut((fault?.delayMs ?? 0) + this.parts.latencyMs))) return;
    const responseBody = answer.body === undefined ? "" : stringifyJsonExact(answer.body);
    if (fault?.drop === "after") {
      record({ status: answer.status, responseBody, dropped: "after", ...identity });
      req.socket.destroy();
      return;
    }
    record({ status: answer.status, responseBody, ...identity });
    writeAnswer(res, answer, requestId, now(), responseBody);
  }

  /** Everything up to the answer, synchronously, so state changes happen in arrival order. */
  private process(request: ApiRequest, matched: MatchedRoute | undefined): { answer: ApiAnswer; fault?: Fault; authenticatedAs?: string } {
    if (!matched) {
      const message = "The API does not exist or has not been published in the environment.";
      return { answer: apigError(404, "APIG.0101", message, request.requestId) };
    }
    const { module, route } = matched;
    const admission: Admission = route.admit ? route.admit(request) : { admitted: true };
    if (!admission.admitted) return { answer: admission.answer };
    const authenticatedAs = admission.authenticatedAs;
    const identity = authenticatedAs === undefined ? {} : { authenticatedAs };
    // Faults count only admitted calls: a test's failNext is not used up by a request the gateway refused.
    const fault = this.parts.faults.take(route.op);
    // Only drop "after" and a bare delayMs let the handler run; a status (or an empty fault) replaces it.
    if (fault?.drop === "before") return { answer: { status: 0 }, fault, ...identity };
    const replacesHandler = fault !== undefined && fault.drop !== "after" && (fault.status !== undefined || fault.delayMs === undefined);
    if (replacesHandler) return { answer: faultAnswer(module, route.op, fault, request.requestId), fault, ...identity };
    let answer: ApiAnswer;
    try {
      answer = route.handle(request);
    } catch (error) {
      // An emulator bug: answer like a server error, and say so loudly.
      console.error(`jobsets emulator: ${route.op} handler threw`, error);
      answer = { status: 500, body: { error_code: "EMULATOR.BUG", error_msg: String(error) } };
    }
    // Churn follows a listing the client will receive (not one dropped), so the next page meets the moved list.
    const { churner } = this.parts;
    if (fault?.drop !== "after" && churner.active(route.op)) {
      const collection = module.listCollection?.(route.op, request, answer);
      if (collection) churner.apply(route.op, collection);
    }
    return fault ? { answer, fault, ...identity } : { answer, ...identity };
  }

  private matchRoute(method: string, path: string): MatchedRoute | undefined {
    for (const module of this.parts.modules) {
      for (const route of module.routes) {
        if (route.method !== method) continue;
        const match = route.path.exec(path);
        if (!match) continue;
        const params: Record<string, string> = {};
        for (const [name, value] of Object.entries(match.groups ?? {})) params[name] = decodeLeniently(value);
        return { module, route, params };
      }
    }
    return undefined;
  }

  /** Waits `ms` (latency, a fault's delay); false when the emulator closed meanwhile. */
  private async waitOut(ms: number): Promise<boolean> {
    if (ms <= 0) return true;
    const { closing } = this.parts;
    try {
      await delay(ms, undefined, { signal: closing });
      return true;
    } catch (error) {
      if (closing.aborted) return false;
      throw error;
    }
  }
}

/** The answer an injected fault gives in place of the handler's: its status, its body or the service's default. */
function faultAnswer(module: ServiceModule, op: string, fault: Fault, requestId: string): ApiAnswer {
  const status = fault.status ?? 500;
  const body = fault.body !== undefined ? fault.body : module.faultBody(status, requestId, op);
  const answer: ApiAnswer = { status, body: fault.arrayBody && !Array.isArray(body) ? [body] : body };
  if (fault.retryAfterS !== undefined) answer.headers = { "Retry-After": String(fault.retryAfterS) };
  return answer;
}
