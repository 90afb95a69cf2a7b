// The registries of coded output: every doctor check doctor emits is in CHECK_KINDS with the title
// it prints and a section of docs/doctor.md; every warning code has its section in docs/apply.md.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { WARNING_KINDS } from '../../src/actions/engine/warning-kinds.js';
import { CHECK_KINDS } from '../../src/actions/report/check-kinds.js';

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

  it('every check doctor runs is registered with the title it prints', async () => {
    const source = ['doctor-irsa.ts', 'doctor-pod-identity.ts']
      .map((f) => readFileSync(`src/actions/report/${f}`, 'utf8'))
      .join('\n');
    const ids = new Set([...source.matchAll(/check\(\s*'([A-Z]+\d+)'/g)].map((m) => m[1]!));
    assert.ok(ids.size >= 18, [...ids].join(', '));
    for (const id of ids) assert.ok(id in CHECK_KINDS, `${id} is not in CHECK_KINDS`);
    for (const [id, kind] of Object.entries(CHECK_KINDS)) {
      assert.ok(
        source.includes(`'${kind.title}'`),
        `${id}: no check of doctor is titled "${kind.title}"`,
      );
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
