// `npm run demo` (the main job) end to end: examples/quickstart through the engine harness against the
// embedded emulator. Runs the compiled script exactly as `npm run demo` does (`npm test` builds first).
import { spawn } from "node:child_process";
import * as path from "node:path";
import { expect, test } from "vitest";

const DEMO = path.join(__dirname, "..", "dist", "scripts", "demo.js");

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

test("the demo tears down every set of examples/quickstart and leaves the outsider running", async () => {
  const { code, output } = await runDemo();
  expect(output).toContain("No pulumi CLI on the PATH");
  expect(code, output).toBe(0);
  expect(output).toMatch(/After destroy: 3 Flink jobs in the emulator/);
  expect(output).toMatch(/metrics-1\s+job_cancel_success/);
  expect(output).toMatch(/not-in-any-set\s+job_running/);
  expect(output.slice(output.lastIndexOf("After destroy"))).not.toMatch(/etl-|orders-/);
  expect(output).toContain("stopping 3 running jobs with a savepoint");
  expect(output).toContain("State after destroy: 0 resources");
});
