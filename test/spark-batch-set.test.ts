// DLI Spark batch sets through `provider/lifecycle.ts` against the emulator: check offline, create by
// state calls, teardown = state → cancel (one DELETE per active batch) → wait until dead/success; finished
// and gone batches are done; partial failures are named and a rerun completes; nothing outside the set.
import { describe, expect } from "vitest";
import { DEFAULT_ACCESS_KEY, DEFAULT_PROJECT_ID, DEFAULT_SECRET_KEY, type Emulator } from "../emulator";
import { AuthError, CredentialsError, JobsNotFoundError, PartialTeardownError } from "../provider/errors";
import * as lifecycle from "../provider/lifecycle";
import { failure, servicesFor, test } from "./helpers/lifecycle";

const TYPE = "DliSparkBatchSet";
const P = DEFAULT_PROJECT_ID;
const OTHER_PROJECT = "fedcba9876543210fedcba9876543210";
const UNKNOWN_BATCH = "0a324461-d9d9-45da-a52a-3b3c7a3d809e";

function env(emu: Emulator, extra: Record<string, string | undefined> = {}) {
  return { HW_ACCESS_KEY: DEFAULT_ACCESS_KEY, HW_SECRET_KEY: DEFAULT_SECRET_KEY, HW_PROJECT_ID: P, JOBSETS_DLI_ENDPOINT: emu.url, ...extra };
}

/** Checked inputs (which are also what the state records); fails the test on any check failure. */
function checked(services: lifecycle.Services, inputs: Record<string, unknown>) {
  const result = lifecycle.check(TYPE, inputs, services);
  expect(result.failures).toEqual([]);
  return result.inputs;
}

const stateOf = (emu: Emulator, id: string) => emu.sparkBatches().find((b) => b.id === id)?.state;
const batchPath = (id: string, suffix = "") => `/v2.0/${P}/batches/${id}${suffix}`;

