// Nothing iamsa or its tests create outlives them: every temporary directory of the tests and
// scripts comes from test/support/temp.ts, which removes it when closed or when the process exits
// (passed or failed), and iamsa itself writes no temporary files.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const sources = (dir: string) =>
  readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.(ts|mjs|js)$/.test(e.name))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)));

test('tests and scripts make temporary directories only through test/support/temp.ts', () => {
  const offenders = [...sources('test'), ...sources('scripts')].filter(
    (file) =>
      file !== join('test', 'support', 'temp.ts') &&
      /\bmkdtemp(Sync)?\(|\btmpdir\(\)/.test(readFileSync(join(ROOT, file), 'utf8')),
  );
  assert.deepEqual(offenders, []);
});

test('iamsa itself makes no temporary files', () => {
  const offenders = sources('src').filter((file) =>
    /\bmkdtemp(Sync)?\(|\btmpdir\(\)/.test(readFileSync(join(ROOT, file), 'utf8')),
  );
  assert.deepEqual(offenders, []);
});
