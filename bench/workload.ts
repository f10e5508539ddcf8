/**
 * The benchmark's job mix: N jobs spread evenly over six groups (DLI Flink in each teardown mode, DLI Spark,
 * MRS, QingCloud EHPC), seeded in the emulator where a real account keeps them (one Huawei project for Flink,
 * Spark and MRS, one MRS cluster, one EHPC cluster), every job active (the worst case: each needs a stop, cancel
 * or kill), plus one outsider per listing that belongs to no set and must survive. Each group is split into sets
 * of at most 1,000 jobs (the mass-teardown guard's default per set), as a stack of that size would be.
 */
import { DEFAULT_PROJECT_ID, type Emulator } from "../emulator";

export const PROJECT_ID = DEFAULT_PROJECT_ID;
export const MRS_CLUSTER_ID = "5a1b7c3d-0e2f-4a6b-8c9d-bench0000001";
export const EHPC_ZONE = "pek3";
export const EHPC_CLUSTER_ID = "ehpc-bench001";
/** The guard's default per-set ceiling (provider/guard.ts): a larger set would need JOBSETS_ALLOW_MASS_TEARDOWN. */
export const MAX_JOBS_PER_BENCH_SET = 1_000;

export const TYPES = {
  flink: "pulumi-nodejs:dynamic/jobsets:DliFlinkJobSet",
  spark: "pulumi-nodejs:dynamic/jobsets:DliSparkBatchSet",
  mrs: "pulumi-nodejs:dynamic/jobsets:MrsJobExecutionSet",
  ehpc: "pulumi-nodejs:dynamic/jobsets:EhpcJobSet",
} as const;
export type Kind = keyof typeof TYPES;

export type GroupName = "flink-delete" | "flink-stop" | "flink-stop-then-delete" | "spark" | "mrs" | "ehpc";
export const GROUPS: readonly GroupName[] = ["flink-delete", "flink-stop", "flink-stop-then-delete", "spark", "mrs", "ehpc"];

export function kindOf(group: GroupName): Kind {
  return group.startsWith("flink") ? "flink" : (group as Kind);
}

/** The teardown each group's sets ask for ("cancel"/"kill, then delete" for the kinds without a mode). */
export function teardownOf(group: GroupName): "delete" | "stop" | "stop-then-delete" {
  if (group === "flink-delete") return "delete";
  if (group === "flink-stop") return "stop";
  return "stop-then-delete";
}

/** One job set of the benchmark: its group, name and members. */
export interface BenchSet {
  group: GroupName;
  kind: Kind;
  name: string;
  ids: string[];
}

/** What was seeded: the sets, and the outsiders (one per listing) that no set holds. */
export interface Workload {
  sets: BenchSet[];
  outsiders: { flink: string; spark: string; mrs: string; ehpc: string };
  jobs: number;
}

/** Splits `total` into `parts` near-equal whole numbers (the first ones one larger). */
export function split(total: number, parts: number): number[] {
  return Array.from({ length: parts }, (_, i) => Math.floor(total / parts) + (i < total % parts ? 1 : 0));
}

function seedGroup(emu: Emulator, group: GroupName, count: number): string[] {
  const many = <T>(seed: T) => Array.from({ length: count }, () => seed);
  switch (kindOf(group)) {
    case "flink":
      return emu.seedFlinkJobs(PROJECT_ID, many({ status: "job_running" as const }));
    case "spark":
      return emu.seedSparkBatches(PROJECT_ID, many({ state: "running" }));
    case "mrs":
      return emu.seedMrsJobs(PROJECT_ID, MRS_CLUSTER_ID, many({ state: "RUNNING" as const }));
    case "ehpc":
      return emu.seedEhpcJobs(EHPC_ZONE, EHPC_CLUSTER_ID, many({ status: "running" as const }));
  }
}

