/**
 * The emulator's own lifecycle: where it listens, closing it, and the options it refuses. Each test gets its own
 * emulator on 127.0.0.1:0 (the `emulator` fixture) unless it starts one itself.
 */
import { describe, expect } from "vitest";
import { startEmulator } from "../emulator";
import { emulatorTest as test } from "./helpers/emulator-clients";
import { callApi, flinkPath } from "./helpers/emulator-flink";

describe("lifecycle", () => {
  test("listens on 127.0.0.1 with a free port; a port in use makes startEmulator reject", async ({ emulator }) => {
    expect(emulator.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(emulator.port).toBeGreaterThan(0);
    await expect(startEmulator({ port: emulator.port })).rejects.toMatchObject({ code: "EADDRINUSE" });
  });

  test("close() ends keep-alive connections and is idempotent", async () => {
    const emulator = await startEmulator();
    await callApi(emulator, { method: "GET", path: flinkPath() });
    await Promise.all([emulator.close(), emulator.close()]);
    await expect(fetch(emulator.url + flinkPath())).rejects.toThrow();
  });

  test("invalid options are refused", async () => {
    await expect(startEmulator({ maxBatchSize: 0 })).rejects.toThrow(/maxBatchSize/);
    await expect(startEmulator({ stopDelayMs: -1 })).rejects.toThrow(/stopDelayMs/);
  });
});
