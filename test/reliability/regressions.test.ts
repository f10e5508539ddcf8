// Regression tests for the bugs the fault suite (faults.test.ts) found, each named after what it catches. They
// drive the clients directly against the emulator (no provider host), a few requests in flight at once, as DLI
// Spark's per-batch calls and any set of several chunks send them.
import { describe, expect } from "vitest";
import { DEFAULT_ACCESS_KEY, DEFAULT_IAM_DOMAIN, DEFAULT_IAM_PASSWORD, DEFAULT_IAM_USER, DEFAULT_PROJECT_ID, DEFAULT_SECRET_KEY } from "../../emulator";
import { huaweiAuthorizer } from "../../provider/clients/huawei-iam";
import { getSparkBatchState } from "../../provider/clients/huawei-dli-spark";
import type { DliContext } from "../../provider/clients/huawei-dli";
import { test } from "../helpers/lifecycle";

const P = DEFAULT_PROJECT_ID;
/** Beyond the gateway's 15 minutes. */
const CLOCK_SKEW_MS = 20 * 60_000;

describe("requests in flight together, all refused for a signature date the clock put off", () => {
  test.override({ emulatorOptions: { clockSkewMs: CLOCK_SKEW_MS } });

  test("an expired signature: every request is signed again, not only the one whose answer moved the clock", async ({ emu, http }) => {
    const ids = emu.seedSparkBatches(P, [{}, {}, {}, {}]);
    const ctx: DliContext = {
      http,
      endpoint: emu.url,
      projectId: P,
      authorizer: huaweiAuthorizer(http, { kind: "aksk", accessKey: DEFAULT_ACCESS_KEY, secretKey: DEFAULT_SECRET_KEY, source: "test" }, P),
    };

    const states = await Promise.all(ids.map((id) => getSparkBatchState(ctx, id)));

    expect(states.map((s) => s.exists && s.state)).toEqual(["running", "running", "running", "running"]);
    const refused = emu.calls().filter((c) => c.status === 401);
    // All four went out with the old clock (else this test shows nothing), and each was sent once more.
    expect(refused).toHaveLength(4);
    expect(emu.calls().filter((c) => c.status === 200)).toHaveLength(4);
  });
});

describe("requests in flight together, all refused for an expired IAM token", () => {
  test("an expired IAM token: one new login, shared by every refused request", async ({ emu, http }) => {
    const ids = emu.seedSparkBatches(P, [{}, {}, {}, {}]);
    const auth = {
      kind: "password" as const,
      userName: DEFAULT_IAM_USER,
      password: DEFAULT_IAM_PASSWORD,
      domainName: DEFAULT_IAM_DOMAIN,
      iamEndpoint: emu.url,
      source: "test",
    };
    const ctx: DliContext = { http, endpoint: emu.url, projectId: P, authorizer: huaweiAuthorizer(http, auth, P) };
    await getSparkBatchState(ctx, ids[0]!);
    emu.expireTokens();
    emu.resetCalls();

    const states = await Promise.all(ids.map((id) => getSparkBatchState(ctx, id)));

    expect(states.every((s) => s.exists)).toBe(true);
    expect(emu.calls().filter((c) => c.status === 401)).toHaveLength(4);
    expect(emu.calls({ op: "iam.token" })).toHaveLength(1);
  });
});
