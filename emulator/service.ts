/**
 * The contract between the HTTP server and the per-service modules (`huawei-iam.ts`, `huawei-dli-flink.ts`,
 * `huawei-dli-spark.ts`, `huawei-mrs.ts`, `qingcloud-ehpc.ts`). A module only describes routes and keeps its own state; the server
 * does everything cross-cutting: body reading, recording, faults, latency, and writing the answer.
 */
import { z } from "zod";
import { parseJsonExact } from "./exact-json";

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
  /** Delete ops that `lieOnDelete()` can make answer success while the jobs stay. */
  readonly lyingDeleteOps?: readonly string[];
  /**
   * For a list op: the collection this list request read (a project, a project's cluster, a zone's cluster), or
   * undefined when the answer is not a successful listing (an error, an unknown cluster). List churn acts on it.
   */
  listCollection?(op: string, request: ApiRequest, answer: ApiAnswer): ListCollection | undefined;
  /**
   * Sets a job's status as if the service had moved it there (any string: statuses outside the documented lists
   * behave as running). `where` narrows the search when the ID exists in more than one collection.
   */
  setJobStatus?(jobId: string, status: string, where: JobLocation): void;
  /** The body an injected fault of this HTTP status carries when the test gives none (`op`: the faulted route's). */
  faultBody(status: number, requestId: string, op: string): unknown;
  /** Forget all jobs and other per-test state. */
  reset(): void;
}

/** The `service` names `setJobStatus` takes (those of recorded calls). */
export type JobService = "dli-flink" | "dli-spark" | "mrs" | "ehpc";

/** Narrows a job lookup by ID to one collection (each service reads the fields it keys jobs by). */
export interface JobLocation {
  projectId?: string;
  clusterId?: string;
  zone?: string;
}

/** The jobs one listing shows (one project, one project's cluster, one zone's cluster), as list churn sees them. */
export interface ListCollection {
  /** Identifies the collection, e.g. `project 0123…` or `cluster c-1 in zone jn1a`. */
  readonly key: string;
  /** Creates `names.length` running jobs, newer than every job in the collection; returns their IDs, oldest first. */
  createNewest(names: readonly string[]): string[];
  /** Deletes the job when this collection holds it; whether it did. */
  remove(jobId: string): boolean;
}

/** The one job `setJobStatus` names: refuses an unknown ID, and an ID that more than one collection holds. */
export function onlyMatch<T>(service: string, jobId: string, matches: readonly T[], place: (job: T) => string): T {
  if (matches.length === 1) return matches[0]!;
  if (matches.length === 0) throw new RangeError(`setJobStatus: no ${service} job ${jobId} (in the collections \`where\` allows)`);
  throw new RangeError(`setJobStatus: ${service} job ${jobId} is in ${matches.map(place).join(" and ")}: name one with \`where\``);
}

/** Thrown by admin handlers for input they refuse; the admin API answers it as 400 `{ "error": message }`. */
export class AdminInputError extends Error {
  override readonly name = "AdminInputError";
}

/** A JSON body for an admin endpoint, checked against `schema`; zod's report of what is wrong otherwise (answered 400). */
export function adminInput<T>(schema: z.ZodType<T>, json: unknown): T {
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new AdminInputError(z.prettifyError(parsed.error));
  return parsed.data;
}

/** Runs a seeding action for the admin API: the RangeError a module throws for a bad seed is answered 400. */
export function refusing<T>(action: () => T): T {
  try {
    return action();
  } catch (error) {
    throw error instanceof RangeError ? new AdminInputError(error.message) : error;
  }
}

/** A service's seed (`POST`) and listing (`GET`) admin endpoints at one path. */
export function jobAdminRoutes<T>(path: string, seed: { schema: z.ZodType<T>; run: (input: T) => unknown }, list: (query: URLSearchParams) => unknown): AdminRoute[] {
  return [
    { method: "POST", path, handle: ({ json }) => ({ status: 200, body: refusingInput(seed.schema, json, seed.run) }) },
    { method: "GET", path, handle: ({ query }) => ({ status: 200, body: list(query) }) },
  ];
}

/** An admin endpoint that makes an empty collection (a cluster) from `schema`'s input; answers 204. */
export function clusterAdminRoute<T>(path: string, schema: z.ZodType<T>, add: (input: T) => void): AdminRoute {
  return {
    method: "POST",
    path,
    handle: ({ json }) => {
      refusingInput(schema, json, add);
      return { status: 204 };
    },
  };
}

function refusingInput<T, R>(schema: z.ZodType<T>, json: unknown, run: (input: T) => R): R {
  const input = adminInput(schema, json);
  return refusing(() => run(input));
}

/**
 * An integer query parameter for paging: the fallback when absent or empty; undefined when not 0-15 digits or
 * outside `min`-`max` (the caller answers its service's parameter error).
 */
export function readIntegerParam(query: URLSearchParams, name: string, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number | undefined {
  const text = query.get(name);
  if (text === null || text === "") return fallback;
  const value = /^\d{1,15}$/.test(text) ? Number(text) : undefined;
  return value !== undefined && value >= min && value <= max ? value : undefined;
}

/** A request body that must be one JSON object (batch calls), read keeping every digit; or why it is not one. */
export function jsonObjectBody(text: string): Record<string, unknown> | string {
  let body: unknown;
  try {
    body = parseJsonExact(text);
  } catch {
    return "the request body is not valid JSON";
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) return "the request body must be a JSON object";
  return body as Record<string, unknown>;
}

/** Whether a lookup returned the error answer instead of what it looked for. */
export function isAnswer(value: object): value is ApiAnswer {
  return "status" in value && typeof (value as { status: unknown }).status === "number";
}
