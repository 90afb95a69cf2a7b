// The docs show warnings as iamsa prints them: `warning: IRSA-Wnnn message`, with a code that
// exists (issue 19: a worked example had lost its codes).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { WARNING_KINDS } from '../../src/actions/engine/warning-kinds.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const docs = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.md'))
    .map((f) => join('docs', f)),
];

test('every warning a doc shows carries the code iamsa prints with it', () => {
  const wrong = docs.flatMap((doc) =>
    readFileSync(join(ROOT, doc), 'utf8')
      .split('\n')
      .map((line, i) => ({ line, at: `${doc}:${i + 1}` }))
      .filter(({ line }) => /^\s*warning: /.test(line))
      .filter(({ line }) => {
        const code = /^\s*warning: (IRSA-W\d{3}) /.exec(line)?.[1];
        return !code || !(code in WARNING_KINDS);
      })
      .map(({ line, at }) => `${at}: ${line.slice(0, 80)}`),
  );
  assert.deepEqual(wrong, []);
});
