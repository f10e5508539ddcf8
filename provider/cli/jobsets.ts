#!/usr/bin/env node
/**
 * The `jobsets` command (package.json `bin`). `jobsets plan [state.json | -] [--json]` reads the output of
 * `pulumi stack export` (a file, or standard input) and prints what `pulumi destroy` would do to each job set in it
 * now (provider/plan.ts). It sends list and detail requests only.
 *
 * Credentials, settings and endpoints resolve as the provider resolves them at a destroy: each set's endpoint and
 * place from its stored state, credentials and settings from the environment (the stack config's secrets are not
 * readable here). Exit status: 0 the plan is printed; 1 it is printed, but the statuses of some set could not be
 * read (its error is shown); 2 the command line, the input, a setting or the credentials are wrong, and nothing was
 * sent.
 */
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { SettingError } from "../config";
import { CredentialsError, InvalidInputError } from "../errors";
import { destroyLimit, formatPlan, planJson, readPlan } from "../plan";
import { findJobSets } from "../stack-export";
import { ProviderProcess, type Services } from "../services";
import type { Progress } from "../wait/progress";

const COMMAND = "jobsets";

export const USAGE = [
  `usage: ${COMMAND} plan [state.json | -] [--json]`,
  "",
  "  Prints what `pulumi destroy` would do now to the job sets of a stack: each job's status and the calls a",
  "  teardown would send for it. Reads `pulumi stack export` from the file, or from standard input (`-`, the",
  "  default when it is piped). Sends list and detail requests only. Credentials come from the environment.",
  "",
  "  --json   print { \"sets\": [ { \"urn\", \"type\", \"jobs\": [ { \"id\", \"status\", \"actions\" } ] } ] }",
  "  -h, --help",
].join("\n");

/** Exit statuses. */
export const EXIT = { ok: 0, someSetsUnread: 1, usage: 2 } as const;

/** A problem the user must fix before anything is sent: printed alone, exit status 2. */
class StopBeforeSending extends Error {}

export interface CommandIo {
  argv: readonly string[];
  env: NodeJS.ProcessEnv;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Standard input, whole; undefined when it is a terminal (nothing piped). */
  readStdin: () => Promise<string | undefined>;
}

type Command = { help: true } | { help: false; file: string | undefined; json: boolean };

const OPTIONS = { json: { type: "boolean" }, help: { type: "boolean", short: "h" } } as const;

/** `parseArgs` in strict mode; its errors (an unknown option) already name the option. */
function parseOrStop(argv: readonly string[]) {
  try {
    return parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new StopBeforeSending((error as Error).message);
  }
}

function parseCommandLine(argv: readonly string[]): Command {
  const parsed = parseOrStop(argv);
  if (parsed.values.help) return { help: true };
  const [command, file, ...rest] = parsed.positionals;
  if (command === undefined) throw new StopBeforeSending("no command given");
  if (command !== "plan") throw new StopBeforeSending(`unknown command "${command}"; the command is "plan"`);
  if (rest.length) throw new StopBeforeSending(`plan takes one state file (or -), received ${parsed.positionals.length - 1}: ${parsed.positionals.slice(1).join(" ")}`);
  return { help: false, file, json: parsed.values.json === true };
}

/** The export's text, from the file or standard input. */
async function readInput(file: string | undefined, io: CommandIo): Promise<{ text: string; from: string }> {
  if (file === undefined || file === "-") {
    const text = await io.readStdin();
    if (text === undefined) throw new StopBeforeSending("no state given: pass the file `pulumi stack export` wrote, or pipe it in (`pulumi stack export | jobsets plan -`)");
    return { text, from: "standard input" };
  }
  try {
    return { text: await readFile(file, "utf8"), from: file };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a folder" : code === "EACCES" ? "permission denied" : (error as Error).message;
    throw new StopBeforeSending(`cannot read ${file}: ${why}`);
  }
}

/** Runs the command; resolves with its exit status. */
export async function runJobsets(io: CommandIo): Promise<number> {
  let command: Command;
  try {
    command = parseCommandLine(io.argv);
  } catch (error) {
    io.stderr(`${COMMAND}: ${(error as Error).message}\n${USAGE}\n`);
    return EXIT.usage;
  }
  if (command.help) {
    io.stdout(`${USAGE}\n`);
    return EXIT.ok;
  }

  // Warnings (a wait for the request-rate ceiling) go to standard error, away from the plan.
  const progress: Progress = { log() {}, status() {}, warn: (message) => io.stderr(`warning: ${message}\n`) };
  const host = new ProviderProcess({ progressFor: () => progress });
  let services: Services | undefined;
  try {
    const { text, from } = await readInput(command.file, io);
    let document: unknown;
    try {
      document = JSON.parse(text);
    } catch (error) {
      throw new InvalidInputError(`${from} is not JSON (${(error as Error).message}): pass the output of \`pulumi stack export\``);
    }
    const sets = findJobSets(document);
    const settings = { config: () => undefined, env: io.env };
    services = host.services(settings);
    const plan = await readPlan(sets, services);
    io.stdout(command.json ? `${JSON.stringify(planJson(plan), null, 2)}\n` : `${formatPlan(plan, destroyLimit(settings))}\n`);
    return plan.some((set) => set.error !== undefined) ? EXIT.someSetsUnread : EXIT.ok;
  } catch (error) {
    if (error instanceof StopBeforeSending || error instanceof InvalidInputError || error instanceof CredentialsError || error instanceof SettingError) {
      const where = error instanceof CredentialsError ? " (jobsets plan reads credentials from the environment only)" : "";
      io.stderr(`${COMMAND}: ${error.message}${where}\n`);
      return EXIT.usage;
    }
    throw error;
  } finally {
    await services?.http.close();
  }
}

async function readStdin(): Promise<string | undefined> {
  if (process.stdin.isTTY) return undefined;
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

if (require.main === module) {
  runJobsets({
    argv: process.argv.slice(2),
    env: process.env,
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    readStdin,
  }).then(
    (status) => {
      process.exitCode = status;
    },
    (error: unknown) => {
      // Not a mistake of the user's: a bug, shown with its stack.
      process.stderr.write(`${COMMAND}: internal error: ${(error as Error)?.stack ?? String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
