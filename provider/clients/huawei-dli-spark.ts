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
import { listField } from "./list-field";
import { firstError, huaweiApiError, parseBody } from "./huawei";
import { sendDli, type DliContext } from "./huawei-dli";
import type { ApiResponse } from "./http";

export const SERVICE = "dli-spark";

/**
 * Where a batch has ended (Terraform's delete waits for these): compared in lowercase, as examples also show
 * `Success`. Listed one by one on purpose: any other state (`starting`, `running`, `recovering`, or one DLI adds
 * later) may be running, so it is sent a cancel and waited for.
 */
export const SPARK_FINAL_STATES = new Set(["dead", "success"]);

/** Whether a batch in `state` may still run: anything not known to have ended. */
export function sparkMayRun(state: string): boolean {
  return !SPARK_FINAL_STATES.has(state);
}

/** DLI's "object does not exist" (huawei-cloud.md, Errors). */
export const SPARK_GONE_CODES = new Set(["DLI.0002"]);

function path(ctx: DliContext, batchId: string, suffix = ""): string {
  return `/v2.0/${encodeURIComponent(ctx.projectId)}/batches/${encodeURIComponent(batchId)}${suffix}`;
}

const stateResponse = z.object({ id: z.string().optional(), state: z.string() }).loose();

export type SparkBatchState = { batchId: string; exists: true; state: string } | { batchId: string; exists: false; reason: string };

/**
 * DLI's word that a batch does not exist: `DLI.0002` ("object does not exist", any 4xx), or a 404 from DLI itself.
 * A 404 the gateway answers (`APIG.*`: a wrong path or endpoint) says nothing about the batch.
 */
function sparkGone(response: ApiResponse): string | undefined {
  const { code, message } = firstError(response);
  const gone = (response.statusCode >= 400 && response.statusCode < 500 && code !== undefined && SPARK_GONE_CODES.has(code)) || (response.statusCode === 404 && !code?.startsWith("APIG."));
  return gone ? `${message ?? "not found"} (HTTP ${response.statusCode}${code ? ` ${code}` : ""})` : undefined;
}

function readBatch(ctx: DliContext, op: string, batchId: string, suffix: string) {
  return sendDli(ctx, {
    service: SERVICE,
    op,
    method: "GET",
    path: path(ctx, batchId, suffix),
  });
}

/**
 * `GET .../batches/{batch_id}/state`: the batch's state (lowercased), or `exists: false` on DLI's "does not exist".
 * Any other refusal is not taken as "gone" (DLI also answers 400 `DLI.0001` for a parameter error, and a busy
 * gateway may answer oddly): it is confirmed by the batch's detail call (`GET .../batches/{batch_id}`), and an
 * answer that confirms nothing fails the read.
 */
export async function getSparkBatchState(ctx: DliContext, batchId: string): Promise<SparkBatchState> {
  const state = await readBatch(ctx, "getSparkBatchState", batchId, "/state");
  const answer = stateIn(state, batchId, "batch state");
  if (answer) return answer;
  if (state.statusCode !== 400) throw huaweiApiError(SERVICE, "reading the batch state failed", state, batchId);
  const detail = await readBatch(ctx, "getSparkBatch", batchId, "");
  const confirmed = stateIn(detail, batchId, "batch detail");
  if (confirmed) return confirmed;
  throw huaweiApiError(SERVICE, "reading the batch failed (state and detail calls both refused)", detail, batchId);
}

/** What a state or detail answer settles: the state (a 200), DLI's "does not exist", or nothing (undefined). */
function stateIn(response: ApiResponse, batchId: string, what: string): SparkBatchState | undefined {
  if (response.statusCode === 200) {
    return { batchId, exists: true, state: parseBody(stateResponse, response, SERVICE, what).state.trim().toLowerCase() };
  }
  const gone = sparkGone(response);
  return gone ? { batchId, exists: false, reason: gone } : undefined;
}

/**
 * Batches per list page: Livy's (and so DLI's) default `size`. DLI documents no maximum
 * (https://support.huaweicloud.com/intl/en-us/api-dli/dli_02_0125.html): the default is the one size known to work.
 */
export const SPARK_LIST_PAGE_SIZE = 100;

const listResponse = z.object({
  total: z.coerce.number().int().nonnegative(),
  sessions: listField(z.object({ id: z.string(), state: z.string(), name: z.string().nullish(), queue: z.string().nullish(), cluster_name: z.string().nullish() }).loose()),
});

/** A list entry: `queue` is the answer's `queue`, or `cluster_name` in older answers. */
export interface SparkBatchEntry {
  batchId: string;
  state: string;
  name?: string;
  queue?: string;
}

/**
 * `GET .../batches?from=&size=`: one window of the project's batches, newest first; `from` counts records. States
 * lowercased. `filters` (`job_name`, `queue_name`) only narrow what is read: a selector checks each batch itself.
 */
export async function listSparkBatches(
  ctx: DliContext,
  from: number,
  size = SPARK_LIST_PAGE_SIZE,
  filters: { job_name?: string; queue_name?: string } = {},
): Promise<{ total: number; batches: SparkBatchEntry[] }> {
  const response = await sendDli(ctx, {
    service: SERVICE,
    op: "listSparkBatches",
    method: "GET",
    path: `/v2.0/${encodeURIComponent(ctx.projectId)}/batches`,
    query: { from, size, ...filters },
  });
  if (response.statusCode !== 200) throw huaweiApiError(SERVICE, "listing the batches failed", response);
  const body = parseBody(listResponse, response, SERVICE, "list batches");
  return {
    total: body.total,
    batches: body.sessions.map((b) => {
      const queue = b.queue ?? b.cluster_name;
      return { batchId: b.id.toLowerCase(), state: b.state.trim().toLowerCase(), ...(typeof b.name === "string" ? { name: b.name } : {}), ...(typeof queue === "string" ? { queue } : {}) };
    }),
  };
}

/** What a cancel said. "refused": a 400 that is not "does not exist", most likely "already finished". */
export type CancelOutcome = { outcome: "cancelled" } | { outcome: "gone"; message: string } | { outcome: "refused"; message: string };

/**
 * `DELETE .../batches/{batch_id}`: asynchronous, answers 200 `{"msg":"deleted"}`. A batch that finished
 * meanwhile answers 400 (body unverified): reported as "refused" so the caller confirms with the state
 * call rather than trusting a 400 it cannot read. DLI.0002 or a 404: the batch does not exist.
 */
export async function cancelSparkBatch(ctx: DliContext, batchId: string): Promise<CancelOutcome> {
  const response = await sendDli(ctx, {
    service: SERVICE,
    op: "cancelSparkBatch",
    method: "DELETE",
    path: path(ctx, batchId),
  });
  if (response.statusCode >= 200 && response.statusCode < 300) return { outcome: "cancelled" };
  const { code, message } = firstError(response);
  const why = `${message ?? "no message"} (HTTP ${response.statusCode}${code ? ` ${code}` : ""})`;
  if (sparkGone(response)) return { outcome: "gone", message: why };
  if (response.statusCode === 400) return { outcome: "refused", message: `the cancel was refused: ${why}` };
  throw huaweiApiError(SERVICE, "cancel failed", response, batchId);
}
