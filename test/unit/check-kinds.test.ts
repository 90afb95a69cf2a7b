// The registries of coded output: every doctor check doctor emits is in CHECK_KINDS with the title
// it prints and a section of docs/doctor.md; every warning code has its section in docs/apply.md.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { WARNING_KINDS } from '../../src/actions/engine/warning-kinds.js';
import { CHECK_KINDS } from '../../src/actions/report/check-kinds.js';
import { formatted } from '../../scripts/docs/format.js';
import { registryPages } from '../../scripts/docs/registry-tables.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const slugs = (file: string) =>
  new Set(
    readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => /^#{2,4} /.test(l))
      .map((l) =>
        l
          .replace(/^#+ /, '')
          .toLowerCase()
          .replace(/[`']/g, '')
          .replace(/[^a-z0-9 -]/g, '')
          .trim()
          .replace(/ /g, '-'),
      ),
  );

describe('coded output registries', () => {
  it('every doctor check kind points at a section of docs/doctor.md', () => {
    const sections = slugs('docs/doctor.md');
    for (const [id, kind] of Object.entries(CHECK_KINDS)) {
      const anchor = kind.anchor.split('#')[1]!;
      assert.ok(sections.has(anchor), `${id}: docs/doctor.md has no section #${anchor}`);
    }
  });

  it('every registered check is one doctor runs (titles and severities come from the registry)', () => {
    const source = ['doctor-irsa.ts', 'doctor-pod-identity.ts', 'doctor-kube2iam.ts']
      .map((f) => readFileSync(`src/actions/report/${f}`, 'utf8'))
      .join('\n');
    const ids = new Set([...source.matchAll(/check\(\s*'([A-Z0-9]+)'/g)].map((m) => m[1]!));
    assert.ok(ids.size >= 19, [...ids].join(', '));
    assert.deepEqual([...ids].sort(), Object.keys(CHECK_KINDS).sort());
    // No title written beside the registry's.
    assert.doesNotMatch(source, /const title = /);
  });

  it('the tables of docs/doctor.md and docs/apply.md are what npm run docs makes', async () => {
    for (const page of registryPages(ROOT)) {
      const file = join(ROOT, page.path);
      const expected = await formatted(page.content, file);
      assert.equal(readFileSync(file, 'utf8'), expected, `${page.path} is stale: run npm run docs`);
    }
  });

  it('every warning code points at a section of docs/apply.md', () => {
    const sections = slugs('docs/apply.md');
    for (const [code, kind] of Object.entries(WARNING_KINDS)) {
      const anchor = kind.anchor.split('#')[1]!;
      assert.ok(sections.has(anchor), `${code}: docs/apply.md has no section #${anchor}`);
    }
  });
});
