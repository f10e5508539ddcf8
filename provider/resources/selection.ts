/**
 * What a set's selector holds now: one pass over the whole list where the set lives (its project, or its MRS or EHPC
 * cluster), narrowed by the list's own filters, then matched strictly here (inputs/selector.ts, `selects`): the
 * servers' name filters match substrings, and a filter a server ignores must not widen a teardown.
 *
 * Unlike a snapshot (snapshot.ts), which confirms members it already knows and may stop once it has seen them all,
 * a selection discovers members, so it reads every window. Offset-paged lists are read in windows that overlap by
 * one record, so a job created at the head of the list while we page shifts the others by one place without one
 * slipping between two windows; a job the pass still misses (it was submitted during the pass) is found by the
 * next one: the destroy selects again.
 */
import type { ListPage, ListWindow } from "./snapshot";
import { mapConcurrent } from "../clients/http";
import { FLINK_LIST_PAGE_SIZE, getFlinkJob, listFlinkJobs, type DliContext } from "../clients/huawei-dli";
import { listSparkBatches, SPARK_LIST_PAGE_SIZE } from "../clients/huawei-dli-spark";
import { listJobExecutions, MRS_LIST_PAGE_SIZE, type MrsContext } from "../clients/huawei-mrs";
import { EHPC_LIST_PAGE_SIZE, listEhpcJobs, type EhpcContext } from "../clients/qingcloud-ehpc";
import { selects, type JobSelector } from "../inputs/selector";
import type { Runtime } from "./teardown";

/** A list entry as a selection reads it. */
interface Entry {
  id: string;
  status: string;
  name?: string;
  queue?: string;
}

/** The most windows one selection reads: 50,000 jobs (the ceiling of a set) at 100 a window, and some to spare. */
const MAX_WINDOWS = 1000;

/** Every entry of a filtered list, read window by window from its head; ID → entry (the first seen wins). */
async function readWholeList(pageSize: number, addressing: "offset" | "page", fetch: (window: ListWindow) => Promise<ListPage<Entry>>): Promise<Map<string, Entry>> {
  const seen = new Map<string, Entry>();
  const step = addressing === "offset" ? pageSize - 1 : pageSize;
  for (let index = 0; index < MAX_WINDOWS; index++) {
    const window = { offset: index * step, limit: pageSize };
    const page = await fetch(window);
    if (page.containerGone) return new Map();
    for (const item of page.items) if (!seen.has(item.id)) seen.set(item.id, item);
    if (page.items.length < pageSize || window.offset + pageSize >= page.total) return seen;
  }
  return seen;
}

/** The entries `selector` selects, as ID → status. */
function matched(entries: Map<string, Entry>, selector: JobSelector): Map<string, string> {
  return new Map([...entries.values()].filter((entry) => selects(selector, entry)).map((entry) => [entry.id, entry.status]));
}

/**
 * A DLI Flink project's jobs the selector holds (`name`, `queue_name` filters). DLI's list may leave a field out that
 * its detail has (docs/apis.md, "DLI Flink jobs"): an entry the filters let through without a field the selector
 * needs is read by its detail call before it is judged; one that vanished meanwhile is not selected.
 */
export async function selectFlinkJobs(runtime: Runtime<DliContext>, selector: JobSelector): Promise<Map<string, string>> {
  const filters = { ...(selector.namePrefix ? { name: selector.namePrefix } : {}), ...(selector.queueName ? { queue_name: selector.queueName } : {}) };
  const entries = await readWholeList(FLINK_LIST_PAGE_SIZE, "offset", async ({ offset, limit }) => {
    const page = await listFlinkJobs(runtime.ctx, offset, limit, filters);
    return { total: page.totalCount, items: page.jobs.map((job) => ({ id: job.jobId, status: job.status, name: job.name, queue: job.queue })) };
  });
  const incomplete = [...entries.values()].filter((entry) => (selector.namePrefix && entry.name === undefined) || (selector.queueName && entry.queue === undefined));
  const details = await mapConcurrent(incomplete, runtime.concurrency, (entry) => getFlinkJob(runtime.ctx, entry.id));
  incomplete.forEach((entry, i) => {
    const job = details[i];
    if (job) entries.set(entry.id, { id: job.jobId, status: job.status, name: job.name, queue: job.queue });
    else entries.delete(entry.id);
  });
  return matched(entries, selector);
}

/** A DLI Spark project's batches the selector holds (`job_name`, `queue_name` filters). */
export async function selectSparkBatches(runtime: Runtime<DliContext>, selector: JobSelector): Promise<Map<string, string>> {
  const filters = { ...(selector.namePrefix ? { job_name: selector.namePrefix } : {}), ...(selector.queueName ? { queue_name: selector.queueName } : {}) };
  const entries = await readWholeList(SPARK_LIST_PAGE_SIZE, "offset", async ({ offset, limit }) => {
    const page = await listSparkBatches(runtime.ctx, offset, limit, filters);
    return { total: page.total, items: page.batches.map((batch) => ({ id: batch.batchId, status: batch.state, name: batch.name, queue: batch.queue })) };
  });
  return matched(entries, selector);
}

/** An MRS cluster's executions the selector holds (`job_name` filter; MRS lists have no queue filter). */
export async function selectMrsExecutions(runtime: Runtime<MrsContext>, selector: JobSelector): Promise<Map<string, string>> {
  const filters = selector.namePrefix ? { job_name: selector.namePrefix } : {};
  const entries = await readWholeList(MRS_LIST_PAGE_SIZE, "page", async ({ offset, limit }) => {
    const page = await listJobExecutions(runtime.ctx, offset / limit + 1, limit, filters);
    return { total: page.totalRecord, containerGone: page.clusterGone, items: page.jobs.map((job) => ({ id: job.jobId, status: job.state, name: job.name, queue: job.queue })) };
  });
  return matched(entries, selector);
}

/** An EHPC cluster's jobs the selector holds (`queue_name` filter; `search_word`, a substring search, for the prefix). */
export async function selectEhpcJobs(runtime: Runtime<EhpcContext>, selector: JobSelector): Promise<Map<string, string>> {
  const filters = { ...(selector.queueName ? { queue_name: selector.queueName } : {}), ...(selector.namePrefix ? { search_word: selector.namePrefix } : {}) };
  const entries = await readWholeList(EHPC_LIST_PAGE_SIZE, "offset", async ({ offset, limit }) => {
    const page = await listEhpcJobs(runtime.ctx, offset, limit, filters);
    return { total: page.totalCount, containerGone: page.clusterGone, items: page.jobs.map((job) => ({ id: job.jobId, status: job.status, name: job.name, queue: job.queue })) };
  });
  return matched(entries, selector);
}
