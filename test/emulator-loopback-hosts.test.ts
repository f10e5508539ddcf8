/**
 * Where the emulator listens: one emulator under two spellings of the loopback (127.0.0.1 and ::1 behind
 * "localhost"), and 127.0.0.1 only by default. Each test gets its own emulator (the `emulator` fixture).
 */
import { describe, expect } from "vitest";
import { startEmulator } from "../emulator";
import { emulatorTest as test, huaweiApi } from "./helpers/emulator-clients";
import { flinkPath } from "./helpers/emulator-flink";
import { ehpc, flink } from "./helpers/emulator-kinds";

describe('one emulator under two spellings: host "localhost"', () => {
  test.override({ emulatorOptions: { host: "localhost" } });

  test("127.0.0.1, ::1 and localhost reach the same state; each signature covers the Host it was sent with", async ({ emulator }) => {
    const ipv4 = emulator.urlFor("127.0.0.1");
    const named = emulator.urlFor("localhost");
    expect(ipv4).toBe(`http://127.0.0.1:${emulator.port}`);
    expect(named).toBe(`http://localhost:${emulator.port}`);
    expect(emulator.urlFor("::1")).toBe(`http://[::1]:${emulator.port}`);
    expect(emulator.url).toBe(ipv4);

    const [jobId] = flink.seed(emulator, [{}]);
    expect((await flink.page(emulator, 0, 10, named)).ids).toEqual([jobId]);
    expect((await flink.page(emulator, 0, 10, emulator.urlFor("::1"))).ids).toEqual([jobId]);
    const deleted = await huaweiApi(emulator, { method: "POST", path: flinkPath("/delete"), body: { job_ids: [BigInt(jobId!)] }, baseUrl: named });
    expect(deleted.json).toEqual([{ is_success: "true", message: "The job is deleted." }]);
    expect((await flink.page(emulator, 0, 10, ipv4)).total).toBe(0);
    expect(emulator.calls({ op: "flink.list" }).map((call) => call.headers.host)).toEqual([
      `localhost:${emulator.port}`,
      `[::1]:${emulator.port}`,
      `127.0.0.1:${emulator.port}`,
    ]);

    // Signed for 127.0.0.1 but sent to localhost: the Host the gateway sees is not the signed one.
    const mismatched = await huaweiApi(emulator, { method: "GET", path: flinkPath(), baseUrl: named, signedHost: new URL(ipv4).host });
    expect(mismatched).toMatchObject({ status: 401, json: { error_code: "APIG.0301" } });
    ehpc.seed(emulator, [{}]);
    expect((await ehpc.page(emulator, 0, 10, named)).total).toBe(1);
  });

  test("close() stops both listeners", async () => {
    const emulator = await startEmulator({ host: "localhost" });
    const urls = [emulator.urlFor("127.0.0.1"), emulator.urlFor("::1")];
    await emulator.close();
    for (const url of urls) await expect(fetch(`${url}/__admin/now`)).rejects.toThrow();
  });
});

describe("the default host listens on 127.0.0.1 only", () => {
  test("urlFor('localhost') is refused (it may resolve to ::1), ::1 is not listened on", async ({ emulator }) => {
    expect(emulator.urlFor("127.0.0.1")).toBe(emulator.url);
    expect(() => emulator.urlFor("localhost")).toThrow(/start it with host: "localhost"/);
    expect(() => emulator.urlFor("::1")).toThrow(/listens on 127\.0\.0\.1/);
    await expect(fetch(`http://[::1]:${emulator.port}/__admin/now`)).rejects.toThrow();
  });
});
