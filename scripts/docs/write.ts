// `npm run docs`: rewrites the generated parts of docs/commands/ from the command definitions, and
// the registry tables of docs/doctor.md and docs/apply.md from their registries.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { commandPages } from './command-pages.js';
import { registryPages } from './registry-tables.js';
import { formatted } from './format.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
for (const page of [...commandPages(root), ...registryPages(root)]) {
  const file = join(root, page.path);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, await formatted(page.content, file));
  console.log(`wrote ${page.path}`);
}
