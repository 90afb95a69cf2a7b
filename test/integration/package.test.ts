// The package as a user installs it: `npm pack`, then `npm install -g` of the tarball into an
// empty prefix, offline. The bundle in dist/ carries every runtime dependency, so the install is
// one package (its packed and installed sizes are the README's figures, held below) and the
// installed binary works with no node_modules anywhere above it.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { type Ground, type Run, startGround } from '../support/ground.js';
import { tempDir } from '../support/temp.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const work = tempDir('package');
const prefix = join(work, 'prefix');
const installed = join(prefix, 'lib', 'node_modules');
let g: Ground;
let tarball = '';

function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Run> {
  return new Promise((resolve) => {
    execFile(command, args, { env, cwd: work, timeout: 120_000 }, (error, stdout, stderr) => {
      const code = error ? ((error as { code?: number }).code ?? null) : 0;
      resolve({ code: typeof code === 'number' ? code : null, stdout, stderr });
    });
  });
}
const npm = (...args: string[]) => run('npm', [...args, '--cache', join(work, 'npm-cache')]);
const iamsa = (args: string[], env: NodeJS.ProcessEnv) =>
  run(join(prefix, 'bin', 'iamsa'), args, env);

function sizeOf(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.size;
  return readdirSync(path).reduce((sum, entry) => sum + sizeOf(join(path, entry)), 0);
}

before(async () => {
  // npm test has built dist/ already; prepack would rebuild it under the other test files' feet.
  const packed = await npm('pack', ROOT, '--ignore-scripts', '--pack-destination', work);
  assert.equal(packed.code, 0, packed.stderr);
  tarball = join(work, packed.stdout.trim().split('\n').at(-1) ?? '');
  const install = await npm(
    'install',
    '--global',
    '--prefix',
    prefix,
    '--offline',
    '--no-audit',
    '--no-fund',
    tarball,
  );
  assert.equal(install.code, 0, install.stderr);
  g = await startGround('pkg');
});
after(() => g?.close());

test('the tarball installs as one package with no dependencies', () => {
  assert.deepEqual(readdirSync(installed), ['iamsa']);
  assert.deepEqual(readdirSync(join(installed, 'iamsa')).sort(), [
    'LICENSE',
    'README.md',
    'bin',
    'dist',
    // The docs the README links to, so its links work after npm install -g.
    'docs',
    'package.json',
    // The bindings file schema, for editors: # yaml-language-server: $schema=node_modules/iamsa/schema/...
    'schema',
  ]);
  const manifest = JSON.parse(readFileSync(join(installed, 'iamsa', 'package.json'), 'utf8'));
  assert.equal(manifest.dependencies, undefined);
  // A bundle that dragged node_modules along would be ten times this.
  assert.ok(sizeOf(installed) < 20_000_000, `${sizeOf(installed)} bytes installed`);
});

test('the installed iamsa prints its version and help', async () => {
  const shown = await iamsa(['--version'], process.env);
  assert.equal(shown.code, 0, shown.stderr);
  assert.equal(shown.stdout.trim(), version);
  const help = await iamsa(['--help'], process.env);
  assert.equal(help.code, 0, help.stderr);
  assert.match(help.stdout, /enable-oidc/);
  assert.match(help.stdout, /create-serviceaccount/);
});

test('the installed iamsa names its schema where the install has it', async () => {
  const bad = join(work, 'bad.yaml');
  writeFileSync(bad, 'apiVersion: iamsa.io/v1alpha1\nkind: ServiceAccountBindings\nbindings: 3\n');
  const r = await iamsa(['apply', '-f', bad], process.env);
  assert.equal(r.code, 2, r.stderr);
  const schema = join(installed, 'iamsa', 'schema', 'iamsa-bindings.schema.json');
  assert.ok(r.stderr.includes(`the schema: ${schema})`), r.stderr);
  assert.ok(existsSync(schema));
});

test('the installed iamsa binds a service account against moto and the emulator', async () => {
  const enabled = await iamsa(['enable-oidc', '--cluster', 'pkg', '--approve'], g.env);
  assert.equal(enabled.code, 0, enabled.stderr);
  const bound = await iamsa(
    [
      'create-serviceaccount',
      '--cluster',
      'pkg',
      '--namespace',
      'default',
      '--name',
      'installed',
      '--attach-policy-arn',
      'arn:aws:iam::aws:policy/ReadOnlyAccess',
      ...g.kubeFlags,
      '--approve',
      '-o',
      'json',
    ],
    g.env,
  );
  assert.equal(bound.code, 0, bound.stderr);
  const { roleArn } = JSON.parse(bound.stdout);
  assert.match(roleArn, /:role\/iamsa-pkg-default-installed$/);
  const sa = g.kube.getObject('serviceaccounts', 'default', 'installed');
  assert.equal(sa.metadata.annotations['eks.amazonaws.com/role-arn'], roleArn);
});

test("the README's size figures are the tarball's and the install's (within 10 %)", () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const stated = /about ([\d.]+) MB packed, ([\d.]+) MB installed/.exec(readme);
  assert.ok(stated, 'the README states no packed and installed sizes');
  const close = (what: string, bytes: number, figure: string) => {
    const mb = bytes / 1e6;
    assert.ok(
      Math.abs(mb - Number(figure)) <= Number(figure) * 0.1,
      `README says ${figure} MB ${what}, it is ${mb.toFixed(1)} MB: update the README`,
    );
  };
  close('packed', statSync(tarball).size, stated[1] ?? '');
  close('installed', sizeOf(join(installed, 'iamsa')), stated[2] ?? '');
});
