/**
 * Inputs of a DLI Flink job set (`provider/schema.ts` + `provider/check.ts`): every bad input gives one
 * check failure whose `property` is the exact dot path and whose `reason` says what was expected and what
 * was received; good inputs are normalised, with defaults taken from the stack config before the
 * environment.
 */
import { describe, expect, it } from "vitest";
import { checkFailures, formatFailures, type CheckFailure } from "../provider/check";
import {
  DEFAULT_FLINK_BATCH_SIZE,
  DEFAULT_WAIT_TIMEOUT_SECONDS,
  emptyDefaults,
  endpointUrl,
  flinkJobSetSchema,
  isLoopbackHost,
  likelyMeant,
  type DefaultsSource,
} from "../provider/schema";

/** The input names a Flink job set knows, read from the schema itself so the two cannot drift. */
const KNOWN = Object.keys(flinkJobSetSchema(emptyDefaults).in.shape);

/** A complete, valid input; rows override the one field they break. */
const GOOD = { jobIds: [101, 102, 103], projectId: "0123456789abcdef", region: "cn-north-4" };

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

interface BadRow {
  scenario: string;
  /** Fields merged over GOOD (`undefined` removes one). */
  input: Record<string, unknown>;
  property: string;
  /** What the reason must say was expected. */
  expected: RegExp;
  /** What the reason must quote as received. */
  received: string;
  /** Text that must never be echoed (credentials). */
  secret?: string;
}

const jobIdsWith = (bad: unknown) => ({ jobIds: [101, 102, bad] });

