// `npm run demo` with the pulumi CLI built: a real `pulumi up` and `pulumi destroy` of examples/quickstart through
// the Automation API (inline program), against the emulator. Runs the compiled demo as `npm run demo` does
// (`npm run test:e2e` builds it into build/).
import { expect, test } from "vitest";
import { runDemo } from "../helpers/demo";
import { requireCli } from "./cli";

test("npm run demo runs a real pulumi up and destroy when the CLI is built", async () => {
  requireCli();
  const { code, output } = await runDemo({ ...process.env, JOBSETS_DEMO_ROUTE: "" });
  expect(code, output).toBe(0);
  expect(output).toContain("The pulumi CLI is built");
  expect(output).toMatch(/\$ pulumi up {3}\(pulumi v3\.\d+\.\d+/);
  // The CLI's own summaries: the engine created and then deleted the stack and its seven sets.
  expect(output).toMatch(/Resources:\s+\+ 8 created/);
  expect(output).toMatch(/Resources:\s+- 8 deleted/);
  expect(output).toContain("State after destroy: 0 resources");
  const after = output.slice(output.lastIndexOf("After destroy"));
  expect(after).toMatch(/After destroy: 9 jobs in the emulator/);
  expect(after).toMatch(/not-in-any-set\s+job_running/);
  expect(output).not.toContain("DEMO FAILED");
});
