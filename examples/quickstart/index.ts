// Three sets of DLI Flink streaming jobs, one per teardown mode. The job IDs come from stack config
// (the demo seeds jobs in the emulator and passes their IDs); project, region and credentials come
// from the jobsets:* config or the HW_* environment, never from resource inputs.
import * as pulumi from "@pulumi/pulumi";
import * as jobsets from "pulumi-jobsets";

const config = new pulumi.Config();
const ids = (key: string) => config.requireObject<string[]>(key);

// `pulumi destroy` batch-deletes these, in any state.
const etl = new jobsets.dli.FlinkJobSet("etl-streams", {
  jobIds: ids("deleteJobIds"),
});

// Stopped (and waited for) but kept: their definitions stay in DLI for a later restart.
const metrics = new jobsets.dli.FlinkJobSet("metrics-streams", {
  jobIds: ids("stopJobIds"),
  teardown: "stop",
});

// Stopped with a savepoint, so their state can be restored elsewhere, then deleted.
const orders = new jobsets.dli.FlinkJobSet("orders-streams", {
  jobIds: ids("savepointJobIds"),
  teardown: "stop-then-delete",
  triggerSavepoint: true,
});

export const sets = { etl: etl.jobIds, metrics: metrics.jobIds, orders: orders.jobIds };
