// Authentication through the real provider host: AK/SK from secret stack config, a ready IAM token, a
// password token from IAM (renewed once when it expires mid-destroy), a wrong key, no credentials at all;
// and that no credential ever appears in state, in the serialized provider, in the host's output or in errors.
import { describe, expect } from "vitest";
import { DEFAULT_IAM_DOMAIN, DEFAULT_IAM_PASSWORD, DEFAULT_IAM_USER } from "../emulator";
import { DEFAULT_ACCESS_KEY, DEFAULT_PROJECT_ID, DEFAULT_SECRET_KEY, EMULATOR_URL, flinkSet, program, test, failure } from "./helpers/jobsets";

const P = DEFAULT_PROJECT_ID;
const READY_TOKEN = "MIIready-token-for-tests-0000000000000000";
const NO_ENV_CREDENTIALS = { HW_ACCESS_KEY: "", HW_SECRET_KEY: "", HW_AUTH_TOKEN: "", HW_USER_NAME: "", HW_USER_PASSWORD: "" };

describe("AK/SK from secret stack config", () => {
  test.override({ hostEnv: NO_ENV_CREDENTIALS });

  test("signs with the config's keys; no key appears in state, __provider, the host's output or errors", async ({ emu, stack, host }) => {
    const ids = emu.seedFlinkJobs(P, [{}, {}]);
    const run = await program([flinkSet("s", { jobIds: ids, teardown: "stop-then-delete" })], {
      secretConfig: { "jobsets:accessKey": DEFAULT_ACCESS_KEY, "jobsets:secretKey": DEFAULT_SECRET_KEY },
    });
    await stack.up(run);
    const afterUp = JSON.stringify(stack.state());
    await stack.destroy();

    expect(emu.flinkJobs(P)).toEqual([]);
    expect(emu.calls().every((c) => c.authenticatedAs === DEFAULT_ACCESS_KEY)).toBe(true);
    const provider = String(run.resources[0]!.inputs.__provider);
    for (const haystack of [afterUp, provider, host.logs(), run.stdout, run.stderr]) {
      expect(haystack).not.toContain(DEFAULT_SECRET_KEY);
      expect(haystack).not.toContain(DEFAULT_ACCESS_KEY);
    }
  });
});

describe("a ready IAM token (HW_AUTH_TOKEN)", () => {
  test.override({ emulatorOptions: { stopDelayMs: 50, tokens: [READY_TOKEN] }, hostEnv: { ...NO_ENV_CREDENTIALS, HW_AUTH_TOKEN: READY_TOKEN } });

  test("is sent as X-Auth-Token, with no signature", async ({ emu, stack, host }) => {
    const ids = emu.seedFlinkJobs(P, [{}]);
    await stack.up(await program([flinkSet("s", { jobIds: ids })]));
    await stack.destroy();
    expect(emu.flinkJobs(P)).toEqual([]);
    for (const call of emu.calls()) {
      expect(call.headers["x-auth-token"]).toBe("***");
      expect(call.headers.authorization).toBeUndefined();
    }
    expect(host.logs()).not.toContain(READY_TOKEN);
    expect(JSON.stringify(stack.state())).not.toContain(READY_TOKEN);
  });
});

describe("a password token from IAM", () => {
  test.override({
    hostEnv: {
      ...NO_ENV_CREDENTIALS,
      HW_USER_NAME: DEFAULT_IAM_USER,
      HW_USER_PASSWORD: DEFAULT_IAM_PASSWORD,
      HW_DOMAIN_NAME: DEFAULT_IAM_DOMAIN,
      JOBSETS_IAM_ENDPOINT: EMULATOR_URL,
    },
  });

  test("logs in once (parallel chunks share it), and once more when the token expires mid-destroy", async ({ emu, stack, host }) => {
    const ids = emu.seedFlinkJobs(P, Array.from({ length: 250 }, () => ({})));
    await stack.up(await program([flinkSet("s", { jobIds: ids })]));
    expect(emu.calls({ op: "iam.token" })).toHaveLength(1);
    const login = JSON.parse(emu.calls({ op: "iam.token" })[0]!.body);
    expect(login.auth.scope.project.id).toBe(P);

    emu.expireTokens();
    await stack.destroy();

    expect(emu.calls({ op: "iam.token" })).toHaveLength(2);
    expect(emu.calls().filter((c) => c.status === 401).length).toBeGreaterThan(0);
    expect(emu.flinkJobs(P)).toEqual([]);
    expect(host.logs()).not.toContain(DEFAULT_IAM_PASSWORD);
    expect(JSON.stringify(stack.state())).not.toContain(DEFAULT_IAM_PASSWORD);
  });
});

describe("bad credentials", () => {
  test.override({ hostEnv: { HW_SECRET_KEY: "not-the-right-secret-key-0000000000000" } });

  test("a wrong secret key: the gateway's 401 is reported with its code and a hint, and nothing is retried", async ({ emu, stack, host }) => {
    const ids = emu.seedFlinkJobs(P, [{}]);
    const error = await failure(stack.up(await program([flinkSet("s", { jobIds: ids })])));
    expect(error.message).toMatch(/dli-flink: listing jobs failed: Incorrect IAM authentication information.*\(HTTP 401 APIG\.0301\)/);
    expect(error.message).toMatch(/Check the credentials/);
    expect(error.message).not.toContain("not-the-right-secret-key");
    expect(host.logs()).not.toContain("not-the-right-secret-key");
    expect(emu.calls()).toHaveLength(1);
    expect(stack.state()).toEqual([]);
  });
});

describe("no credentials", () => {
  test.override({ hostEnv: NO_ENV_CREDENTIALS });

  test("fail before any request, naming every way to provide them", async ({ emu, stack }) => {
    const ids = emu.seedFlinkJobs(P, [{}]);
    const error = await failure(stack.up(await program([flinkSet("s", { jobIds: ids })])));
    expect(error.message).toMatch(/No Huawei Cloud credentials found/);
    for (const option of ["jobsets:accessKey", "jobsets:secretKey", "jobsets:authToken", "HW_ACCESS_KEY", "HW_SECRET_KEY", "HW_AUTH_TOKEN", "HW_USER_NAME", "HW_USER_PASSWORD", "HW_DOMAIN_NAME"]) {
      expect(error.message).toContain(option);
    }
    expect(emu.calls()).toEqual([]);
  });
});
