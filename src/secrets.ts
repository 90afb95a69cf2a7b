// The secrets of this run (the resolved AWS credentials), kept where every layer can reach them:
// src/aws registers what the SDK resolved, src/ui removes them from whatever is printed.

const secrets = new Set<string>();

/** Notes a secret so that output never shows it (short values are ignored: too common). */
export function registerSecret(value: string | undefined): void {
  if (value && value.length >= 8) secrets.add(value);
}

/** The secrets registered so far. */
export function registeredSecrets(): readonly string[] {
  return [...secrets];
}