const badInputs: BadRow[] = [
  // jobIds elements
  { scenario: "negative job ID", input: jobIdsWith(-1), property: "jobIds[2]", expected: /positive integer/, received: "-1" },
  { scenario: "zero job ID", input: jobIdsWith(0), property: "jobIds[2]", expected: /positive integer/, received: "0" },
  { scenario: "fractional job ID", input: jobIdsWith(1.5), property: "jobIds[2]", expected: /integer/, received: "1.5" },
  { scenario: "NaN job ID", input: jobIdsWith(NaN), property: "jobIds[2]", expected: /integer/, received: "NaN" },
  { scenario: "Infinity job ID", input: jobIdsWith(Infinity), property: "jobIds[2]", expected: /integer/, received: "Infinity" },
  { scenario: "non-numeric string", input: jobIdsWith("12a"), property: "jobIds[2]", expected: /string of digits/, received: '"12a"' },
  { scenario: "negative string", input: jobIdsWith("-7"), property: "jobIds[2]", expected: /digits|positive/, received: '"-7"' },
  { scenario: "empty string", input: jobIdsWith(""), property: "jobIds[2]", expected: /string of digits/, received: '""' },
  { scenario: "zero as a string", input: jobIdsWith("000"), property: "jobIds[2]", expected: /positive integer/, received: '"000"' },
  {
    scenario: "number above 2^53 (already rounded)",
    input: jobIdsWith(2 ** 53 + 2),
    property: "jobIds[2]",
    expected: /as a string of digits/,
    received: String(2 ** 53 + 2),
  },
  {
    scenario: "string above 2^63-1",
    input: jobIdsWith("9223372036854775808"),
    property: "jobIds[2]",
    expected: /2\^63-1/,
    received: "9223372036854775808",
  },
  { scenario: "boolean job ID", input: jobIdsWith(true), property: "jobIds[2]", expected: /integer or a string of digits/, received: "true" },
  { scenario: "null job ID", input: jobIdsWith(null), property: "jobIds[2]", expected: /integer or a string of digits/, received: "null" },
  { scenario: "object job ID", input: jobIdsWith({ id: 1 }), property: "jobIds[2]", expected: /integer or a string of digits/, received: "object" },
  { scenario: "nested array job ID", input: jobIdsWith([1]), property: "jobIds[2]", expected: /integer or a string of digits/, received: "array" },
  { scenario: "first element bad", input: { jobIds: [-5] }, property: "jobIds[0]", expected: /positive integer/, received: "-5" },
  // jobIds itself
  { scenario: "jobIds a string", input: { jobIds: "101,102" }, property: "jobIds", expected: /list of Flink job IDs/, received: '"101,102"' },
  { scenario: "jobIds a number", input: { jobIds: 101 }, property: "jobIds", expected: /list of Flink job IDs/, received: "101" },
  { scenario: "jobIds null", input: { jobIds: null }, property: "jobIds", expected: /list of Flink job IDs/, received: "null" },
  { scenario: "jobIds missing", input: { jobIds: undefined }, property: "jobIds", expected: /list of Flink job IDs/, received: "undefined" },
  // projectId and region
  { scenario: "empty projectId", input: { projectId: "" }, property: "projectId", expected: /projectId/, received: "empty" },
  { scenario: "blank projectId", input: { projectId: "   " }, property: "projectId", expected: /projectId/, received: "empty" },
  {
    scenario: "projectId with a space",
    input: { projectId: "my project" },
    property: "projectId",
    expected: /letters, digits/,
    received: '"my project"',
  },
  { scenario: "projectId a number", input: { projectId: 42 }, property: "projectId", expected: /projectId as a string/, received: "42" },
  { scenario: "empty region", input: { region: "" }, property: "region", expected: /region/, received: "empty" },
  { scenario: "region with a slash", input: { region: "cn-north-4/x" }, property: "region", expected: /letters, digits/, received: '"cn-north-4/x"' },
  { scenario: "region a boolean", input: { region: true }, property: "region", expected: /region as a string/, received: "true" },
  // teardown and triggerSavepoint
  {
    scenario: "unknown teardown",
    input: { teardown: "destroy" },
    property: "teardown",
    expected: /"delete", "stop", "stop-then-delete"/,
    received: '"destroy"',
  },
  {
    scenario: "teardown in the wrong case",
    input: { teardown: "Stop" },
    property: "teardown",
    expected: /"delete", "stop", "stop-then-delete"/,
    received: '"Stop"',
  },
  {
    scenario: "triggerSavepoint as a string",
    input: { triggerSavepoint: "yes" },
    property: "triggerSavepoint",
    expected: /true or false/,
    received: '"yes"',
  },
  { scenario: "triggerSavepoint as 1", input: { triggerSavepoint: 1 }, property: "triggerSavepoint", expected: /true or false/, received: "1" },
  {
    scenario: 'triggerSavepoint with teardown "delete"',
    input: { triggerSavepoint: true, teardown: "delete" },
    property: "triggerSavepoint",
    expected: /teardown "stop" or "stop-then-delete"/,
    received: 'teardown "delete"',
  },
  // batchSize and waitTimeoutSeconds
  { scenario: "batchSize 0", input: { batchSize: 0 }, property: "batchSize", expected: /at least 1/, received: "0" },
  { scenario: "batchSize 1.5", input: { batchSize: 1.5 }, property: "batchSize", expected: /whole number/, received: "1.5" },
  { scenario: "batchSize too big", input: { batchSize: 1_001 }, property: "batchSize", expected: /at most 1000/, received: "1001" },
  { scenario: "batchSize as a string", input: { batchSize: "100" }, property: "batchSize", expected: /batchSize as a number/, received: '"100"' },
  { scenario: "batchSize NaN", input: { batchSize: NaN }, property: "batchSize", expected: /batchSize as a number/, received: "NaN" },
  {
    scenario: "waitTimeoutSeconds negative",
    input: { waitTimeoutSeconds: -60 },
    property: "waitTimeoutSeconds",
    expected: /at least 1/,
    received: "-60",
  },
  // endpoint
  {
    scenario: "endpoint with a path",
    input: { endpoint: "https://dli.cn-north-4.myhuaweicloud.com/v1.0" },
    property: "endpoint",
    expected: /no path/,
    received: '"/v1.0"',
  },
  {
    scenario: "endpoint with a query",
    input: { endpoint: "https://dli.cn-north-4.myhuaweicloud.com/?region=x" },
    property: "endpoint",
    expected: /no query/,
    received: "?region=x",
  },
  {
    scenario: "endpoint with a fragment",
    input: { endpoint: "https://dli.cn-north-4.myhuaweicloud.com/#top" },
    property: "endpoint",
    expected: /no fragment/,
    received: "#top",
  },
  {
    scenario: "endpoint with user:pass@",
    input: { endpoint: "https://alice:s3cr3t-Pa55@dli.cn-north-4.myhuaweicloud.com" },
    property: "endpoint",
    expected: /must not carry credentials/,
    received: "user:password@",
    secret: "s3cr3t-Pa55",
  },
  { scenario: "endpoint ftp://", input: { endpoint: "ftp://dli.example.com" }, property: "endpoint", expected: /https:\/\//, received: '"ftp:"' },
  {
    scenario: "plain http to a remote host",
    input: { endpoint: "http://dli.cn-north-4.myhuaweicloud.com" },
    property: "endpoint",
    expected: /use https/,
    received: "dli.cn-north-4.myhuaweicloud.com",
  },
  {
    scenario: "plain http to a host that only starts like loopback",
    input: { endpoint: "http://127.0.0.1.nip.io:8080" },
    property: "endpoint",
    expected: /use https/,
    received: "127.0.0.1.nip.io",
  },
  { scenario: "endpoint not a URL", input: { endpoint: "dli.example.com" }, property: "endpoint", expected: /base URL/, received: '"dli.example.com"' },
  { scenario: "endpoint a number", input: { endpoint: 443 }, property: "endpoint", expected: /expected the endpoint as a URL string/, received: "443" },
  // unknown keys
  { scenario: 'typo "jobId"', input: { jobId: 104 }, property: "jobId", expected: /did you mean "jobIds"\?/, received: 'unknown property "jobId"' },
  {
    scenario: 'typo "tearDown"',
    input: { tearDown: "stop" },
    property: "tearDown",
    expected: /did you mean "teardown"\?/,
    received: 'unknown property "tearDown"',
  },
  {
    scenario: 'typo "projectID"',
    input: { projectID: "p" },
    property: "projectID",
    expected: /did you mean "projectId"\?/,
    received: 'unknown property "projectID"',
  },
  {
    scenario: "unknown key with no near match",
    input: { colour: "blue" },
    property: "colour",
    expected: /known properties: jobIds, projectId/,
    received: 'unknown property "colour"',
  },
];

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
