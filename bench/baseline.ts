/**
 * The per-job baseline: how the Huawei Terraform provider (and so pulumi-huaweicloud) and hand-written
 * pulumi-command scripts tear jobs down: one request per job, one job after another, no snapshot, no stop,
 * no wait (huawei-cloud.md, "What the best existing tool does"):
 *   - DLI Flink: `DELETE .../streaming/jobs/{id}`;
 *   - DLI Spark: `DELETE .../batches/{id}` (the per-batch cancel);
 *   - MRS: `POST .../job-executions/batch-delete` with one ID;
 *   - EHPC: `POST /api/job/deleteJobs` with one ID.
 * Written with the provider's own clients, signers and HttpClient (undici keep-alive pool, retry interceptor),
 * in the benchmark process, so it is measured with the same HTTP stack as the provider.
 *
 * Its sample is seeded so that its one request per job succeeds: MRS executions and EHPC jobs already ended
 * (the baseline kills and stops nothing, and the APIs refuse to delete running ones). That only flatters it.
 */
import { huaweiAuthorizer } from "../provider/clients/huawei-iam";
import { classifyHuawei } from "../provider/clients/huawei";
import { cancelSparkBatch } from "../provider/clients/huawei-dli-spark";
import { batchDeleteJobExecutions } from "../provider/clients/huawei-mrs";
import { deleteEhpcJobs, ehpcAuthorizer } from "../provider/clients/qingcloud-ehpc";
import { HttpClient } from "../provider/clients/http";
import {
  DEFAULT_ACCESS_KEY,
  DEFAULT_QINGCLOUD_ACCESS_KEY_ID,
  DEFAULT_QINGCLOUD_SECRET_ACCESS_KEY,
  DEFAULT_SECRET_KEY,
  type Emulator,
} from "../emulator";
import { EHPC_ZONE, GROUPS, kindOf, MRS_CLUSTER_ID, PROJECT_ID, split, type Kind } from "./workload";

/** The baseline's cluster and zone: its own, so its listings never mix with the provider's. */
const BASELINE_MRS_CLUSTER = `${MRS_CLUSTER_ID.slice(0, -1)}b`;
const BASELINE_EHPC_CLUSTER = "ehpc-baseline";

export interface BaselineResult {
  /** Jobs torn down in the sample. */
  jobs: number;
  requests: number;
  wallMs: number;
  /** wallMs / jobs. */
  perJobMs: number;
  /** Requests the emulator answered with an error (should be 0: the sample is seeded for the baseline). */
  failures: number;
}

/** Seeds `jobs` jobs in the benchmark's group proportions, then tears them down one request per job, sequentially. */
export async function runBaseline(emu: Emulator, jobs: number): Promise<BaselineResult> {
  const sample: { kind: Kind; id: string }[] = [];
  split(jobs, GROUPS.length).forEach((count, g) => {
    const kind = kindOf(GROUPS[g]!);
    const many = <T>(seed: T) => Array.from({ length: count }, () => seed);
    const ids =
      kind === "flink"
        ? emu.seedFlinkJobs(PROJECT_ID, many({ status: "job_running" as const }))
        : kind === "spark"
          ? emu.seedSparkBatches(PROJECT_ID, many({ state: "running" }))
          : kind === "mrs"
            ? emu.seedMrsJobs(PROJECT_ID, BASELINE_MRS_CLUSTER, many({ state: "FINISHED" as const }))
            : emu.seedEhpcJobs(EHPC_ZONE, BASELINE_EHPC_CLUSTER, many({ status: "finished" as const }));
    for (const id of ids) sample.push({ kind, id });
  });

  const http = new HttpClient();
  const huawei = { http, endpoint: emu.url, projectId: PROJECT_ID, authorizer: huaweiAuthorizer(http, { kind: "aksk", accessKey: DEFAULT_ACCESS_KEY, secretKey: DEFAULT_SECRET_KEY, source: "bench" }, PROJECT_ID) };
  const mrs = { ...huawei, clusterId: BASELINE_MRS_CLUSTER };
  const ehpc = {
    http,
    endpoint: emu.url,
    zone: EHPC_ZONE,
    clusterId: BASELINE_EHPC_CLUSTER,
    authorizer: ehpcAuthorizer(http, { accessKeyId: DEFAULT_QINGCLOUD_ACCESS_KEY_ID, secretAccessKey: DEFAULT_QINGCLOUD_SECRET_ACCESS_KEY }),
  };
  const before = emu.calls().length;
  const started = performance.now();
  try {
    for (const { kind, id } of sample) {
      if (kind === "flink") await deleteFlinkJob(huawei, id);
      else if (kind === "spark") await cancelSparkBatch(huawei, id);
      else if (kind === "mrs") await batchDeleteJobExecutions(mrs, [id]);
      else await deleteEhpcJobs(ehpc, [id]);
    }
  } finally {
    await http.close();
  }
  const wallMs = performance.now() - started;
  const calls = emu.calls().slice(before);
  const failures = calls.filter((call) => call.status >= 400 || /"ret_code":[1-9]/.test(call.responseBody)).length;
  return { jobs: sample.length, requests: calls.length, wallMs, perJobMs: wallMs / sample.length, failures };
}

/** `DELETE /v1.0/{project_id}/streaming/jobs/{job_id}`: Terraform's Flink delete (the provider has no client for it: it batches). */
async function deleteFlinkJob(ctx: { http: HttpClient; endpoint: string; projectId: string; authorizer: ReturnType<typeof huaweiAuthorizer> }, jobId: string) {
  return ctx.http.send(
    {
      service: "dli-flink",
      op: "deleteFlinkJob",
      method: "DELETE",
      origin: ctx.endpoint,
      path: `/v1.0/${encodeURIComponent(ctx.projectId)}/streaming/jobs/${jobId}`,
      headers: { "content-type": "application/json" },
    },
    { authorizer: ctx.authorizer, classify: classifyHuawei },
  );
}
