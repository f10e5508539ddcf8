/**
 * DLI Spark batch job API (`/v2.0/{project_id}/batches/...`), one function per operation.
 * https://support.huaweicloud.com/intl/en-us/api-dli/dli_02_0129.html (cancel), and huawei-cloud.md ("DLI Spark batch
 * jobs"). There is no batch cancel: teardown sends one DELETE per batch.
 *
 * A module of its own rather than more functions in `huawei-dli.ts`: it shares DLI's host, signing and
 * error shape (all in `huawei.ts`, and `DliContext`), but nothing else. It is another API version with
 * other IDs (UUIDs, not Longs), other verbs (per-batch cancel, no batch call) and other meanings for the
 * same status codes (a 400 here may mean "already finished").
 */
import { z } from "zod";
import { classifyHuawei, firstError, huaweiApiError, parseBody } from "./huawei";
import type { DliContext } from "./huawei-dli";

export const SERVICE = "dli-spark";

/** The only states DLI can cancel (huawei-cloud.md); compared in lowercase, as examples also show `Success`. */
export const SPARK_ACTIVE_STATES = new Set(["starting", "running", "recovering"]);
/** Where a cancelled batch ends (Terraform's delete waits for these). */
export const SPARK_FINAL_STATES = new Set(["dead", "success"]);

/** DLI's "object does not exist" (huawei-cloud.md, Errors). */
export const SPARK_GONE_CODES = new Set(["DLI.0002"]);

function path(ctx: DliContext, batchId: string, suffix = ""): string {
  return `/v2.0/${encodeURIComponent(ctx.projectId)}/batches/${encodeURIComponent(batchId)}${suffix}`;
}

const stateResponse = z.object({ id: z.string().optional(), state: z.string() }).loose();

export type SparkBatchState = { batchId: string; exists: true; state: string } | { batchId: string; exists: false; reason: string };

/**
 * `GET .../batches/{batch_id}/state`. A 404, or a 400 of any code, means the batch does not exist: that is
 * what Terraform's delete concludes from a 400 on this call, and the state call has no other reason to
 * refuse a well-formed UUID. The state is lowercased.
 */
export async function getSparkBatchState(ctx: DliContext, batchId: string): Promise<SparkBatchState> {
  const response = await ctx.http.send(
    {
      service: SERVICE,
      op: "getSparkBatchState",
      method: "GET",
      origin: ctx.endpoint,
      path: path(ctx, batchId, "/state"),
      headers: { "content-type": "application/json" },
    },
    { authorizer: ctx.authorizer, classify: classifyHuawei },
  );
  if (response.statusCode === 404 || response.statusCode === 400) {
    const { code, message } = firstError(response);
    return { batchId, exists: false, reason: `${message ?? "not found"} (HTTP ${response.statusCode}${code ? ` ${code}` : ""})` };
  }
  if (response.statusCode !== 200) throw huaweiApiError(SERVICE, "reading the batch state failed", response, batchId);
  const body = parseBody(stateResponse, response, SERVICE, "batch state");
  return { batchId, exists: true, state: body.state.trim().toLowerCase() };
}

/**
 * Batches per list page: Livy's (and so DLI's) default `size`. DLI documents no maximum
 * (https://support.huaweicloud.com/intl/en-us/api-dli/dli_02_0125.html): the default is the one size known to work.
 */
export const SPARK_LIST_PAGE_SIZE = 100;

const listResponse = z.object({
  total: z.coerce.number().int().nonnegative(),
  sessions: z
    .array(z.object({ id: z.string(), state: z.string() }).loose())
    .nullish()
    .transform((sessions) => sessions ?? []),
});

/** `GET .../batches?from=&size=`: one page of the project's batches, newest first; `from` counts records. States lowercased. */
export async function listSparkBatches(ctx: DliContext, from: number, size = SPARK_LIST_PAGE_SIZE): Promise<{ total: number; batches: { batchId: string; state: string }[] }> {
  const response = await ctx.http.send(
    {
      service: SERVICE,
      op: "listSparkBatches",
      method: "GET",
      origin: ctx.endpoint,
      path: `/v2.0/${encodeURIComponent(ctx.projectId)}/batches`,
      query: { from, size },
      headers: { "content-type": "application/json" },
    },
    { authorizer: ctx.authorizer, classify: classifyHuawei },
  );
  if (response.statusCode !== 200) throw huaweiApiError(SERVICE, "listing the batches failed", response);
  const body = parseBody(listResponse, response, SERVICE, "list batches");
  return { total: body.total, batches: body.sessions.map((b) => ({ batchId: b.id.toLowerCase(), state: b.state.trim().toLowerCase() })) };
}

/** What a cancel said. "refused": a 400 that is not "does not exist", most likely "already finished". */
export type CancelOutcome = { outcome: "cancelled" } | { outcome: "gone"; message: string } | { outcome: "refused"; message: string };

/**
 * `DELETE .../batches/{batch_id}`: asynchronous, answers 200 `{"msg":"deleted"}`. A batch that finished
 * meanwhile answers 400 (body unverified): reported as "refused" so the caller confirms with the state
 * call rather than trusting a 400 it cannot read. DLI.0002 or a 404: the batch does not exist.
 */
export async function cancelSparkBatch(ctx: DliContext, batchId: string): Promise<CancelOutcome> {
  const response = await ctx.http.send(
    {
      service: SERVICE,
      op: "cancelSparkBatch",
      method: "DELETE",
      origin: ctx.endpoint,
      path: path(ctx, batchId),
      headers: { "content-type": "application/json" },
    },
    { authorizer: ctx.authorizer, classify: classifyHuawei },
  );
  if (response.statusCode >= 200 && response.statusCode < 300) return { outcome: "cancelled" };
  const { code, message } = firstError(response);
  const why = `${message ?? "no message"} (HTTP ${response.statusCode}${code ? ` ${code}` : ""})`;
  if (response.statusCode === 404 || (code && SPARK_GONE_CODES.has(code))) return { outcome: "gone", message: why };
  if (response.statusCode === 400) return { outcome: "refused", message: `the cancel was refused: ${why}` };
  throw huaweiApiError(SERVICE, "cancel failed", response, batchId);
}
