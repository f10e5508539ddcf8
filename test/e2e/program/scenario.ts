// What a stack of this program declares (its config `scenario`, JSON); shared with the tests that write it.

/** A small dynamic resource standing for something a set depends on (a queue, a cluster). */
export interface MarkerDeclaration {
  name: string;
  /** Job IDs the marker outputs (for a set's `idsFrom`). */
  jobIds?: string[];
}

export interface SetDeclaration {
  kind: "dli.FlinkJobSet" | "dli.SparkBatchSet" | "mrs.JobExecutionSet" | "ehpc.JobSet";
  name: string;
  args: Record<string, unknown>;
  opts?: { protect?: boolean; retainOnDelete?: boolean };
  /** Markers this set depends on (`dependsOn`). */
  dependsOn?: string[];
  /** A marker whose `jobIds` output becomes this set's IDs. */
  idsFrom?: string;
  /** A stack config key holding this set's IDs as a secret (`pulumi config set --secret`). */
  idsFromSecretConfig?: string;
}

export interface Scenario {
  /** The emulator's URL, where markers report. */
  endpoint: string;
  markers?: MarkerDeclaration[];
  sets: SetDeclaration[];
}
