/** Runs the compiled demo (build/demo/run.js) as `npm run demo` does, with this environment; never rejects on a failure. */
import { spawn } from "node:child_process";
import * as path from "node:path";

const DEMO = path.join(__dirname, "..", "..", "build", "demo", "run.js");

export function runDemo(env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [DEMO], { env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, output }));
  });
}
