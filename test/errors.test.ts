/**
 * Every error class (`provider/errors.ts`) as one table, after undici's `test/errors.js`: name, stable
 * code, the context a user needs, and `instanceof` — within one copy of the module and across two copies
 * (the serialized provider in a stack's state may load a different install than the program does).
 */
import { describe, expect, it, vi } from "vitest";
import * as errorsA from "../provider/errors";

type ErrorsModule = typeof errorsA;
type ClassName = Exclude<keyof ErrorsModule, "JobSetError">;

const context = {
  service: "dli-flink",
  jobId: "9007199254740993",
  property: "jobIds[3]",
  statusCode: 400,
  vendorCode: "DLI.0001",
  body: { error_code: "DLI.0001", error_msg: "job not found" },
};

interface Row {
  className: ClassName;
  name: string;
  code: string;
  /** Builds an instance from the given copy of the module, with the given context (the shared one by default). */
  make(m: ErrorsModule, c?: errorsA.JobSetErrorContext): errorsA.JobSetError;
  /** Fields only this class has. */
  own?: Record<string, unknown>;
}

const failed = new Map([["12", "job_cancel_fail"]]);

const rows: Row[] = [
  { className: "InvalidInputError", name: "InvalidInputError", code: "JOBSET_ERR_INVALID_INPUT", make: (m, c = context) => new m.InvalidInputError("bad", c) },
  { className: "CredentialsError", name: "CredentialsError", code: "JOBSET_ERR_CREDENTIALS", make: (m, c = context) => new m.CredentialsError("bad", c) },
  { className: "ApiError", name: "ApiError", code: "JOBSET_ERR_API", make: (m, c = context) => new m.ApiError("bad", c) },
  { className: "AuthError", name: "AuthError", code: "JOBSET_ERR_AUTH", make: (m, c = context) => new m.AuthError("bad", c) },
  {
    className: "ResponseFormatError",
    name: "ResponseFormatError",
    code: "JOBSET_ERR_RESPONSE_FORMAT",
    make: (m, c = context) => new m.ResponseFormatError("bad", c),
  },
  {
    className: "JobsNotFoundError",
    name: "JobsNotFoundError",
    code: "JOBSET_ERR_JOBS_NOT_FOUND",
    make: (m, c = context) => new m.JobsNotFoundError("bad", ["1", "2"], c),
    own: { jobIds: ["1", "2"] },
  },
  {
    className: "WaitTimeoutError",
    name: "WaitTimeoutError",
    code: "JOBSET_ERR_WAIT_TIMEOUT",
    make: (m, c = context) => new m.WaitTimeoutError("bad", ["3"], c),
    own: { remaining: ["3"] },
  },
  {
    className: "PartialTeardownError",
    name: "PartialTeardownError",
    code: "JOBSET_ERR_PARTIAL_TEARDOWN",
    make: (m, c = context) => new m.PartialTeardownError("bad", ["11"], failed, c),
    own: { done: ["11"], failed },
  },
  {
    className: "TeardownRefusedError",
    name: "TeardownRefusedError",
    code: "JOBSET_ERR_TEARDOWN_REFUSED",
    make: (m, c = context) => new m.TeardownRefusedError("bad", c),
  },
];

/** The class a row names, in the given copy of the module. */
function classIn(m: ErrorsModule, className: ClassName): ErrorsModule[ClassName] {
  return m[className];
}

/** A second, independent copy of the module, as a second install of the package would give. */
async function loadSecondCopy(): Promise<ErrorsModule> {
  vi.resetModules();
  const copy = (await import("../provider/errors")) as ErrorsModule;
  expect(copy.JobSetError).not.toBe(errorsA.JobSetError);
  return copy;
}

describe("the table covers every exported class", () => {
  it("lists each error class exported by provider/errors.ts", () => {
    const exported = Object.entries(errorsA)
      .filter(([, value]) => typeof value === "function" && value !== errorsA.JobSetError)
      .map(([key]) => key)
      .sort();
    expect(exported).toEqual(rows.map((r) => r.className).sort());
  });

  it("codes are unique", () => {
    expect(new Set(rows.map((r) => r.code)).size).toBe(rows.length);
  });
});

