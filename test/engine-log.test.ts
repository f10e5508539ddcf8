// Progress sent to the engine's Log service (provider/engine-log.ts), against a real gRPC Engine service on
// loopback: what the engine receives, in which order, and that an operation answers only once its lines are there;
// and the fallback to the console when no engine answers.
import * as net from "node:net";
import { afterEach, describe, expect, test } from "vitest";
import { engineAddressFromArgs, engineLog, type EngineLog } from "../provider/engine-log";
import { startEngine, type EngineServer } from "./harness/engine-server";
import { grpc } from "./harness/pulumi-proto";

const SET = "urn:pulumi:dev::proj::jobsets:dli:FlinkJobSet::orders";

/** A loopback address nothing listens on: a port bound, then freed. */
async function refusedAddress(): Promise<string> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `127.0.0.1:${port}`;
}

function printed(): { lines: string[]; log(m: string): void; status(m: string): void; warn(m: string): void } {
  const lines: string[] = [];
  return { lines, log: (m) => lines.push(`log ${m}`), status: (m) => lines.push(`status ${m}`), warn: (m) => lines.push(`warn ${m}`) };
}

let engine: EngineServer | undefined;
let log: EngineLog | undefined;
afterEach(async () => {
  log?.close();
  await engine?.stop();
  engine = log = undefined;
});

describe("engineLog", () => {
  test("each kind of line reaches the engine with its severity, its set's URN and whether it is transient, in order", async () => {
    engine = await startEngine();
    const fallback = printed();
    log = engineLog(engine.address, fallback);
    const set = log.forResource(SET);
    const stack = log.forResource();
    set.log("dli-flink: stopping 2 jobs");
    set.status("dli-flink: stopped 1 of 2 jobs");
    stack.warn("dli-flink: rate limit reached");
    set.warn("dli-flink: 1 of 2 jobs no longer exist");
    await Promise.all([set.settled(), stack.settled()]);

    expect(engine.messages()).toEqual([
      { severity: "info", message: "dli-flink: stopping 2 jobs", urn: SET, ephemeral: false },
      { severity: "info", message: "dli-flink: stopped 1 of 2 jobs", urn: SET, ephemeral: true },
      { severity: "warning", message: "dli-flink: rate limit reached", urn: "", ephemeral: false },
      { severity: "warning", message: "dli-flink: 1 of 2 jobs no longer exist", urn: SET, ephemeral: false },
    ]);
    expect(fallback.lines).toEqual([]);
  });

  test("settled resolves only once the engine holds every line given before it", async () => {
    engine = await startEngine();
    log = engineLog(engine.address, printed());
    const set = log.forResource(SET);
    for (let i = 1; i <= 20; i++) set.log(`line ${i}`);
    expect(engine.messages()).toHaveLength(0);
    await set.settled();
    expect(engine.messages().map((m) => m.message)).toEqual(Array.from({ length: 20 }, (_, i) => `line ${i + 1}`));
  });

  test("without an engine to connect to, every line is printed on the fallback, in order", async () => {
    const fallback = printed();
    log = engineLog(await refusedAddress(), fallback);
    const set = log.forResource(SET);
    set.log("first");
    set.status("second");
    set.warn("third");
    await set.settled();
    expect(fallback.lines).toEqual(["log first", "status second", "warn third"]);
  });

  test("after a Log call fails, that line and every later one are printed, and the engine is not called again", async () => {
    engine = await startEngine({ failLogs: grpc.status.UNAVAILABLE });
    const fallback = printed();
    log = engineLog(engine.address, fallback);
    const set = log.forResource(SET);
    set.warn("first");
    set.log("second");
    await set.settled();
    set.status("third");
    await set.settled();
    expect(fallback.lines).toEqual(["warn first", "log second", "status third"]);
    expect(engine.messages().map((m) => m.message)).toEqual(["first"]);
  });

  test("an engine that does not answer within the deadline: the line is printed instead", async () => {
    // A listener that accepts and never speaks HTTP/2: the call can only end at its deadline.
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    try {
      const fallback = printed();
      log = engineLog(`127.0.0.1:${(silent.address() as net.AddressInfo).port}`, fallback, 300);
      const set = log.forResource(SET);
      set.warn("still there");
      await set.settled();
      expect(fallback.lines).toEqual(["warn still there"]);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});

describe("engineAddressFromArgs", () => {
  test.each([
    [["127.0.0.1:4321"], "127.0.0.1:4321"],
    [["--logtostderr", "-v=9", "--tracing", "127.0.0.1:9", "127.0.0.1:4321"], "127.0.0.1:4321"],
    [[], undefined],
  ])("%j → %s", (args, address) => {
    expect(engineAddressFromArgs(args)).toBe(address);
  });
});
