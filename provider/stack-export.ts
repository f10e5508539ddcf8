/**
 * The job sets of a `pulumi stack export` document (`{"version":3,"deployment":{"manifest":…,"resources":[{urn,type,
 * inputs,outputs,id,…}]}}`), as `jobsets plan` reads them: each set's stored state (its outputs, which a destroy
 * hands the provider), read as a destroy reads it (`stateOf`), with the export's secrets revealed where they are
 * readable (`--show-secrets`) and the set marked unreadable where they are not.
 */
import { InvalidInputError } from "./errors";
import { KINDS, kindOf } from "./kinds";
import { stateOf } from "./lifecycle";
import { RESOURCE_TYPES } from "./plugin-schema";
import { isWrappedSecret } from "./pulumi-secrets";
import { recordedSelection, SELECTED_IDS } from "./selected";

/** The dynamic provider's type tokens: `pulumi-nodejs:dynamic/jobsets:<type>` (the SDK classes' module and type). */
const DYNAMIC_TOKEN_PREFIX = "pulumi-nodejs:dynamic/jobsets:";

/** Type token → the lifecycle's type name, for both routes (the dynamic provider's and the plugin's). */
const TYPE_OF_TOKEN = new Map<string, string>([
  ...KINDS.map((kind) => [`${DYNAMIC_TOKEN_PREFIX}${kind.type}`, kind.type] as const),
  ...Object.entries(RESOURCE_TYPES),
]);

/** One job set found in a stack export. */
export interface ExportedSet {
  urn: string;
  /** Its type token, as the export spells it. */
  token: string;
  /** The lifecycle's type name (`DliFlinkJobSet`, …). */
  type: string;
  /** The resource's name (the URN's last part). */
  name: string;
  /** The resource ID (`dli-flink/<project>/set-…`). */
  id: string;
  /** Its stored state (the outputs a destroy hands the provider), secrets revealed; absent when `unreadable`. */
  state?: Record<string, unknown>;
  /** Why the state cannot be read: a secret encrypted in the export, or a state this version does not understand. */
  unreadable?: string;
  /** Whether the set's job IDs were a secret (revealed by `--show-secrets`): the plan then names jobs by position. */
  secretIds: boolean;
  /**
   * The members its selector matched at the last up or refresh (the `selectedIds` output), which a destroy tears down
   * too; empty when there are none, or when `selectionEncrypted`.
   */
  recorded?: string[];
  /** Whether `selectedIds` is encrypted in the export (it is always a secret): the plan then has only what the selector matches now. */
  selectionEncrypted?: boolean;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** What a value is, for a message: its JSON type. */
function kindOfValue(value: unknown): string {
  return value === null ? "null" : Array.isArray(value) ? "an array" : typeof value === "object" ? "an object" : `a ${typeof value}`;
}

/**
 * A value of the export with its secrets revealed: `{sig, plaintext}` (`pulumi stack export --show-secrets`, the value
 * as JSON text) and `{sig, value}` (a state before encryption). `{sig, ciphertext}` cannot be read without the stack's
 * secrets provider: `encrypted` is set and the value is undefined.
 */
function reveal(value: unknown, found: { encrypted: boolean; secret: boolean }): unknown {
  if (isWrappedSecret(value)) {
    found.secret = true;
    if ("value" in value) return reveal(value.value, found);
    if (typeof value.plaintext === "string") {
      try {
        return reveal(JSON.parse(value.plaintext), found);
      } catch {
        found.encrypted = true;
        return undefined;
      }
    }
    found.encrypted = true;
    return undefined;
  }
  if (Array.isArray(value)) return value.map((item) => reveal(item, found));
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, reveal(inner, found)]));
  return value;
}

/**
 * The job sets of a `pulumi stack export` document (`{"version":3,"deployment":{"manifest":…,"resources":[…]}}`),
 * of either route's type tokens. Throws InvalidInputError when the document is not a stack export; a set whose state
 * cannot be read is returned with `unreadable` saying why.
 */
export function findJobSets(document: unknown): ExportedSet[] {
  const notAnExport = (why: string) =>
    new InvalidInputError(`not the output of \`pulumi stack export\`: ${why}. Run \`pulumi stack export > state.json\` and pass that file, or pipe it with \`-\``);
  if (!isObject(document)) throw notAnExport(`expected a JSON object, received ${kindOfValue(document)}`);
  if (typeof document.version !== "number") throw notAnExport(`"version" is ${document.version === undefined ? "missing" : kindOfValue(document.version)}, expected a number`);
  const deployment = document.deployment;
  if (!isObject(deployment)) throw notAnExport(`"deployment" is ${deployment === undefined ? "missing" : kindOfValue(deployment)}, expected an object`);
  // An empty stack's export has no resources at all.
  const resources = deployment.resources ?? [];
  if (!Array.isArray(resources)) throw notAnExport(`"deployment.resources" is ${kindOfValue(resources)}, expected an array`);

  const sets: ExportedSet[] = [];
  resources.forEach((resource, index) => {
    if (!isObject(resource) || typeof resource.type !== "string" || typeof resource.urn !== "string") {
      throw notAnExport(`"deployment.resources[${index}]" has no "urn" and "type"`);
    }
    const type = TYPE_OF_TOKEN.get(resource.type);
    if (!type) return;
    sets.push(readSet(resource, resource.urn, resource.type, type));
  });
  return sets;
}

/** One set's entry: its state read as a destroy reads it (`stateOf`), or why it cannot be. */
function readSet(resource: Record<string, unknown>, urn: string, token: string, type: string): ExportedSet {
  const kind = kindOf(type);
  const base = { urn, token, type, name: urn.split("::").pop() ?? urn, id: typeof resource.id === "string" ? resource.id : "" };
  if (!isObject(resource.outputs)) return { ...base, secretIds: false, unreadable: "the export holds no outputs for it (it was never created)" };
  const outputs: Record<string, unknown> = {};
  const encrypted: string[] = [];
  let secretIds = false;
  for (const property of kind.knownProperties) {
    if (!(property in resource.outputs)) continue;
    const found = { encrypted: false, secret: false };
    outputs[property] = reveal(resource.outputs[property], found);
    if (found.encrypted) encrypted.push(property);
    if (property === kind.idsProperty) secretIds = found.secret;
  }
  if (encrypted.length) {
    const what = encrypted.includes(kind.idsProperty)
      ? `its job IDs (${kind.idsProperty}) are a secret`
      : `${encrypted.join(", ")} ${encrypted.length === 1 ? "is a secret" : "are secrets"}`;
    return {
      ...base,
      secretIds,
      unreadable:
        `${what}, encrypted in this export; ` +
        "`pulumi stack export --show-secrets` writes them readable (the plan then names secret jobs by position)",
    };
  }
  // Not an input, so not among `knownProperties`: an encrypted record does not make the set unreadable, as the
  // selector still says what it holds now.
  const selection = { encrypted: false, secret: false };
  const recorded = recordedSelection({ [SELECTED_IDS]: reveal(resource.outputs[SELECTED_IDS], selection) });
  try {
    const state = stateOf(type, outputs).state;
    // `secretIds`: the SDK or the plugin saw the IDs arrive as a secret (an export may hold them readable).
    return { ...base, secretIds: secretIds || state.secretIds === true, state, recorded, selectionEncrypted: selection.encrypted };
  } catch (error) {
    return { ...base, secretIds, unreadable: error instanceof Error ? error.message : String(error) };
  }
}
