// Secrets as the engine treats them for a provider that does not accept secrets (the dynamic provider host answers
// `acceptSecrets: false`): stripped from every request, then put back on the results by `annotateSecrets`
// (pulumi/pulumi sdk/go/common/resource/plugin/provider_plugin.go) and `additionalSecretOutputs`.
import type { Props } from "./pulumi-proto";
import { SECRET_SIG, SIG_KEY } from "./provider-host";

type Secret = { [SIG_KEY]: typeof SECRET_SIG; value: unknown };

/** Whether `value` is a secret wrapper (`{[SIG_KEY]: SECRET_SIG, value}`). */
export function isSecret(value: unknown): value is Secret {
  return typeof value === "object" && value !== null && (value as Record<string, unknown>)[SIG_KEY] === SECRET_SIG;
}

function isPlainObject(value: unknown): value is Props {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !isSecret(value);
}

/** Whether a secret is anywhere inside `value`. */
export function containsSecrets(value: unknown): boolean {
  if (isSecret(value)) return true;
  if (Array.isArray(value)) return value.some(containsSecrets);
  if (isPlainObject(value)) return Object.values(value).some(containsSecrets);
  return false;
}

/** Removes every secret wrapper (the engine's `removeSecrets`), as it does for a provider without acceptSecrets. */
export function stripSecrets<T>(value: T): T {
  if (isSecret(value)) return stripSecrets(value.value) as T;
  if (Array.isArray(value)) return value.map(stripSecrets) as T;
  if (isPlainObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, stripSecrets(v)])) as T;
  }
  return value;
}

/**
 * The engine's `annotateSecrets(outs, ins)`: for each key in both, recurse when both are objects, else mark the
 * output secret if the input contained a secret. Returns a new object.
 */
export function annotateSecrets(outs: Props, ins: Props): Props {
  const result: Props = { ...outs };
  for (const [key, inValue] of Object.entries(ins)) {
    if (!(key in result)) continue;
    const outValue = result[key];
    if (isPlainObject(outValue) && isPlainObject(inValue)) {
      result[key] = annotateSecrets(outValue, inValue);
    } else if (!isSecret(outValue) && containsSecrets(inValue)) {
      result[key] = { [SIG_KEY]: SECRET_SIG, value: outValue };
    }
  }
  return result;
}

/** Wraps the outputs named in `additionalSecretOutputs` that are not secret already. */
export function markAdditionalSecrets(outs: Props, keys: string[] | undefined): Props {
  const result: Props = { ...outs };
  for (const key of keys ?? []) {
    if (key in result && !isSecret(result[key])) result[key] = { [SIG_KEY]: SECRET_SIG, value: result[key] };
  }
  return result;
}
