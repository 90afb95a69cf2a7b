// Reads a CA bundle given on the command line. Kept apart from connection.ts so validating the flag
// does not load the Kubernetes client.
import { readFileSync } from 'node:fs';
import { ValidationError } from '../errors.js';

export function readCaFile(file: string): string {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ValidationError(
      `cannot read --kube-ca-file ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    );
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new ValidationError(`--kube-ca-file ${file} holds no PEM certificate`);
  }
  return pem;
}
