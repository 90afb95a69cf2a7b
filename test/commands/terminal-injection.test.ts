// Terminal escape injection (in-process, test/support/harness.ts): values from outside iamsa (a
// bindings file's annotations, a service account read from the cluster, an endpoint's error) are
// printed with their control characters as visible escapes, so they can neither drive the terminal
// (clear it, set its title) nor forge an output line. Colour is off (no TTY): any ESC is injected.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ACCOUNT } from '../support/fakes.js';
import { createHarness } from '../support/harness.js';
import { removeTempDir, tempDir } from '../support/temp.js';

const ANNOTATION = 'eks.amazonaws.com/role-arn';
const RO = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
const HOSTILE = '\u001b[2J\u001b]0;pwn\u0007\nFAKE ok line';
const dir = tempDir('terminal-injection');
after(() => removeTempDir(dir));

/** No control character but the newlines between lines, and no line that starts with `forged`. */
function assertInert(text: string, forged: RegExp) {
  // eslint-disable-next-line no-control-regex
  const control = text.match(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
  assert.equal(control, null, `raw control character in:\n${JSON.stringify(text)}`);
  for (const line of text.split('\n')) assert.doesNotMatch(line, forged, JSON.stringify(text));
}

describe('outside values are printed inert', () => {
  test('get-serviceaccounts: a role-arn annotation with ESC, OSC, BEL and a newline forges no row', async () => {
    const h = createHarness({ clusters: ['demo'] });
    await h.kube('demo').createServiceAccount('default', 'evil', {
      annotations: { [ANNOTATION]: `arn:aws:iam::${ACCOUNT}:role/x${HOSTILE}` },
    });
    const r = await h.run(['get-serviceaccounts', '--cluster', 'demo']);
    assert.equal(r.code, 0, r.stderr);
    assertInert(r.stdout + r.stderr, /^\s*FAKE/);
    assert.match(r.stdout, /role\/x\\u001b\[2J\\u001b\]0;pwn\\u0007\\nFAKE ok line/);
    // One header and one row: the newline did not add a row.
    const table = r.stdout.split('\n\n')[0] ?? '';
    assert.equal(table.split('\n').filter((l) => l.trim()).length, 2, r.stdout);
  });

  test('apply -f: an annotation value with ESC and a newline shows in the plan as escapes', async () => {
    const h = createHarness({ clusters: ['demo'] });
    const en = await h.run(['enable-oidc', '--cluster', 'demo', '--approve']);
    assert.equal(en.code, 0, en.stderr);
    const path = join(dir, 'hostile.yaml');
    writeFileSync(
      path,
      `apiVersion: iamsa.io/v1alpha1\nkind: ServiceAccountBindings\ncluster: demo\nbindings:\n` +
        `  - name: app\n    attachPolicyARNs: [${RO}]\n` +
        `    annotations: {owner: ${JSON.stringify('a\u001b[31mRED\u001b]0;pwn\u0007\nFAKE: line')}}\n`,
    );
    const r = await h.run(['apply', '-f', path]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assertInert(r.stdout + r.stderr, /^\s*FAKE/);
    assert.match(r.stdout, /a\\u001b\[31mRED\\u001b\]0;pwn\\u0007\\nFAKE: line/, r.stdout);
  });

  test("an endpoint's error message with ESC prints as escapes, on the error line", async () => {
    const h = createHarness({ clusters: ['demo'] });
    const en = await h.run(['enable-oidc', '--cluster', 'demo', '--approve']);
    assert.equal(en.code, 0, en.stderr);
    h.iam.createRole = async () => {
      throw Object.assign(new Error(`AccessDenied: no\u001b]0;pwn\u0007\u001b[2J`), {
        name: 'AccessDenied',
      });
    };
    const one = await h.run([
      'create-serviceaccount',
      '--cluster',
      'demo',
      '--name',
      'app',
      '--attach-policy-arn',
      RO,
      '--approve',
    ]);
    assert.notEqual(one.code, 0);
    assertInert(one.stdout + one.stderr, /^\s*FAKE/);
    assert.match(one.stderr, /^error: .*no\\u001b\]0;pwn\\u0007\\u001b\[2J/m, one.stderr);
  });

  test('colour stays on where it belongs: only chalk’s ESC sequences remain', async () => {
    const h = createHarness({ clusters: ['demo'] });
    await h.kube('demo').createServiceAccount('default', 'evil', {
      annotations: { [ANNOTATION]: `arn:aws:iam::${ACCOUNT}:role/x${HOSTILE}` },
    });
    const r = await h.run(['get-serviceaccounts', '--cluster', 'demo'], {
      tty: true,
      env: { FORCE_COLOR: '1' },
    });
    assert.equal(r.code, 0, r.stderr);
    // eslint-disable-next-line no-control-regex
    const sgr = /\u001b\[\d+(;\d+)*m/g;
    assert.ok(sgr.test(r.stdout), `colour expected: ${JSON.stringify(r.stdout)}`);
    assertInert(r.stdout.replace(sgr, ''), /^\s*FAKE/);
  });
});
