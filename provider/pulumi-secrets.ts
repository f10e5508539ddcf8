/**
 * How Pulumi marks a secret value where the provider meets it as plain JSON: in the properties a provider returns (the
 * engine keeps such a value secret) and in a stack export (`{sig, ciphertext}`, or `{sig, plaintext}` with
 * `--show-secrets`). The key and marker are @pulumi/pulumi's `specialSigKey` and `specialSecretSig` (runtime/rpc.js),
 * written here so that what runs outside the engine (`jobsets plan`) need not load Pulumi's runtime.
 */
export const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** `value` as a secret output: the engine stores it encrypted, whatever the inputs were. */
export function wrapSecret(value: unknown): Record<string, unknown> {
  return { [SECRET_SIG_KEY]: SECRET_SIG, value };
}

/** Whether `value` is a secret wrapper, in any of its forms (`value`, `plaintext`, `ciphertext`). */
export function isWrappedSecret(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && (value as Record<string, unknown>)[SECRET_SIG_KEY] === SECRET_SIG;
}
