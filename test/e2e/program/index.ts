// The program the end-to-end scenarios run through the real CLI: the job sets and "markers" listed in the stack
// config `scenario` (JSON, see Scenario). A marker is a small dynamic resource standing for something a set
// depends on (a queue, a cluster): its create and delete each send one unsigned request to the emulator
// (`POST /__e2e/<marker>/<create|delete>`, recorded as an unknown route), so the emulator's request log shows
// when the engine ran them, among the sets' own requests. A marker can also hand job IDs to a set through its
// outputs, which are unknown until `up` creates it.
import * as pulumi from "@pulumi/pulumi";
import * as jobsets from "pulumi-jobsets";
import type { Scenario } from "./scenario";

/** `args` is the scenario's JSON, unchecked here: the provider's check() judges it, as it would a user's. */
function declaring<A>(cls: new (name: string, args: A, opts?: pulumi.CustomResourceOptions) => pulumi.CustomResource) {
  return (name: string, args: Record<string, unknown>, opts?: pulumi.CustomResourceOptions) => new cls(name, args as A, opts);
}

const classes = {
  "dli.FlinkJobSet": declaring(jobsets.dli.FlinkJobSet),
  "dli.SparkBatchSet": declaring(jobsets.dli.SparkBatchSet),
  "mrs.JobExecutionSet": declaring(jobsets.mrs.JobExecutionSet),
  "ehpc.JobSet": declaring(jobsets.ehpc.JobSet),
} as const;
const ID_PROPERTY = { "dli.FlinkJobSet": "jobIds", "dli.SparkBatchSet": "batchIds", "mrs.JobExecutionSet": "jobIds", "ehpc.JobSet": "jobIds" };

interface MarkerInputs {
  endpoint: string;
  name: string;
  jobIds: string[];
}

async function report(endpoint: string, name: string, event: string): Promise<void> {
  const response = await fetch(`${endpoint}/__e2e/${encodeURIComponent(name)}/${event}`, { method: "POST" });
  await response.arrayBuffer();
}

const markerProvider: pulumi.dynamic.ResourceProvider = {
  async create(inputs: MarkerInputs) {
    await report(inputs.endpoint, inputs.name, "create");
    return { id: inputs.name, outs: inputs };
  },
  async delete(_id: string, props: MarkerInputs) {
    await report(props.endpoint, props.name, "delete");
  },
};

class MarkerResource extends pulumi.dynamic.Resource {
  declare readonly jobIds: pulumi.Output<string[]>;
  constructor(name: string, inputs: MarkerInputs, opts?: pulumi.CustomResourceOptions) {
    super(markerProvider, name, inputs, opts, "e2e", "Marker");
  }
}

const config = new pulumi.Config();
const scenario = config.requireObject<Scenario>("scenario");
const markers = new Map<string, MarkerResource>();
for (const marker of scenario.markers ?? []) {
  markers.set(marker.name, new MarkerResource(marker.name, { endpoint: scenario.endpoint, name: marker.name, jobIds: marker.jobIds ?? [] }));
}
const markerNamed = (name: string): MarkerResource => {
  const marker = markers.get(name);
  if (!marker) throw new Error(`scenario: no marker named ${name}`);
  return marker;
};

for (const set of scenario.sets) {
  const args: Record<string, unknown> = { ...set.args };
  if (set.idsFrom) args[ID_PROPERTY[set.kind]] = markerNamed(set.idsFrom).jobIds;
  if (set.idsFromSecretConfig) args[ID_PROPERTY[set.kind]] = config.requireSecretObject<string[]>(set.idsFromSecretConfig);
  classes[set.kind](set.name, args, { ...set.opts, dependsOn: (set.dependsOn ?? []).map(markerNamed) });
}
