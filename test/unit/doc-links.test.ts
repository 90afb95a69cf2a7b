// The README and docs travel in the package: every relative link and anchor in them must lead to a
// file the package ships (package.json `files`, plus what npm always adds) and to a heading there.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

function filesUnder(path: string): string[] {
  if (!existsSync(join(ROOT, path))) return [];
  if (!statSync(join(ROOT, path)).isDirectory()) return [path];
  return readdirSync(join(ROOT, path)).flatMap((name) => filesUnder(join(path, name)));
}

const pkg = JSON.parse(read('package.json')) as { files: string[] };
/** What `npm pack` puts in the tarball (dist/ is built; no doc links into it). */
const shipped = new Set([
  'package.json',
  'README.md',
  'LICENSE',
  ...pkg.files.flatMap((entry) => filesUnder(normalize(entry))),
]);
const docs = [
  'README.md',
  ...[...shipped].filter((f) => f.startsWith('docs/') && f.endsWith('.md')),
];

/** Markdown without fenced code blocks and inline code spans: links there are not links. */
const prose = (text: string) =>
  text.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '').replace(/`[^`\n]*`/g, '');

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to dashes, repeats numbered. */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  const withoutFences = markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '');
  for (const [, heading = ''] of withoutFences.matchAll(/^#{1,6}\s+(.*?)\s*#*$/gm)) {
    const base = heading
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    result.add(n ? `${base}-${n}` : base);
  }
  return result;
}

function brokenLinks(file: string, text = read(file)): string[] {
  const broken: string[] = [];
  for (const [, target = ''] of prose(text).matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:
    const [path = '', anchor] = target.split('#');
    if (!path) {
      if (!anchors(text).has(anchor ?? '')) broken.push(`${file}: ${target} (no such heading)`);
      continue;
    }
    const to = normalize(join(dirname(file), decodeURIComponent(path))).replace(/\/$/, '');
    const isDir = [...shipped].some((f) => f.startsWith(`${to}/`));
    if (!shipped.has(to) && !isDir) {
      broken.push(`${file}: ${target} (${to} is not in the package)`);
    } else if (anchor !== undefined && !(to.endsWith('.md') && anchors(read(to)).has(anchor))) {
      broken.push(`${file}: ${target} (no heading #${anchor} in ${to})`);
    }
  }
  return broken;
}

test('every relative link and anchor in README.md and docs/ resolves within the package', () => {
  assert.ok(docs.length > 20, docs.join(' '));
  assert.deepEqual(
    docs.flatMap((f) => brokenLinks(f)),
    [],
  );
});

test('the link check finds a missing file, a file outside the package and a missing heading', () => {
  const text = [
    '[ok](ci.md#github-actions) [ok](#b) [ok](commands/) [web](https://example.com/x)',
    '[gone](nowhere.md) [not shipped](../.ci/run) [no heading](ci.md#nope) [here](#nope)',
    '`[code](../src/x.ts)`',
    '```',
    '[fenced](../src/x.ts)',
    '```',
    '## B',
  ].join('\n');
  assert.deepEqual(brokenLinks('docs/x.md', text), [
    'docs/x.md: nowhere.md (docs/nowhere.md is not in the package)',
    'docs/x.md: ../.ci/run (.ci/run is not in the package)',
    'docs/x.md: ci.md#nope (no heading #nope in docs/ci.md)',
    'docs/x.md: #nope (no such heading)',
  ]);
  assert.deepEqual(
    anchors('# A `b` c\n## --fail-on and exit codes\n# A b c\n```\n# no\n```\n'),
    new Set(['a-b-c', '--fail-on-and-exit-codes', 'a-b-c-1']),
  );
});
