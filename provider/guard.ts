/**
 * The mass-teardown guard. No Pulumi policy sees a deletion (pulumi/pulumi-policy#154), so the provider
 * itself refuses, before any request, a teardown larger than `jobsets:maxJobsPerTeardown` for one set or
 * `jobsets:maxJobsPerDestroy` for all sets of one provider process (one `pulumi destroy`), unless
 * `jobsets:allowMassTeardown` / `JOBSETS_ALLOW_MASS_TEARDOWN=1` says the operator means it.
 */
import { DEFAULT_MAX_JOBS_PER_DESTROY, DEFAULT_MAX_JOBS_PER_TEARDOWN, flagSetting, numberSetting } from "./config";
import { TeardownRefusedError } from "./errors";
import { count } from "./wait/progress";

export { DEFAULT_MAX_JOBS_PER_DESTROY, DEFAULT_MAX_JOBS_PER_TEARDOWN };

type Settings = { config: (key: string) => string | undefined; env: Record<string, string | undefined> };

/** Counts what one provider process has been allowed to tear down. */
export class TeardownGuard {
  private admitted = 0;

  /** Throws TeardownRefusedError (nothing sent) when tearing down `jobs` more would pass a limit. */
  admit(service: string, setId: string, jobs: number, settings: Settings): void {
    if (jobs === 0 || flagSetting("allowMassTeardown", settings.config, settings.env)) {
      this.admitted += jobs;
      return;
    }
    const perSet = numberSetting("maxJobsPerTeardown", DEFAULT_MAX_JOBS_PER_TEARDOWN, settings.config, settings.env);
    const perDestroy = numberSetting("maxJobsPerDestroy", DEFAULT_MAX_JOBS_PER_DESTROY, settings.config, settings.env);
    const howToProceed =
      "Nothing was sent; the set and its jobs are untouched. If you mean it, run the destroy again with " +
      "JOBSETS_ALLOW_MASS_TEARDOWN=1 (on a plain `pulumi destroy` the stack config is the one saved at the last " +
      "`pulumi up`, so `jobsets:allowMassTeardown` takes effect only after an up), or raise the limit.";
    if (jobs > perSet) {
      throw new TeardownRefusedError(
        `${service}: refusing to tear down ${count(jobs)} jobs of set ${setId}: more than jobsets:maxJobsPerTeardown ` +
          `(JOBSETS_MAX_JOBS_PER_TEARDOWN) = ${count(perSet)}. ${howToProceed}`,
        { service },
      );
    }
    if (this.admitted + jobs > perDestroy) {
      throw new TeardownRefusedError(
        `${service}: refusing to tear down ${count(jobs)} jobs of set ${setId}: with the ${count(this.admitted)} already ` +
          `torn down by this run that would pass jobsets:maxJobsPerDestroy (JOBSETS_MAX_JOBS_PER_DESTROY) = ${count(perDestroy)}. ${howToProceed}`,
        { service },
      );
    }
    this.admitted += jobs;
  }
}
