// The harness's engine (test/harness/engine.ts) proven against test/fixtures/harness-program
// (test/helpers/harness-fixture.ts): up, update, replace, refresh and destroy through the provider host, with state,
// secrets and failures kept as the Pulumi engine keeps them.
import { expect, describe } from "vitest";
import { CheckFailedError, Stack, StepError, StepErrors, annotateSecrets } from "./harness/engine";
import { dynamicResources } from "./harness/program";
import { secret, startProvider } from "./harness/provider-host";
import { FIXTURE_DIR, GRPC_UNKNOWN, PROJECT, harnessTest as test, runFixture, thingA } from "./helpers/harness-fixture";

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
