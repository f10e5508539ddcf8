/**
 * The benchmark's engine: the benchmark's sets registered as the fixture program registers them, driven
 * through the real dynamic-provider host over gRPC the way `pulumi up`, `pulumi refresh` and `pulumi destroy`
 * drive it, with the engine's parallelism: independent resources are checked, created, read and deleted
 * concurrently (the harness `Stack` steps one resource at a time; the real engine does not).
 *
 * The serialized provider (`__provider`) comes from one real program run (`providerTexts`): Pulumi stores one
 * shim per type whatever a set's arguments are (test/serialized-provider.test.ts), so a registration with other
 * arguments is what the program would register. (A 10,000-ID config would not even fit the 128 KiB a single
 * environment variable may hold on Linux, which is how stack config reaches a program.)
 */
import * as path from "node:path";
import { linkPackage, REPO_ROOT, runProgram } from "../test/harness/program";
import { startProvider, urn, type ProviderHost } from "../test/harness/provider-host";
import { TYPES, type Kind } from "./workload";

export const PROGRAM_DIR = path.join(REPO_ROOT, "test", "fixtures", "jobsets-program");
export const PROJECT = "jobsets-bench";
/** A deadline per provider call: a 1,000-job teardown at high latency takes minutes, not hours. */
const CALL_TIMEOUT_MS = 30 * 60_000;

const CLASSES: Record<Kind, string> = { flink: "dli.FlinkJobSet", spark: "dli.SparkBatchSet", mrs: "mrs.JobExecutionSet", ehpc: "ehpc.JobSet" };

/** The `__provider` text each type's registrations carry, from one run of the fixture program. */
export async function providerTexts(): Promise<Record<Kind, string>> {
  linkPackage(PROGRAM_DIR);
  const sets = [
    { kind: CLASSES.flink, name: "f", args: { jobIds: [1], projectId: "00000000000000000000000000000000" } },
    { kind: CLASSES.spark, name: "s", args: { batchIds: ["00000000-0000-4000-8000-000000000000"], projectId: "00000000000000000000000000000000" } },
    { kind: CLASSES.mrs, name: "m", args: { clusterId: "c", jobIds: ["j"], projectId: "00000000000000000000000000000000" } },
    { kind: CLASSES.ehpc, name: "e", args: { clusterId: "c", zone: "z", jobIds: ["hpcjob-00000000"] } },
  ];
  const run = await runProgram({ programDir: PROGRAM_DIR, project: PROJECT, config: { sets: JSON.stringify(sets) } });
  const texts = {} as Record<Kind, string>;
  for (const kind of Object.keys(TYPES) as Kind[]) {
    const registered = run.resources.find((r) => r.type === TYPES[kind]);
    if (typeof registered?.inputs.__provider !== "string") throw new Error(`the program registered no ${TYPES[kind]} with a serialized provider`);
    texts[kind] = registered.inputs.__provider;
  }
  return texts;
}

/** A set as the engine holds it: registration, then state after create. */
export interface Resource {
  urn: string;
  kind: Kind;
  /** The program's inputs, `__provider` included. */
  news: Record<string, unknown>;
  /** After Check. */
  inputs?: Record<string, unknown>;
  id?: string;
  outputs?: Record<string, unknown>;
}

export function resource(kind: Kind, name: string, args: Record<string, unknown>, providerText: string): Resource {
  return { urn: urn(TYPES[kind], name, PROJECT), kind, news: { ...args, __provider: providerText } };
}

/** A fresh provider host (each CLI run starts one), configured as the engine does first. */
export async function startHost(env: Record<string, string>): Promise<ProviderHost> {
  const host = await startProvider({ cwd: PROGRAM_DIR, project: PROJECT, env, callTimeoutMs: CALL_TIMEOUT_MS });
  await host.configure({});
  return host;
}

/** `pulumi up` of new resources: Check, then Create, every resource concurrently. */
export async function up(host: ProviderHost, resources: Resource[]): Promise<void> {
  await Promise.all(
    resources.map(async (r) => {
      const checked = await host.check(r.urn, {}, r.news);
      if (checked.failures.length) throw new Error(`check ${r.urn}: ${checked.failures.map((f) => `${f.property}: ${f.reason}`).join("; ")}`);
      r.inputs = checked.inputs;
      const created = await host.create(r.urn, checked.inputs);
      r.id = created.id;
      r.outputs = created.properties;
    }),
  );
}

/** `pulumi refresh`: Read of every resource, concurrently. */
export async function refresh(host: ProviderHost, resources: Resource[]): Promise<void> {
  await Promise.all(resources.map((r) => host.read(r.id!, r.urn, r.outputs!, r.inputs)));
}

/** `pulumi destroy`: Delete of every resource, concurrently (they are independent). */
export async function destroy(host: ProviderHost, resources: Resource[]): Promise<void> {
  await Promise.all(resources.map((r) => host.delete(r.id!, r.urn, r.outputs!, { oldInputs: r.inputs! })));
}
