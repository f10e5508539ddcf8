// The harness's program runner (test/harness/program.ts) proven against test/fixtures/harness-program
// (test/helpers/harness-fixture.ts): what a run registers, in a child process and in process, and linking the package.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expect, describe } from "vitest";
import { stripSecrets } from "./harness/engine";
import { REPO_ROOT, linkPackage, runProgramInProcess, ProgramRunError } from "./harness/program";
import { SECRET_SIG, SIG_KEY } from "./harness/provider-host";
import { FIXTURE_DIR, PROJECT, THING, harnessTest as test, runFixture, thingA } from "./helpers/harness-fixture";

describe("runProgram", () => {
  test("registers the Thing under its dynamic token, with the serialized provider as __provider", ({ run }) => {
    const thing = thingA(run);
    expect(thing.type).toBe(THING);
    expect(thing.urn).toBe(`urn:pulumi:test::${PROJECT}::${THING}::thing-a`);
    expect(thing.opts?.custom).toBe(true);
    expect(thing.opts?.additionalSecretOutputs).toEqual(["greeting"]);
    expect(thing.inputs).toMatchObject({ size: 1, kind: "small" });

    const provider = thing.inputs.__provider;
    expect(typeof provider).toBe("string");
    const text = provider as string;
    expect(text).toMatch(/^exports\.handler = /);
    for (const body of ["fixture create refused", "fixture update refused", "fixture delete refused", "never became ready", "refreshed: true"]) {
      expect(text).toContain(body);
    }
    // A require() inside a method body stays text, resolved in the host at run time.
    expect(text).toContain('require("pulumi-jobsets/package.json")');
    expect(run.stackOutputs).toEqual({ thingAId: "thing-a-id" });
    expect(run.config).toMatchObject({ [`${PROJECT}:note`]: "s3cr3t-note" });
  });

  test("keeps secret wrappers exactly as the mocks receive them", ({ run }) => {
    expect(thingA(run).inputs.note).toEqual({ [SIG_KEY]: SECRET_SIG, value: "s3cr3t-note" });
    expect(run.secretKeys).toEqual([`${PROJECT}:note`]);
  });

  test("rejects with the program's output when the program throws", async () => {
    const failure = runFixture({ entry: "broken.ts", config: { size: "7" } });
    await expect(failure).rejects.toBeInstanceOf(ProgramRunError);
    await expect(failure).rejects.toThrow(/broken program \(size=7\)/);
  });

  test("the child-process and in-process (vitest) runs both produce a __provider", async ({ run }) => {
    linkPackage(FIXTURE_DIR);
    const inProcess = await runProgramInProcess({ programDir: FIXTURE_DIR, secretConfig: { note: "s3cr3t-note" } });
    const child = thingA(run);
    const local = thingA(inProcess);
    expect(local.type).toBe(child.type);
    expect(local.urn).toBe(child.urn);
    expect(stripSecrets({ ...local.inputs, __provider: undefined })).toEqual(stripSecrets({ ...child.inputs, __provider: undefined }));
    for (const text of [child.inputs.__provider, local.inputs.__provider]) {
      expect(typeof text).toBe("string");
      expect(text).toMatch(/^exports\.handler = /);
      expect(text).toContain("fixture create refused");
    }
    // A second in-process run re-evaluates the program rather than reusing vitest's module cache.
    const again = await runProgramInProcess({ programDir: FIXTURE_DIR, config: { size: "4" } });
    expect(thingA(again).inputs.size).toBe(4);
  });

  test("a module imported at the top and used by a method: require() in a child run, unserializable under vitest", async () => {
    const child = await runFixture({ entry: "captures.ts" });
    const text = child.resources.find((r) => r.name === "captures")?.inputs.__provider;
    expect(text).toContain('const os = require("os");');
    // vitest hands the program an ES module namespace for node:os, which the serializer copies by value and fails on.
    const inProcess = runProgramInProcess({ programDir: FIXTURE_DIR, entry: "captures.ts" });
    await expect(inProcess).rejects.toBeInstanceOf(ProgramRunError);
    await expect(inProcess).rejects.toThrow(/Error serializing/);
  });
});

describe("linkPackage", () => {
  test("links the repo as node_modules/pulumi-jobsets, idempotently, replacing a stale link", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "harness-link-"));
    try {
      const link = linkPackage(dir);
      expect(linkPackage(dir)).toBe(link);
      expect(fs.realpathSync(link)).toBe(fs.realpathSync(REPO_ROOT));
      expect(require.resolve("pulumi-jobsets/package.json", { paths: [dir] })).toBe(path.join(fs.realpathSync(REPO_ROOT), "package.json"));

      fs.rmSync(link);
      fs.symlinkSync(os.tmpdir(), link, "dir");
      linkPackage(dir);
      expect(fs.realpathSync(link)).toBe(fs.realpathSync(REPO_ROOT));

      fs.rmSync(link);
      fs.mkdirSync(link);
      expect(() => linkPackage(dir)).toThrow(/not a symlink/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
