/**
 * Which of a set's members exist now, from a paged list the API may change while we read it. A member counts as gone
 * only on the API's word for it: its detail call, or a listing that provably did not move (`snapshotPaged`).
 */
import { chunk, mapConcurrent } from "../clients/http";

/** Passes over a moving offset-paged list before the members it did not show are asked for one by one. */
export const MAX_PROOF_PASSES = 3;

export interface ListPage<T> {
  /** The list's length when this page was cut, as the API reports it. */
  total: number;
  items: T[];
  /** The container (an MRS or EHPC cluster) is said not to exist: confirmed job by job before anything counts as gone. */
  containerGone?: boolean;
}

/** A slice of a list: `limit` records from record `offset`. */
export interface ListWindow {
  offset: number;
  limit: number;
}

export interface PagedListing<T> {
  pageSize: number;
  /**
   * "offset": the API takes any record offset (DLI Flink and Spark, EHPC), so windows can overlap by one record and
   * a pass over the list can prove it did not move (see `snapshotPaged`). "page": it takes page numbers only (MRS),
   * so windows are whole pages and a multi-page pass proves nothing.
   */
  addressing: "offset" | "page";
  /** List pages in flight at once. */
  concurrency: number;
  /** One window of the list; for "page" addressing, `offset` is always a multiple of `limit`. */
  fetch(window: ListWindow): Promise<ListPage<T>>;
  /**
   * Names the list (its endpoint, project, cluster…): sets of one project snapshot it at the same time, and a
   * page one of them is already reading is shared rather than read again (`sharedFetch`).
   */
  key: string;
  idOf(item: T): string;
  /**
   * The API's detail call, job by job: those of `ids` that exist. A job is left out only when the API answers its
   * documented "does not exist" for it; any other failure throws.
   */
  lookup(ids: string[]): Promise<T[]>;
}

export interface Snapshot<T> {
  found: Map<string, T>;
  /** The list said the container is gone; members not found were confirmed gone one by one. */
  containerGone: boolean;
  /** With `deferLookups`: members neither seen nor proven gone (empty otherwise). */
  unproven: string[];
}

export interface SnapshotOptions {
  /**
   * When the passes cannot prove the members not seen are gone, report them `unproven` rather than ask for each:
   * a wait loop polls again soon, and by then the list may fit one answer (its sibling sets done deleting).
   */
  deferLookups?: boolean;
}

/**
 * The members of `ids` that exist now. A member counts as gone only when the API says so for that job (its detail
 * call, `lookup`) or when a listing that cannot have moved under us leaves it out:
 *
 *   - one answer that holds the whole list (a first window that ends before `pageSize`) is one consistent view;
 *   - a pass over several windows is consistent only when it proves so. Other teams create and delete jobs while we
 *     page, and one creation plus one deletion keep `total` unchanged while shifting every job between them by one
 *     place, so a member can slip into a window already read. On "offset" lists the windows overlap by one record:
 *     when each window's last record is the next window's first and the last window ends the list, no member can
 *     have slipped past (jobs keep their order among themselves, so a member before an anchor stays before it);
 *   - anything else (a "page" list of several pages, an anchor that moved, a list that grew past the last window)
 *     proves nothing: the list is read again when a pass costs fewer calls than the members not seen (at most
 *     `MAX_PROOF_PASSES` passes), and then the members still not seen are looked up one by one.
 *
 * Cost when nothing moves: the first window, then the others back to front, several in flight, stopping as soon as
 * every member is found; members missing after the first window are looked up at once when that costs fewer calls
 * than the windows left. The overlap adds one window per hundred.
 */
