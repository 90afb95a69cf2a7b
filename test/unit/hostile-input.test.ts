// Hostile and broken input, refused before any call: size caps, special files and bytes that are
// not UTF-8 (the one file reader), YAML alias bombs and empty documents, labels and annotations
// as Kubernetes checks them, and every problem of a file at once (capped).
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FileProblemsError, parseBindingsFile } from '../../src/cli/bindings-file/index.js';
import { ValidationError } from '../../src/errors.js';
import { invalidUtf8Offset, readInputFile, readInputSource } from '../../src/input-file.js';
import { execFileSync } from 'node:child_process';
import { Readable } from 'node:stream';
import { validateServiceAccountMetadata } from '../../src/policy/index.js';
import { validateMetadataMaps } from '../support/kube-emulator/validate.js';
import { tempDir } from '../support/temp.js';

const dir = tempDir('hostile');
const HEAD = 'apiVersion: iamsa.io/v1alpha1\nkind: ServiceAccountBindings\ncluster: demo\n';
const RO = 'arn:aws:iam::aws:policy/ReadOnlyAccess';

function problemsOf(text: string): string[] {
  try {
    parseBindingsFile(text, 'b.yaml');
  } catch (error) {
    assert.ok(error instanceof FileProblemsError, String(error));
    return error.detail!.split('\n');
  }
  assert.fail('expected problems');
}

describe('the input file reader', () => {
  it('refuses a file over its cap before reading it, naming the flag and file', () => {
    const file = join(dir, 'big.json');
    writeFileSync(file, 'x'.repeat(2049));
    assert.throws(
      () => readInputFile(file, '--attach-policy', { limit: 2048 }),
      (e: unknown) =>
        e instanceof ValidationError &&
        e.exitCode === 2 &&
        e.message ===
          `cannot read --attach-policy file ${file}: larger than 2 KiB, the most iamsa reads from such a file`,
    );
    writeFileSync(file, 'x'.repeat(2048));
    assert.equal(readInputFile(file, '--attach-policy', { limit: 2048 }).length, 2048);
  });

  it('refuses devices and directories', () => {
    assert.throws(
      () => readInputFile('/dev/zero', '--kubeconfig', { limit: 1024 }),
      /cannot read --kubeconfig file \/dev\/zero: not a regular file$/,
    );
    assert.throws(() => readInputFile(dir, '-f', { limit: 1024 }), /is a directory/);
    assert.throws(() => readInputFile(join(dir, 'none'), '-f', { limit: 1024 }), /no such file/);
  });

  it('refuses a FIFO at once where only a regular file is read', () => {
    const fifo = join(dir, 'policy.fifo');
    execFileSync('mkfifo', [fifo]);
    assert.throws(
      () => readInputFile(fifo, '--attach-policy', { limit: 1024 }),
      /cannot read --attach-policy file .*policy\.fifo: not a regular file$/,
    );
  });

  it('reads stdin with the cap and the UTF-8 check, in any chunks', async () => {
    const stdin = (...chunks: Array<string | Buffer>) => Readable.from(chunks);
    const big = 'x'.repeat(70 * 1024);
    assert.equal(
      await readInputSource('-', '-f', { limit: 1 << 20, stdin: stdin(big, big) }),
      big + big,
    );
    await assert.rejects(
      readInputSource('-', '-f', { limit: 1024, stdin: stdin('x'.repeat(1000), 'x'.repeat(25)) }),
      /^ValidationError: cannot read -f file - \(stdin\): larger than 1 KiB/,
    );
    await assert.rejects(
      readInputSource('-', '-f', { limit: 1024, stdin: stdin(Buffer.from([0x61, 0xe9])) }),
      /cannot read -f file - \(stdin\): not valid UTF-8 \(at byte 1\)/,
    );
  });

  it('refuses bytes that are not UTF-8, with the offset of the first', () => {
    const file = join(dir, 'latin1.json');
    writeFileSync(
      file,
      Buffer.concat([Buffer.from('{"a": "caf'), Buffer.from([0xe9]), Buffer.from('"}')]),
    );
    assert.throws(
      () => readInputFile(file, '--attach-policy', { limit: 1024 }),
      /not valid UTF-8 \(at byte 10\)/,
    );
  });

  it('finds the first invalid UTF-8 byte: stray, truncated, overlong, surrogate, too high', () => {
    const at = (...bytes: number[]) => invalidUtf8Offset(Uint8Array.from(bytes));
    assert.equal(at(0x61, 0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80), -1);
    assert.equal(at(0x61, 0x80), 1);
    assert.equal(at(0x61, 0xe2, 0x82), 1);
    assert.equal(at(0xc0, 0xaf), 0);
    assert.equal(at(0xe0, 0x80, 0xaf), 0);
    assert.equal(at(0xed, 0xa0, 0x80), 0);
    assert.equal(at(0xf4, 0x90, 0x80, 0x80), 0);
  });
});

describe('YAML that is hostile or odd', () => {
  it('an alias bomb is a file problem at the line of its first alias', () => {
    const bomb = [
      'a: &a ["x","x","x","x","x","x","x","x","x"]',
      'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]',
      'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]',
      'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]',
      'bindings: [{name: app, labels: *d}]',
    ].join('\n');
    const [line, ...rest] = problemsOf(HEAD + bomb);
    assert.deepEqual(rest, []);
    assert.match(line!, /^b\.yaml:5: YAML: Excessive alias count/);
  });

  it('skips empty documents, a trailing --- among them', () => {
    const file = parseBindingsFile(
      `${HEAD}bindings:\n  - {name: app, attachPolicyARNs: [${RO}]}\n---\n`,
      'b.yaml',
    );
    assert.equal(file.bindings.length, 1);
  });
});

