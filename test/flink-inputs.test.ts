/**
 * Inputs of a DLI Flink job set (`provider/schema.ts` + `provider/check.ts`): every bad input gives one
 * check failure whose `property` is the exact dot path and whose `reason` says what was expected and what
 * was received (the rows: test/fixtures/flink-inputs.ts); good inputs are normalised, with defaults taken from the
 * stack config before the environment.
 */
import { describe, expect, it } from "vitest";
import { checkFailures, formatFailures, type CheckFailure } from "../provider/check";
import { DEFAULT_FLINK_BATCH_SIZE, DEFAULT_WAIT_TIMEOUT_SECONDS, emptyDefaults, flinkJobSetSchema, type DefaultsSource } from "../provider/schema";
import { GOOD, KNOWN, badInputs } from "./fixtures/flink-inputs";

/** Defaults from a stack config (keys as `jobsets:projectId`) and an environment. */
function defaults(config: Record<string, string> = {}, env: Record<string, string> = {}): DefaultsSource {
  return { config: (key) => config[key], env };
}

function failuresFor(input: unknown, source: DefaultsSource = emptyDefaults): CheckFailure[] {
  const parsed = flinkJobSetSchema(source).safeParse(input);
  if (parsed.success) throw new Error(`expected a check failure, but the input was accepted as ${JSON.stringify(parsed.data)}`);
  return checkFailures(parsed.error, KNOWN);
}

function parse(input: unknown, source: DefaultsSource = emptyDefaults) {
  const parsed = flinkJobSetSchema(source).safeParse(input);
  if (!parsed.success) throw new Error(`expected the input to pass, got:\n${formatFailures(checkFailures(parsed.error, KNOWN))}`);
  return parsed.data;
}

describe("bad inputs: one failure at the exact property", () => {
  it("has at least 25 rows", () => {
    expect(badInputs.length).toBeGreaterThanOrEqual(25);
  });

  it.each(badInputs)("$scenario → $property", (row) => {
    const failures = failuresFor({ ...GOOD, ...row.input });
    expect(failures.map((f) => f.property)).toEqual([row.property]);
    const { reason } = failures[0]!;
    expect(reason, "says what was expected").toMatch(row.expected);
    expect(reason, "says what was received").toContain(row.received);
    if (row.secret) expect(reason).not.toContain(row.secret);
  });

  it("reports every bad element, each at its own index", () => {
    const failures = failuresFor({ ...GOOD, jobIds: [1, -2, 3, "x", 5, null] });
    expect(failures.map((f) => f.property)).toEqual(["jobIds[1]", "jobIds[3]", "jobIds[5]"]);
  });

  it("reports several bad properties together", () => {
    const failures = failuresFor({ jobIds: "1", projectId: "a b", teardown: "nuke", jobId: 1 });
    expect(failures.map((f) => f.property).sort()).toEqual(["jobId", "jobIds", "projectId", "teardown"]);
  });

  it("missing projectId without defaults names where it can come from", () => {
    const failures = failuresFor({ jobIds: [1], region: "cn-north-4" });
    expect(failures).toEqual([{ property: "projectId", reason: expect.stringMatching(/jobsets:projectId.*HW_PROJECT_ID/) }]);
  });

  it("missing region and endpoint without defaults names where they can come from", () => {
    const failures = failuresFor({ jobIds: [1], projectId: "p" });
    expect(failures).toEqual([{ property: "region", reason: expect.stringMatching(/jobsets:region.*HW_REGION_NAME.*JOBSETS_DLI_ENDPOINT/) }]);
  });

  it('triggerSavepoint with the default teardown ("delete") is refused at triggerSavepoint', () => {
    const failures = failuresFor({ ...GOOD, triggerSavepoint: true });
    expect(failures.map((f) => f.property)).toEqual(["triggerSavepoint"]);
  });

  // Only the bad variable is reported: the region was given, so "region required" would send the user the wrong way.
  it("a bad JOBSETS_DLI_ENDPOINT is reported at endpoint only, naming the variable it came from", () => {
    const failures = failuresFor(GOOD, defaults({}, { JOBSETS_DLI_ENDPOINT: "http://dli.example.com" }));
    expect(failures).toEqual([{ property: "endpoint", reason: expect.stringMatching(/^from JOBSETS_DLI_ENDPOINT: .*use https/) }]);
  });

  it("a non-object input is reported at (inputs)", () => {
    const failures = failuresFor("jobIds");
    expect(failures).toHaveLength(1);
    expect(failures[0]!.property).toBe("(inputs)");
  });
});

