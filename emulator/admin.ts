/**
 * The HTTP admin API under `/__admin/` that every service shares (calls, faults, lying deletes, list churn, job
 * statuses, reset, tokens), for the demo and out-of-process tests. Service modules add their own seed/list endpoints (e.g. `/__admin/flink/jobs`).
 * Job IDs travel as strings here so no JSON client can round them.
 */
import { z } from "zod";
import type { CallFilter, RecordedCall } from "./calls";
import { LIST_OPS, type ListChurn } from "./churn";
import { parseJsonExact } from "./exact-json";
import type { Fault } from "./faults";
import { AdminInputError, type AdminRoute, type ApiAnswer, type JobLocation, type JobService, adminInput } from "./service";

/** What the admin API needs from the emulator (the same operations the programmatic API offers). */
export interface AdminControls {
  calls(filter?: CallFilter): RecordedCall[];
  resetCalls(): void;
  failNext(op: string, fault: Fault): void;
  failJobs(op: string, jobIds: readonly (string | bigint | number)[], message?: string): void;
  clearFaults(): void;
  lieOnDelete(op: string, jobIds: readonly (string | bigint | number)[], options?: { times?: number }): void;
  churnLists(churn: ListChurn | undefined): void;
  stopChurn(): void;
  churnCreated(): string[];
  churnRemoved(): string[];
  setJobStatus(service: JobService, jobId: string | bigint | number, status: string, where?: JobLocation): void;
  expireTokens(): void;
  reset(): void;
  now(): number;
}

const faultSchema = z.object({
  op: z.string(),
  status: z.number().int().min(100).max(599).optional(),
  body: z.unknown().optional(),
  arrayBody: z.boolean().optional(),
  retryAfterS: z.number().nonnegative().optional(),
  drop: z.enum(["before", "after"]).optional(),
  delayMs: z.number().nonnegative().optional(),
  times: z.number().int().min(1).optional(),
});

const jobFaultSchema = z.object({
  op: z.string(),
  jobIds: z.array(z.union([z.string(), z.number(), z.bigint()])).min(1),
  message: z.string().optional(),
});

const jobIdSchema = z.union([z.string(), z.number(), z.bigint()]);

const lieSchema = z.object({
  op: z.string(),
  jobIds: z.array(jobIdSchema).min(1),
  times: z.number().int().min(1).optional(),
});

const churnSchema = z.object({
  op: z.enum(LIST_OPS),
  create: z.number().int().min(0).optional(),
  remove: z.union([z.number().int().min(0), z.array(jobIdSchema)]).optional(),
  times: z.number().int().min(1).optional(),
});

const jobStatusSchema = z.object({
  service: z.enum(["dli-flink", "dli-spark", "mrs", "ehpc"]),
  jobId: jobIdSchema,
  status: z.string().min(1),
  projectId: z.string().optional(),
  clusterId: z.string().optional(),
  zone: z.string().optional(),
});

const NO_CONTENT = { status: 204 } as const;

/** A handler that does `action` and answers 204. */
function noContentAfter(action: () => void): () => typeof NO_CONTENT {
  return () => {
    action();
    return NO_CONTENT;
  };
}

export function coreAdminRoutes(controls: AdminControls): AdminRoute[] {
  return [
    {
      method: "GET",
      path: "/__admin/calls",
      handle: ({ query }) => {
        const ops = query.getAll("op");
        const service = query.get("service") ?? undefined;
        const filter: CallFilter = { ...(ops.length > 0 ? { op: ops } : {}), ...(service !== undefined ? { service } : {}) };
        return { status: 200, body: { calls: controls.calls(filter) } };
      },
    },
    { method: "DELETE", path: "/__admin/calls", handle: noContentAfter(() => controls.resetCalls()) },
    {
      method: "POST",
      path: "/__admin/faults",
      handle: ({ json }) => {
        const { op, ...fault } = adminInput(faultSchema, json);
        controls.failNext(op, withoutUndefined(fault));
        return NO_CONTENT;
      },
    },
    {
      method: "POST",
      path: "/__admin/job-faults",
      handle: ({ json }) => {
        const { op, jobIds, message } = adminInput(jobFaultSchema, json);
        controls.failJobs(op, jobIds, message);
        return NO_CONTENT;
      },
    },
    { method: "DELETE", path: "/__admin/faults", handle: noContentAfter(() => controls.clearFaults()) },
    {
      method: "POST",
      path: "/__admin/lie-on-delete",
      handle: ({ json }) => {
        const { op, jobIds, times } = adminInput(lieSchema, json);
        controls.lieOnDelete(op, jobIds, times === undefined ? {} : { times });
        return NO_CONTENT;
      },
    },
    {
      method: "POST",
      path: "/__admin/churn",
      handle: ({ json }) => {
        controls.churnLists(withoutUndefined(adminInput(churnSchema, json)));
        return NO_CONTENT;
      },
    },
    { method: "DELETE", path: "/__admin/churn", handle: noContentAfter(() => controls.stopChurn()) },
    {
      method: "GET",
      path: "/__admin/churn",
      handle: () => ({ status: 200, body: { created: controls.churnCreated(), removed: controls.churnRemoved() } }),
    },
    {
      method: "POST",
      path: "/__admin/job-status",
      handle: ({ json }) => {
        const { service, jobId, status, ...where } = adminInput(jobStatusSchema, json);
        controls.setJobStatus(service, jobId, status, withoutUndefined(where));
        return NO_CONTENT;
      },
    },
    { method: "POST", path: "/__admin/reset", handle: noContentAfter(() => controls.reset()) },
    { method: "POST", path: "/__admin/tokens/expire", handle: noContentAfter(() => controls.expireTokens()) },
    { method: "GET", path: "/__admin/now", handle: () => ({ status: 200, body: { now: controls.now() } }) },
  ];
}

/**
 * The admin API's answer to a request under `/__admin/`: 404 for an unknown path, 405 for a known path under another
 * method, 400 for a body that is not JSON or input the endpoint refuses, 500 for anything else the handler throws.
 */
export function adminAnswer(routes: readonly AdminRoute[], method: string, path: string, query: URLSearchParams, bodyText: string): ApiAnswer {
  const route = routes.find((candidate) => candidate.method === method && candidate.path === path);
  if (!route) {
    const known = routes.some((candidate) => candidate.path === path);
    return { status: known ? 405 : 404, body: { error: `No admin endpoint ${method} ${path}` } };
  }
  let json: unknown;
  try {
    json = bodyText.trim() === "" ? undefined : parseJsonExact(bodyText);
  } catch (error) {
    return { status: 400, body: { error: `The body is not JSON: ${(error as Error).message}` } };
  }
  try {
    return route.handle({ query, json });
  } catch (error) {
    const refused = error instanceof AdminInputError || error instanceof RangeError;
    return { status: refused ? 400 : 500, body: { error: (error as Error).message } };
  }
}

/** zod leaves absent optional keys out, but `body: undefined` must not count as "a body was given". */
function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, member]) => member !== undefined)) as T;
}
