/**
 * The zod schemas of single input fields, shared by every kind: job IDs, names, endpoints, limits. Each message
 * says what was expected and what was received, so `check` can hand it to the user as it is.
 */
import { z } from "zod";
import { ABSOLUTE_MAX_JOBS_PER_SET } from "../config";

/** How a set's jobs are torn down when the set is deleted (or jobs are removed from it). */
export const TEARDOWN_MODES = ["delete", "stop", "stop-then-delete"] as const;
export type TeardownMode = (typeof TEARDOWN_MODES)[number];

/** An upper bound on `batchSize`: well beyond any documented page, small enough to keep bodies sane. */
export const MAX_BATCH_SIZE = 1000;
/** Stop is asynchronous; 20 minutes lets a savepoint of a large job state finish before the wait gives up. */
export const DEFAULT_WAIT_TIMEOUT_SECONDS = 20 * 60;
export const MAX_WAIT_TIMEOUT_SECONDS = 24 * 60 * 60;

/** DLI job IDs are Java Longs: positive, at most 2^63-1. */
const LONG_MAX = 9223372036854775807n;

/** A received value as a message shows it: short strings quoted, long ones cut, objects by type. */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return value.length > 40 ? `"${value.slice(0, 40)}…"` : JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value);
  return `a value of type ${typeof value}`;
}

/** A transform's way to reject: adds the issue with `message` and returns zod's "no value". */
function failWith(ctx: z.RefinementCtx, value: unknown) {
  return (message: string) => {
    ctx.addIssue({ code: "custom", message, input: value });
    return z.NEVER;
  };
}

