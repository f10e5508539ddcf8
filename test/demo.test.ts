// `npm run demo` (the main job) end to end: examples/quickstart through the engine harness against the
// embedded emulator. Runs the compiled script exactly as `npm run demo` does (`npm test` builds it first, into build/).
import { spawn } from "node:child_process";
import * as path from "node:path";
import { expect, test } from "vitest";

const DEMO = path.join(__dirname, "..", "build", "demo", "run.js");

function runDemo(): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    // No pulumi CLI here: PATH without it makes the demo take the harness route deterministically.
    const child = spawn(process.execPath, [DEMO], { env: { ...process.env, PATH: path.dirname(process.execPath) }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, output }));
  });
}

test("the demo tears down every set of examples/quickstart, of all four kinds, and leaves the outsiders running", async () => {
  const { code, output } = await runDemo();
  expect(output).toContain("No pulumi CLI on the PATH");
  expect(code, output).toBe(0);
  const after = output.slice(output.lastIndexOf("After destroy"));
  expect(after).toMatch(/After destroy: 9 jobs in the emulator/);
  expect(after).toMatch(/metrics-1\s+job_cancel_success/);
  expect(after).toMatch(/not-in-any-set\s+job_running/);
  expect(after).not.toMatch(/etl-|orders-/);
  // Each kind's outsider survives; the set's MRS and EHPC jobs are gone, its Spark batches ended.
  expect(after.match(/^  MRS /gm)).toHaveLength(1);
  expect(after.match(/^  EHPC /gm)).toHaveLength(1);
  expect(after.match(/^  DLI Spark .*running$/gm)).toHaveLength(1);
  expect(output).toContain("stopping 3 running jobs with a savepoint");
  for (const op of ["spark.cancel", "mrs.kill", "mrs.batchDelete", "ehpc.stop", "ehpc.delete"]) expect(output).toContain(op);
  expect(output).toContain("State after destroy: 0 resources");
});
