// migrate-from-kube2iam --rollback as an inverse edit: only the IRSA statements the migration added
// go, only recorded statements of the daemon-trust shape come back (the record is tags anyone with
// iam:TagRole can write), and whatever else is in the current trust stays.
import assert from 'node:assert/strict';
import type { KubeAccess } from '../../src/kube/connection.js';
import { cleanupFix } from '../../src/actions/report/fix-commands.js';
import { describe, it } from 'node:test';
import {
  buildTrustStatement,
  daemonFlagsOf,
  daemonFlagsTag,
  daemonTrustGap,
  TAG_KUBE2IAM_DAEMON_FLAGS,
  isDaemonTrustStatement,
  type PolicyDocument,
  type PolicyStatement,
  rollbackTrust,
} from '../../src/policy/index.js';

const ACCOUNT = '111122223333';
const NODE = `arn:aws:iam::${ACCOUNT}:role/eks-node`;
const HOST = 'oidc.eks.us-east-1.amazonaws.com/id/ABC';
const PROVIDER = `arn:aws:iam::${ACCOUNT}:oidc-provider/${HOST}`;
const daemon = (o: Record<string, unknown> = {}): PolicyStatement => ({
  Effect: 'Allow',
  Principal: { AWS: NODE },
  Action: 'sts:AssumeRole',
  ...o,
});
const irsa = (ns: string, sa: string) =>
  buildTrustStatement({
    providerArn: PROVIDER,
    issuerHostPath: HOST,
    namespace: ns,
    serviceAccount: sa,
  });
const doc = (...Statement: PolicyStatement[]): PolicyDocument => ({
  Version: '2012-10-17',
  Statement,
});
const ctx = {
  providerArn: PROVIDER,
  issuerHostPath: HOST,
  subjects: ['system:serviceaccount:shop:web'],
  accountId: ACCOUNT,
  daemonRoleArns: [NODE],
};

