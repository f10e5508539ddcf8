/**
 * Which jobs the sets known to this provider process hold, and where. A replacement is create-before-delete: the
 * engine creates the new set, and only at the end of the run deletes the old one, handing that delete nothing but
 * the old set's outputs. When the new set holds some of the same jobs in the same place (a `--replace`, a
 * `replaceOnChanges`, a set renamed without an alias, a job moved from one set to another), tearing down all of the
 * old set's jobs would tear down jobs that a live set declares. So every set this process creates, updates or
 * diffs is recorded here with its place and jobs, and a teardown leaves alone the jobs another recorded set holds
 * in the same place.
 *
 * A record says only what is true: create and update record the outputs they return, and diff records the *old*
 * outputs (what the state holds until an update changes it), never the new inputs, since an update may still fail.
 * A record that claimed a job no set holds would leave that job running.
 *
 * The place is where the job IDs name jobs: the kind and its location (DLI: the project; MRS: the project and
 * cluster; EHPC: the zone and cluster). The endpoint is not part of it: it is only the way there (a Huawei project
 * belongs to one region, and a cluster ID names one cluster), and `127.0.0.1` and `localhost` are the same server.
 *
 * One engine run uses one provider process per provider (the dynamic-provider host, or the plugin per provider
 * instance), so what this cannot see is a replacement whose two halves run in two processes: a set moved between
 * the dynamic-provider route and the plugin route, or to another explicit provider instance (README, "What a change
 * does").
 */

export interface HeldElsewhere {
  /** The jobs another set holds in the same place. */
  jobs: Set<string>;
  /** The IDs of the sets that hold them. */
  holders: string[];
}

export class SetHoldings {
  private readonly sets = new Map<string, { place: string; jobs: ReadonlySet<string> }>();

  /** Records that set `setId` holds `jobs` at `place` (replacing what was recorded for it). */
  hold(setId: string, place: string, jobs: readonly string[]): void {
    this.sets.set(setId, { place, jobs: new Set(jobs) });
  }

  /** Forgets set `setId` (it was deleted). */
  release(setId: string): void {
    this.sets.delete(setId);
  }

  /** Of `jobs` at `place`, those that a set other than `setId` holds. */
  heldElsewhere(setId: string, place: string, jobs: readonly string[]): HeldElsewhere {
    const held = new Set<string>();
    const holders: string[] = [];
    for (const [otherId, other] of this.sets) {
      if (otherId === setId || other.place !== place) continue;
      const shared = jobs.filter((job) => other.jobs.has(job));
      if (shared.length === 0) continue;
      for (const job of shared) held.add(job);
      holders.push(otherId);
    }
    return { jobs: held, holders };
  }
}
