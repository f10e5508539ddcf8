/**
 * The policy pack in examples/policy-pack, started as the Pulumi CLI starts it (test/harness/policy-pack.ts), with the
 * job sets the fixture program really registers (test/harness/program.ts) for a development and a production stack,
 * and the checks the policy-pack tests make of what it answers.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, expect } from "vitest";
import { POLICY_NAMES } from "../../sdk/policy";
import { startPolicyPack, type AnalyzeResult, type PolicyPack, type PolicyPackConfigFile } from "../harness/policy-pack";
import { REPO_ROOT, linkPackage, runProgram, type ProgramRun, type RegisteredResource } from "../harness/program";
import { PROGRAM_DIR, PROJECT, type Declaration } from "./jobsets";

export const PACK_DIR = path.join(REPO_ROOT, "examples", "policy-pack");
export const DEV = "dev";
/** Matches the default production pattern "prod-*". */
export const PROD = "prod-eu";

export const {
  protectLargeSets: LARGE,
  protectInProduction: PROD_PROTECT,
  streamingSavepointInProduction: SAVEPOINT,
  maxJobsPerSet: MAX_JOBS,
  stackJobBudget: BUDGET,
  guardSelectorSets: SELECTOR,
} = POLICY_NAMES;

// --- job sets, as the fixture program declares them -----------------------------------------------------------

export const flinkIds = (n: number, from = 1000): number[] => Array.from({ length: n }, (_, i) => from + i);
const uuids = (n: number, group: number): string[] =>
  Array.from({ length: n }, (_, i) => `${group.toString(16).padStart(8, "0")}-0000-4000-8000-${i.toString(16).padStart(12, "0")}`);
const ehpcIds = (n: number): string[] => Array.from({ length: n }, (_, i) => `hpcjob-${i.toString(36)}x`);
const protect = { protect: true };

export const devSets: Declaration[] = [
  { kind: "dli.FlinkJobSet", name: "flink-small", args: { jobIds: flinkIds(10) } },
  { kind: "dli.FlinkJobSet", name: "flink-150", args: { jobIds: flinkIds(150) } },
  { kind: "dli.FlinkJobSet", name: "flink-150-protected", args: { jobIds: flinkIds(150) }, opts: protect },
  // 99 distinct jobs written 198 times (number, then string): the provider keeps 99, so do the policies.
  { kind: "dli.FlinkJobSet", name: "flink-99-twice", args: { jobIds: [...flinkIds(99), ...flinkIds(99).map((id) => ` ${id}`)] } },
  { kind: "dli.SparkBatchSet", name: "spark-150", args: { batchIds: uuids(150, 1) } },
  { kind: "mrs.JobExecutionSet", name: "mrs-150", args: { clusterId: "mrs-cluster-1", jobIds: uuids(150, 2) } },
  { kind: "ehpc.JobSet", name: "ehpc-150", args: { clusterId: "ehpc-cluster-1", zone: "pek3", jobIds: ehpcIds(150) } },
  { kind: "dli.FlinkJobSet", name: "flink-1000", args: { jobIds: flinkIds(1000, 10_000) }, opts: protect },
  { kind: "dli.FlinkJobSet", name: "flink-1001", args: { jobIds: flinkIds(1001, 20_000) }, opts: protect },
  // Sets by selector: a queue's nightly batches, protected or not, by a short prefix, by queue alone.
  { kind: "dli.SparkBatchSet", name: "nightly-protected", args: { selector: { namePrefix: "nightly-", queueName: "etl" } }, opts: protect },
  { kind: "dli.SparkBatchSet", name: "nightly-unprotected", args: { selector: { namePrefix: "nightly-", queueName: "etl" } } },
  { kind: "mrs.JobExecutionSet", name: "short-prefix", args: { clusterId: "mrs-cluster-1", selector: { namePrefix: "n-" } }, opts: protect },
  { kind: "ehpc.JobSet", name: "queue-only", args: { clusterId: "ehpc-cluster-1", zone: "pek3", selector: { queueName: "etl" } }, opts: protect },
];

