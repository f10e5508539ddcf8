/**
 * Whatever goes wrong while signing (a URL or header that happens to contain the secret), the secret must not reach
 * an error message, a stack trace or a log: both signers run inside this.
 */
export function withSecretRedacted<T>(secret: unknown, sign: () => T): T {
  try {
    return sign();
  } catch (error) {
    if (typeof secret === "string" && secret !== "" && error instanceof Error) {
      const redact = (text: string) => text.split(secret).join("[redacted]");
      error.message = redact(error.message);
      if (typeof error.stack === "string") error.stack = redact(error.stack);
    }
    throw error;
  }
}
