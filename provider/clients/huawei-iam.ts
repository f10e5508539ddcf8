/**
 * Authenticating to Huawei Cloud APIs: AK/SK signatures (recommended by Huawei), a ready IAM token, or a
 * token obtained from IAM with a user's password (`POST /v3/auth/tokens`, token in `X-Subject-Token`).
 */
import { signHuaweiRequest } from "../auth/huawei-signer";
import type { HuaweiAuth } from "../auth/credentials";
import { AuthError } from "../errors";
import { classifyHuawei, huaweiApiError } from "./huawei";
import type { Authorizer, HttpClient } from "./http";

/** Tokens live 24 h; we never reuse one older than this, leaving room for a long destroy. */
const TOKEN_REUSE_MS = 12 * 60 * 60 * 1000; // 12 h

/** `HW_AUTH_URL` is often the Keystone base (`https://iam.…:443/v3`); accept it with or without `/v3`. */
export function iamTokenUrl(iamEndpoint: string): { origin: string; path: string } {
  const url = new URL(iamEndpoint);
  const base = url.pathname.replace(/\/+$/, "");
  const path = base.endsWith("/v3") ? `${base}/auth/tokens` : `${base}/v3/auth/tokens`;
  return { origin: url.origin, path };
}

/** Asks IAM for a project-scoped token with a user's password. */
export async function createPasswordToken(
  http: HttpClient,
  auth: Extract<HuaweiAuth, { kind: "password" }>,
  projectId: string,
): Promise<string> {
  const { origin, path } = iamTokenUrl(auth.iamEndpoint);
  const body = JSON.stringify({
    auth: {
      identity: {
        methods: ["password"],
        password: { user: { name: auth.userName, password: auth.password, domain: { name: auth.domainName } } },
      },
      scope: { project: { id: projectId } },
    },
  });
  const response = await http.send(
    { service: "iam", op: "createPasswordToken", method: "POST", origin, path, body, headers: { "content-type": "application/json" } },
    { classify: classifyHuawei },
  );
  const token = response.headers["x-subject-token"];
  if (response.statusCode !== 201 && response.statusCode !== 200) {
    throw huaweiApiError("iam", `password login for user ${auth.userName} failed`, response);
  }
  const value = Array.isArray(token) ? token[0] : token;
  if (!value) throw new AuthError(`iam: login answered HTTP ${response.statusCode} without an X-Subject-Token header`, { service: "iam" });
  return value;
}

/**
 * Password tokens cached per user and project for the life of the provider process. The promise is
 * cached, so chunks sent in parallel share one login.
 */
const tokenCache = new Map<string, { token: Promise<string>; at: number }>();

/** The Authorizer for one project's calls with the configured credentials. */
export function huaweiAuthorizer(http: HttpClient, auth: HuaweiAuth, projectId: string): Authorizer {
  switch (auth.kind) {
    case "aksk":
      return {
        async authorize({ method, url, headers, body }) {
          return signHuaweiRequest(
            { method, url, headers: { ...headers, "X-Project-Id": projectId }, body },
            { accessKey: auth.accessKey, secretKey: auth.secretKey, ...(auth.securityToken ? { securityToken: auth.securityToken } : {}) },
            http.clock.now(),
          );
        },
      };
    case "token":
      // A ready token cannot be renewed by us: a 401 is reported as it is.
      return { authorize: async ({ headers }) => ({ ...headers, "X-Project-Id": projectId, "X-Auth-Token": auth.token }) };
    case "password": {
      const key = `${auth.iamEndpoint}\u0000${auth.domainName}\u0000${auth.userName}\u0000${projectId}`;
      const fresh = () => {
        const token = createPasswordToken(http, auth, projectId);
        tokenCache.set(key, { token, at: Date.now() });
        // A failed login is not cached: the next call tries again.
        token.catch(() => tokenCache.get(key)?.token === token && tokenCache.delete(key));
        return token;
      };
      return {
        async authorize({ headers }) {
          const cached = tokenCache.get(key);
          const token = await (cached && Date.now() - cached.at < TOKEN_REUSE_MS ? cached.token : fresh());
          return { ...headers, "X-Project-Id": projectId, "X-Auth-Token": token };
        },
        async refresh(rejected) {
          // Requests refused together share one new login: drop the cached token only if it is the one refused (a
          // request refused a moment later than another finds that one's new login already cached, and uses it).
          const cached = tokenCache.get(key);
          const current = await cached?.token.catch(() => undefined);
          if (cached && tokenCache.get(key) === cached && (current === undefined || current === rejected["X-Auth-Token"])) tokenCache.delete(key);
          return true;
        },
      };
    }
  }
}
