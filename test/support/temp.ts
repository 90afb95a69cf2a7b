// Temporary directories of a test process or the demo: each is removed when it is closed, and
// whatever is left is removed when the process exits, passed or failed. Keys and kubeconfigs
// with tokens live in them, so none may outlive the run.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made = new Set<string>();
process.on('exit', () => made.forEach(removeTempDir));

export function tempDir(purpose: string): string {
  const dir = mkdtempSync(join(tmpdir(), `iamsa-${purpose}-`));
  made.add(dir);
  return dir;
}

export function removeTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  made.delete(dir);
}
