/**
 * The pieces check's messages are built from: `formatFailures` (one line per failure), `likelyMeant` (the typo hint
 * for an unknown property), and the endpoint field's `isLoopbackHost` and `endpointUrl`.
 */
import { describe, expect, it } from "vitest";
import { formatFailures } from "../provider/check";
import { endpointUrl, isLoopbackHost, likelyMeant } from "../provider/schema";
import { KNOWN } from "./fixtures/flink-inputs";

describe("formatFailures", () => {
  it("prints one line per failure, property first", () => {
    expect(
      formatFailures([
        { property: "jobIds[3]", reason: "expected a positive integer job ID, received -1" },
        { property: "teardown", reason: "expected one of …" },
      ]),
    ).toBe("jobIds[3]: expected a positive integer job ID, received -1\nteardown: expected one of …");
  });

  it("prints nothing for no failures", () => {
    expect(formatFailures([])).toBe("");
  });
});

describe("likelyMeant", () => {
  it.each([
    ["jobId", "jobIds"],
    ["tearDown", "teardown"],
    ["jobIDs", "jobIds"],
    ["batchsize", "batchSize"],
    ["waitTimeoutSecond", "waitTimeoutSeconds"],
    ["regoin", "region"],
    ["colour", undefined],
    ["x", undefined],
  ])("%s → %s", (name, expected) => {
    expect(likelyMeant(name, KNOWN)).toBe(expected);
  });
});

describe("isLoopbackHost", () => {
  it.each([
    ["127.0.0.1", true],
    ["127.1.2.3", true],
    ["localhost", true],
    ["LOCALHOST", true],
    ["::1", true],
    ["[::1]", true],
    ["128.0.0.1", false],
    ["127.0.0.1.nip.io", false],
    ["localhost.example.com", false],
    ["0.0.0.0", false],
    ["dli.cn-north-4.myhuaweicloud.com", false],
  ])("%s → %s", (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected);
  });
});

describe("endpointUrl", () => {
  it.each([
    ["https://dli.cn-north-4.myhuaweicloud.com", "https://dli.cn-north-4.myhuaweicloud.com"],
    ["https://dli.cn-north-4.myhuaweicloud.com/", "https://dli.cn-north-4.myhuaweicloud.com"],
    ["  https://DLI.example.com:8443  ", "https://dli.example.com:8443"],
    ["https://dli.example.com:443", "https://dli.example.com"],
    ["http://127.0.0.1:8080", "http://127.0.0.1:8080"],
    ["http://localhost:9000/", "http://localhost:9000"],
    ["http://[::1]:9000", "http://[::1]:9000"],
  ])("%s → %s", (value, origin) => {
    expect(endpointUrl.parse(value)).toBe(origin);
  });
});
