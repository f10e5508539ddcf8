/**
 * Every error the job-set lifecycle raises. Modelled on undici's `core/errors.js`: one base class carries the
 * name, the stable `code`, the context a user needs and a `Symbol.for` brand (so `instanceof` survives two copies
 * of this package in one process: the serialized provider in state may load a different install than the program).
 * A subclass only names its code in the table below and adds the fields that are its own.
 */

const kJobSetError = Symbol.for("pulumi-jobsets.error");

/**
 * The stable code of each class, by class name. Codes are public: users match on them, and two installs of the
 * package recognise each other's errors by them, so a code never changes once released.
 */
const codes = {
  JobSetError: "JOBSET_ERR",
  InvalidInputError: "JOBSET_ERR_INVALID_INPUT",
  CredentialsError: "JOBSET_ERR_CREDENTIALS",
  ApiError: "JOBSET_ERR_API",
  AuthError: "JOBSET_ERR_AUTH",
  ResponseFormatError: "JOBSET_ERR_RESPONSE_FORMAT",
  JobsNotFoundError: "JOBSET_ERR_JOBS_NOT_FOUND",
  WaitTimeoutError: "JOBSET_ERR_WAIT_TIMEOUT",
  PartialTeardownError: "JOBSET_ERR_PARTIAL_TEARDOWN",
  TeardownRefusedError: "JOBSET_ERR_TEARDOWN_REFUSED",
} as const;

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
  /** The stable code of errors of this class; instances carry it as `code`. Each subclass names its own. */
  static readonly errorCode: string = codes.JobSetError;

  readonly code: string;
  readonly service?: string;
  readonly jobId?: string;
  readonly property?: string;
  readonly statusCode?: number;
  readonly vendorCode?: string;
  readonly body?: unknown;

  constructor(message: string, context: JobSetErrorContext = {}) {
    super(message, context.cause === undefined ? undefined : { cause: context.cause });
    // Name and code come from the class that was constructed, so a subclass needs no constructor of its own.
    this.name = new.target.name;
    this.code = new.target.errorCode;
    this.service = context.service;
    this.jobId = context.jobId;
    this.property = context.property;
    this.statusCode = context.statusCode;
    this.vendorCode = context.vendorCode;
    this.body = context.body;
  }

  /**
   * `instanceof` across two copies of this package: branded objects of the same `code` count.
   * Within one copy the prototype chain decides as usual.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (typeof value !== "object" || value === null || (value as Record<symbol, unknown>)[kJobSetError] !== true) {
      return false;
    }
    // Subclasses inherit this method: `this` is the class on the right of `instanceof`, not always JobSetError.
    // biome-ignore-start lint/complexity/noThisInStatic: the class being tested is only known through `this`.
    if (this === JobSetError) return true;
    return Function.prototype[Symbol.hasInstance].call(this, value) || (value as { code?: unknown }).code === this.errorCode;
    // biome-ignore-end lint/complexity/noThisInStatic: end of that region.
  }

  get [kJobSetError](): boolean {
    return true;
  }
}

/** An input failed validation. Raised before any request is sent. */
export class InvalidInputError extends JobSetError { static override readonly errorCode = codes.InvalidInputError; }

/** No usable credentials were found, or they are malformed. Raised before any request is sent. */
export class CredentialsError extends JobSetError { static override readonly errorCode = codes.CredentialsError; }

/** The API answered with an error that is not worth retrying (or retries ran out). */
export class ApiError extends JobSetError { static override readonly errorCode = codes.ApiError; }

/** The API rejected our credentials or signature (HTTP 401/403, APIG.03xx, EHPC 1200). */
export class AuthError extends JobSetError { static override readonly errorCode = codes.AuthError; }

/** The API answered something we cannot parse. */
export class ResponseFormatError extends JobSetError { static override readonly errorCode = codes.ResponseFormatError; }

/** A teardown was refused by a guard (mass-teardown ceiling) before any request. */
export class TeardownRefusedError extends JobSetError { static override readonly errorCode = codes.TeardownRefusedError; }

/** The jobs named in `create` or an update do not exist. */
export class JobsNotFoundError extends JobSetError {
  static override readonly errorCode = codes.JobsNotFoundError;
  constructor(
    message: string,
    readonly jobIds: string[],
    context: JobSetErrorContext = {},
  ) {
    super(message, context);
  }
}

/** A wait ran out of time; `remaining` lists the jobs that had not reached the wanted state. */
export class WaitTimeoutError extends JobSetError {
  static override readonly errorCode = codes.WaitTimeoutError;
  constructor(
    message: string,
    readonly remaining: string[],
    context: JobSetErrorContext = {},
  ) {
    super(message, context);
  }
}

/**
 * A teardown finished some jobs and failed others. `done` were torn down (and leave the state);
 * `failed` maps each job still alive to its reason. The lifecycle turns this into a partial-failure
 * answer so Pulumi keeps exactly the failed jobs in state.
 */
export class PartialTeardownError extends JobSetError {
  static override readonly errorCode = codes.PartialTeardownError;
  constructor(
    message: string,
    readonly done: string[],
    readonly failed: Map<string, string>,
    context: JobSetErrorContext = {},
  ) {
    super(message, context);
  }
}