describe("good inputs", () => {
  it("fills every default", () => {
    expect(parse(GOOD)).toEqual({
      jobIds: ["101", "102", "103"],
      projectId: "0123456789abcdef",
      region: "cn-north-4",
      endpoint: "https://dli.cn-north-4.myhuaweicloud.com",
      teardown: "delete",
      triggerSavepoint: false,
      batchSize: DEFAULT_FLINK_BATCH_SIZE,
      waitTimeoutSeconds: DEFAULT_WAIT_TIMEOUT_SECONDS,
    });
  });

  it("keeps what was passed", () => {
    expect(
      parse({
        ...GOOD,
        endpoint: "https://dli.example.com/",
        teardown: "stop-then-delete",
        triggerSavepoint: true,
        batchSize: 1_000,
        waitTimeoutSeconds: 1,
      }),
    ).toMatchObject({ endpoint: "https://dli.example.com", teardown: "stop-then-delete", triggerSavepoint: true, batchSize: 1_000, waitTimeoutSeconds: 1 });
  });

  it("takes projectId and region from the config before the environment", () => {
    const source = defaults(
      { "jobsets:projectId": "from-config", "jobsets:region": "cn-east-3" },
      { HW_PROJECT_ID: "from-env", HW_REGION_NAME: "ap-southeast-1" },
    );
    expect(parse({ jobIds: [1] }, source)).toMatchObject({
      projectId: "from-config",
      region: "cn-east-3",
      endpoint: "https://dli.cn-east-3.myhuaweicloud.com",
    });
  });

  it("takes projectId and region from the environment when the config has none", () => {
    const source = defaults({}, { HW_PROJECT_ID: "from-env", HW_REGION_NAME: "ap-southeast-1" });
    expect(parse({ jobIds: [1] }, source)).toMatchObject({
      projectId: "from-env",
      region: "ap-southeast-1",
      endpoint: "https://dli.ap-southeast-1.myhuaweicloud.com",
    });
  });

  it("inputs win over config and environment", () => {
    const source = defaults({ "jobsets:projectId": "from-config", "jobsets:region": "cn-east-3" }, { HW_PROJECT_ID: "from-env" });
    expect(parse({ jobIds: [1], projectId: "from-input", region: "cn-south-1" }, source)).toMatchObject({
      projectId: "from-input",
      region: "cn-south-1",
      endpoint: "https://dli.cn-south-1.myhuaweicloud.com",
    });
  });

  it("JOBSETS_DLI_ENDPOINT replaces the default endpoint", () => {
    const source = defaults({}, { JOBSETS_DLI_ENDPOINT: "http://127.0.0.1:4010/" });
    expect(parse(GOOD, source).endpoint).toBe("http://127.0.0.1:4010");
  });

  it("JOBSETS_DLI_ENDPOINT needs no region", () => {
    const source = defaults({}, { JOBSETS_DLI_ENDPOINT: "https://dli.example.com" });
    const state = parse({ jobIds: [1], projectId: "p" }, source);
    expect(state.endpoint).toBe("https://dli.example.com");
    expect(state).not.toHaveProperty("region");
  });

  it("an endpoint input wins over JOBSETS_DLI_ENDPOINT", () => {
    const source = defaults({}, { JOBSETS_DLI_ENDPOINT: "https://dli.example.com" });
    expect(parse({ ...GOOD, endpoint: "https://dli.other.example" }, source).endpoint).toBe("https://dli.other.example");
  });

  it("eu-west-101 is served from myhuaweicloud.eu", () => {
    expect(parse({ ...GOOD, region: "eu-west-101" }).endpoint).toBe("https://dli.eu-west-101.myhuaweicloud.eu");
  });

  it("HW_CLOUD overrides the domain", () => {
    const source = defaults({}, { HW_CLOUD: "myhuaweicloud.example" });
    expect(parse(GOOD, source).endpoint).toBe("https://dli.cn-north-4.myhuaweicloud.example");
    expect(parse({ ...GOOD, region: "eu-west-101" }, source).endpoint).toBe("https://dli.eu-west-101.myhuaweicloud.example");
  });

  it.each(["http://127.0.0.1:8080", "http://localhost:8080", "http://[::1]:8080"])("plain http is allowed for %s", (endpoint) => {
    expect(parse({ ...GOOD, endpoint }).endpoint).toBe(endpoint);
  });

  it("collapses duplicates, keeping first-seen order", () => {
    expect(parse({ ...GOOD, jobIds: [3, "1", 2, 3, " 1 ", "0002", 1] }).jobIds).toEqual(["3", "1", "2"]);
  });

  it("keeps string IDs above 2^53 exactly", () => {
    const ids = ["9007199254740993", "9223372036854775807", "9007199254740992"];
    expect(parse({ ...GOOD, jobIds: ids }).jobIds).toEqual(ids);
  });

  it("accepts the largest safe integer as a number", () => {
    expect(parse({ ...GOOD, jobIds: [Number.MAX_SAFE_INTEGER] }).jobIds).toEqual(["9007199254740991"]);
  });

  it("allows an empty list", () => {
    expect(parse({ ...GOOD, jobIds: [] }).jobIds).toEqual([]);
  });

  it.each(["stop", "stop-then-delete"])('allows triggerSavepoint with teardown "%s"', (teardown) => {
    expect(parse({ ...GOOD, teardown, triggerSavepoint: true })).toMatchObject({ teardown, triggerSavepoint: true });
  });
});
