// The harness itself, proven against test/fixtures/harness-program: a tiny dynamic provider whose methods append
// what they were called with to $HARNESS_FIXTURE_LOG, so the tests can see the host ran the serialized code.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test as base, expect, describe } from "vitest";
import { CheckFailedError, Stack, StepError, StepErrors, annotateSecrets, stripSecrets } from "./harness/engine";
import {
  REPO_ROOT,
  dynamicResources,
  linkPackage,
  runProgram,
  runProgramInProcess,
  ProgramRunError,
  type ProgramRun,
  type RunProgramOptions,
} from "./harness/program";
import { ProviderCallError, SECRET_SIG, SIG_KEY, secret, startProvider, urn, type ProviderHost } from "./harness/provider-host";

const FIXTURE_DIR = path.join(__dirname, "fixtures", "harness-program");
const PROJECT = "harness-fixture";
const THING = "pulumi-nodejs:dynamic/fixture:Thing";
const GRPC_UNKNOWN = 2;

type Props = Record<string, unknown>;

/** One call the fixture provider recorded: what it received (each method records the fields it has). */
interface Call {
  method: string;
  pid: number;
  payload: { id?: string; inputs?: Props; olds?: Props; news?: Props; props?: Props; greeting?: string; region?: string; token?: string };
}

/** The calls the fixture provider recorded, in order. */
class CallLog {
  constructor(readonly file: string) {}
  all(): Call[] {
    if (!fs.existsSync(this.file)) return [];
    return fs
      .readFileSync(this.file, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Call);
  }
  methods(): string[] {
    return this.all().map((c) => c.method);
  }
  last(method: string): Call | undefined {
    return this.all().filter((c) => c.method === method).pop();
  }
}

/** Runs the fixture program in a child process (the default config gives one Thing of size 1). */
function runFixture(opts: Partial<RunProgramOptions> = {}): Promise<ProgramRun> {
  return runProgram({ programDir: FIXTURE_DIR, ...opts });
}

function thingA(run: ProgramRun) {
  const found = run.resources.find((r) => r.name === "thing-a");
  if (!found) throw new Error(`thing-a not registered: ${JSON.stringify(run.resources.map((r) => r.name))}`);
  return found;
}

const test = base.extend<{ callLog: CallLog; host: ProviderHost; run: ProgramRun }>({
  callLog: async ({}, use) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "harness-calls-"));
    try {
      await use(new CallLog(path.join(dir, "calls.jsonl")));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
  // A fresh provider host per test, in the fixture dir (whose node_modules links pulumi-jobsets); always stopped.
  host: async ({ callLog }, use) => {
    linkPackage(FIXTURE_DIR);
    const host = await startProvider({ cwd: FIXTURE_DIR, project: PROJECT, env: { HARNESS_FIXTURE_LOG: callLog.file } });
    try {
      await use(host);
    } finally {
      await host.stop();
    }
  },
  // One default run of the fixture program, shared by the tests of this file.
  run: [
    async ({}, use) => {
      linkPackage(FIXTURE_DIR);
      await use(await runFixture({ config: { greeting: "hello" }, secretConfig: { note: "s3cr3t-note" } }));
    },
    { scope: "file" },
  ],
});

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

