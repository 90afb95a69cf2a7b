// Bundles the CLI into dist/ with code splitting, so each command loads only what it needs.
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
await build({
  entryPoints: ['src/cli/main.ts'],
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  minify: true,
  // Error classes keep their names (--verbose prints error.name).
  keepNames: true,
  legalComments: 'linked',
  chunkNames: 'chunks/[name]-[hash]',
  define: { IAMSA_VERSION: JSON.stringify(version) },
  // Some bundled CommonJS dependencies call require() for Node built-ins.
  banner: {
    js: "import { createRequire as __iamsaCreateRequire } from 'node:module'; const require = __iamsaCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
