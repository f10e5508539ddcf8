// `npm run demo` (the main job) end to end: examples/quickstart through the engine harness against the
// embedded emulator. Runs the compiled script exactly as `npm run demo` does (`npm test` builds it first, into build/).
import * as path from "node:path";
import { expect, test } from "vitest";
import { runDemo } from "./helpers/demo";

test("the demo tears down every set of examples/quickstart, of all four kinds, and leaves the outsiders running", async () => {
  // The harness route, whether or not this machine has built the CLI (the CLI route is test/e2e/demo.e2e.test.ts).
  const { code, output } = await runDemo({ ...process.env, PATH: path.dirname(process.execPath), JOBSETS_DEMO_ROUTE: "harness" });
  expect(output).toContain("No pulumi CLI built");
  expect(output).toContain("npm run build:cli");
  expect(code, output).toBe(0);
  const after = output.slice(output.lastIndexOf("After destroy"));
  expect(after).toMatch(/After destroy: 9 jobs in the emulator/);
  expect(after).toMatch(/metrics-1\s+job_cancel_success/);
  expect(after).toMatch(/not-in-any-set\s+job_running/);
  expect(after).not.toMatch(/etl-|orders-/);
  // Each kind's outsider survives; the set's MRS and EHPC jobs are gone, its Spark batches ended.
  expect(after.match(/^ {2}MRS /gm)).toHaveLength(1);
  expect(after.match(/^ {2}EHPC /gm)).toHaveLength(1);
  expect(after.match(/^ {2}DLI Spark .*running$/gm)).toHaveLength(1);
  expect(output).toContain("stopping 3 jobs with a savepoint");
  for (const op of ["spark.cancel", "mrs.kill", "mrs.batchDelete", "ehpc.stop", "ehpc.delete"]) expect(output).toContain(op);
  expect(output).toContain("State after destroy: 0 resources");
});
