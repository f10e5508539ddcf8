// The four kinds as the host-level tests see them: how to seed running jobs of each in the emulator, declare a set
// of them, make some vanish out of band, spell an import ID, and tell which jobs still run. Tests that run the same
// scenario for every kind read this table and keep their own expectations beside it.
import type { Emulator } from "../../emulator";
import { DEFAULT_PROJECT_ID, EHPC, FLINK, MRS, SPARK, type Declaration } from "./jobsets";

export const P = DEFAULT_PROJECT_ID;
/** The MRS cluster and the EHPC zone and cluster the sets live in. */
export const CLUSTER = "b5c1d3e2-8f4a-4c6b-9d2e-0a1b2c3d4e5f";
export const ZONE = "pek3";
export const EHPC_CLUSTER = "ehpc-k8s00001";

export interface TestKind {
  /** The name tests are described by ("DLI Flink"). */
  name: string;
  /** The fixture program's name for the kind. */
  kind: Declaration["kind"];
  /** The dynamic provider's type token. */
  token: string;
  idsProperty: "jobIds" | "batchIds";
  /** Seeds `n` running jobs where the set lives; returns their IDs. */
  seed(emu: Emulator, n: number): string[];
  /** A set `name` of these jobs, where `seed` put them, with any other arguments in `extra`. */
  declare(name: string, ids: string[], extra?: Record<string, unknown>): Declaration;
  /** Deletes jobs out of band (another tool, the console), keeping the others as they are. */
  vanish(emu: Emulator, ids: string[]): void;
  /** The ID that imports a set of these jobs. */
  importId(ids: string[]): string;
  /** The jobs still running (or still listed, where a teardown deletes). */
  alive(emu: Emulator): string[];
}

export const FLINK_KIND: TestKind = {
  name: "DLI Flink",
  kind: "dli.FlinkJobSet",
  token: FLINK,
  idsProperty: "jobIds",
  seed: (emu, n) => emu.seedFlinkJobs(P, Array.from({ length: n }, () => ({}))),
  declare: (name, ids, extra) => ({ kind: "dli.FlinkJobSet", name, args: { jobIds: ids, ...extra } }),
  vanish: (emu, ids) => {
    const keep = emu.flinkJobs(P).filter((j) => !ids.includes(j.jobId));
    emu.reset();
    emu.seedFlinkJobs(P, keep.map((j) => ({ jobId: j.jobId, status: j.status })));
  },
  importId: (ids) => `dli-flink/${P}/${ids.join(",")}`,
  alive: (emu) => emu.flinkJobs(P).map((j) => j.jobId),
};

export const SPARK_KIND: TestKind = {
  name: "DLI Spark",
  kind: "dli.SparkBatchSet",
  token: SPARK,
  idsProperty: "batchIds",
  seed: (emu, n) => emu.seedSparkBatches(P, Array.from({ length: n }, () => ({ state: "running" }))),
  declare: (name, ids, extra) => ({ kind: "dli.SparkBatchSet", name, args: { batchIds: ids, ...extra } }),
  vanish: (emu, ids) => {
    const keep = emu.sparkBatches(P).filter((b) => !ids.includes(b.id));
    emu.reset();
    emu.seedSparkBatches(P, keep.map((b) => ({ id: b.id, state: b.state })));
  },
  importId: (ids) => `dli-spark/${P}/${ids.join(",")}`,
  // Batches are never deleted: a cancelled one is listed as ended.
  alive: (emu) => emu.sparkBatches(P).filter((b) => b.state === "running").map((b) => b.id),
};

export const MRS_KIND: TestKind = {
  name: "MRS",
  kind: "mrs.JobExecutionSet",
  token: MRS,
  idsProperty: "jobIds",
  seed: (emu, n) => emu.seedMrsJobs(P, CLUSTER, Array.from({ length: n }, () => ({ state: "RUNNING" as const }))),
  declare: (name, ids, extra) => ({ kind: "mrs.JobExecutionSet", name, args: { clusterId: CLUSTER, jobIds: ids, ...extra } }),
  vanish: (emu, ids) => {
    const keep = emu.mrsJobs(P, CLUSTER).filter((j) => !ids.includes(j.jobId));
    emu.reset();
    emu.seedMrsJobs(P, CLUSTER, keep.map((j) => ({ jobId: j.jobId, state: j.state })));
  },
  importId: (ids) => `mrs/${P}/${CLUSTER}/${ids.join(",")}`,
  alive: (emu) => emu.mrsJobs(P, CLUSTER).map((j) => j.jobId),
};

export const EHPC_KIND: TestKind = {
  name: "QingCloud EHPC",
  kind: "ehpc.JobSet",
  token: EHPC,
  idsProperty: "jobIds",
  seed: (emu, n) => emu.seedEhpcJobs(ZONE, EHPC_CLUSTER, Array.from({ length: n }, () => ({ status: "running" as const }))),
  declare: (name, ids, extra) => ({ kind: "ehpc.JobSet", name, args: { clusterId: EHPC_CLUSTER, zone: ZONE, jobIds: ids, ...extra } }),
  vanish: (emu, ids) => {
    const keep = emu.ehpcJobs(ZONE, EHPC_CLUSTER).filter((j) => !ids.includes(j.jobId));
    emu.reset();
    emu.seedEhpcJobs(ZONE, EHPC_CLUSTER, keep.map((j) => ({ jobId: j.jobId, status: j.status })));
  },
  importId: (ids) => `ehpc/${ZONE}/${EHPC_CLUSTER}/${ids.join(",")}`,
  alive: (emu) => emu.ehpcJobs(ZONE, EHPC_CLUSTER).map((j) => j.jobId),
};

export const TEST_KINDS: readonly TestKind[] = [FLINK_KIND, SPARK_KIND, MRS_KIND, EHPC_KIND];
