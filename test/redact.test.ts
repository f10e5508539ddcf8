// Secret job IDs named by position: whole tokens only, every kind's ID shape, errors and their causes rewritten in
// place while the fields the lifecycle reads stay untouched.
import { describe, expect, it } from "vitest";
import { PartialTeardownError } from "../provider/errors";
import { idRedactor, redactedProgress, redactError, secretLabel } from "../provider/redact";

describe("idRedactor", () => {
  const redact = idRedactor(["9007199254740993", "7cfdedd4-0398-4f88-9486-02280f6077a0", "hpcjob-bp6rj09f", "42"]);

  it("replaces each ID, as a whole token, with its position in the set", () => {
    expect(redact("dli-flink job 9007199254740993: the stop failed (status job_cancel_fail)")).toBe(
      "dli-flink job [secret #1]: the stop failed (status job_cancel_fail)",
    );
    expect(redact("failed to delete job [hpcjob-bp6rj09f]: InternalError")).toBe("failed to delete job [[secret #3]]: InternalError");
    expect(redact("batches 7CFDEDD4-0398-4F88-9486-02280F6077A0, 42")).toBe("batches [secret #2], [secret #4]");
  });

  it("leaves tokens that merely contain an ID alone (another job's number, a port, a count)", () => {
    expect(redact("job 90071992547409931 on 127.0.0.1:4200, 420 jobs, hpcjob-bp6rj09fx")).toBe("job 90071992547409931 on 127.0.0.1:4200, 420 jobs, hpcjob-bp6rj09fx");
  });

  it("labels count from 1 and duplicates keep their first position", () => {
    expect(secretLabel(0)).toBe("[secret #1]");
    expect(idRedactor(["a1", "b2", "a1"])("a1 b2")).toBe("[secret #1] [secret #2]");
  });
});

describe("redactedProgress and redactError", () => {
  const redact = idRedactor(["101", "102"]);

  it("every progress line goes through the redactor", () => {
    const lines: string[] = [];
    const progress = redactedProgress({ log: (m) => lines.push(`log ${m}`), status: (m) => lines.push(`status ${m}`), warn: (m) => lines.push(`warn ${m}`) }, redact);
    progress.log("stopping 101");
    progress.status("stopped 1 of 2 jobs");
    progress.warn("102 no longer exists");
    expect(lines).toEqual(["log stopping [secret #1]", "status stopped 1 of 2 jobs", "warn [secret #2] no longer exists"]);
  });

  it("rewrites message, stack and causes in place; the failed map the lifecycle reads keeps the real IDs", () => {
    const cause = new Error("job 102 is locked");
    const error = new PartialTeardownError("dli-flink job 101: refused", [], new Map([["101", "refused"]]), { service: "dli-flink", cause });
    expect(redactError(error, redact)).toBe(error);
    expect(error.message).toBe("dli-flink job [secret #1]: refused");
    expect(error.stack).not.toMatch(/\b101\b/);
    expect(cause.message).toBe("job [secret #2] is locked");
    expect([...error.failed.keys()]).toEqual(["101"]);
  });
});