describe.each(rows)("$className", (row) => {
  const error = row.make(errorsA);
  const Class = classIn(errorsA, row.className);

  it("has its name, code and message", () => {
    expect(error.name).toBe(row.name);
    expect(error.code).toBe(row.code);
    expect(error.code).toMatch(/^JOBSET_ERR_[A-Z_]+$/);
    expect(Class.errorCode).toBe(row.code);
    expect(error.message).toBe("bad");
    expect(String(error)).toBe(`${row.name}: bad`);
    expect(error.stack).toContain(row.name);
  });

  it("keeps name and code as its own data, so they survive a copy or JSON", () => {
    expect(JSON.parse(JSON.stringify(error))).toMatchObject({ name: row.name, code: row.code, service: "dli-flink" });
    expect({ ...error }).toMatchObject({ name: row.name, code: row.code });
  });

  it("carries the context fields", () => {
    expect(error).toMatchObject({ ...context, ...row.own });
  });

  it("is an Error, a JobSetError and its own class", () => {
    expect(error).toBeInstanceOf(Error);
    expect(error).toBeInstanceOf(errorsA.JobSetError);
    expect(error).toBeInstanceOf(Class);
  });

  it.each(rows.filter((other) => other.className !== row.className))("is not a $className", (other) => {
    expect(error instanceof classIn(errorsA, other.className)).toBe(false);
  });

  it("keeps a cause", () => {
    const cause = new Error("socket hang up");
    expect(row.make(errorsA, { ...context, cause }).cause).toBe(cause);
  });

  it("is instanceof the same class of a second copy of the module, and of no other", async () => {
    const copyB = await loadSecondCopy();
    const ClassB = classIn(copyB, row.className);
    expect(ClassB).not.toBe(Class);
    expect(error instanceof ClassB).toBe(true);
    expect(error instanceof copyB.JobSetError).toBe(true);
    for (const other of rows.filter((o) => o.className !== row.className)) {
      expect(error instanceof classIn(copyB, other.className), `instanceof copy-B ${other.className}`).toBe(false);
    }
    // And the other way round: a copy-B error is a copy-A error of the same class.
    const fromB = row.make(copyB);
    expect(fromB instanceof Class).toBe(true);
    expect(fromB instanceof errorsA.JobSetError).toBe(true);
  });
});

describe("a subclass declared in another module", () => {
  // The lifecycle and the teardown module declare their own errors this way: a code and their own fields.
  class ElsewhereError extends errorsA.JobSetError {
    static override readonly errorCode = "JOBSET_ERR_ELSEWHERE";
    constructor(
      message: string,
      readonly extra: string[],
    ) {
      super(message, { service: "mrs" });
    }
  }

  it("takes its name and code from its class", () => {
    const error = new ElsewhereError("bad", ["7"]);
    expect(error).toMatchObject({ name: "ElsewhereError", code: "JOBSET_ERR_ELSEWHERE", service: "mrs", extra: ["7"] });
    expect(String(error)).toBe("ElsewhereError: bad");
    expect(error).toBeInstanceOf(errorsA.JobSetError);
    expect(error instanceof errorsA.ApiError).toBe(false);
  });

  it("is a JobSetError of a second copy of the module", async () => {
    const copyB = await loadSecondCopy();
    expect(new ElsewhereError("bad", []) instanceof copyB.JobSetError).toBe(true);
  });
});

describe("JobSetError", () => {
  it("has its own name and code", () => {
    const error = new errorsA.JobSetError("base", { service: "mrs" });
    expect(error.name).toBe("JobSetError");
    expect(error.code).toBe("JOBSET_ERR");
    expect(errorsA.JobSetError.errorCode).toBe("JOBSET_ERR");
    expect(error.service).toBe("mrs");
    expect(error.jobId).toBeUndefined();
    expect(error.statusCode).toBeUndefined();
  });

  it("passes cause through to Error", () => {
    const cause = new Error("ECONNRESET");
    expect(new errorsA.ApiError("no answer", { cause }).cause).toBe(cause);
    expect(new errorsA.ApiError("no answer")).not.toHaveProperty("cause");
  });

  it("a base error is not an instance of any subclass", () => {
    const error = new errorsA.JobSetError("base");
    for (const row of rows) expect(error instanceof classIn(errorsA, row.className)).toBe(false);
  });

  it("plain errors and look-alikes are not JobSetErrors", () => {
    expect(new Error("x") instanceof errorsA.JobSetError).toBe(false);
    expect({ code: "JOBSET_ERR_API", name: "ApiError" } instanceof errorsA.ApiError).toBe(false);
    const notObjects: unknown[] = [null, undefined, "JOBSET_ERR", 42];
    for (const value of notObjects) expect((value as object) instanceof errorsA.JobSetError).toBe(false);
  });

  it("a copy-A base error is a copy-B JobSetError", async () => {
    const copyB = await loadSecondCopy();
    expect(new errorsA.JobSetError("base") instanceof copyB.JobSetError).toBe(true);
    expect(new errorsA.JobSetError("base") instanceof copyB.ApiError).toBe(false);
  });
});
