/**
 * What stands before EHPC's handlers (no Huawei gateway fronts it): QingCloud's own request signature (see
 * qingcloud-signature.ts) and, when the test sets one, an hourly call quota (ret_code 2500 past it).
 */
import { ehpcError } from "./qingcloud-ehpc-errors";
import { type QingCloudCredential, verifyEhpcSignature } from "./qingcloud-signature";
import type { Admission, ApiRequest } from "./service";

/** Public, emulator-only test credentials (not real QingCloud keys). */
export const DEFAULT_QINGCLOUD_ACCESS_KEY_ID = "JOBSETSEMULATORQYAK1";
export const DEFAULT_QINGCLOUD_SECRET_ACCESS_KEY = "jobsetsEmulatorOnlyQingCloudSecretKey001";
const HOUR_MS = 3_600_000;

export class EhpcGateway {
  private readonly credentials: Map<string, QingCloudCredential>;
  /** Emulator-clock times of the calls the quota counted, oldest first. */
  private quotaCalls: number[] = [];

  constructor(
    credentials: readonly QingCloudCredential[],
    private readonly now: () => number,
    /** Signed calls allowed per rolling hour; undefined = no quota. */
    private readonly quotaPerHour: number | undefined,
  ) {
    this.credentials = new Map(credentials.map((credential) => [credential.accessKeyId, { ...credential }]));
  }

  /** A bad signature answers its ret_code (1100-1300, HTTP 200 like every EHPC error); a call over the quota 2500. */
  admit(request: ApiRequest): Admission {
    const verdict = verifyEhpcSignature({ method: request.method, url: request.rawUrl, body: request.rawBody }, (id) => this.credentials.get(id), this.now());
    if (!verdict.valid) return { admitted: false, answer: { status: 200, body: { ret_code: verdict.retCode, message: verdict.message } } };
    if (this.quotaPerHour !== undefined) {
      const current = this.now();
      this.quotaCalls = this.quotaCalls.filter((at) => at > current - HOUR_MS);
      if (this.quotaCalls.length >= this.quotaPerHour) {
        return { admitted: false, answer: ehpcError(2500, `API calls exceed the quota of ${this.quotaPerHour} requests per hour`) };
      }
      this.quotaCalls.push(current);
    }
    return { admitted: true, authenticatedAs: verdict.accessKeyId };
  }

  /** Forgets the calls the quota counted. */
  reset(): void {
    this.quotaCalls = [];
  }
}
