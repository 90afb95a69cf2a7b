// Checks the kubeconfig files client-node will load (size, kind, UTF-8) before it reads them
// without a limit. Kept apart from connection.ts so validating the flags does not load the client.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { INPUT_LIMITS, readInputFile } from '../input-file.js';

export function checkKubeconfigFiles(file: string | undefined): void {
  if (file !== undefined) {
    readInputFile(file, '--kubeconfig', { limit: INPUT_LIMITS.kubeconfig });
    return;
  }
  // client-node's default: every file of KUBECONFIG, else ~/.kube/config (missing ones skipped).
  const listed = (process.env.KUBECONFIG ?? '').split(delimiter).filter(Boolean);
  const files = listed.length ? listed : [join(homedir(), '.kube', 'config')];
  for (const f of files) {
    if (existsSync(f)) readInputFile(f, 'kubeconfig', { limit: INPUT_LIMITS.kubeconfig });
  }
}
