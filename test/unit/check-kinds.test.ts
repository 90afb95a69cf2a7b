// The registries of coded output: every doctor check doctor emits is in CHECK_KINDS with the title
// it prints and a section of docs/doctor.md; every warning code has its section in docs/apply.md.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import {
  codeOf,
  coded,
  WARNING_KINDS,
  warningDetails,
} from '../../src/actions/engine/warning-kinds.js';
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
          .replace(/[^a-z0-9 _-]/g, '')
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

  it('every warning code points at a page of the docs, and a section of it when it names one', () => {
    for (const [code, kind] of Object.entries(WARNING_KINDS)) {
      const [file, anchor] = kind.anchor.split('#');
      assert.ok(existsSync(join(ROOT, file!)), `${code}: ${file} does not exist`);
      if (anchor) assert.ok(slugs(file!).has(anchor), `${code}: ${file} has no section #${anchor}`);
    }
  });

  it("every warning code's link in docs/apply.md lands on a section of docs/warnings.md that explains it", () => {
    const page = readFileSync(join(ROOT, 'docs/warnings.md'), 'utf8');
    const apply = readFileSync(join(ROOT, 'docs/apply.md'), 'utf8');
    const sections = slugs(join(ROOT, 'docs/warnings.md'));
    for (const code of Object.keys(WARNING_KINDS)) {
      const link = new RegExp(`^\\| \`${code}\` .*\\(warnings\\.md#([\\w-]+)\\) *\\|$`, 'm').exec(
        apply,
      );
      assert.ok(link, `${code}: docs/apply.md does not link it to docs/warnings.md`);
      assert.ok(sections.has(link[1]!), `${code}: docs/warnings.md has no section #${link[1]}`);
      const section = page.split(`\n## ${code}\n`)[1]?.split('\n## ')[0] ?? '';
      assert.match(
        section,
        /Emitted by: .+\n\nWhat to do: .+/,
        `${code}: no help in docs/warnings.md`,
      );
    }
  });

  it('every warning an action emits carries a registered code (the Warning type holds it)', () => {
    // coded() is the only way to a Warning; each call names a code the registry has (tsc checks),
    // and every registered code is emitted somewhere.
    const sources = execFileSync('git', ['ls-files', 'src/actions'], {
      cwd: ROOT,
      encoding: 'utf8',
    })
      .split('\n')
      .filter((f) => f.endsWith('.ts') && !f.endsWith('engine/warning-kinds.ts'))
      .map((f) => readFileSync(join(ROOT, f), 'utf8'))
      .join('\n');
    for (const code of Object.keys(WARNING_KINDS)) {
      const used = sources.includes(`'${code}'`) || code.startsWith('UNCHECKED_');
      assert.ok(used, `${code} is registered but no action emits it`);
    }
    // Nothing but coded() makes a Warning of a string.
    assert.doesNotMatch(sources, /as Warning\b/);
    const w = coded('IRSA-W002', 'role r also has policies');
    assert.equal(codeOf(w), 'IRSA-W002');
    assert.equal(
      codeOf(coded('UNCHECKED_ACCESS_DENIED', 'eks:X access denied')),
      'UNCHECKED_ACCESS_DENIED',
    );
    assert.deepEqual(warningDetails([w, w]), [{ code: 'IRSA-W002', message: w }]);
  });
});
