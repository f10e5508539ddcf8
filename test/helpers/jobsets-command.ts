/** The built `jobsets` command (dist/provider/cli/jobsets.js), run as a user runs it, for the plan's tests. */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO_ROOT } from "../harness/program";

const COMMAND = path.join(REPO_ROOT, "dist", "provider", "cli", "jobsets.js");

export interface CommandRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `jobsets <args>` with `stdin` piped in and exactly `env`. Asynchronously: the emulator the command reads from
 * answers from the test's own process.
 */
export function runJobsetsCommand(args: readonly string[], stdin: string, env: NodeJS.ProcessEnv): Promise<CommandRun> {
  if (!fs.existsSync(COMMAND)) throw new Error(`${COMMAND} is missing: run \`npm run build\` first`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [COMMAND, ...args], { env, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}
