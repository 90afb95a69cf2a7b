// Reads a CA bundle given on the command line. Kept apart from connection.ts so validating the flag
// does not load the Kubernetes client.
import { ValidationError } from '../errors.js';
import { INPUT_LIMITS, readInputFile } from '../input-file.js';

export function readCaFile(file: string): string {
  const pem = readInputFile(file, '--kube-ca-file', { limit: INPUT_LIMITS.ca });
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new ValidationError(`--kube-ca-file ${file} holds no PEM certificate`);
  }
  return pem;
}
