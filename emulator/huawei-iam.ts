/**
 * Huawei Cloud IAM, just enough to issue tokens: `POST /v3/auth/tokens` with a password identity answers 201
 * and the token in the X-Subject-Token header. https://support.huaweicloud.com/intl/en-us/api-iam/iam_30_0001.html
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import { parseJsonExact } from "./exact-json";
import { type HuaweiGateway, throttledBody } from "./huawei-gateway";
import type { ApiAnswer, ApiRequest, ServiceModule } from "./service";

/** Public, emulator-only test user. */
export const DEFAULT_IAM_DOMAIN = "jobsets-emulator";
export const DEFAULT_IAM_USER = "jobsets-tester";
export const DEFAULT_IAM_PASSWORD = "emulator-only-password";

export interface IamUser {
  domain: string;
  name: string;
  password: string;
}

const passwordAuthSchema = z.object({
  auth: z.object({
    identity: z.object({
      methods: z.array(z.string()).refine((methods) => methods.includes("password"), 'methods must include "password"'),
      password: z.object({
        user: z.object({
          name: z.string().min(1),
          password: z.string(),
          domain: z.object({ name: z.string().min(1) }),
        }),
      }),
    }),
    scope: z
      .object({
        project: z.object({ id: z.string().optional(), name: z.string().optional() }).optional(),
        domain: z.object({ id: z.string().optional(), name: z.string().optional() }).optional(),
      })
      .optional(),
  }),
});

const TITLES: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

/** IAM's own error shape, unlike the gateway's and DLI's. */
function iamError(status: number, message: string): ApiAnswer {
  return { status, body: { error: { code: status, message, title: TITLES[status] ?? "Error" } } };
}

export function createIamModule(options: {
  gateway: HuaweiGateway;
  users: readonly IamUser[];
  tokenTtlMs: number;
}): ServiceModule {
  const { gateway, users, tokenTtlMs } = options;

  function issueToken(request: ApiRequest): ApiAnswer {
    let json: unknown;
    try {
      json = parseJsonExact(request.bodyText);
    } catch {
      return iamError(400, "The request body is not valid JSON.");
    }
    const parsed = passwordAuthSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return iamError(400, `The request body is invalid: ${issue?.path.join(".") ?? ""}: ${issue?.message ?? ""}`);
    }
    const { identity, scope } = parsed.data.auth;
    const { name, password, domain } = identity.password.user;
    const user = users.find((candidate) => candidate.name === name && candidate.domain === domain.name && candidate.password === password);
    if (!user) return iamError(401, "The username or password is wrong.");

    const projectId = scope?.project?.id ?? scope?.project?.name;
    const issued = gateway.issueToken(user.name, user.domain, projectId, tokenTtlMs);
    const domainRef = { name: user.domain, id: fakeId(`domain:${user.domain}`) };
    const token: Record<string, unknown> = {
      expires_at: iamTime(issued.expiresAt),
      issued_at: iamTime(issued.issuedAt),
      methods: ["password"],
      user: { name: user.name, id: fakeId(`user:${user.domain}/${user.name}`), domain: domainRef, password_expires_at: "" },
      roles: [{ name: "te_admin", id: "0" }],
      catalog: [],
    };
    if (scope?.project) token.project = { id: scope.project.id ?? fakeId(`project:${projectId}`), name: scope.project.name ?? "", domain: domainRef };
    else if (scope?.domain) token.domain = domainRef;
    return { status: 201, body: { token }, headers: { "X-Subject-Token": issued.token } };
  }

  return {
    service: "iam",
    routes: [{ op: "iam.token", method: "POST", path: /^\/v3\/auth\/tokens$/, handle: issueToken }],
    faultBody: (status, requestId) => (status === 429 ? throttledBody(requestId) : iamError(status, `Injected fault (HTTP ${status}).`).body),
    reset: () => {},
  };
}

/** IAM writes times with microseconds: 2024-01-16T08:30:00.000000Z. */
function iamTime(ms: number): string {
  return new Date(ms).toISOString().replace("Z", "000Z");
}

/** Stable 32-hex IDs, so the same user gets the same ID in every emulator. */
function fakeId(seed: string): string {
  return createHash("sha256").update(seed).digest("hex").slice(0, 32);
}
