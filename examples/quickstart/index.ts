// One job set of every kind, and the DLI Flink set once per teardown mode. Job IDs and where the jobs
// live come from stack config (the demo seeds jobs in the emulator and passes their IDs); project,
// region and credentials come from the jobsets:* config or the environment, never from resource inputs.
import * as pulumi from "@pulumi/pulumi";
import * as jobsets from "pulumi-jobsets";

const config = new pulumi.Config();
const ids = (key: string) => config.requireObject<string[]>(key);

// DLI Flink: `pulumi destroy` batch-deletes these, in any state.
const etl = new jobsets.dli.FlinkJobSet("etl-streams", {
  jobIds: ids("deleteJobIds"),
});

// DLI Flink: stopped (and waited for) but kept, for a later restart.
const metrics = new jobsets.dli.FlinkJobSet("metrics-streams", {
  jobIds: ids("stopJobIds"),
  teardown: "stop",
});

// DLI Flink: stopped with a savepoint, so their state can be restored elsewhere, then deleted.
const orders = new jobsets.dli.FlinkJobSet("orders-streams", {
  jobIds: ids("savepointJobIds"),
  teardown: "stop-then-delete",
  triggerSavepoint: true,
});

// DLI Spark: active batches are cancelled, then waited for until dead.
const reports = new jobsets.dli.SparkBatchSet("nightly-reports", {
  batchIds: ids("sparkBatchIds"),
});

// DLI Spark, by selector: the batches a pipeline submits after `pulumi up` into one queue, named "nightly-…".
// Their IDs are unknown here; the selector is matched at up and refresh (recorded in `selectedIds`) and again at
// destroy, so every nightly batch in that queue is cancelled then, and no other batch is touched. The policy pack
// (examples/policy-pack) asks for `protect: true` on such a set; the demo leaves it off so its destroy runs.
const nightly = new jobsets.dli.SparkBatchSet("nightly-batches", {
  selector: { namePrefix: "nightly-", queueName: config.get("nightlyQueue") ?? "etl" },
});

// MRS: running executions are killed, waited for, then batch-deleted.
const mrs = new jobsets.mrs.JobExecutionSet("hive-executions", {
  clusterId: config.require("mrsClusterId"),
  jobIds: ids("mrsJobIds"),
});

// QingCloud EHPC: stopped, waited for, then deleted.
const hpc = new jobsets.ehpc.JobSet("simulations", {
  clusterId: config.require("ehpcClusterId"),
  zone: config.require("ehpcZone"),
  jobIds: ids("ehpcJobIds"),
});

export const sets = {
  etl: etl.jobIds,
  metrics: metrics.jobIds,
  orders: orders.jobIds,
  reports: reports.batchIds,
  nightly: nightly.selectedIds,
  mrs: mrs.jobIds,
  hpc: hpc.jobIds,
};
