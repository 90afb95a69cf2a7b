// Bundles the CLI into dist/ with code splitting, so each command loads only what it needs.
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';

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
