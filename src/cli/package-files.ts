// Files the package ships (schema/, docs/), named where this copy of iamsa has them: a hint saying
// `schema/x.json` means nothing to someone who installed iamsa with `npm install -g`.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The absolute path of a shipped file, found upwards from this module (src/cli in a checkout, the
 * bundle in dist/ of an install); the relative path as given when there is none.
 */
export function packageFile(relativePath: string): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const candidate = join(dir, relativePath);
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return relativePath;
  }
}
