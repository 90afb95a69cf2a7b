// The command reference cannot drift from the commands: each committed page under docs/commands/
// is what `npm run docs` makes from the commander definitions, and the one exit-code table lists
// exactly the codes src/errors.ts has.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { commandPages, DOCS_DIR } from '../../scripts/docs/command-pages.js';
import { formatted } from '../../scripts/docs/format.js';
import { ExitCode } from '../../src/errors.js';
import { createFactory } from '../../src/cli/factory.js';
import { buildProgram } from '../../src/cli/program.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

test('every page under docs/commands/ is what npm run docs makes', async () => {
  const pages = commandPages(ROOT);
  for (const page of pages) {
    const file = join(ROOT, page.path);
    assert.ok(existsSync(file), `${page.path} is missing: run npm run docs`);
    const expected = await formatted(page.content, file);
    assert.equal(readFileSync(file, 'utf8'), expected, `${page.path} is stale: run npm run docs`);
  }
  // No page for a command that is gone.
  const made = new Set(pages.map((p) => p.path));
  for (const name of readdirSync(join(ROOT, DOCS_DIR))) {
    assert.ok(made.has(join(DOCS_DIR, name)), `${DOCS_DIR}/${name} documents no command`);
  }
});

test('docs/exit-codes.md has one row per exit code, and the README no table of its own', () => {
  const table = readFileSync(join(ROOT, 'docs/exit-codes.md'), 'utf8');
  const codes = [...table.matchAll(/^\| (\d+) +\|/gm)].map((m) => Number(m[1]));
  assert.deepEqual(codes, Object.values(ExitCode));
  for (const file of [
    'README.md',
    ...readdirSync(join(ROOT, 'docs'))
      .filter((f) => f.endsWith('.md'))
      .map((f) => `docs/${f}`),
  ]) {
    if (file === 'docs/exit-codes.md') continue;
    // An exit-code table: a Code column whose first row is a number (apply.md's warning codes are
    // IRSA-W…, not exit codes).
    assert.doesNotMatch(
      readFileSync(join(ROOT, file), 'utf8'),
      /^\| Code +\|.*\n\|[-| ]+\|\n\| \d+ +\|/m,
      `${file} has its own exit-code table`,
    );
  }
});

test("docs/concepts.md's Kubernetes connection names every command that takes --kube-server", () => {
  const program = buildProgram('0.0.0', createFactory([]));
  const kube = program.commands
    .filter((c) => c.options.some((o) => o.long === '--kube-server'))
    .map((c) => c.name());
  const concepts = readFileSync(join(ROOT, 'docs/concepts.md'), 'utf8');
  const section = /## Kubernetes connection\n\n([\s\S]*?) talk to the cluster's API/.exec(concepts);
  assert.ok(section, 'docs/concepts.md has no Kubernetes connection section');
  const named = [...section[1]!.matchAll(/`([a-z][a-z0-9-]+)`/g)].map((m) => m[1]);
  assert.deepEqual(named.toSorted(), kube.toSorted());
});

test('no command page has a table without rows', () => {
  for (const page of commandPages(ROOT)) {
    assert.doesNotMatch(
      page.content,
      /^\|.*\|\n\|[-| ]+\|\n(?!\|)/m,
      `${page.path}: an empty table`,
    );
  }
});