const prodSets: Declaration[] = [
  { kind: "dli.FlinkJobSet", name: "orders", args: { jobIds: flinkIds(5), teardown: "stop-then-delete", triggerSavepoint: true }, opts: protect },
  { kind: "dli.FlinkJobSet", name: "clicks-default", args: { jobIds: flinkIds(5) }, opts: protect },
  { kind: "dli.FlinkJobSet", name: "metrics-stop", args: { jobIds: flinkIds(5), teardown: "stop", triggerSavepoint: true }, opts: protect },
  { kind: "dli.FlinkJobSet", name: "unprotected-streams", args: { jobIds: flinkIds(5), teardown: "stop-then-delete", triggerSavepoint: true } },
  { kind: "dli.SparkBatchSet", name: "spark-unprotected", args: { batchIds: uuids(3, 3) } },
  { kind: "ehpc.JobSet", name: "ehpc-protected", args: { clusterId: "ehpc-cluster-1", zone: "pek3", jobIds: ehpcIds(3) }, opts: protect },
];

// --- fixtures: one program run and one pack per stack, as the CLI starts one analyzer per update -------------------

/** The two stacks' program runs and packs. */
export interface PolicyStacks {
  devRun: ProgramRun;
  prodRun: ProgramRun;
  devPack: PolicyPack;
  prodPack: PolicyPack;
}

/**
 * Runs the fixture program for both stacks and starts a pack for each before the calling file's tests (`started`
 * gets them), and stops the packs after them. A pack that started is stopped even when the rest failed to.
 */
export function usePolicyStacks(started: (stacks: PolicyStacks) => void): void {
  const packs: PolicyPack[] = [];
  beforeAll(async () => {
    // The pack imports "pulumi-jobsets/policy", as a user's pack would: without the export it cannot start.
    const manifest = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { exports?: Record<string, unknown> };
    if (!manifest.exports?.["./policy"]) throw new Error('package.json has no exports["./policy"]: examples/policy-pack imports "pulumi-jobsets/policy"');
    linkPackage(PROGRAM_DIR);
    const program = (stack: string, sets: Declaration[]) =>
      runProgram({ programDir: PROGRAM_DIR, project: PROJECT, stack, config: { sets: JSON.stringify(sets) } });
    const pack = async (stack: string) => {
      const one = await startPolicyPack({ dir: PACK_DIR, stack, project: PROJECT });
      packs.push(one);
      return one;
    };
    // Wait for every start, so none finishes after afterAll has stopped the others.
    const [devRun, prodRun, devPack, prodPack] = await Promise.allSettled([program(DEV, devSets), program(PROD, prodSets), pack(DEV), pack(PROD)]);
    const value = <T>(settled: PromiseSettledResult<T>): T => {
      if (settled.status === "rejected") throw settled.reason;
      return settled.value;
    };
    started({ devRun: value(devRun), prodRun: value(prodRun), devPack: value(devPack), prodPack: value(prodPack) });
  }, 120_000);

  afterAll(async () => {
    await Promise.all(packs.map((pack) => pack.stop()));
  });
}

/** What the engine would analyze for the set named `name`: its real registration. */
export function registered(run: ProgramRun, name: string): RegisteredResource {
  const found = run.resources.find((r) => r.name === name);
  if (!found) throw new Error(`the program registered no resource named ${name}`);
  return structuredClone(found);
}

/** Configure the pack as a fresh `pulumi preview --policy-pack-config` would, with these stack tags. */
export async function configured(pack: PolicyPack, config: PolicyPackConfigFile = {}, tags: Record<string, string> = {}): Promise<PolicyPack> {
  await pack.configureStack({ tags });
  await pack.configure(config);
  return pack;
}

export function diagnostics(result: AnalyzeResult, policy: string) {
  return result.diagnostics.filter((d) => d.policyName === policy);
}

export function notApplicable(result: AnalyzeResult, policy: string): string | undefined {
  return result.notApplicable.find((n) => n.policyName === policy)?.reason;
}

/**
 * Exactly one diagnostic from `policy`, returned for further checks. A resource policy's diagnostic carries no URN:
 * the engine attaches the analyzed resource's; a stack policy's has one only if the policy names a resource.
 */
export function violation(result: AnalyzeResult, policy: string) {
  const found = diagnostics(result, policy);
  expect(found, JSON.stringify(result, null, 2)).toHaveLength(1);
  return found[0]!;
}

export function passes(result: AnalyzeResult, policy: string): void {
  expect(diagnostics(result, policy), JSON.stringify(result, null, 2)).toEqual([]);
  expect(notApplicable(result, policy)).toBeUndefined();
}
