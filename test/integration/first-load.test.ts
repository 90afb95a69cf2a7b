// What `iamsa --help`, `--version` and a usage error load before they print: dist/main.js and the
// chunks it imports statically (everything else is behind an import() that only an action runs).
// Held on the built bundle's import graph and its source maps, not on a time: the policy layer,
// the plan model, the SDKs, node:crypto and the rest stay out of the first load (issue 20).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

const DIST = fileURLToPath(new URL('../../dist/', import.meta.url));

/** The files static imports reach from dist/main.js, and the specifiers of everything they import. */
function firstLoad(): { files: string[]; builtins: Set<string> } {
  const files: string[] = [];
  const builtins = new Set<string>();
  const visit = (file: string) => {
    if (files.includes(file)) return;
    files.push(file);
    // Minified ESM: `import{a as b}from"./chunks/x.js";`, `import"./x.js";` (import() is not matched).
    for (const [, spec] of readFileSync(file, 'utf8').matchAll(
      /\bimport\s*(?:[\w$]+\s*,?\s*)?(?:\{[^}]*\}\s*|\*\s*as\s+[\w$]+\s*)?(?:from\s*)?["']([^"']+)["']/g,
    )) {
      if (spec!.startsWith('.')) visit(join(dirname(file), spec!));
      else builtins.add(spec!);
    }
  };
  visit(join(DIST, 'main.js'));
  return { files, builtins };
}

/** The source files bundled into `file` (from its linked source map), relative to the repo. */
function sourcesOf(file: string): string[] {
  const map = JSON.parse(readFileSync(`${file}.map`, 'utf8')) as { sources: string[] };
  return map.sources.map((s) => {
    const dep = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(s);
    return dep ? `node_modules/${dep[1]}` : s.replace(/^(\.\.\/)+/, '');
  });
}

// What the first load may hold outside src/cli and src/ui: small, needed to define the commands,
// print help or render a usage error.
const ALLOWED = [
  /^node_modules\/(commander|chalk)$/,
  /^src\/(errors|secrets|suggest|version|input-file)\.ts$/,
  /^src\/policy\/(names|shell-quote|validate)\.ts$/,
  /^src\/actions\/binding\/spec\.ts$/,
  /^src\/actions\/engine\/interruption\.ts$/,
  /^src\/actions\/report\/(finding-kinds|shell-commands)\.ts$/,
  /^src\/kube\/(ca-file|kubeconfig-file)\.ts$/,
];

test('the first load (help, --version, usage errors) holds only the CLI wiring, commander and chalk', () => {
  const { files, builtins } = firstLoad();
  const sources = [...new Set(files.flatMap(sourcesOf))];
  const unexpected = sources.filter(
    (s) => !/^src\/(cli|ui)\//.test(s) && !ALLOWED.some((re) => re.test(s)),
  );
  assert.deepEqual(unexpected, [], `statically loaded by dist/main.js: ${unexpected.join(', ')}`);
  // Said outright, as these are what a narrower import keeps out.
  for (const heavy of [
    'src/policy/index.ts',
    'src/policy/well-known/catalogue.ts',
    'src/cli/interactive.ts',
  ]) {
    assert.ok(!sources.includes(heavy), `${heavy} is in the first load`);
  }
  // node:crypto alone costs bare Node about 14 % more instructions at start-up.
  const allowedBuiltins = [
    'node:fs',
    'node:module',
    'node:net',
    'node:os',
    'node:path',
    'node:process',
    'node:tty',
  ];
  assert.deepEqual(
    [...builtins].filter((b) => !allowedBuiltins.includes(b)),
    [],
    `built-ins imported statically: ${[...builtins].join(', ')}`,
  );
});