/** A DLI Flink job ID: a positive integer, as a JSON number or a string of digits. Normalised to a string. */
export const flinkJobId = z.custom<number | string>(() => true).transform((value, ctx): string => {
  const fail = failWith(ctx, value);
  if (typeof value === "number") {
    if (!Number.isFinite(value) || !Number.isInteger(value) || value <= 0) {
      return fail(`expected a positive integer job ID, received ${describe(value)}`);
    }
    if (!Number.isSafeInteger(value)) {
      return fail(`job ID ${value} is above 2^53-1 and has already lost precision as a number: pass it as a string of digits`);
    }
    return String(value);
  }
  if (typeof value === "string") {
    const trimmed = value.trim();
    if (!/^\d+$/.test(trimmed)) return fail(`expected a string of digits, received ${describe(value)}`);
    const asBig = BigInt(trimmed);
    if (asBig <= 0n) return fail(`expected a positive integer job ID, received ${describe(value)}`);
    if (asBig > LONG_MAX) return fail(`job ID ${describe(value)} is larger than a DLI Long (2^63-1)`);
    return asBig.toString();
  }
  return fail(`expected an integer or a string of digits, received ${describe(value)}`);
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A UUID (DLI Spark batch IDs, MRS job execution IDs), normalised to lowercase: both APIs answer IDs in
 * lowercase, and one spelling per ID keeps diffs and duplicate detection exact.
 */
export const uuidId = (what: string) =>
  z.custom<string>(() => true).transform((value, ctx): string => {
    const trimmed = typeof value === "string" ? value.trim() : undefined;
    if (trimmed === undefined || !UUID.test(trimmed)) {
      return failWith(ctx, value)(
        `expected ${what} as a UUID (8-4-4-4-12 hex digits, e.g. "0a324461-d9d9-45da-a52a-3b3c7a3d809e"), received ${describe(value)}`,
      );
    }
    return trimmed.toLowerCase();
  });

/** QingCloud EHPC job IDs as deleteJobs and stopJobs take them: the `hpcjob_uuid`, `hpcjob-` and letters/digits. */
export const EHPC_JOB_ID_PREFIX = "hpcjob-";
export const ehpcJobId = z.custom<string>(() => true).transform((value, ctx): string => {
  const trimmed = typeof value === "string" ? value.trim() : undefined;
  if (trimmed === undefined || !trimmed.startsWith(EHPC_JOB_ID_PREFIX) || !/^hpcjob-[A-Za-z0-9]+$/.test(trimmed)) {
    const numeric = trimmed !== undefined && /^\d+$/.test(trimmed);
    return failWith(ctx, value)(
      `expected an EHPC job ID starting with "${EHPC_JOB_ID_PREFIX}" followed by letters and digits (the hpcjob_uuid, e.g. "hpcjob-bp6rj09f"), ` +
        `received ${describe(value)}${numeric || typeof value === "number" ? " (that looks like the scheduler's job_id, which the API does not accept)" : ""}`,
    );
  }
  return trimmed;
});

/** The list of a set's members; the hard ceiling here, the configurable one (`jobsets:maxJobsPerSet`) at check. */
export function idList<T extends z.ZodType<string>>(element: T, what: string) {
  return z
    .array(element, { error: (issue) => `expected a list of ${what}, received ${describe(issue.input)}` })
    .max(ABSOLUTE_MAX_JOBS_PER_SET, { error: `a set holds at most ${ABSOLUTE_MAX_JOBS_PER_SET} jobs; split it into several sets` });
}

/** Collapses duplicates, keeping first-seen order (the order batch calls are sent in). */
export function uniqueIds(ids: readonly string[]): string[] {
  return [...new Set(ids)];
}

/** A project, region, cluster or zone name: what the APIs put in a URL path or body, so nothing that needs escaping. */
export const nonEmptyName = (what: string) =>
  z
    .string({ error: (issue) => `expected ${what} as a string, received ${describe(issue.input)}` })
    .trim()
    .transform((value, ctx) => {
      const fail = failWith(ctx, value);
      if (value === "") return fail(`${what} must not be empty`);
      if (value.length > 128) return fail(`${what} is longer than 128 characters, received ${describe(value)}`);
      if (!/^[A-Za-z0-9_.-]+$/.test(value)) return fail(`${what} may hold only letters, digits, '-', '_' and '.', received ${describe(value)}`);
      return value;
    });

export const teardown = z.enum(TEARDOWN_MODES, {
  error: (issue) => `expected one of ${TEARDOWN_MODES.map((m) => `"${m}"`).join(", ")}, received ${describe(issue.input)}`,
});

export const positiveInt = (what: string, max: number) =>
  z
    .number({ error: (issue) => `expected ${what} as a number, received ${describe(issue.input)}` })
    .int({ error: (issue) => `expected ${what} as a whole number, received ${describe(issue.input)}` })
    .min(1, { error: (issue) => `expected ${what} of at least 1, received ${describe(issue.input)}` })
    .max(max, { error: (issue) => `expected ${what} of at most ${max}, received ${describe(issue.input)}` });

export const flag = (what: string) => z.boolean({ error: (issue) => `expected ${what} as true or false, received ${describe(issue.input)}` });

/** The fields every kind has: how many IDs one batch call carries, and how long a teardown waits. */
export const batchSizeField = positiveInt("batchSize", MAX_BATCH_SIZE).optional();
export const waitTimeoutField = positiveInt("waitTimeoutSeconds", MAX_WAIT_TIMEOUT_SECONDS).optional();

/** Hosts for which plain http is allowed: the emulator and local test servers only. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return host === "localhost" || host === "::1" || /^127(\.\d{1,3}){3}$/.test(host);
}

/**
 * A base URL: scheme, host and port only. A path, query, fragment or userinfo is refused rather than
 * guessed at: a path would be signed and sent as part of every request, and credentials in a URL would
 * land in state.
 */
export const endpointUrl = z
  .string({ error: (issue) => `expected the endpoint as a URL string, received ${describe(issue.input)}` })
  .transform((value, ctx): string => {
    const fail = failWith(ctx, value);
    let url: URL;
    try {
      url = new URL(value.trim());
    } catch {
      return fail(`expected a base URL such as "https://dli.cn-north-4.myhuaweicloud.com", received ${describe(value)}`);
    }
    if (url.username || url.password) return fail("the endpoint must not carry credentials (user:password@)");
    if (url.protocol !== "https:" && url.protocol !== "http:") {
      return fail(`expected an https:// URL, received the scheme "${url.protocol}"`);
    }
    if (url.protocol === "http:" && !isLoopbackHost(url.hostname)) {
      return fail(`plain http is allowed only for loopback hosts (127.0.0.1, localhost, ::1); use https for "${url.hostname}"`);
    }
    if (url.pathname !== "/" && url.pathname !== "") return fail(`expected no path in the endpoint, received "${url.pathname}"`);
    if (url.search) return fail(`expected no query string in the endpoint, received "${url.search}"`);
    if (url.hash) return fail(`expected no fragment in the endpoint, received "${url.hash}"`);
    return url.origin;
  });
