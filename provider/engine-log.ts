/**
 * Progress sent to the Pulumi engine's Log service instead of printed on the provider's console.
 *
 * Why: the engine reads a provider's stdout and stderr on a goroutine of its own, and nothing orders those lines
 * against the provider's answers. A short operation (a refresh whose only news is "2 jobs no longer exist") can
 * return, and the run end, before its line is shown: the warning is lost. A Log call is answered once the engine
 * holds the message, and each operation waits for its messages (`settled`) before it answers, so every line is
 * shown, under the set it is about when the host passes the set's URN. Status lines go as ephemeral messages,
 * which the engine shows in the set's row while it works and does not keep.
 *
 * When the engine cannot be reached (a host started without one), lines are printed on the fallback instead, in
 * the same order, and no further call is tried.
 */
import { createRequire } from "node:module";
import type { EngineClient } from "@pulumi/pulumi/proto/engine_grpc_pb";
import type * as enginePb from "@pulumi/pulumi/proto/engine_pb";
import type { Progress } from "./wait/progress";

/** A Log call that takes longer than this is given up, and the line printed instead. */
export const LOG_DEADLINE_MS = 10_000; // 10 s

/** Progress whose lines may still be on their way: `settled` resolves once every line given so far is delivered. */
export type DeliveredProgress = Progress & { settled(): Promise<void> };

export interface EngineLog {
  /** Progress about one resource (its URN), or about the stack when there is none. */
  forResource(urn?: string): DeliveredProgress;
  close(): void;
}

// The generated client takes @grpc/grpc-js objects: load the copy @pulumi/pulumi itself loads, not one of ours.
const pulumiRequire = createRequire(require.resolve("@pulumi/pulumi/proto/engine_grpc_pb"));

/**
 * Connects to the engine at `address` (`127.0.0.1:<port>`, as the engine passes it to a provider). Nothing is
 * dialled until the first line.
 */
export function engineLog(address: string, fallback: Progress, deadlineMs = LOG_DEADLINE_MS): EngineLog {
  const grpc = pulumiRequire("@grpc/grpc-js") as typeof import("@grpc/grpc-js");
  const { EngineClient: Client } = pulumiRequire("./engine_grpc_pb") as { EngineClient: typeof EngineClient };
  const pb = pulumiRequire("./engine_pb") as typeof enginePb;
  let client: EngineClient | undefined;
  let reachable = true;
  // One chain for the process: lines reach the engine in the order they were given.
  let delivered: Promise<void> = Promise.resolve();

  const send = (severity: enginePb.LogSeverity, message: string, urn: string, ephemeral: boolean, print: () => void): Promise<void> =>
    new Promise((resolve) => {
      if (!reachable) {
        print();
        return resolve();
      }
      client ??= new Client(address, grpc.credentials.createInsecure());
      const request = new pb.LogRequest();
      request.setSeverity(severity);
      request.setMessage(message);
      request.setUrn(urn);
      request.setEphemeral(ephemeral);
      client.log(request, new grpc.Metadata(), { deadline: Date.now() + deadlineMs }, (error) => {
        if (error) {
          reachable = false;
          client?.close();
          print();
        }
        resolve();
      });
    });

  return {
    forResource(urn = "") {
      const enqueue = (severity: enginePb.LogSeverity, message: string, ephemeral: boolean, print: () => void) => {
        delivered = delivered.then(() => send(severity, message, urn, ephemeral, print));
      };
      return {
        log: (message) => enqueue(pb.LogSeverity.INFO, message, false, () => fallback.log(message)),
        status: (message) => enqueue(pb.LogSeverity.INFO, message, true, () => fallback.status(message)),
        warn: (message) => enqueue(pb.LogSeverity.WARNING, message, false, () => fallback.warn(message)),
        // Every line so far, whoever gave it: a line the process gave during an operation (a rate-limit warning) too.
        settled: () => delivered,
      };
    },
    close() {
      client?.close();
    },
  };
}

/** Where a provider process's progress goes: the engine's log at `address`, or `fallback` when there is none. */
export function progressTo(address: string | undefined, fallback: Progress): (urn?: string) => Progress {
  if (!address) return () => fallback;
  const log = engineLog(address, fallback);
  return (urn) => log.forResource(urn);
}

/**
 * The engine's address among a provider's arguments, as the engine passes them (`[--logtostderr] [-v=N]
 * [--tracing <endpoint>] <engine address>`), read by @pulumi/pulumi's own parser.
 */
export function engineAddressFromArgs(args: readonly string[]): string | undefined {
  const { parseArgs } = pulumiRequire("../provider/internals") as { parseArgs(args: string[]): { engineAddress: string } | undefined };
  return parseArgs([...args])?.engineAddress;
}