export async function snapshotPaged<T>(listing: PagedListing<T>, ids: readonly string[], options: SnapshotOptions = {}): Promise<Snapshot<T>> {
  const wanted = new Set(ids);
  const found = new Map<string, T>();
  const settled = (): Snapshot<T> => ({ found, containerGone: false, unproven: [] });
  if (wanted.size === 0) return settled();
  const collect = (items: T[]) => {
    for (const item of items) {
      const id = listing.idOf(item);
      if (wanted.has(id)) found.set(id, item);
    }
  };
  const missing = () => [...wanted].filter((id) => !found.has(id));
  const confirmMissing = async (containerGone: boolean): Promise<Snapshot<T>> => {
    const unseen = missing();
    if (unseen.length) collect(await listing.lookup(unseen));
    return { found, containerGone, unproven: [] };
  };

  const size = listing.pageSize;
  const step = listing.addressing === "offset" ? size - 1 : size;
  const window = (index: number): ListWindow => ({ offset: index * step, limit: size });

  for (let pass = 1; ; pass++) {
    const pages = new Map<number, ListPage<T>>();
    const read = async (index: number) => {
      const page = await sharedFetch(listing, window(index));
      pages.set(index, page);
      return page;
    };
    const first = await read(0);
    if (first.containerGone) return confirmMissing(true);
    collect(first.items);
    if (found.size === wanted.size) return settled();
    if (first.items.length < size && first.total <= first.items.length) return settled();

    const last = Math.max(0, Math.ceil((first.total - size) / step));
    if (missing().length <= last) return confirmMissing(false);

    const indexes: number[] = [];
    for (let index = last; index >= 1; index--) indexes.push(index);
    for (const group of chunk(indexes, listing.concurrency)) {
      if (found.size === wanted.size) break;
      for (const page of await Promise.all(group.map(read))) {
        if (page.containerGone) return confirmMissing(true);
        collect(page.items);
      }
    }
    if (found.size === wanted.size || provesAbsence(listing, pages, last)) return settled();
    // The list moved while we read it (sets of one project are torn down in parallel), or it pages by number. Another
    // pass costs `last + 1` windows and may find it still; asking for each member not seen costs a call each: take the
    // cheaper, a bounded number of times.
    if (listing.addressing !== "offset" || pass >= MAX_PROOF_PASSES || missing().length <= last + 1) {
      return options.deferLookups ? { found, containerGone: false, unproven: missing() } : confirmMissing(false);
    }
  }
}

/** Whether windows 0..last, read in any order, add up to one unmoved view of the list (see `snapshotPaged`). */
function provesAbsence<T>(listing: PagedListing<T>, pages: Map<number, ListPage<T>>, last: number): boolean {
  if (listing.addressing !== "offset") return last === 0;
  for (let index = 0; index < last; index++) {
    const page = pages.get(index);
    const next = pages.get(index + 1);
    if (!page || !next || page.items.length !== listing.pageSize) return false;
    const anchor = next.items[0];
    if (anchor === undefined || listing.idOf(page.items[page.items.length - 1]!) !== listing.idOf(anchor)) return false;
  }
  const end = pages.get(last);
  return end !== undefined && end.items.length < listing.pageSize;
}

/** List windows being read, by listing key and window: shared by the snapshots that want them meanwhile. */
const pagesInFlight = new Map<string, Promise<ListPage<unknown>>>();

/**
 * Reads a window, or joins the read of the same window already in flight. The engine deletes the sets of a project
 * in parallel and their snapshots read the same windows at the same moment. A joined answer left the server a little
 * before this snapshot asked for it, which is no different from a slower network: it is still one real answer.
 */
function sharedFetch<T>(listing: PagedListing<T>, window: ListWindow): Promise<ListPage<T>> {
  const key = `${listing.key}\u0000${window.offset}\u0000${window.limit}`;
  let page = pagesInFlight.get(key) as Promise<ListPage<T>> | undefined;
  if (!page) {
    page = listing.fetch(window);
    pagesInFlight.set(key, page);
    const forget = () => pagesInFlight.get(key) === page && pagesInFlight.delete(key);
    page.then(forget, forget);
  }
  return page;
}

/** A `PagedListing.lookup` from a per-job detail call: the jobs of `ids` that exist, `concurrency` calls at a time. */
export async function lookupEach<T>(ids: readonly string[], concurrency: number, get: (id: string) => Promise<T | undefined>): Promise<T[]> {
  const answers = await mapConcurrent(ids, concurrency, get);
  return answers.filter((item): item is Awaited<T> & T => item !== undefined);
}
