/**
 * Inputs and state of every job set, as zod schemas: the one module the SDK, the policy pack and the plugin's
 * package schema import them from. The parts live in `inputs/`: single fields (`fields.ts`), where defaults come
 * from (`defaults.ts`), each kind's schema (`job-sets.ts`) and typo hints (`typo-hints.ts`).
 *
 * Nothing here may be referenced from the serialized provider: zod schemas hold native functions,
 * which Pulumi's closure serializer cannot copy (pulumi/pulumi#5294).
 */
export {
  DEFAULT_WAIT_TIMEOUT_SECONDS,
  EHPC_JOB_ID_PREFIX,
  endpointUrl,
  isLoopbackHost,
  MAX_BATCH_SIZE,
  MAX_WAIT_TIMEOUT_SECONDS,
  TEARDOWN_MODES,
  uniqueIds,
  type TeardownMode,
} from "./inputs/fields";
export { DEFAULT_EHPC_ENDPOINT, defaultDliEndpoint, defaultEhpcEndpoint, defaultMrsEndpoint, emptyDefaults, type DefaultsSource } from "./inputs/defaults";
export * from "./inputs/job-sets";
export { likelyMeant, unknownKeyMessage } from "./inputs/typo-hints";
/** The default ceiling on IDs per set (`jobsets:maxJobsPerSet` changes it), and what no setting can raise. */
export { ABSOLUTE_MAX_JOBS_PER_SET, DEFAULT_MAX_JOBS_PER_SET as MAX_JOBS_PER_SET } from "./config";