describe('kube2iam rollback trust', () => {
  it('the daemon-trust shape: specific roles of the account, sts:AssumeRole, no condition but sts:ExternalId', () => {
    const ok = (s: PolicyStatement) => isDaemonTrustStatement(s, ACCOUNT);
    assert.ok(ok(daemon()));
    assert.ok(ok(daemon({ Sid: 'kube2iam', Principal: { AWS: [NODE, `${NODE}-2`] } })));
    assert.ok(ok(daemon({ Action: ['sts:AssumeRole', 'sts:TagSession'] })));
    assert.ok(ok(daemon({ Condition: { StringEquals: { 'sts:ExternalId': 'x' } } })));
    assert.ok(!ok(daemon({ Principal: { AWS: '*' } })));
    assert.ok(!ok(daemon({ Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/*` } })));
    assert.ok(!ok(daemon({ Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` } })));
    assert.ok(!ok(daemon({ Principal: { AWS: 'arn:aws:iam::999999999999:role/x' } })));
    assert.ok(!ok(daemon({ Principal: { AWS: NODE, Service: 'ec2.amazonaws.com' } })));
    assert.ok(!ok({ Effect: 'Allow', NotPrincipal: { AWS: NODE }, Action: 'sts:AssumeRole' }));
    assert.ok(!ok(daemon({ Effect: 'Deny' })));
    assert.ok(!ok(daemon({ Action: 'sts:*' })));
    assert.ok(!ok(daemon({ Action: ['sts:AssumeRole', 'iam:PassRole'] })));
    assert.ok(!ok(daemon({ Condition: { StringLike: { 'sts:ExternalId': '*' } } })));
    assert.ok(!ok(daemon({ Condition: { Bool: { 'aws:SecureTransport': 'true' } } })));
  });

  it('removes the IRSA statements the migration added and puts back what --cleanup dropped', () => {
    const r = rollbackTrust(doc(irsa('shop', 'web')), [daemon()], ctx);
    assert.ok(!('refused' in r));
    assert.deepEqual(r.restored, doc(daemon(), irsa('shop', 'web')));
    assert.deepEqual(r.final, doc(daemon()));
  });

  it('keeps what was edited after the migration, and IRSA statements that were there before', () => {
    const later: PolicyStatement = {
      Effect: 'Allow',
      Principal: { Service: 'ec2.amazonaws.com' },
      Action: 'sts:AssumeRole',
    };
    const other = irsa('shop', 'other');
    const r = rollbackTrust(
      doc(daemon(), irsa('shop', 'web'), later, other),
      [daemon(), other],
      ctx,
    );
    assert.ok(!('refused' in r));
    assert.deepEqual(r.final, doc(daemon(), later, other));
    // A statement of a migrated service account that the record holds was not added by iamsa.
    const kept = rollbackTrust(
      doc(daemon(), irsa('shop', 'web')),
      [daemon(), irsa('shop', 'web')],
      ctx,
    );
    assert.ok(!('refused' in kept));
    assert.deepEqual(kept.final, doc(daemon(), irsa('shop', 'web')));
  });

  it('refuses a record that would put back anything but the daemon trust', () => {
    const wide = daemon({ Principal: { AWS: '*' } });
    const r = rollbackTrust(doc(daemon(), irsa('shop', 'web')), [wide], ctx);
    assert.deepEqual(r, { refused: wide });
    // Already in the trust, a recorded statement is not written: nothing to refuse.
    const present: PolicyStatement = {
      Effect: 'Allow',
      Principal: { Service: 'ec2.amazonaws.com' },
      Action: 'sts:AssumeRole',
    };
    assert.ok(!('refused' in rollbackTrust(doc(present, irsa('shop', 'web')), [present], ctx)));
  });

  it('puts back only statements of the --daemon-role-arn roles, and none without them', () => {
    const attacker = daemon({ Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/attacker` } });
    const both = daemon({ Principal: { AWS: [NODE, `arn:aws:iam::${ACCOUNT}:role/attacker`] } });
    for (const forged of [attacker, both]) {
      const r = rollbackTrust(doc(irsa('shop', 'web')), [daemon(), forged], ctx);
      assert.deepEqual(r, { refused: forged });
    }
    const none = rollbackTrust(doc(irsa('shop', 'web')), [daemon()], {
      ...ctx,
      daemonRoleArns: [],
    });
    assert.deepEqual(none, { refused: daemon(), noDaemonRole: true });
    // Nothing lacking, nothing put back: no daemon role needed.
    const kept = rollbackTrust(doc(daemon(), irsa('shop', 'web')), [daemon()], {
      ...ctx,
      daemonRoleArns: [],
    });
    assert.ok(!('refused' in kept));
  });
});

describe("the daemon's flags on a migrated role, for the --cleanup audit and doctor suggest", () => {
  const daemon = {
    flavour: 'kube2iam' as const,
    namespaceRestrictions: true,
    restrictionFormat: 'regexp' as const,
    strictRegexp: false,
    baseRoleArn: 'arn:aws:iam::111122223333:role/team/',
    defaultRole: 'base-role',
  };
  it('records the flags that differ from the defaults and reads them back as words', () => {
    const tag = daemonFlagsTag(daemon);
    assert.equal(
      tag,
      '--namespace-restrictions --namespace-restriction-format regexp --base-role-arn arn:aws:iam::111122223333:role/team/ --default-role base-role',
    );
    assert.deepEqual(daemonFlagsOf({ [TAG_KUBE2IAM_DAEMON_FLAGS]: tag }), tag.split(' '));
    assert.equal(
      daemonFlagsTag({
        ...daemon,
        namespaceRestrictions: false,
        restrictionFormat: 'glob',
        baseRoleArn: undefined,
        defaultRole: undefined,
      }),
      '',
    );
  });
  it('a default role a tag cannot hold is left out; a hand-edited tag gives no flags', () => {
    assert.doesNotMatch(daemonFlagsTag({ ...daemon, defaultRole: 'a,b' }), /--default-role/);
    for (const bad of [
      '--approve',
      '--base-role-arn',
      '--namespace-restrictions; rm -rf /',
      '--base-role-arn --cleanup',
    ]) {
      assert.deepEqual(daemonFlagsOf({ [TAG_KUBE2IAM_DAEMON_FLAGS]: bad }), [], bad);
    }
  });
  it('the --cleanup command carries them, the region, the profile and the Kubernetes connection', () => {
    assert.equal(
      cleanupFix(
        {
          cluster: 'prod',
          region: 'eu-west-1',
          profile: 'ops',
          kube: { mode: 'kubeconfig', file: '/tmp/k config', context: 'prod' } as KubeAccess,
        },
        'kube2iam',
        ['--namespace-restrictions'],
      ),
      "iamsa migrate-from-kube2iam --cluster prod --region eu-west-1 --profile ops --flavour kube2iam --namespace-restrictions --kubeconfig '/tmp/k config' --context prod --cleanup --approve",
    );
  });
});

describe('daemonTrustGap: whether the daemon could take the role today', () => {
  const doc = (...Statement: PolicyStatement[]): PolicyDocument => ({
    Version: '2012-10-17',
    Statement,
  });
  const any = { accountId: ACCOUNT, daemonRoleArns: [] };
  const node = { accountId: ACCOUNT, daemonRoleArns: [NODE] };
  it('admits an Allow of sts:AssumeRole to the daemon role, with or without its external id', () => {
    assert.equal(daemonTrustGap(doc(daemon()), any), undefined);
    assert.equal(daemonTrustGap(doc(daemon()), node), undefined);
    const ext = daemon({ Condition: { StringEquals: { 'sts:ExternalId': 'x' } } });
    assert.equal(daemonTrustGap(doc(irsa('a', 'b'), ext), node), undefined);
  });
  it('refuses IRSA-only trusts, the account root, MFA conditions, other roles, a Deny', () => {
    const root = {
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
      Action: 'sts:AssumeRole',
    } as PolicyStatement;
    const mfa = daemon({ Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } });
    const other = daemon({ Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/ci` } });
    const foreign = daemon({ Principal: { AWS: 'arn:aws:iam::999999999999:role/eks-node' } });
    const deny = { Effect: 'Deny', Principal: { AWS: '*' }, Action: 'sts:*' } as PolicyStatement;
    assert.match(daemonTrustGap(doc(irsa('own', 'app')), any) ?? '', /lets no role of account/);
    assert.ok(daemonTrustGap(doc(root), any));
    assert.ok(daemonTrustGap(doc(root), node));
    assert.ok(daemonTrustGap(doc(mfa), node));
    assert.ok(daemonTrustGap(doc(mfa), any));
    assert.match(daemonTrustGap(doc(other), node) ?? '', /does not let \S+eks-node assume it/);
    assert.equal(daemonTrustGap(doc(other), any), undefined, 'without the flag: any own role');
    assert.ok(daemonTrustGap(doc(foreign), any));
    assert.match(daemonTrustGap(doc(daemon(), deny), node) ?? '', /Deny statement/);
  });
});