/** Seeds `jobs` jobs over the six groups (and the outsiders) and cuts each group into sets of ≤ 1,000. */
export function seedWorkload(emu: Emulator, jobs: number, prefix = "bench"): Workload {
  const outsiders = {
    flink: emu.seedFlinkJobs(PROJECT_ID, [{ name: "outsider" }])[0]!,
    spark: emu.seedSparkBatches(PROJECT_ID, [{ state: "running" }])[0]!,
    mrs: emu.seedMrsJobs(PROJECT_ID, MRS_CLUSTER_ID, [{ state: "RUNNING" }])[0]!,
    ehpc: emu.seedEhpcJobs(EHPC_ZONE, EHPC_CLUSTER_ID, [{ status: "running" }])[0]!,
  };
  const sets: BenchSet[] = [];
  split(jobs, GROUPS.length).forEach((count, g) => {
    const group = GROUPS[g]!;
    const ids = seedGroup(emu, group, count);
    const sizes = split(count, Math.max(1, Math.ceil(count / MAX_JOBS_PER_BENCH_SET)));
    let at = 0;
    sizes.forEach((size, s) => {
      if (size === 0) return;
      sets.push({ group, kind: kindOf(group), name: `${prefix}-${group}-${s + 1}`, ids: ids.slice(at, at + size) });
      at += size;
    });
  });
  return { sets, outsiders, jobs };
}

/** A set's program arguments, as `new jobsets.<kind>(name, args)` would pass them. */
export function setArgs(set: BenchSet, endpoint: string, batchSize: number): Record<string, unknown> {
  switch (set.kind) {
    case "flink":
      return { jobIds: set.ids, projectId: PROJECT_ID, endpoint, teardown: teardownOf(set.group), batchSize };
    case "spark":
      return { batchIds: set.ids, projectId: PROJECT_ID, endpoint };
    case "mrs":
      return { clusterId: MRS_CLUSTER_ID, jobIds: set.ids, projectId: PROJECT_ID, endpoint, batchSize };
    case "ehpc":
      return { clusterId: EHPC_CLUSTER_ID, zone: EHPC_ZONE, jobIds: set.ids, endpoint, batchSize };
  }
}

/** After the destroy: every member torn down as its set's mode says, every outsider untouched. Returns the problems. */
export function verifyTeardown(emu: Emulator, workload: Workload): string[] {
  const flink = new Map(emu.flinkJobs(PROJECT_ID).map((job) => [job.jobId, job.status]));
  const spark = new Map(emu.sparkBatches(PROJECT_ID).map((batch) => [batch.id, batch.state.toLowerCase()]));
  const mrs = new Map(emu.mrsJobs(PROJECT_ID, MRS_CLUSTER_ID).map((job) => [job.jobId, job.state]));
  const ehpc = new Map(emu.ehpcJobs(EHPC_ZONE, EHPC_CLUSTER_ID).map((job) => [job.jobId, job.status]));
  const problems: string[] = [];
  const wrong = (set: BenchSet, id: string, what: string) => {
    if (problems.length < 20) problems.push(`${set.name}: job ${id} ${what}`);
    else if (problems.length === 20) problems.push("…");
  };
  for (const set of workload.sets) {
    for (const id of set.ids) {
      if (set.group === "flink-stop") {
        if (flink.get(id) !== "job_cancel_success") wrong(set, id, `should be stopped and kept, is ${flink.get(id) ?? "gone"}`);
      } else if (set.kind === "flink") {
        if (flink.has(id)) wrong(set, id, `should be deleted, is ${flink.get(id)}`);
      } else if (set.kind === "spark") {
        if (spark.get(id) !== "dead") wrong(set, id, `should be cancelled (dead), is ${spark.get(id) ?? "gone"}`);
      } else if (set.kind === "mrs") {
        if (mrs.has(id)) wrong(set, id, `should be deleted, is ${mrs.get(id)}`);
      } else if (ehpc.has(id)) {
        wrong(set, id, `should be deleted, is ${ehpc.get(id)}`);
      }
    }
  }
  const { outsiders } = workload;
  if (flink.get(outsiders.flink) !== "job_running") problems.push("the Flink outsider was touched");
  if (spark.get(outsiders.spark) !== "running") problems.push("the Spark outsider was touched");
  if (mrs.get(outsiders.mrs) !== "RUNNING") problems.push("the MRS outsider was touched");
  if (ehpc.get(outsiders.ehpc) !== "running") problems.push("the EHPC outsider was touched");
  return problems;
}
