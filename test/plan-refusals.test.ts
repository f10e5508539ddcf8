// `jobsets plan` (the built command, test/helpers/plan-fixture.ts) refuses bad input, a bad command line, missing
// credentials and an invalid setting with exit status 2, before any request. `npm test` builds dist/ first.
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect } from "vitest";
import { test } from "./helpers/jobsets";
import { exportFor, jobsets, planEnv, seed, tempFile } from "./helpers/plan-fixture";

describe("jobsets plan refuses, before any request, with exit status 2", () => {
  test("input that is not a stack export, or not there", async ({ emu, onTestFinished }) => {
    const cases: [string[], string | undefined, RegExp][] = [
      [["plan", "-"], "not json {", /standard input is not JSON .*pass the output of `pulumi stack export`/],
      [["plan", "-"], '{"resources": []}', /not the output of `pulumi stack export`: "version" is missing, expected a number/],
      [["plan", "-"], '{"version": 3, "deployment": []}', /"deployment" is an array, expected an object/],
      [["plan", "-"], '{"version": 3, "deployment": {"resources": {}}}', /"deployment.resources" is an object, expected an array/],
      [["plan", path.join(os.tmpdir(), "no-such-jobsets-state.json")], undefined, /cannot read .*no-such-jobsets-state\.json: no such file/],
      [["plan", tempFile("", onTestFinished)], undefined, /state\.json is not JSON/],
      [["apply"], undefined, /unknown command "apply"; the command is "plan"/],
      [["plan", "a.json", "b.json"], undefined, /plan takes one state file/],
      [["plan", "--jsn"], undefined, /Unknown option '--jsn'/],
    ];
    for (const [args, stdin, message] of cases) {
      const run = await jobsets(args, { stdin });
      expect(run.code, `${args.join(" ")}: ${run.stderr}`).toBe(2);
      expect(run.stderr, args.join(" ")).toMatch(message);
      expect(run.stdout, args.join(" ")).toBe("");
    }
    expect(emu.calls()).toEqual([]);
  });

  test("missing credentials: named, with where they may come from", async ({ emu }) => {
    seed(emu);
    const huawei = await jobsets(["plan", "-"], { stdin: exportFor(emu), env: { PATH: process.env.PATH ?? "", HOME: "/nonexistent-jobsets-test-home" } });
    expect(huawei.code).toBe(2);
    // Both vendors' credentials are named, once each, whichever set comes first.
    expect(huawei.stderr).toMatch(/No Huawei Cloud credentials found: .*HW_ACCESS_KEY and HW_SECRET_KEY/);
    expect(huawei.stderr).toMatch(/No QingCloud credentials found: .*QY_ACCESS_KEY_ID and QY_SECRET_ACCESS_KEY/);
    expect(huawei.stderr.match(/No Huawei Cloud credentials/g)).toHaveLength(1);
    expect(huawei.stderr).toMatch(/\(jobsets plan reads credentials from the environment only\)\n$/);

    const half = await jobsets(["plan", "-"], { stdin: exportFor(emu), env: planEnv({ QY_SECRET_ACCESS_KEY: "" }) });
    expect(half.code).toBe(2);
    expect(half.stderr).toMatch(/QY_SECRET_ACCESS_KEY/);
    expect(emu.calls()).toEqual([]);
  });

  test("an invalid setting, named", async ({ emu }) => {
    seed(emu);
    const run = await jobsets(["plan", "-"], { stdin: exportFor(emu), env: planEnv({ JOBSETS_CONCURRENCY: "abc" }) });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/JOBSETS_CONCURRENCY/);
    expect(emu.calls()).toEqual([]);
  });
});
