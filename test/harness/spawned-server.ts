// A gRPC server the harness starts as the engine does (the provider host, a plugin, a policy pack): `node <script>
// <args…>`, whose first stdout line is the port it serves on 127.0.0.1, and a unary client to it.
import { spawn, type ChildProcess } from "node:child_process";
import type * as grpcTypes from "@grpc/grpc-js";
import { grpc } from "./pulumi-proto";

type Unary = (req: unknown, metadata: grpcTypes.Metadata, options: grpcTypes.CallOptions, cb: (err: grpcTypes.ServiceError | null, resp: never) => void) => unknown;
/** A generated client, its methods looked up by name. */
export type RawClient = grpcTypes.Client & Record<string, Unary>;
export type ClientConstructor = new (address: string, credentials: grpcTypes.ChannelCredentials, options?: object) => RawClient;

/** The engine dials providers and analyzers with large message limits (serialized providers can be big). */
const CHANNEL_OPTIONS = {
  "grpc.max_receive_message_length": 400 * 1024 * 1024,
  "grpc.max_send_message_length": 400 * 1024 * 1024,
};

export type Exit = { code: number | null; signal: NodeJS.Signals | null };

/** A started server process: its port, its output so far, and how it ended. */
export interface ServerProcess {
  readonly port: number;
  readonly pid: number;
  stdout(): string;
  stderr(): string;
  /** stdout and stderr interleaved, as they arrived. */
  output(): string;
  /** Resolves when the process exits. */
  readonly exited: Promise<Exit>;
  /** SIGTERM unless it has already exited, then waits for the exit; safe to call twice. */
  stop(): Promise<void>;
}

export interface SpawnServerOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** How long to wait for the port line, in milliseconds. */
  startTimeoutMs: number;
}

/**
 * Runs `node script args…` and waits for its port. Rejects with its output (and kills it) if it exits, prints
 * something else first, or prints nothing within the timeout.
 */
export async function spawnServer(what: string, script: string, args: readonly string[], opts: SpawnServerOptions): Promise<ServerProcess> {
  const child = spawn(process.execPath, [script, ...args], { cwd: opts.cwd, env: opts.env, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  let all = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    out += chunk;
    all += chunk;
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    err += chunk;
    all += chunk;
  });
  const exited = new Promise<Exit>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));

  let port: number;
  try {
    port = await readPort(what, child, () => out, () => all, exited, opts.startTimeoutMs);
  } catch (error) {
    child.kill("SIGKILL");
    throw error;
  }

  let stopped: Promise<void> | undefined;
  return {
    port,
    pid: child.pid ?? -1,
    stdout: () => out,
    stderr: () => err,
    output: () => all,
    exited,
    stop() {
      stopped ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
        await exited;
      })();
      return stopped;
    },
  };
}

/** Waits for a spawned gRPC server's first stdout line, its port (the provider host, a plugin, a policy pack). */
export function readPort(what: string, child: ChildProcess, stdout: () => string, logs: () => string, exited: Promise<Exit>, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`${what} printed no port within ${timeoutMs} ms:\n${logs()}`)), timeoutMs);
    const onData = (): void => {
      const newline = stdout().indexOf("\n");
      if (newline < 0) return;
      const line = stdout().slice(0, newline).trim();
      const port = Number(line);
      finish(Number.isInteger(port) && port > 0 ? port : new Error(`${what}'s first line is not a port: ${JSON.stringify(line)}\n${logs()}`));
    };
    const finish = (result: number | Error): void => {
      clearTimeout(timer);
      child.stdout?.off("data", onData);
      if (typeof result === "number") resolve(result);
      else reject(result);
    };
    child.stdout?.on("data", onData);
    void exited.then(({ code, signal }) => finish(new Error(`${what} exited (code ${code}, signal ${signal}) before printing a port:\n${logs()}`)));
    onData();
  });
}

/** A unary call by method name, with a deadline; a failure becomes `toError(method, err)`. */
export type UnaryCall = <Resp>(method: string, req: unknown) => Promise<Resp>;

/** Connects a generated client to `127.0.0.1:port` with the engine's channel options. */
export function connect(
  Client: ClientConstructor,
  port: number,
  callTimeoutMs: number,
  toError: (method: string, err: grpcTypes.ServiceError) => Error,
): { call: UnaryCall; close(): void } {
  const client = new Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), CHANNEL_OPTIONS);
  const call: UnaryCall = <Resp>(method: string, req: unknown) =>
    new Promise<Resp>((resolve, reject) => {
      client[method]!.call(client, req, new grpc.Metadata(), { deadline: Date.now() + callTimeoutMs }, (err, resp) => {
        if (err) reject(toError(method, err));
        else resolve(resp as Resp);
      });
    });
  return { call, close: () => client.close() };
}
