// kube2iam's and kiam's namespace restrictions as the daemons apply them: name resolution with the
// base ARN, go-glob (only `*`, crossing `/`), unanchored Go regexps, kiam's strict mode and
// always-on rule, kube2iam's default role bypassing the restriction.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  daemonDecision,
  type DaemonConfig,
  goGlob,
  kube2iamAllowedRoles,
  resolveDaemonRole,
} from '../../src/policy/index.js';

const BASE = 'arn:aws:iam::111122223333:role/';
const kube2iam = (o: Partial<DaemonConfig> = {}): DaemonConfig => ({
  flavour: 'kube2iam',
  baseRoleArn: BASE,
  namespaceRestrictions: true,
  restrictionFormat: 'glob',
  strictRegexp: false,
  ...o,
});
const kiam = (o: Partial<DaemonConfig> = {}): DaemonConfig => kube2iam({ flavour: 'kiam', ...o });
const allowed = (c: DaemonConfig, role: string | undefined, ns: Record<string, string>) =>
  daemonDecision(c, role, ns).allowed;
const allowedRoles = (...p: string[]) => ({ 'iam.amazonaws.com/allowed-roles': JSON.stringify(p) });

describe('daemon restrictions', () => {
  it('resolves names with the base ARN and keeps ARNs (any case of arn:)', () => {
    assert.equal(resolveDaemonRole('app', BASE), `${BASE}app`);
    assert.equal(resolveDaemonRole('ARN:aws:iam::1:role/x', BASE), 'ARN:aws:iam::1:role/x');
  });

  it('go-glob: only * is special, it crosses /, and the rest is literal and anchored', () => {
    assert.ok(goGlob(`${BASE}*`, `${BASE}path/app`));
    assert.ok(goGlob('*', 'anything'));
    assert.ok(goGlob('a*c*e', 'abcde'));
    assert.ok(!goGlob('a*c*e', 'abcdef'));
    assert.ok(!goGlob('a?c', 'abc'), '? is literal');
    assert.ok(goGlob('a?c', 'a?c'));
    assert.ok(!goGlob('b*', 'ab'), 'anchored at the start');
    assert.ok(goGlob('*b', 'ab'));
    assert.ok(!goGlob('', 'x'));
    assert.ok(goGlob('', ''));
  });

  it('kube2iam glob: names and patterns normalized with the base ARN', () => {
    const c = kube2iam();
    assert.ok(allowed(c, 'app-reader', allowedRoles('app-*')));
    assert.ok(allowed(c, `${BASE}app-reader`, allowedRoles('app-*')));
    assert.ok(!allowed(c, 'db-admin', allowedRoles('app-*')));
    assert.ok(!allowed(c, 'arn:aws:iam::999999999999:role/app-x', allowedRoles('app-*')));
    assert.ok(
      allowed(
        c,
        'arn:aws:iam::999999999999:role/app-x',
        allowedRoles('arn:aws:iam::999999999999:role/*'),
      ),
    );
  });

  it('kube2iam: no annotation or a broken one allows nothing; restrictions off allow all', () => {
    assert.ok(!allowed(kube2iam(), 'app', {}));
    assert.ok(!allowed(kube2iam(), 'app', { 'iam.amazonaws.com/allowed-roles': 'app' }));
    assert.deepEqual(kube2iamAllowedRoles('[1]'), []);
    assert.ok(allowed(kube2iam({ namespaceRestrictions: false }), 'app', {}));
  });

  it('kube2iam regexp: unanchored, and a leading ^ is prefixed by the base ARN (as kube2iam does)', () => {
    const c = kube2iam({ restrictionFormat: 'regexp' });
    assert.ok(
      allowed(c, 'app-reader', allowedRoles('app')),
      'unanchored: BASE+app matches BASE+app-reader',
    );
    assert.ok(!allowed(c, 'other', allowedRoles('app')));
    assert.ok(!allowed(c, 'app', allowedRoles('^app$')), 'normalized to BASE^app$: never matches');
    assert.ok(allowed(c, 'app', allowedRoles(`${BASE}app$`.replace('arn:', 'arn:'))));
    assert.ok(!allowed(c, 'app', allowedRoles('(')), 'an invalid expression matches nothing');
  });

  it('kube2iam default role: pods without the annotation get it, and it bypasses the restriction', () => {
    const c = kube2iam({ defaultRole: 'fallback' });
    const d = daemonDecision(c, undefined, {});
    assert.deepEqual(d, { allowed: true, roleArn: `${BASE}fallback`, default: true });
    assert.deepEqual(daemonDecision(c, 'fallback', {}), {
      allowed: true,
      roleArn: `${BASE}fallback`,
      default: true,
    });
    assert.ok(!daemonDecision(kube2iam(), undefined, {}).allowed);
  });

  it('kiam: always on, unanchored unless strict, matched against the annotation text', () => {
    const ns = { 'iam.amazonaws.com/permitted': 'app' };
    assert.ok(
      !allowed(kiam({ namespaceRestrictions: false }), 'app', {}),
      'no annotation, no role',
    );
    assert.ok(!allowed(kiam(), 'app', { 'iam.amazonaws.com/permitted': '' }));
    assert.ok(allowed(kiam(), 'my-app-2', ns));
    assert.ok(allowed(kiam(), `${BASE}app`, ns));
    assert.ok(!allowed(kiam({ strictRegexp: true }), 'my-app-2', ns));
    assert.ok(allowed(kiam({ strictRegexp: true }), 'app', ns));
    assert.ok(!allowed(kiam({ strictRegexp: true }), `${BASE}app`, ns), 'strict: the whole text');
    // kiam concatenates "^" + expression + "$": an alternation is anchored only at its ends.
    const alternation = { 'iam.amazonaws.com/permitted': 'app|db' };
    assert.ok(allowed(kiam({ strictRegexp: true }), 'db', alternation));
    assert.ok(allowed(kiam({ strictRegexp: true }), 'app-admin', alternation));
    assert.ok(allowed(kiam({ strictRegexp: true }), 'my-db', alternation));
    assert.ok(!allowed(kiam({ strictRegexp: true }), 'my-app', alternation));
    assert.ok(!allowed(kiam({ defaultRole: 'x' }), undefined, ns), 'kiam has no default role');
  });
});
