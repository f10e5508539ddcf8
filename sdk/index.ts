/**
 * pulumi-jobsets: job sets as Pulumi resources, torn down with the vendors' batch APIs.
 *
 *   import * as jobsets from "pulumi-jobsets";
 *   new jobsets.dli.FlinkJobSet("streaming", { jobIds: [101, 102], teardown: "stop-then-delete" });
 */
export * as dli from "./dli";
export * as mrs from "./mrs";
export * as ehpc from "./ehpc";
export type { TeardownMode } from "../provider/schema";
