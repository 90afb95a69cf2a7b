// Bundles the CLI into dist/ with code splitting, so each command loads only what it needs.
// The bundle is built in a temporary folder and moved in file by file (chunks first, main.js
// last), so dist/main.js never disappears while a test run or a playground uses it.
import { build } from 'esbuild';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

// iamsa uses client-node's KubeConfig only (contexts, exec plugins, certificates, proxies); its
// config module imports the generated API (models and clients, most of its memory) for
// makeApiClient alone, which iamsa never calls. That import is replaced with a stub that says so.
const kubeconfigOnly = {
  name: 'kubeconfig-only',
  setup(b) {
    b.onResolve({ filter: /^\.\/gen\/index\.js$/ }, (args) =>
      /@kubernetes[\\/]client-node[\\/]dist[\\/]config\.js$/.test(args.importer)
        ? { path: 'client-node-gen', namespace: 'kubeconfig-only' }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'kubeconfig-only' }, () => ({
      contents:
        "const unused = () => { throw new Error('internal: the generated Kubernetes API is not bundled'); };\n" +
        'export const createConfiguration = unused;\nexport class ServerConfiguration { constructor() { unused(); } }\n',
      loader: 'js',
    }));
  },
};

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');
const staging = join(root, `.dist-${process.pid}`);
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

/** Every file under dir, as paths relative to it. */
const filesUnder = (dir) =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)));

try {
  await build({
    entryPoints: [join(root, 'src/cli/main.ts')],
    outdir: staging,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    minify: true,
    // --verbose names the error class (ValidationError), not a minified one.
    keepNames: true,
    // Linked maps for --verbose stack traces that name src/ files; bin/iamsa.js enables them only
    // then. The sources themselves are not needed for a trace, so the maps stay small.
    sourcemap: 'linked',
    sourcesContent: false,
    legalComments: 'linked',
    chunkNames: 'chunks/[name]-[hash]',
    define: { IAMSA_VERSION: JSON.stringify(version) },
    // Some bundled CommonJS dependencies call require() for Node built-ins.
    banner: {
      js: "import { createRequire as __iamsaCreateRequire } from 'node:module'; const require = __iamsaCreateRequire(import.meta.url);",
    },
    logLevel: 'warning',
    plugins: [kubeconfigOnly],
  });
  const built = filesUnder(staging).sort((a, b) => {
    // Entry points last: what they import is in place before they are.
    const entry = (file) => (file.startsWith('chunks/') ? 0 : 1);
    return entry(a) - entry(b);
  });
  for (const file of built) {
    mkdirSync(dirname(join(dist, file)), { recursive: true });
    // rename() replaces a file atomically: a reader sees the old file or the new one.
    renameSync(join(staging, file), join(dist, file));
  }
  const keep = new Set(built);
  for (const file of filesUnder(dist)) if (!keep.has(file)) rmSync(join(dist, file));
} finally {
  rmSync(staging, { recursive: true, force: true });
}
