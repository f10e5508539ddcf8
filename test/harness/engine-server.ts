// The engine's side of `pulumirpc.Engine` that a provider talks to: its Log service, served on loopback with
// @pulumi/pulumi's generated service definition, recording each message as the engine would receive it. A provider
// host started by the harness gets this address as its engine address, as the real engine passes its own.
import type * as grpcTypes from "@grpc/grpc-js";
import { emptyMessage, grpc, pulumiProto } from "./pulumi-proto";

const engrpc = pulumiProto("engine_grpc_pb") as { EngineService: grpcTypes.ServiceDefinition };
const engproto = pulumiProto("engine_pb") as { LogSeverity: Record<string, number> };
const SEVERITY_NAMES = Object.fromEntries(Object.entries(engproto.LogSeverity).map(([name, value]) => [value, name.toLowerCase()]));

export interface EngineMessage {
  severity: "debug" | "info" | "warning" | "error";
  message: string;
  /** The resource the message is about; "" for the stack. */
  urn: string;
  /** A status line (shown while the resource works, not kept). */
  ephemeral: boolean;
}

interface LogRequestMessage {
  getSeverity(): number;
  getMessage(): string;
  getUrn(): string;
  getEphemeral(): boolean;
}

export interface EngineServer {
  /** `127.0.0.1:<port>`, as the engine passes its address to a provider. */
  readonly address: string;
  messages(): EngineMessage[];
  stop(): Promise<void>;
}

/** `failLogs`: every Log call is recorded, then answered with this error (an engine shutting down, say). */
export async function startEngine(opts: { failLogs?: grpcTypes.status } = {}): Promise<EngineServer> {
  const received: EngineMessage[] = [];
  const server = new grpc.Server();
  server.addService(engrpc.EngineService, {
    log(call: grpcTypes.ServerUnaryCall<LogRequestMessage, unknown>, callback: grpcTypes.sendUnaryData<unknown>) {
      const req = call.request;
      const severity = SEVERITY_NAMES[req.getSeverity()] as EngineMessage["severity"];
      received.push({ severity, message: req.getMessage(), urn: req.getUrn(), ephemeral: req.getEphemeral() });
      if (opts.failLogs !== undefined) return callback({ code: opts.failLogs, details: "engine is shutting down" });
      callback(null, emptyMessage());
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  return {
    address: `127.0.0.1:${port}`,
    messages: () => [...received],
    stop: () =>
      new Promise<void>((resolve) => {
        server.tryShutdown(() => resolve());
      }),
  };
}

/** Engine messages as the CLI prints them among a run's diagnostics, one per line. */
export function formatMessages(messages: readonly EngineMessage[]): string {
  return messages.map((m) => (m.severity === "info" ? m.message : `${m.severity}: ${m.message}`)).join("\n");
}
