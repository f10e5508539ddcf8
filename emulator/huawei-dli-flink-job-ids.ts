/**
 * DLI Flink job IDs are Longs (docs/apis.md, "DLI Flink jobs"), and IDs above 2^53 are real: these readers keep every
 * digit of the IDs a path, a batch body or a seed gives, and refuse what is not a Long.
 */
import { jsonObjectBody } from "./service";

export const MAX_LONG = 2n ** 63n - 1n;

/** A job ID from the path, or a description of why it is not a Long. */
export function parsePathJobId(text: string | undefined): bigint | string {
  const value = text !== undefined && /^\d{1,19}$/.test(text) ? BigInt(text) : undefined;
  return value !== undefined && value <= MAX_LONG ? value : `job_id '${text ?? ""}' is not a Long`;
}

/**
 * Reads `{"job_ids":[Long...]}` keeping every digit. The docs type job_ids as [Long], so a string or fraction is a
 * parameter error even if it looks numeric: clients that send IDs as strings should learn it here, not in production.
 */
export function parseJobIdsBody(text: string): { jobIds: bigint[]; body: Record<string, unknown> } | { error: string } {
  const body = jsonObjectBody(text);
  if (typeof body === "string") return { error: body };
  const jobIds = body.job_ids;
  if (!Array.isArray(jobIds)) return { error: "job_ids is required and must be an array of Long" };
  if (jobIds.length === 0) return { error: "job_ids must not be empty" };
  const parsed: bigint[] = [];
  for (const [index, value] of jobIds.entries()) {
    const asBigint = typeof value === "bigint" ? value : typeof value === "number" && Number.isSafeInteger(value) ? BigInt(value) : undefined;
    if (asBigint === undefined || asBigint < -MAX_LONG - 1n || asBigint > MAX_LONG) {
      return { error: `job_ids[${index}] must be a Long (a JSON integer), got ${describeJson(value)}` };
    }
    parsed.push(asBigint);
  }
  return { jobIds: parsed, body };
}

/** A seed's job ID as a non-negative Long. */
export function seedJobId(value: string | bigint | number, index: number): bigint {
  let jobId: bigint | undefined;
  if (typeof value === "bigint") jobId = value;
  else if (typeof value === "string" && /^\d{1,19}$/.test(value)) jobId = BigInt(value);
  // A number above 2^53 has already lost digits: insist on a string or bigint for those.
  else if (typeof value === "number" && Number.isSafeInteger(value)) jobId = BigInt(value);
  if (jobId === undefined || jobId < 0n || jobId > MAX_LONG) {
    throw new RangeError(`seedFlinkJobs: jobs[${index}].jobId ${String(value)} is not a non-negative Long (give IDs above 2^53 as strings or bigints)`);
  }
  return jobId;
}

/** A JSON value as a parameter error names it: strings quoted (so "123" and 123 read apart), Longs exact. */
export function describeJson(value: unknown): string {
  if (typeof value === "string") return `the string ${JSON.stringify(value)}`;
  if (typeof value === "bigint") return `${value}`;
  return `${JSON.stringify(value) ?? String(value)}`;
}
