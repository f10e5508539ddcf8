/**
 * Every error the job-set lifecycle raises. Modelled on undici's `core/errors.js`: a stable `code`, a `name`,
 * a `Symbol.for` brand (so `instanceof`-like checks survive two copies of this package in one process: the
 * serialized provider in state may load a different install than the program), and the context a user needs.
 */

const kJobSetError = Symbol.for("pulumi-jobsets.error");

export interface JobSetErrorContext {
  /** Which API: "dli-flink", "dli-spark", "mrs", "ehpc", "iam". */
  service?: string;
  jobId?: string;
  /** Input property a validation error is about, as a dot path (`jobIds[3]`). */
  property?: string;
  statusCode?: number;
  /** The vendor's error code (`DLI.16001`, `APIG.0308`, `ret_code` 2100 as a string). */
  vendorCode?: string;
  /** Response body (already parsed when it was JSON). Never contains credentials: we never echo requests. */
  body?: unknown;
  cause?: unknown;
}

export class JobSetError extends Error {
  readonly code: string = "JOBSET_ERR";
  readonly service?: string;
  readonly jobId?: string;
  readonly property?: string;
  readonly statusCode?: number;
  readonly vendorCode?: string;
  readonly body?: unknown;

  constructor(message: string, context: JobSetErrorContext = {}) {
    super(message, context.cause === undefined ? undefined : { cause: context.cause });
    this.name = "JobSetError";
    this.service = context.service;
    this.jobId = context.jobId;
    this.property = context.property;
    this.statusCode = context.statusCode;
    this.vendorCode = context.vendorCode;
    this.body = context.body;
  }

  /** The stable code of errors of this class; instances carry it as `code`. */
  static readonly errorCode: string = "JOBSET_ERR";

  /**
   * `instanceof` across two copies of this package: branded objects of the same `code` count.
   * Within one copy the prototype chain decides as usual.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (typeof value !== "object" || value === null || (value as Record<symbol, unknown>)[kJobSetError] !== true) {
      return false;
    }
    if (this === JobSetError) return true;
    return (
      Function.prototype[Symbol.hasInstance].call(this, value) ||
      (value as { code?: unknown }).code === (this as unknown as typeof JobSetError).errorCode
    );
  }

  get [kJobSetError](): boolean {
    return true;
  }
}

/** An input failed validation. Raised before any request is sent. */
export class InvalidInputError extends JobSetError {
  override readonly code = "JOBSET_ERR_INVALID_INPUT";
  static override readonly errorCode = "JOBSET_ERR_INVALID_INPUT";
  constructor(message: string, context: JobSetErrorContext = {}) {
    super(message, context);
    this.name = "InvalidInputError";
  }
}

/** No usable credentials were found, or they are malformed. Raised before any request is sent. */
export class CredentialsError extends JobSetError {
  override readonly code = "JOBSET_ERR_CREDENTIALS";
  static override readonly errorCode = "JOBSET_ERR_CREDENTIALS";
  constructor(message: string, context: JobSetErrorContext = {}) {
    super(message, context);
    this.name = "CredentialsError";
  }
}

/** The API answered with an error that is not worth retrying (or retries ran out). */
export class ApiError extends JobSetError {
  override readonly code = "JOBSET_ERR_API";
  static override readonly errorCode = "JOBSET_ERR_API";
  constructor(message: string, context: JobSetErrorContext = {}) {
    super(message, context);
    this.name = "ApiError";
  }
}

/** The API rejected our credentials or signature (HTTP 401/403, APIG.03xx, EHPC 1200). */
export class AuthError extends JobSetError {
  override readonly code = "JOBSET_ERR_AUTH";
  static override readonly errorCode = "JOBSET_ERR_AUTH";
  constructor(message: string, context: JobSetErrorContext = {}) {
    super(message, context);
    this.name = "AuthError";
  }
}

/** The API answered something we cannot parse. */
export class ResponseFormatError extends JobSetError {
  override readonly code = "JOBSET_ERR_RESPONSE_FORMAT";
  static override readonly errorCode = "JOBSET_ERR_RESPONSE_FORMAT";
  constructor(message: string, context: JobSetErrorContext = {}) {
    super(message, context);
    this.name = "ResponseFormatError";
  }
}

/** The jobs named in `create` or an update do not exist. */
export class JobsNotFoundError extends JobSetError {
  override readonly code = "JOBSET_ERR_JOBS_NOT_FOUND";
  static override readonly errorCode = "JOBSET_ERR_JOBS_NOT_FOUND";
  readonly jobIds: string[];
  constructor(message: string, jobIds: string[], context: JobSetErrorContext = {}) {
    super(message, context);
    this.name = "JobsNotFoundError";
    this.jobIds = jobIds;
  }
}

/** A wait ran out of time; `remaining` lists the jobs that had not reached the wanted state. */
export class WaitTimeoutError extends JobSetError {
  override readonly code = "JOBSET_ERR_WAIT_TIMEOUT";
  static override readonly errorCode = "JOBSET_ERR_WAIT_TIMEOUT";
  readonly remaining: string[];
  constructor(message: string, remaining: string[], context: JobSetErrorContext = {}) {
    super(message, context);
    this.name = "WaitTimeoutError";
    this.remaining = remaining;
  }
}

/**
 * A teardown finished some jobs and failed others. `done` were torn down (and leave the state);
 * `failed` maps each job still alive to its reason. The lifecycle turns this into a partial-failure
 * answer so Pulumi keeps exactly the failed jobs in state.
 */
export class PartialTeardownError extends JobSetError {
  override readonly code = "JOBSET_ERR_PARTIAL_TEARDOWN";
  static override readonly errorCode = "JOBSET_ERR_PARTIAL_TEARDOWN";
  readonly done: string[];
  readonly failed: Map<string, string>;
  constructor(message: string, done: string[], failed: Map<string, string>, context: JobSetErrorContext = {}) {
    super(message, context);
    this.name = "PartialTeardownError";
    this.done = done;
    this.failed = failed;
  }
}

/** A teardown was refused by a guard (mass-teardown ceiling) before any request. */
export class TeardownRefusedError extends JobSetError {
  override readonly code = "JOBSET_ERR_TEARDOWN_REFUSED";
  static override readonly errorCode = "JOBSET_ERR_TEARDOWN_REFUSED";
  constructor(message: string, context: JobSetErrorContext = {}) {
    super(message, context);
    this.name = "TeardownRefusedError";
  }
}