describe("check", () => {
  const rows: [string, Record<string, unknown>, string, RegExp][] = [
    ["a batch ID that is not a UUID", { batchIds: [UNKNOWN_BATCH, "batch-1"] }, "batchIds[1]", /expected a Spark batch ID as a UUID.*received "batch-1"/],
    ["a number as batch ID", { batchIds: [42] }, "batchIds[0]", /as a UUID.*received 42/],
    ["batchIds not a list", { batchIds: UNKNOWN_BATCH }, "batchIds", /expected a list of Spark batch IDs.*received "0a324461/],
    ["a typo in a property", { batchIds: [UNKNOWN_BATCH], batchId: [UNKNOWN_BATCH] }, "batchId", /did you mean "batchIds"/],
    ["jobIds, Flink's name", { jobIds: [UNKNOWN_BATCH] }, "jobIds", /unknown property "jobIds".*known properties: batchIds/],
    ["a zero wait", { batchIds: [UNKNOWN_BATCH], waitTimeoutSeconds: 0 }, "waitTimeoutSeconds", /at least 1/],
    ["an endpoint with a path", { batchIds: [UNKNOWN_BATCH], endpoint: "https://dli.example.com/v2.0" }, "endpoint", /no path.*"\/v2\.0"/],
  ];
  for (const [scenario, inputs, property, reason] of rows) {
    test(`${scenario}: fails at ${property}, and no request is sent`, async ({ emu, http, progress }) => {
      const result = lifecycle.check(TYPE, inputs, servicesFor({ http, progress }, env(emu)));
      const failure = result.failures.find((f) => f.property === property);
      expect(failure, JSON.stringify(result.failures)).toBeDefined();
      expect(failure!.reason).toMatch(reason);
      expect(emu.calls()).toEqual([]);
    });
  }

  test("no projectId anywhere: fails at projectId, naming where it may come from", async ({ emu, http, progress }) => {
    const result = lifecycle.check(TYPE, { batchIds: [UNKNOWN_BATCH] }, servicesFor({ http, progress }, env(emu, { HW_PROJECT_ID: undefined })));
    expect(result.failures).toEqual([{ property: "projectId", reason: expect.stringMatching(/jobsets:projectId.*HW_PROJECT_ID/) }]);
    expect(emu.calls()).toEqual([]);
  });

  test("IDs are lowercased and duplicates collapse (with a warning); defaults are recorded", async ({ emu, http, progress }) => {
    const upper = UNKNOWN_BATCH.toUpperCase();
    const inputs = checked(servicesFor({ http, progress }, env(emu, { JOBSETS_DLI_ENDPOINT: undefined })), {
      batchIds: [upper, UNKNOWN_BATCH],
      region: "eu-west-101",
    });
    expect(inputs).toEqual({ batchIds: [UNKNOWN_BATCH], projectId: P, region: "eu-west-101", endpoint: "https://dli.eu-west-101.myhuaweicloud.eu", waitTimeoutSeconds: 1200 });
    expect(progress.warnings.join("\n")).toMatch(/1 duplicate job IDs in batchIds were collapsed/);
  });
});

describe("create", () => {
  test("reads each batch's state; unknown batches fail the create, named", async ({ emu, http, progress }) => {
    const services = servicesFor({ http, progress }, env(emu));
    const [known] = emu.seedSparkBatches(P, [{ state: "success" }]);
    const error = await failure(lifecycle.create(TYPE, checked(services, { batchIds: [known, UNKNOWN_BATCH] }), services));
    expect(error).toBeInstanceOf(JobsNotFoundError);
    expect(error.message).toBe(`dli-spark: 1 of 2 jobs do not exist in project ${P}: ${UNKNOWN_BATCH}`);
    expect(emu.calls().map((c) => c.op)).toEqual(["spark.state", "spark.state"]);
  });

  test("a batch of another project does not exist here", async ({ emu, http, progress }) => {
    const services = servicesFor({ http, progress }, env(emu));
    const [elsewhere] = emu.seedSparkBatches(OTHER_PROJECT, [{}]);
    const error = await failure(lifecycle.create(TYPE, checked(services, { batchIds: [elsewhere] }), services));
    expect(error).toBeInstanceOf(JobsNotFoundError);
    expect(emu.sparkBatches(OTHER_PROJECT)[0]!.cancelRequested).toBe(false);
  });
});

describe("teardown", () => {
  test("reads every state, cancels only the active batches, waits until dead; others and outsiders untouched", async ({ emu, http, progress }) => {
    const services = servicesFor({ http, progress }, env(emu));
    const active = emu.seedSparkBatches(P, [{ state: "running" }, { state: "Starting" }, { state: "RECOVERING" }]);
    const ended = emu.seedSparkBatches(P, [{ state: "Success" }, { state: "dead" }]);
    const [outsider] = emu.seedSparkBatches(P, [{ state: "running" }]);
    const [otherProject] = emu.seedSparkBatches(OTHER_PROJECT, [{ state: "running" }]);
    const ids = [...active, ...ended];
    const { id, outs } = await lifecycle.create(TYPE, checked(services, { batchIds: ids }), services);
    expect(id).toMatch(new RegExp(`^dli-spark/${P}/set-[0-9a-f]{16}$`));
    emu.resetCalls();

    await lifecycle.remove(TYPE, id, outs, services);

    const calls = emu.calls();
    const snapshot = calls.slice(0, ids.length);
    expect(snapshot.map((c) => c.op)).toEqual(ids.map(() => "spark.state"));
    expect(snapshot.map((c) => c.path).sort()).toEqual(ids.map((b) => batchPath(b, "/state")).sort());
    const cancels = calls.filter((c) => c.op === "spark.cancel");
    expect(cancels.map((c) => [c.method, c.path, c.body, c.status])).toEqual(
      expect.arrayContaining(active.map((b) => ["DELETE", batchPath(b), "", 200])),
    );
    expect(cancels).toHaveLength(active.length);
    // Snapshot first, then cancels, then the wait's state calls, only for the batches cancelled.
    const firstCancel = Math.min(...cancels.map((c) => c.seq));
    expect(snapshot.every((c) => c.seq < firstCancel)).toBe(true);
    const polls = calls.filter((c) => c.seq > Math.max(...cancels.map((x) => x.seq)));
    expect(polls.length).toBeGreaterThanOrEqual(active.length);
    expect(polls.every((c) => c.op === "spark.state" && active.some((b) => c.path === batchPath(b, "/state")))).toBe(true);
    // Every call signed with the configured key; none names a batch outside the set.
    expect(calls.every((c) => c.authenticatedAs === DEFAULT_ACCESS_KEY)).toBe(true);
    expect(calls.every((c) => ids.some((b) => c.path.includes(b)))).toBe(true);

    for (const b of active) expect(stateOf(emu, b)).toBe("dead");
    expect(ended.map((b) => stateOf(emu, b))).toEqual(["Success", "dead"]);
    expect(emu.sparkBatches(P).find((b) => b.id === outsider)).toMatchObject({ state: "running", cancelRequested: false });
    expect(emu.sparkBatches(OTHER_PROJECT).find((b) => b.id === otherProject)).toMatchObject({ state: "running", cancelRequested: false });
    expect(progress.logs.join("\n")).toMatch(/cancelling 3 active batches[\s\S]*5 jobs torn down \(cancel\)/);
  });

  test("a rerun after a complete teardown reads states and cancels nothing", async ({ emu, http, progress }) => {
    const services = servicesFor({ http, progress }, env(emu));
    const ids = emu.seedSparkBatches(P, [{}, {}]);
    const { id, outs } = await lifecycle.create(TYPE, checked(services, { batchIds: ids }), services);
    await lifecycle.remove(TYPE, id, outs, services);
    emu.resetCalls();

    await lifecycle.remove(TYPE, id, outs, services);

    expect(emu.calls().map((c) => c.op)).toEqual(["spark.state", "spark.state"]);
  });

  test("batches already gone (400 DLI.0002 or 404 on the state call) are done and never cancelled", async ({ emu, http, progress }) => {
    // One call at a time, so the scripted 404 meets the first batch of the set.
    const services = { ...servicesFor({ http, progress }, env(emu)), concurrency: 1 };
    const [running] = emu.seedSparkBatches(P, [{}]);
    const [answers404] = emu.seedSparkBatches(P, [{}]);
    // The state set recorded earlier; the 404 is scripted for the first state call (the set's order).
    const outs = checked(services, { batchIds: [answers404, UNKNOWN_BATCH, running] });
    emu.failNext("spark.state", { status: 404 });

    await lifecycle.remove(TYPE, "x", outs, services);

    const cancels = emu.calls({ op: "spark.cancel" });
    expect(cancels.map((c) => c.path)).toEqual([batchPath(running)]);
    expect(stateOf(emu, running)).toBe("dead");
    expect(progress.logs.join("\n")).toMatch(/2 of 3 jobs already gone/);
  });

  test("a batch that finished between the snapshot and its cancel (400) is done once its state confirms it", async ({ emu, http, progress }) => {
    const services = servicesFor({ http, progress }, env(emu));
    const [batch] = emu.seedSparkBatches(P, [{ state: "success" }]);
    const outs = checked(services, { batchIds: [batch] });
    // The snapshot still sees it running; by the cancel it has finished.
    emu.failNext("spark.state", { status: 200, body: { id: batch, state: "running" } });

    await lifecycle.remove(TYPE, "x", outs, services);

    expect(emu.calls().map((c) => `${c.op} ${c.status}`)).toEqual(["spark.state 200", "spark.cancel 400", "spark.state 200"]);
    expect(stateOf(emu, batch)).toBe("success");
  });

  test("a refused cancel of a batch still running fails it with DLI's reason; a rerun cancels it", async ({ emu, http, progress }) => {
    const services = servicesFor({ http, progress }, env(emu));
    const [stubborn, fine] = emu.seedSparkBatches(P, [{}, { state: "success" }]);
    const outs = checked(services, { batchIds: [stubborn, fine] });
    emu.failNext("spark.cancel", { status: 400, body: { error_code: "DLI.0001", error_msg: "Parameter error: queue is busy" } });

    const error = await failure(lifecycle.remove(TYPE, "x", outs, services));

    expect(error).toBeInstanceOf(PartialTeardownError);
    expect(error.message).toContain(
      `dli-spark job ${stubborn}: the cancel was refused: Parameter error: queue is busy (HTTP 400 DLI.0001), and the batch is still running`,
    );
    expect([...(error as PartialTeardownError).failed.keys()]).toEqual([stubborn]);
    expect((error as PartialTeardownError).done).toEqual([fine]);
    expect(stateOf(emu, stubborn)).toBe("running");

    emu.resetCalls();
    await lifecycle.remove(TYPE, "x", outs, services);
    expect(emu.calls({ op: "spark.cancel" }).map((c) => c.path)).toEqual([batchPath(stubborn)]);
    expect(stateOf(emu, stubborn)).toBe("dead");
  });

  test("partial failure: a cancel that keeps failing names the batch and DLI's reason; the others are cancelled; a rerun finishes", async ({ emu, http, progress }) => {
    const services = servicesFor({ http, progress }, env(emu));
    const ids = emu.seedSparkBatches(P, [{}, {}, {}]);
    const { id, outs } = await lifecycle.create(TYPE, checked(services, { batchIds: ids }), services);
    emu.failJobs("spark.cancel", [ids[1]!], "the Spark driver did not answer");

    const error = await failure(lifecycle.remove(TYPE, id, outs, services));

    expect(error).toBeInstanceOf(PartialTeardownError);
    expect(error.message).toMatch(/^dli-spark: 1 of 3 jobs were not torn down \(2 done; a rerun of the destroy retries only what is left\):/);
    expect(error.message).toContain(`\n  dli-spark job ${ids[1]}: cancel failed: the Spark driver did not answer (HTTP 500 DLI.0999)`);
    expect(emu.calls({ op: "spark.cancel" }).filter((c) => c.path === batchPath(ids[1]!)).length).toBeGreaterThan(1);
    expect(ids.map((b) => stateOf(emu, b))).toEqual(["dead", "running", "dead"]);

    emu.clearFaults();
    emu.resetCalls();
    await lifecycle.remove(TYPE, id, outs, services);
    expect(emu.calls({ op: "spark.cancel" }).map((c) => c.path)).toEqual([batchPath(ids[1]!)]);
    expect(ids.map((b) => stateOf(emu, b))).toEqual(["dead", "dead", "dead"]);
  });

  test("transient failures are retried: 503 on a state call, a throttled (APIG.0308) cancel", async ({ emu, http, progress }) => {
    const services = servicesFor({ http, progress }, env(emu));
    const [batch] = emu.seedSparkBatches(P, [{}]);
    const outs = checked(services, { batchIds: [batch] });
    emu.failNext("spark.state", { status: 503, times: 2 });
    emu.failNext("spark.cancel", { status: 429 });

    await lifecycle.remove(TYPE, "x", outs, services);

    const seen = emu.calls().map((c) => `${c.op} ${c.status}`);
    expect(seen.slice(0, 5)).toEqual(["spark.state 503", "spark.state 503", "spark.state 200", "spark.cancel 429", "spark.cancel 200"]);
    expect(stateOf(emu, batch)).toBe("dead");
  });

  test("a batch whose cancel never completes times out, named, after waitTimeoutSeconds", async ({ emu, http, progress }) => {
    const services = servicesFor({ http, progress }, env(emu));
    const [slow, quick] = emu.seedSparkBatches(P, [{ cancelDelayMs: null }, {}]);
    const outs = checked(services, { batchIds: [slow, quick], waitTimeoutSeconds: 1 });

    const error = await failure(lifecycle.remove(TYPE, "x", outs, services));

    expect(error).toBeInstanceOf(PartialTeardownError);
    expect([...(error as PartialTeardownError).failed.keys()]).toEqual([slow]);
    // The timeout names the batch and what DLI last said of it.
    expect(error.message).toContain(`dli-spark job ${slow}: not cancelled after 1 s (last status: running)`);
    expect(stateOf(emu, quick)).toBe("dead");
  });
  test("a refused cancel is still reported when the wait then times out on another batch", async ({ emu, http, progress }) => {
    // One call at a time, so the scripted refusal meets the first batch of the set.
    const services = { ...servicesFor({ http, progress }, env(emu)), concurrency: 1 };
    const [stubborn, slow] = emu.seedSparkBatches(P, [{}, { cancelDelayMs: null }]);
    const outs = checked(services, { batchIds: [stubborn, slow], waitTimeoutSeconds: 1 });
    emu.failNext("spark.cancel", { status: 400, body: { error_code: "DLI.0001", error_msg: "Parameter error" } });

    const error = await failure(lifecycle.remove(TYPE, "x", outs, services));

    expect([...(error as PartialTeardownError).failed.keys()].sort()).toEqual([stubborn, slow].sort());
    expect((error as PartialTeardownError).failed.get(stubborn)).toMatch(/the cancel was refused: Parameter error \(HTTP 400 DLI\.0001\), and the batch is still running/);
    expect((error as PartialTeardownError).failed.get(slow)).toMatch(/not cancelled after 1 s/);
  });
});

describe("update and diff", () => {
  test("removing a batch from the set cancels it alone; adding one verifies it; order does not matter", async ({ emu, http, progress }) => {
    const services = servicesFor({ http, progress }, env(emu));
    const [a, b, c] = emu.seedSparkBatches(P, [{}, {}, {}]);
    const { id, outs } = await lifecycle.create(TYPE, checked(services, { batchIds: [a, b] }), services);
    expect(lifecycle.diff(TYPE, id, outs, checked(services, { batchIds: [b, a] }), services).changes).toBe(false);
    const news = checked(services, { batchIds: [b, c] });
    expect(lifecycle.diff(TYPE, id, outs, news, services)).toEqual({ changes: true, replaces: [], diffs: ["batchIds"] });
    expect(lifecycle.diff(TYPE, id, outs, checked(services, { batchIds: [a, b], projectId: OTHER_PROJECT }), services).replaces).toEqual(["projectId"]);
    emu.resetCalls();

    const updated = await lifecycle.update(TYPE, id, outs, news, services);

    expect(updated.outs.batchIds).toEqual([b, c]);
    expect(emu.calls({ op: "spark.cancel" }).map((x) => x.path)).toEqual([batchPath(a)]);
    expect([a, b, c].map((x) => stateOf(emu, x))).toEqual(["dead", "running", "running"]);
  });
});

describe("credentials", () => {
  test("a wrong secret key is rejected with a clear error; nothing is cancelled and the key is not echoed", async ({ emu, http, progress }) => {
    const secret = "not-the-right-secret-key-XYZ";
    const services = servicesFor({ http, progress }, env(emu, { HW_SECRET_KEY: secret }));
    const ids = emu.seedSparkBatches(P, Array.from({ length: 12 }, () => ({})));
    const error = await failure(lifecycle.remove(TYPE, "x", checked(services, { batchIds: ids }), services));
    expect(error).toBeInstanceOf(AuthError);
    expect(error.message).toMatch(/^dli-spark job [0-9a-f-]{36}: reading the batch state failed: .*\(HTTP 401 APIG\.\d+\)\. Check the credentials/);
    expect(`${error.message} ${error.stack} ${JSON.stringify(error.body)}`).not.toContain(secret);
    // The first rejections stop the fan-out: no more calls than were in flight, and no cancel.
    expect(emu.calls().length).toBeLessThanOrEqual(services.concurrency);
    expect(emu.calls().every((c) => c.op === "spark.state" && c.status === 401)).toBe(true);
    expect(ids.map((b) => stateOf(emu, b)).every((s) => s === "running")).toBe(true);
  });

  test("create with a wrong key fails with AuthError", async ({ emu, http, progress }) => {
    const services = servicesFor({ http, progress }, env(emu, { HW_ACCESS_KEY: "UNKNOWNAK0000000" }));
    const [batch] = emu.seedSparkBatches(P, [{}]);
    const error = await failure(lifecycle.create(TYPE, checked(services, { batchIds: [batch] }), services));
    expect(error).toBeInstanceOf(AuthError);
  });

  test("no credentials at all: a CredentialsError before any request", async ({ emu, http, progress }) => {
    const services = servicesFor({ http, progress }, env(emu, { HW_ACCESS_KEY: undefined, HW_SECRET_KEY: undefined }));
    const [batch] = emu.seedSparkBatches(P, [{}]);
    const error = await failure(lifecycle.remove(TYPE, "x", checked(services, { batchIds: [batch] }), services));
    expect(error).toBeInstanceOf(CredentialsError);
    expect(emu.calls()).toEqual([]);
  });
});
