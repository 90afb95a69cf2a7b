// docs/permissions.md is generated from docs/permissions.json: the two never drift apart.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { format, resolveConfig } from 'prettier';
import { readPermissions, renderPermissionsDoc } from '../../scripts/permissions-doc.js';

test('docs/permissions.md is what npm run docs:permissions makes of docs/permissions.json', async () => {
  const path = fileURLToPath(new URL('../../docs/permissions.md', import.meta.url));
  const expected = await format(renderPermissionsDoc(readPermissions()), {
    ...(await resolveConfig(path)),
    filepath: path,
  });
  assert.equal(readFileSync(path, 'utf8'), expected, 'run npm run docs:permissions');
});

test('every documented action is iam: or eks:, and the full policy passes pods roles only', () => {
  const data = readPermissions();
  for (const modes of Object.values(data.commands))
    for (const a of Object.values(modes).flat()) assert.match(a, /^(iam|eks):[A-Z]\w+$/);
  const doc = renderPermissionsDoc(data);
  assert.match(doc, /"iam:PassedToService": "pods.eks.amazonaws.com"/);
});

test('every command that calls AWS has its actions in docs/permissions.json', () => {
  const dir = fileURLToPath(new URL('../../src/cli/commands/', import.meta.url));
  // completion prints a script: no AWS call.
  const local = new Set(['completion']);
  const commands = readdirSync(dir)
    .map((f) => f.replace(/\.ts$/, ''))
    .filter((c) => !local.has(c));
  const documented = Object.keys(readPermissions().commands);
  assert.deepEqual(
    commands.filter((c) => !documented.includes(c)),
    [],
  );
});
