// The provider text Pulumi stores in state (twice per resource) and runs at destroy time: tiny, free of
// libraries, schemas and credentials, and a loader of the installed implementation, so a destroy of an old
// stack runs today's code (pulumi/pulumi#6238, #9085). Checked for a program run as `pulumi up` runs it
// (a child Node process) and under vitest, which serializes closures differently.
import { describe, expect } from "vitest";
import { runProgramInProcess } from "./harness/program";
import { DEFAULT_PROJECT_ID, FLINK, PROGRAM_DIR, flinkSet, program, test } from "./helpers/jobsets";

/** The ceiling for the serialized provider: issue 6's 2 KiB (issue 2 asked for 4 KiB). */
const MAX_PROVIDER_BYTES = 2 * 1024;

describe("the serialized provider", () => {
  test("is under 2 KiB, captures only the type name, and loads the installed implementation", async () => {
    const run = await program([flinkSet("a", { jobIds: [1] }), flinkSet("b", { jobIds: [2], teardown: "stop" })]);
    const texts = run.resources.filter((r) => r.type === FLINK).map((r) => String(r.inputs.__provider));
    expect(texts).toHaveLength(2);
    // One provider object per type: both sets store the same text.
    expect(texts[0]).toBe(texts[1]);
    const text = texts[0]!;
    expect(Buffer.byteLength(text)).toBeLessThan(MAX_PROVIDER_BYTES);
    expect(text).toContain('require("pulumi-jobsets/d")');
    expect(text).toContain('t: "DliFlinkJobSet"');
    // The longest type name too (the only part that differs between kinds).
    const mrs = await program([{ kind: "mrs.JobExecutionSet", name: "m", args: { clusterId: "c", jobIds: ["48c45725-b699-4aa9-9bfd-f7ff87eb6fe8"] } }]);
    expect(Buffer.byteLength(String(mrs.resources[0]!.inputs.__provider))).toBeLessThan(MAX_PROVIDER_BYTES);
    // No library, schema or lifecycle code copied in.
    for (const absent of ["undici", "zod", "batchDeleteFlinkJobs", "HmacSHA256", "createHmac", "node_modules"]) {
      expect(text).not.toContain(absent);
    }
  });

  test("holds no credential, even when the stack config has them as secrets", async () => {
    const run = await program([flinkSet("a", { jobIds: [1] })], {
      secretConfig: { "jobsets:accessKey": "AKSECRETINCONFIG0001", "jobsets:secretKey": "skSecretInConfig0000000000000000000000001" },
    });
    const text = String(run.resources[0]!.inputs.__provider);
    expect(text).not.toContain("AKSECRETINCONFIG0001");
    expect(text).not.toContain("skSecretInConfig");
    // A secret captured by the closure would make the whole provider a secret wrapper object.
    expect(typeof run.resources[0]!.inputs.__provider).toBe("string");
  });

  test("serialized under vitest too, and that text runs a create and a delete in the real host", async ({ emu, stack, host }) => {
    const ids = emu.seedFlinkJobs(DEFAULT_PROJECT_ID, [{}, {}]);
    const run = await runProgramInProcess({ programDir: PROGRAM_DIR, config: { sets: JSON.stringify([flinkSet("v", { jobIds: ids })]) } });
    const text = String(run.resources[0]!.inputs.__provider);
    expect(text).toContain('require("pulumi-jobsets/d")');
    expect(Buffer.byteLength(text)).toBeLessThan(MAX_PROVIDER_BYTES);
    await stack.up(run);
    await stack.destroy();
    expect(emu.flinkJobs(DEFAULT_PROJECT_ID)).toEqual([]);
    expect(host.logs()).not.toMatch(/code must be a string|Error serializing/);
  });
});
