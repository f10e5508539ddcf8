/**
 * The services the emulator runs, built from its options: the Huawei gateway in front of IAM, DLI (Flink, Spark) and
 * MRS, and EHPC behind its own signature. A new service is one more module here.
 */
import { type DliFlinkModule, createDliFlinkModule } from "./huawei-dli-flink";
import { defaultFlinkSavepointPath } from "./huawei-dli-flink-jobs";
import { type DliSparkModule, createDliSparkModule } from "./huawei-dli-spark";
import { DEFAULT_SPARK_CANCEL_DELAY_MS } from "./huawei-dli-spark-batches";
import { DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, DEFAULT_TOKEN_TTL_MS, HuaweiGateway } from "./huawei-gateway";
import { DEFAULT_IAM_DOMAIN, DEFAULT_IAM_PASSWORD, DEFAULT_IAM_USER, createIamModule } from "./huawei-iam";
import { DEFAULT_MRS_MAX_BATCH_SIZE, type MrsModule, createMrsModule } from "./huawei-mrs";
import { DEFAULT_MRS_KILL_DELAY_MS } from "./huawei-mrs-jobs";
import { DEFAULT_STOP_DELAY_MS, type EmulatorOptions } from "./options";
import { type EhpcModule, createEhpcModule } from "./qingcloud-ehpc";
import { DEFAULT_QINGCLOUD_ACCESS_KEY_ID, DEFAULT_QINGCLOUD_SECRET_ACCESS_KEY } from "./qingcloud-ehpc-gateway";
import { DEFAULT_EHPC_STOP_DELAY_MS } from "./qingcloud-ehpc-jobs";
import type { ServiceModule } from "./service";

export interface ServiceModules {
  gateway: HuaweiGateway;
  flink: DliFlinkModule;
  spark: DliSparkModule;
  mrs: MrsModule;
  ehpc: EhpcModule;
  /** Every module, in the order routes are matched. */
  all: readonly ServiceModule[];
}

/** What the services ask of the injected faults while they answer. */
export interface JobFaultHooks {
  /** The failJobs() message for this op and job, if the test injected one. */
  jobFailure(op: string, jobId: string): string | undefined;
  /** Whether this delete answers success and leaves the job (lieOnDelete); uses up one of its times. */
  lieOnDelete(op: string, jobId: string): boolean;
}

export function createServiceModules(options: EmulatorOptions, now: () => number, faults: JobFaultHooks): ServiceModules {
  const jobFailure = (op: string, jobId: string) => faults.jobFailure(op, jobId);
  const lieOnDelete = (op: string, jobId: string) => faults.lieOnDelete(op, jobId);
  const maxBatchSize = options.maxBatchSize !== undefined ? { maxBatchSize: options.maxBatchSize } : {};
  const gateway = new HuaweiGateway(options.credentials ?? [{ accessKey: DEFAULT_ACCESS_KEY, secretKey: DEFAULT_SECRET_KEY }], options.tokens ?? [], now);
  const iam = createIamModule({
    gateway,
    users: options.iamUsers ?? [{ domain: DEFAULT_IAM_DOMAIN, name: DEFAULT_IAM_USER, password: DEFAULT_IAM_PASSWORD }],
    tokenTtlMs: options.tokenTtlMs ?? DEFAULT_TOKEN_TTL_MS,
  });
  const flink = createDliFlinkModule({
    gateway,
    now,
    stopDelayMs: options.stopDelayMs ?? DEFAULT_STOP_DELAY_MS,
    missingJobAnswer: options.missingJobAnswer ?? "element",
    jobFailure,
    lieOnDelete,
    savepointPath: options.flinkSavepointPath ?? defaultFlinkSavepointPath,
    ...maxBatchSize,
  });
  const spark = createDliSparkModule({ gateway, now, cancelDelayMs: options.sparkCancelDelayMs ?? DEFAULT_SPARK_CANCEL_DELAY_MS, jobFailure });
  const mrs = createMrsModule({
    gateway,
    now,
    killDelayMs: options.mrsKillDelayMs ?? DEFAULT_MRS_KILL_DELAY_MS,
    maxBatchSize: options.maxBatchSize ?? DEFAULT_MRS_MAX_BATCH_SIZE,
    errorSpelling: options.mrsErrorSpelling ?? "mixed",
    detailStatus: options.mrsDetailStatus ?? "alternate",
    jobFailure,
    lieOnDelete,
  });
  const ehpc = createEhpcModule({
    credentials: options.qingcloudCredentials ?? [{ accessKeyId: DEFAULT_QINGCLOUD_ACCESS_KEY_ID, secretAccessKey: DEFAULT_QINGCLOUD_SECRET_ACCESS_KEY }],
    now,
    stopDelayMs: options.ehpcStopDelayMs ?? DEFAULT_EHPC_STOP_DELAY_MS,
    jobFailure,
    lieOnDelete,
    ...(options.ehpcQuotaPerHour !== undefined ? { quotaPerHour: options.ehpcQuotaPerHour } : {}),
    ...maxBatchSize,
  });
  return { gateway, flink, spark, mrs, ehpc, all: [iam, flink, spark, mrs, ehpc] };
}
