/**
 * A set's selector: the jobs it holds besides (or instead of) the IDs it lists, chosen by their name and queue as the
 * API reports them. Pipelines submit Spark batches, MRS executions and EHPC jobs after `pulumi up`, under IDs no
 * program can know; a selector names them by what the pipeline does know: the name it gives and the queue it uses.
 */
import { z } from "zod";
import { describe } from "./fields";

/** What a selector matches: every field given must hold (an AND); a field left out, or given as "", matches any job. */
export interface JobSelector {
  namePrefix?: string;
  queueName?: string;
}

const selectorText = (what: string) => z.string({ error: (issue) => `expected selector.${what} as a string, received ${describe(issue.input)}` });

/**
 * The `selector` input, normalised: empty strings dropped. One that selects nothing in particular (no field, or only
 * empty ones) would take every job of the project or cluster: it is refused, so a typo cannot become a mass teardown.
 */
export const selectorField = z
  .strictObject(
    { namePrefix: selectorText("namePrefix").optional(), queueName: selectorText("queueName").optional() },
    { error: (issue) => (issue.code === "invalid_type" ? `expected selector as an object { namePrefix?, queueName? }, received ${describe(issue.input)}` : undefined) },
  )
  .transform((given, ctx): JobSelector => {
    const selector: JobSelector = {
      ...(given.namePrefix ? { namePrefix: given.namePrefix } : {}),
      ...(given.queueName ? { queueName: given.queueName } : {}),
    };
    if (!selector.namePrefix && !selector.queueName) {
      ctx.addIssue({
        code: "custom",
        message: "a selector must give a non-empty namePrefix, queueName, or both: an empty one would select every job of the project or cluster",
        input: given,
      });
      return z.NEVER;
    }
    return selector;
  });

/**
 * For a schema's transform: a set needs IDs, a selector, or both; without either it would hold nothing. The failure
 * is the ID list's own (`expected a list of …, received undefined`), as before selectors existed, and names
 * `selector` as the other way.
 */
export function requireMembers(ctx: z.RefinementCtx, idsProperty: string, what: string, ids: unknown, selector: unknown): void {
  if (ids === undefined && selector === undefined) {
    ctx.addIssue({
      code: "custom",
      path: [idsProperty],
      message: `expected a list of ${what}, received undefined; a set needs ${idsProperty}, a selector ({ namePrefix?, queueName? }), or both`,
    });
  }
}

/** Whether a job with this name and queue (as the API reports them) is selected. Strict: the servers' filters may match substrings. */
export function selects(selector: JobSelector, job: { name?: string; queue?: string }): boolean {
  if (selector.namePrefix && !(job.name ?? "").startsWith(selector.namePrefix)) return false;
  if (selector.queueName && job.queue !== selector.queueName) return false;
  return true;
}