describe("provider host", () => {
  test("create → update → update → delete runs the serialized provider inside the host", async ({ host, run, callLog }) => {
    const thing = thingA(run);
    const thingUrn = urn(THING, "thing-a", PROJECT);
    const provider = thing.inputs.__provider as string;
    await host.configure({ [`${PROJECT}:greeting`]: "hi" });

    const created = await host.create(thingUrn, { __provider: provider, size: 1, kind: "small" });
    expect(created.id).toMatch(/^small-[0-9a-f]{8}$/);
    expect(created.properties).toMatchObject({ size: 1, kind: "small", greeting: "hi", installed: "pulumi-jobsets", __provider: provider });
    expect(callLog.last("create")).toMatchObject({ pid: host.pid, payload: { inputs: { size: 1, kind: "small" } } });

    const olds = created.properties;
    const diff = await host.diff(created.id, thingUrn, olds, { __provider: provider, size: 2, kind: "small" });
    expect(diff).toMatchObject({ changes: true, replaces: [], deleteBeforeReplace: false, diffs: [] });
    const updated = await host.update(created.id, thingUrn, olds, { __provider: provider, size: 2, kind: "small" });
    expect(updated.properties).toMatchObject({ size: 2, updatedFrom: 1, __provider: provider });

    const updatedAgain = await host.update(created.id, thingUrn, updated.properties, { __provider: provider, size: 3, kind: "small" });
    expect(updatedAgain.properties).toMatchObject({ size: 3, updatedFrom: 2 });
    expect(callLog.last("update")?.payload).toMatchObject({ id: created.id, olds: { size: 2 }, news: { size: 3 } });

    await host.delete(created.id, thingUrn, updatedAgain.properties);
    expect(callLog.last("delete")).toMatchObject({ pid: host.pid, payload: { id: created.id, props: { size: 3 } } });
    expect(callLog.methods()).toEqual(["configure", "create", "diff", "update", "update", "delete"]);
  });

  test("config reaches configure, un-namespaced keys through the project, secrets unwrapped", async ({ host, run, callLog }) => {
    const configured = await host.configure(
      { [`${PROJECT}:greeting`]: "hello", "fixture:region": "cn-north-4", "fixture:token": "tok-123" },
      { secretKeys: ["fixture:token"] },
    );
    // The host declines secrets: the engine then strips them from every later request.
    expect(configured.acceptSecrets).toBe(false);
    // The host configures the provider on first use of its __provider text.
    await host.check(urn(THING, "thing-a", PROJECT), {}, thingA(run).inputs);
    expect(callLog.last("configure")?.payload).toEqual({ greeting: "hello", region: "cn-north-4", token: "tok-123" });
  });

  test("check returns the provider's failures", async ({ host, run }) => {
    await host.configure({});
    const result = await host.check(urn(THING, "thing-a", PROJECT), {}, { ...stripSecrets(thingA(run).inputs), size: -1 });
    expect(result.failures).toEqual([{ property: "size", reason: "expected a non-negative number, received -1" }]);
  });

  test("a failing create surfaces its message; a partial one its id, properties and reasons", async ({ host, run }) => {
    const provider = thingA(run).inputs.__provider;
    await host.configure({});
    const refused = await host.create(urn(THING, "x", PROJECT), { __provider: provider, size: 1, kind: "small", failCreate: "quota exceeded" }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ProviderCallError);
    expect(refused).toMatchObject({ code: GRPC_UNKNOWN, details: "fixture create refused: quota exceeded", partial: undefined });

    const partial = await host.create(urn(THING, "y", PROJECT), { __provider: provider, size: 2, kind: "small", partialCreate: true }).catch((e: unknown) => e);
    expect(partial).toBeInstanceOf(ProviderCallError);
    const err = partial as ProviderCallError;
    expect(err.details).toMatch(/^fixture create: small-[0-9a-f]{8} never became ready$/);
    expect(err.id).toMatch(/^small-[0-9a-f]{8}$/);
    expect(err.reasons).toEqual(["never became ready"]);
    // Partial properties come back without __provider (grpcResponseFromError skips resultIncludingProvider).
    expect(err.properties).toEqual({ size: 2, kind: "small", ready: false });
  });

  test("an undefined output fails the call after the provider's create already ran", async ({ host, run, callLog }) => {
    await host.configure({});
    const created = host.create(urn(THING, "u", PROJECT), { __provider: thingA(run).inputs.__provider, size: 1, kind: "small", undefinedOutput: true });
    // Struct.fromJavaScript in the host rejects `undefined`: the engine sees a failed create, with no id to keep.
    await expect(created).rejects.toMatchObject({ code: GRPC_UNKNOWN, details: "Unexpected struct type.", partial: undefined });
    expect(callLog.methods()).toEqual(["configure", "create"]);
  });

  test("captures the host's stdout and stderr: provider console output and the host's error logs", async ({ host, run }) => {
    const provider = thingA(run).inputs.__provider;
    await host.configure({});
    const { id, properties } = await host.create(urn(THING, "a", PROJECT), { __provider: provider, size: 1, kind: "small", failDelete: "busy" });
    await expect(host.delete(id, urn(THING, "a", PROJECT), properties)).rejects.toThrow(`fixture delete refused for ${id}: busy`);
    expect(host.stdout()).toContain("fixture: create kind=small size=1");
    expect(host.stderr()).toContain(`fixture: delete ${id}`);
    // The host logs failed check/diff/read/delete calls itself, stack included.
    expect(host.stderr()).toContain(`Error: fixture delete refused for ${id}: busy: Error: fixture delete refused`);
    expect(host.logs()).toContain(String(host.port));
    expect(await host.pluginInfo()).toEqual({ version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
  });
});

describe("engine", () => {
  test("up → update → replace → destroy, with the stack config reaching configure", async ({ host, callLog }) => {
    const stack = new Stack(host);
    const first = await runFixture({ config: { greeting: "hi", size: "1" } });
    expect(await stack.up(first)).toEqual([{ op: "create", urn: thingA(first).urn, id: expect.any(String) }]);
    const created = stack.resource("thing-a")!;
    expect(created.outputs).toMatchObject({ size: 1, installed: "pulumi-jobsets" });
    expect(callLog.last("configure")?.payload.greeting).toBe("hi");

    // Same program again: Diff says no change, nothing is called but check and diff.
    expect((await stack.up(first)).map((s) => s.op)).toEqual(["same"]);

    const bigger = await runFixture({ config: { greeting: "hi", size: "5" } });
    expect((await stack.up(bigger)).map((s) => s.op)).toEqual(["update"]);
    expect(stack.resource("thing-a")?.outputs).toMatchObject({ size: 5, updatedFrom: 1 });
    expect(stack.resource("thing-a")?.id).toBe(created.id);

    // A new kind replaces: create the new one, then delete the old.
    const large = await runFixture({ config: { greeting: "hi", size: "5", kind: "large" } });
    expect((await stack.up(large)).map((s) => s.op)).toEqual(["replace", "create-replacement", "delete-replaced"]);
    const replaced = stack.resource("thing-a")!;
    expect(replaced.id).toMatch(/^large-/);
    const tail = callLog.all().slice(-2);
    expect(tail.map((c) => c.method)).toEqual(["create", "delete"]);
    expect(tail[1]?.payload.id).toBe(created.id);

    expect((await stack.destroy()).map((s) => s.op)).toEqual(["delete"]);
    expect(stack.state()).toEqual([]);
    expect(callLog.last("delete")?.payload.id).toBe(replaced.id);
  });

  test("honours deleteBeforeReplace from the diff", async ({ host, callLog }) => {
    const stack = new Stack(host);
    await stack.up(await runFixture({ config: { deleteBeforeReplace: "true" } }));
    const old = stack.resource("thing-a")!;
    const steps = await stack.up(await runFixture({ config: { deleteBeforeReplace: "true", kind: "large" } }));
    expect(steps.map((s) => s.op)).toEqual(["replace", "delete-replaced", "create-replacement"]);
    const tail = callLog.all().slice(-2);
    expect(tail.map((c) => c.method)).toEqual(["delete", "create"]);
    expect(tail[0]?.payload.id).toBe(old.id);
  });

  test("secrets: stripped before the host, re-marked on outputs of the same name or in additionalSecretOutputs", async ({ host, run, callLog }) => {
    const stack = new Stack(host);
    await stack.up(run);
    expect(callLog.last("create")?.payload.inputs?.note).toBe("s3cr3t-note");
    const state = stack.resource("thing-a")!;
    expect(state.inputs.note).toEqual(secret("s3cr3t-note"));
    expect(state.outputs.note).toEqual(secret("s3cr3t-note"));
    // A new name derived from the secret is stored in plain text.
    expect(state.outputs.noteLength).toBe("s3cr3t-note".length);
    // additionalSecretOutputs
    expect(state.outputs.greeting).toEqual(secret("hello"));
    // __provider captured no secret, so it stays plain.
    expect(typeof state.outputs.__provider).toBe("string");
    expect(host.logs()).not.toContain("s3cr3t-note");
    await stack.destroy();
  });

  test("annotateSecrets recurses into objects and marks whole arrays", () => {
    const outs = annotateSecrets(
      { a: { b: 1, c: 2 }, list: [1, 2], plain: "x", extra: "y" },
      { a: { b: secret(1), c: 2 }, list: [1, secret(2)], plain: "x" },
    );
    expect(outs).toEqual({ a: { b: secret(1), c: 2 }, list: secret([1, 2]), plain: "x", extra: "y" });
  });

  test("a failed create leaves nothing in state and carries the provider's message", async ({ host }) => {
    const stack = new Stack(host);
    const failure = stack.up(await runFixture({ config: { failCreate: "quota exceeded" } }));
    await expect(failure).rejects.toBeInstanceOf(StepError);
    const err = (await failure.catch((e: unknown) => e)) as StepError;
    expect(err.message).toContain("fixture create refused: quota exceeded");
    expect(err.cause).toMatchObject({ code: GRPC_UNKNOWN, details: "fixture create refused: quota exceeded" });
    expect(stack.state()).toEqual([]);
    expect(stack.steps.at(-1)).toMatchObject({ op: "create", error: expect.stringContaining("quota exceeded") });
  });

  test("a partially created resource stays in state, without __provider, so its Delete cannot run", async ({ host }) => {
    const stack = new Stack(host);
    await expect(stack.up(await runFixture({ config: { partialCreate: "true" } }))).rejects.toThrow(/never became ready/);
    const [entry] = stack.state();
    expect(entry).toMatchObject({ initErrors: ["never became ready"], outputs: { ready: false } });
    expect(entry?.outputs.__provider).toBeUndefined();
    // The host rebuilds the provider from the outputs' __provider: there is none.
    await expect(stack.destroy()).rejects.toThrow(/code must be a string/);
    expect(stack.state()).toHaveLength(1);
  });

  test("check failures stop the update", async ({ host }) => {
    const stack = new Stack(host);
    const failure = stack.up(await runFixture({ config: { size: "-1" } }));
    await expect(failure).rejects.toBeInstanceOf(CheckFailedError);
    await expect(failure).rejects.toThrow("size: expected a non-negative number, received -1");
    expect(stack.state()).toEqual([]);
  });

  test("destroy: a failed Delete keeps the resource with its old outputs; the others are still deleted", async ({ host, callLog }) => {
    const stack = new Stack(host);
    await stack.up(await runFixture({ config: { failDelete: "jobs still running", second: "true" } }));
    // Registration order (and so state order) is whatever order the registrations reached the monitor.
    expect(stack.state().map((e) => e.name).sort()).toEqual(["thing-a", "thing-b"]);
    const before = stack.resource("thing-a")!;

    const failure = stack.destroy();
    await expect(failure).rejects.toBeInstanceOf(StepErrors);
    await expect(failure).rejects.toThrow(`fixture delete refused for ${before.id}: jobs still running`);
    expect(stack.state()).toEqual([before]);
    expect(callLog.all().filter((c) => c.method === "delete").map((c) => c.payload.id)).toContain(stack.state()[0]?.id);
    const deletes = stack.steps.filter((s) => s.op === "delete");
    expect(Object.fromEntries(deletes.map((s) => [s.urn.split("::").pop(), s.error === undefined]))).toEqual({
      "thing-a": false,
      "thing-b": true,
    });
  });

  test("a resource no longer registered is deleted by the next up", async ({ host }) => {
    const stack = new Stack(host);
    await stack.up(await runFixture({ config: { second: "true" } }));
    const steps = await stack.up(await runFixture());
    expect(steps.map((s) => [s.op, s.urn.split("::").pop()])).toEqual([
      ["same", "thing-a"],
      ["delete", "thing-b"],
    ]);
    expect(stack.state().map((e) => e.name)).toEqual(["thing-a"]);
  });

  test("refresh replaces outputs, and drops a resource whose Read returns no id", async ({ host }) => {
    const stack = new Stack(host);
    await stack.up(await runFixture({ config: { second: "true", "b.kind": "ephemeral" } }));
    const steps = await stack.refresh();
    expect(Object.fromEntries(steps.map((s) => [s.urn.split("::").pop(), s.op]))).toEqual({
      "thing-a": "refresh",
      "thing-b": "refresh-gone",
    });
    expect(stack.resource("thing-a")?.outputs.refreshed).toBe(true);
    expect(stack.state().map((e) => e.name)).toEqual(["thing-a"]);
  });

  test("protect is not modelled: deleting a protected resource throws HarnessLimitError instead", async ({ host, callLog }) => {
    const stack = new Stack(host);
    const run = await runFixture({ config: { protect: "true" } });
    expect(thingA(run).opts?.protect).toBe(true);
    await stack.up(run);
    const failure = stack.destroy();
    await expect(failure).rejects.toThrow(/has protect: the engine would refuse to delete it/);
    expect(stack.state()).toHaveLength(1);
    expect(callLog.methods()).not.toContain("delete");
  });

  test("destroy from saved state with a fresh host runs the provider text stored in state", async ({ host, callLog }) => {
    const first = new Stack(host);
    const run = await runFixture({ config: { greeting: "hi" } });
    await first.up(run);
    await host.stop();

    const later = await startProvider({ cwd: FIXTURE_DIR, project: PROJECT, env: { HARNESS_FIXTURE_LOG: callLog.file } });
    try {
      const stack = new Stack(later, { state: first.state(), config: run.config });
      await stack.destroy();
      expect(stack.state()).toEqual([]);
      expect(callLog.last("delete")?.pid).toBe(later.pid);
      expect(dynamicResources(run)).toHaveLength(1);
    } finally {
      await later.stop();
    }
  });
});