describe('every problem of a file at once', () => {
  it('an unknown field does not hide the item’s invalid values', () => {
    const got = problemsOf(
      `${HEAD}bindings:\n  - namespace: Bad_NS\n    name: App!\n    colour: blue\n    attachPolicyARNs: [${RO}]\n`,
    );
    assert.equal(got.length, 3, got.join('\n'));
    assert.match(got[0]!, /:5: invalid bindings\[0\]\.namespace/);
    assert.match(got[1]!, /:6: invalid bindings\[0\]\.name/);
    assert.match(got[2]!, /:7: bindings\[0\]\.colour: unknown field/);
  });

  it('reports each template placeholder, not what it breaks', () => {
    const got = problemsOf(
      'apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata:\n  name: <string>\n  region: <string>\niam:\n  serviceAccounts:\n    - metadata: {name: <string>, namespace: default}\n      attachPolicyARNs: [<string>]\n',
    );
    assert.deepEqual(
      got.map((l) =>
        l.replace(/ is the template placeholder <string>; put the real value in its place$/, ''),
      ),
      [
        'b.yaml:4: metadata.name',
        'b.yaml:5: metadata.region',
        'b.yaml:8: iam.serviceAccounts[0].metadata.name',
        'b.yaml:9: iam.serviceAccounts[0].attachPolicyARNs[0]',
      ],
    );
  });

  it('shows the first 50 problems and how many more there are', () => {
    const items = Array.from(
      { length: 60 },
      (_, i) => `  - {name: Bad${i}, attachPolicyARNs: [${RO}]}`,
    );
    const got = problemsOf(`${HEAD}bindings:\n${items.join('\n')}\n`);
    assert.equal(got.length, 51);
    assert.equal(got[50], 'and 10 more');
  });
});

describe('labels and annotations, as Kubernetes checks them', () => {
  const what = { labels: 'bindings[0].labels', annotations: 'bindings[0].annotations' };
  const check = (labels: Record<string, string>, annotations: Record<string, string> = {}) =>
    validateServiceAccountMetadata({ labels, annotations }, what);

  it('accepts what the API server accepts', () => {
    check(
      { 'app.kubernetes.io/name': 'my_app-1.0', team: '', A: 'b' },
      { 'example.com/Note': 'anything: at all\n', x: 'y'.repeat(1000) },
    );
  });

  it('agrees with the Kubernetes emulator on each key (annotation keys are checked lowercased, as apimachinery does)', () => {
    const keys = ['UPPER.io/x', 'IAMSA.io/x', 'a.b/C_d', 'Example.com/a', 'a/b/c', '/a', 'a..b/c'];
    keys.push(`${'a'.repeat(254)}/x`, `x/${'a'.repeat(64)}`, '-a', 'a-', 'ok');
    for (const key of keys) {
      for (const part of ['labels', 'annotations'] as const) {
        const map = { [key]: 'v' };
        const metadata = part === 'labels' ? { labels: map } : { annotations: map };
        const kube = validateMetadataMaps(metadata).length === 0;
        const ours = (() => {
          try {
            validateServiceAccountMetadata({ labels: {}, annotations: {}, ...metadata }, what);
            return true;
          } catch {
            return false;
          }
        })();
        assert.equal(ours, kube, `${part} key ${key}: iamsa ${ours}, API server ${kube}`);
      }
    }
  });

  it('refuses bad keys, bad label values and too much annotation', () => {
    assert.throws(() => check({ 'bad key': 'v' }), /invalid bindings\[0\]\.labels key "bad key"/);
    assert.throws(
      () => check({ 'Example.com/a': 'v' }),
      /its prefix \(before \/\) must be a DNS subdomain/,
    );
    assert.throws(() => check({ '/a': 'v' }), /prefix/);
    assert.throws(() => check({ ['a'.repeat(64)]: 'v' }), /must be 1-63/);
    assert.throws(() => check({ a: 'x'.repeat(64) }), /invalid bindings\[0\]\.labels value/);
    assert.throws(() => check({ a: '-x' }), /labels value "-x"/);
    assert.throws(() => check({}, { 'a/b/c': 'x' }), /annotations key "a\/b\/c"/);
    assert.throws(
      () => check({}, { a: 'x'.repeat(256 * 1024) }),
      /bindings\[0\]\.annotations are 262145 bytes together; Kubernetes accepts at most 262144/,
    );
  });

  it('a bad label in a file is a problem at its line, before any call', () => {
    const got = problemsOf(
      `${HEAD}bindings:\n  - name: app\n    attachPolicyARNs: [${RO}]\n    labels: {"bad key": v}\n    annotations: {"a/b/c": x}\n`,
    );
    assert.equal(got.length, 2, got.join('\n'));
    assert.match(got[0]!, /^b\.yaml:7: invalid bindings\[0\]\.labels key "bad key"/);
    assert.match(got[1]!, /^b\.yaml:8: invalid bindings\[0\]\.annotations key "a\/b\/c"/);
  });
});
