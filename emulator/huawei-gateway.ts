/**
 * Huawei Cloud's API gateway (APIG) in front of DLI and MRS: AK/SK signatures, IAM tokens, and the gateway's
 * own error answers. Codes and messages follow the APIG FAQ:
 * https://support.huaweicloud.com/intl/en-us/devg-apisign/api-sign-0001.html (IAM authentication errors) and
 * https://support.huaweicloud.com/intl/en-us/devg-apisign/api-sign-0003.html ("signature expired").
 */
import { randomBytes } from "node:crypto";
import type { Admission, ApiAnswer, ApiRequest } from "./service";
import { type HuaweiCredential, verifyHuaweiSignature } from "./huawei-signature";

/** Public, emulator-only test credentials (not real Huawei Cloud keys). */
export const DEFAULT_ACCESS_KEY = "JOBSETSEMULATORAK001";
export const DEFAULT_SECRET_KEY = "jobsetsEmulatorOnlyTestSecretKey00000001";
/** A well-formed project ID (32 hex characters) for tests and the demo. */
export const DEFAULT_PROJECT_ID = "0123456789abcdef0123456789abcdef";

/** Tokens live 24 h on Huawei Cloud IAM. */
export const DEFAULT_TOKEN_TTL_MS = 24 * 60 * 60 * 1000;
/** `authenticatedAs` user for tokens handed to the emulator ready-made (`options.tokens`). */
export const PRESET_TOKEN_USER = "preset";

const PROJECT_ID_PATTERN = /^[0-9a-f]{32}$/i;

export interface IssuedToken {
  token: string;
  user: string;
  domain: string;
  projectId?: string;
  issuedAt: number;
  expiresAt: number;
}

/** A gateway error body: `{"error_msg","error_code","request_id"}`. */
export function apigError(status: number, errorCode: string, errorMsg: string, requestId: string): ApiAnswer {
  return { status, body: { error_msg: errorMsg, error_code: errorCode, request_id: requestId } };
}

/** The gateway's throttling answer (HTTP 429 is likely but unverified, see the reference). */
export function throttledBody(requestId: string): unknown {
  return {
    error_code: "APIG.0308",
    error_msg: "The throttling threshold has been reached: policy user over ratelimit,limit:5,time:1 minute",
    request_id: requestId,
  };
}

/** Why a path's project ID is refused, or undefined when it looks like a real one (32 hex characters). */
export function invalidProjectIdReason(projectId: string | undefined): string | undefined {
  if (projectId !== undefined && PROJECT_ID_PATTERN.test(projectId)) return undefined;
  return `project_id '${projectId ?? ""}' is not a project ID (32 hexadecimal characters)`;
}

export class HuaweiGateway {
  private readonly credentials: Map<string, HuaweiCredential>;
  private readonly tokens = new Map<string, IssuedToken>();
  /** Tokens `issueToken` handed out, in order (the map also holds the preset ones). */
  private readonly issuedInOrder: string[] = [];

  constructor(
    credentials: readonly HuaweiCredential[],
    presetTokens: readonly string[],
    private readonly now: () => number,
  ) {
    this.credentials = new Map(credentials.map((credential) => [credential.accessKey, { ...credential }]));
    for (const token of presetTokens) {
      this.tokens.set(token, { token, user: PRESET_TOKEN_USER, domain: "", issuedAt: now(), expiresAt: Number.POSITIVE_INFINITY });
    }
  }

  issueToken(user: string, domain: string, projectId: string | undefined, ttlMs: number): IssuedToken {
    // Real tokens are long base64 blobs starting "MII"; clients must treat them as opaque.
    const token = `MIIemulator${randomBytes(48).toString("base64url")}`;
    const issuedAt = this.now();
    const issued: IssuedToken = { token, user, domain, issuedAt, expiresAt: issuedAt + ttlMs };
    if (projectId !== undefined) issued.projectId = projectId;
    this.tokens.set(token, issued);
    this.issuedInOrder.push(token);
    return issued;
  }

  /** Every token IAM issued (the X-Subject-Token values), in issuing order; preset tokens are not listed. */
  issuedTokens(): string[] {
    return [...this.issuedInOrder];
  }

  /** Expires every token the gateway accepts, issued and preset alike ("the token expired mid-destroy"). */
  expireTokens(): void {
    const now = this.now();
    for (const token of this.tokens.values()) token.expiresAt = Math.min(token.expiresAt, now - 1);
  }

  /**
   * The checks before a project-scoped service (DLI, MRS) sees the request: authentication, then the path's project
   * ID; a malformed project ID is answered in the service's own error shape (`refuse`).
   */
  admitProject(request: ApiRequest, refuse: (reason: string) => ApiAnswer): Admission {
    const authenticated = this.authenticate(request);
    if (!authenticated.admitted) return authenticated;
    const reason = invalidProjectIdReason(request.params.projectId);
    return reason === undefined ? authenticated : { admitted: false, answer: refuse(reason) };
  }

  /** Authenticates by X-Auth-Token when one is sent, else by the AK/SK signature. */
  authenticate(request: ApiRequest): Admission {
    const tokenHeader = request.headers["x-auth-token"];
    if (tokenHeader !== undefined) {
      const token = this.tokens.get(tokenHeader);
      if (!token || token.expiresAt <= this.now()) {
        return { admitted: false, answer: apigError(401, "APIG.0307", "The token must be updated.", request.requestId) };
      }
      return { admitted: true, authenticatedAs: `token:${token.user}` };
    }
    if (request.headers.authorization === undefined) {
      const message = "Incorrect IAM authentication information: neither Authorization nor X-Auth-Token was sent";
      return { admitted: false, answer: apigError(401, "APIG.0301", message, request.requestId) };
    }
    const verdict = verifyHuaweiSignature(
      { method: request.method, url: request.rawUrl, headers: request.headers, body: request.rawBody },
      (accessKey) => this.credentials.get(accessKey),
      this.now(),
    );
    if (!verdict.valid) return { admitted: false, answer: apigError(401, verdict.errorCode, verdict.message, request.requestId) };
    return { admitted: true, authenticatedAs: verdict.accessKey };
  }
}
