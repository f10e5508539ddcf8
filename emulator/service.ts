/**
 * The contract between the HTTP server and the per-service modules (`huawei-iam.ts`, `huawei-dli-flink.ts`,
 * `huawei-dli-spark.ts`, `huawei-mrs.ts`, `qingcloud-ehpc.ts`). A module only describes routes and keeps its own state; the server
 * does everything cross-cutting: body reading, recording, faults, latency, and writing the answer.
 */

/** One API request as the server received it. Headers are lowercased; repeated headers are joined with ", ". */
export interface ApiRequest {
  readonly method: string;
  /** Path and query exactly as sent (`req.url`), still percent-encoded: signatures are checked against it. */
  readonly rawUrl: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: Readonly<Record<string, string>>;
  readonly rawBody: Buffer;
  readonly bodyText: string;
  /** Named groups of the route's path pattern, percent-decoded. */
  readonly params: Readonly<Record<string, string>>;
  readonly requestId: string;
}

/** What a handler answers. `body` is serialized with `stringifyJsonExact` (bigints become exact JSON numbers). */
export interface ApiAnswer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** The outcome of a gateway's checks (authentication, path sanity) before the handler runs. */
export type Admission = { admitted: true; authenticatedAs?: string } | { admitted: false; answer: ApiAnswer };

export interface Route {
  /** Stable operation name used by `calls()`, `failNext()` and `failJobs()`, e.g. `flink.stop`. */
  readonly op: string;
  readonly method: string;
  /** Anchored pattern over the raw path; named groups become `params`. */
  readonly path: RegExp;
  /** Gateway checks; absent for public endpoints such as IAM's token issuing. */
  readonly admit?: (request: ApiRequest) => Admission;
  readonly handle: (request: ApiRequest) => ApiAnswer;
}

/** An admin endpoint a module adds under `/__admin/` (not recorded, no auth, no faults). */
export interface AdminRoute {
  readonly method: string;
  /** Exact path, e.g. `/__admin/flink/jobs`. */
  readonly path: string;
  /** `json` is parsed with `parseJsonExact`. Throw `AdminInputError` for bad input (answered 400). */
  readonly handle: (input: { query: URLSearchParams; json: unknown }) => { status: number; body?: unknown };
}

export interface ServiceModule {
  /** Service label stored on recorded calls, e.g. `dli-flink`. */
  readonly service: string;
  readonly routes: readonly Route[];
  readonly adminRoutes?: readonly AdminRoute[];
  /** Ops whose per-job answers `failJobs()` can turn into failures. */
  readonly jobFaultOps?: readonly string[];
  /** The body an injected fault of this HTTP status carries when the test gives none (`op`: the faulted route's). */
  faultBody(status: number, requestId: string, op: string): unknown;
  /** Forget all jobs and other per-test state. */
  reset(): void;
}

/** Thrown by admin handlers for input they refuse; the admin API answers it as 400 `{ "error": message }`. */
export class AdminInputError extends Error {
  override readonly name = "AdminInputError";
}
