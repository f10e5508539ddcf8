// The harness's provider host (test/harness/provider-host.ts) proven against test/fixtures/harness-program
// (test/helpers/harness-fixture.ts): the real dynamic-provider host runs the serialized provider, call by call.
import { expect, describe } from "vitest";
import { stripSecrets } from "./harness/engine";
import { ProviderCallError, urn } from "./harness/provider-host";
import { GRPC_UNKNOWN, PROJECT, THING, harnessTest as test, thingA } from "./helpers/harness-fixture";

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
