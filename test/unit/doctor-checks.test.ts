// The doctor's checks as pure functions of the gathered state (the binary tests cover every check
// end to end, IRSA011 through the test ground's IAM endpoint, which answers what moto lacks).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it, test } from 'node:test';
import { runChecks, type DoctorState } from '../../src/actions/report/doctor-irsa.js';
import { podIdentityChecks } from '../../src/actions/report/doctor-pod-identity.js';
import {
  bindingRoleTags,
  buildPodIdentityTrustStatement,
  buildTrustPolicy,
  policiesFingerprint,
  sharedRoleOwnershipTags,
} from '../../src/policy/index.js';

const HOST = 'oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE';
const PROVIDER = `arn:aws:iam::111122223333:oidc-provider/${HOST}`;
const ROLE = 'arn:aws:iam::111122223333:role/shop-web';

function state(over: Partial<DoctorState> = {}): DoctorState {
  const trust = buildTrustPolicy({
    providerArn: PROVIDER,
    issuerHostPath: HOST,
    namespace: 'shop',
    serviceAccount: 'web',
  });
  return {
    context: { cluster: 'prod', region: 'eu-west-1' },
    cluster: {
      name: 'prod',
      arn: 'arn:aws:eks:eu-west-1:111122223333:cluster/prod',
      accountId: '111122223333',
      partition: 'aws',
      region: 'eu-west-1',
      endpoint: 'https://x',
      issuer: `https://${HOST}`,
    },
    oidc: { issuer: `https://${HOST}`, hostPath: HOST, providerArn: PROVIDER },
    provider: {
      arn: PROVIDER,
      url: HOST,
      clientIds: ['sts.amazonaws.com'],
      thumbprints: [],
      tags: {},
    },
    namespace: 'shop',
    name: 'web',
    serviceAccount: {
      namespace: 'shop',
      name: 'web',
      annotations: { 'eks.amazonaws.com/role-arn': ROLE },
      labels: {},
    },
    serviceAccounts: [],
    pods: [],
    roleArn: {
      arn: ROLE,
      partition: 'aws',
      accountId: '111122223333',
      path: '/',
      roleName: 'shop-web',
    },
    role: { arn: ROLE, name: 'shop-web', path: '/', trustPolicy: JSON.stringify(trust), tags: {} },
    attachedPolicies: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
    inlinePolicies: [],
    ...over,
  };
}
const byId = (s: DoctorState) => Object.fromEntries(runChecks(s).map((c) => [c.id, c]));

describe('doctor checks', () => {
  it('IRSA011 appears only with --simulate', () => {
    assert.equal(byId(state()).IRSA011, undefined);
  });

  it('IRSA011 ok when every action is allowed', () => {
    const c = byId(
      state({
        simulation: {
          actions: ['s3:GetObject'],
          resources: [],
          results: [
            {
              action: 's3:GetObject',
              resource: '*',
              decision: 'allowed',
              matchedPolicies: ['ReadOnlyAccess'],
            },
          ],
        },
      }),
    ).IRSA011;
    assert.equal(c?.status, 'ok');
    assert.deepEqual(c?.details, ['s3:GetObject on *: allowed (ReadOnlyAccess)']);
    assert.equal(c?.fix, undefined);
  });

  it('IRSA011 FAIL names the denied action and a policy that allows it', () => {
    const c = byId(
      state({
        simulation: {
          actions: ['s3:GetObject', 's3:PutObject'],
          resources: ['arn:aws:s3:::invoices/*'],
          results: [
            {
              action: 's3:GetObject',
              resource: 'arn:aws:s3:::invoices/*',
              decision: 'allowed',
              matchedPolicies: [],
            },
            {
              action: 's3:PutObject',
              resource: 'arn:aws:s3:::invoices/*',
              decision: 'implicitDeny',
              matchedPolicies: [],
            },
          ],
        },
      }),
    ).IRSA011;
    assert.equal(c?.status, 'fail');
    assert.equal(c?.message, 'role shop-web may not s3:PutObject');
    assert.match(
      c?.details?.at(-1) ?? '',
      /"Action":\["s3:PutObject"\],"Resource":\["arn:aws:s3:::invoices\/\*"\]/,
    );
    assert.match(
      c?.fix ?? '',
      /^aws iam put-role-policy --role-name shop-web --policy-name allow-s3-PutObject --policy-document '\{/,
    );
  });

  it('an explicit Deny says to remove it first; no role skips the simulation', () => {
    const denied = byId(
      state({
        simulation: {
          actions: ['s3:PutObject'],
          resources: [],
          results: [
            {
              action: 's3:PutObject',
              resource: '*',
              decision: 'explicitDeny',
              matchedPolicies: ['guard'],
            },
          ],
        },
      }),
    ).IRSA011;
    assert.match(denied?.message ?? '', /an explicit Deny: remove it first/);
    const skipped = byId(
      state({
        role: undefined,
        simulation: { actions: ['s3:PutObject'], resources: [], results: [] },
      }),
    ).IRSA011;
    assert.equal(skipped?.status, 'skipped');
  });

  it("IRSA003: a missing role is fixed by re-pointing at iamsa's own role when it exists", () => {
    const own = 'arn:aws:iam::111122223333:role/iamsa-prod-shop-web';
    const c = byId(
      state({
        role: undefined,
        ownRole: { arn: own, name: 'iamsa-prod-shop-web', path: '/', trustPolicy: '{}', tags: {} },
      }),
    ).IRSA003;
    assert.equal(c?.status, 'fail');
    assert.equal(
      c?.fix,
      `kubectl annotate serviceaccount -n shop web --overwrite eks.amazonaws.com/role-arn=${own}`,
    );
  });

  it("IRSA003: without iamsa's role, create-serviceaccount must override the annotation", () => {
    const c = byId(state({ role: undefined })).IRSA003;
    assert.match(
      c?.fix ?? '',
      /^iamsa create-serviceaccount .* --override-existing-serviceaccounts --approve {2}# replace POLICY_ARN with the ARN of the policy the pods need$/,
    );
  });

  it('ids come in order, one per check', () => {
    assert.deepEqual(
      runChecks(state()).map((c) => c.id),
      [
        'IRSA001',
        'IRSA002',
        'IRSA003',
        'IRSA004',
        'IRSA005',
        'IRSA006',
        'IRSA007',
        'IRSA008',
        'IRSA009',
        'IRSA010',
      ],
    );
  });

  it('a pod whose annotation managedFields postdate its creation is stale (real API servers)', () => {
    const c = byId(
      state({
        serviceAccount: {
          namespace: 'shop',
          name: 'web',
          annotations: { 'eks.amazonaws.com/role-arn': ROLE },
          labels: {},
          roleAnnotatedAt: '2026-01-02T00:00:00Z',
        },
        pods: [
          {
            namespace: 'shop',
            name: 'old',
            serviceAccountName: 'web',
            creationTimestamp: '2026-01-01T00:00:00Z',
            annotations: {},
            containers: [{ name: 'app', init: false, env: [], volumeMounts: [] }],
            volumes: [],
          },
        ],
      }),
    ).IRSA006;
    assert.equal(c?.status, 'fail');
    assert.match(
      c?.details?.[0] ?? '',
      /pod old \(created 2026-01-01T00:00:00Z\) predates the annotation \(2026-01-02T00:00:00Z\)/,
    );
  });

  describe('IRSA010 drift: the policies of an iamsa role against what iamsa recorded', () => {
    const READONLY = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
    const ADMIN = 'arn:aws:iam::aws:policy/AdministratorAccess';
    const DOC =
      '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}';
    const ours = (fingerprint: string, over: Partial<DoctorState> = {}) => {
      const s = state(over);
      const tags = bindingRoleTags('irsa', 'prod', 'shop', 'web', s.cluster.arn, fingerprint);
      return byId({ ...s, role: { ...(s.role as NonNullable<DoctorState['role']>), tags } })
        .IRSA010;
    };
    it('ok when the role has what iamsa applied (inline policy as IAM returns it)', () => {
      const recorded = policiesFingerprint({ managedArns: [READONLY], inlinePolicy: DOC });
      const c = ours(recorded, {
        inlinePolicies: ['iamsa-inline'],
        inlinePolicy: encodeURIComponent(DOC),
      });
      assert.equal(c?.status, 'ok');
      assert.equal(c?.message, 'policies: 1 managed, 1 inline');
    });
    it('warn, with the create command and get-serviceaccounts, when a policy was attached by hand', () => {
      const c = ours(policiesFingerprint({ managedArns: [READONLY] }), {
        attachedPolicies: [READONLY, ADMIN],
      });
      assert.equal(c?.status, 'warn');
      assert.match(
        c?.message ?? '',
        /^the policies of role shop-web changed since iamsa last applied them \(iamsa\.io\/policies records \w{12}, they are now \w{12}\)/,
      );
      assert.ok(c?.details?.includes(`${ADMIN} (attached outside iamsa)`));
      // The fix removes the drift; a re-run of create-serviceaccount would record it instead.
      assert.match(c?.message ?? '', /AdministratorAccess was attached outside iamsa/);
      assert.equal(
        c?.fix,
        `aws iam detach-role-policy --role-name shop-web --policy-arn ${ADMIN}; see the binding: iamsa get-serviceaccounts --cluster prod --region eu-west-1 -n shop --name web`,
      );
    });
    it('an inline binding whose policy was edited: the fix gives the policy file again, no --attach-policy-arn', () => {
      const recorded = policiesFingerprint({ managedArns: [], inlinePolicy: DOC });
      const c = ours(recorded, {
        attachedPolicies: [],
        inlinePolicies: ['iamsa-inline'],
        inlinePolicy: DOC.replace('s3:*', '*'),
      });
      assert.equal(c?.status, 'warn');
      assert.doesNotMatch(c?.fix ?? '', /--attach-policy-arn/);
      assert.match(c?.fix ?? '', /--attach-policy POLICY_FILE --approve/);
    });
    it('warn when the inline policy was edited or deleted', () => {
      const recorded = policiesFingerprint({ managedArns: [READONLY], inlinePolicy: DOC });
      const edited = DOC.replace('s3:*', '*');
      assert.equal(
        ours(recorded, { inlinePolicies: ['iamsa-inline'], inlinePolicy: edited })?.status,
        'warn',
      );
      assert.equal(ours(recorded)?.status, 'warn');
    });
    it('no record (a role made before iamsa kept one): ok, saying so', () => {
      const s = state();
      const tags = bindingRoleTags('irsa', 'prod', 'shop', 'web', s.cluster.arn, 'x');
      delete tags['iamsa.io/policies'];
      const c = byId({
        ...s,
        role: { ...(s.role as NonNullable<DoctorState['role']>), tags },
      }).IRSA010;
      assert.equal(c?.status, 'ok');
      assert.match(c?.details?.at(-1) ?? '', /iamsa recorded no policies on this role/);
    });
    it("a role shared by several clusters (apply -f) is judged too; its fix is the file's apply", () => {
      const s = state({ attachedPolicies: [READONLY] });
      const tags = {
        ...sharedRoleOwnershipTags('shop', 'web', [
          { name: 'prod', arn: s.cluster.arn },
          { name: 'dr', arn: 'arn:aws:eks:us-west-2:111122223333:cluster/dr' },
        ]),
        'iamsa.io/policies': policiesFingerprint({ managedArns: [READONLY, ADMIN] }),
      };
      const c = byId({
        ...s,
        role: { ...(s.role as NonNullable<DoctorState['role']>), tags },
      }).IRSA010;
      assert.equal(c?.status, 'warn');
      assert.match(c?.fix ?? '', /^iamsa apply -f BINDINGS_FILE --approve {2}# apply -f makes/);
    });
    it('warn when an inline policy under another name was added by hand (the fingerprint does not cover it)', () => {
      const recorded = policiesFingerprint({ managedArns: [READONLY] });
      const c = ours(recorded, { inlinePolicies: ['backdoor'] });
      assert.equal(c?.status, 'warn');
      assert.match(c?.message ?? '', /: inline policy backdoor was written outside iamsa$/);
      assert.match(
        c?.fix ?? '',
        /^aws iam delete-role-policy --role-name shop-web --policy-name backdoor;/,
      );
    });
    it('a role iamsa does not own is not judged by a tag someone copied', () => {
      const s = state({ attachedPolicies: [ADMIN] });
      const c = byId({
        ...s,
        role: {
          ...(s.role as NonNullable<DoctorState['role']>),
          tags: { 'iamsa.io/policies': 'abc' },
        },
      }).IRSA010;
      assert.equal(c?.status, 'ok');
    });
  });

  describe("fixes never edit another binding's role", () => {
    const OWNER_HOST = HOST;
    // The role iamsa made for shop/owner; shop/web is annotated with it by hand.
    const othersRole = () => {
      const s = state();
      const trust = buildTrustPolicy({
        providerArn: PROVIDER,
        issuerHostPath: OWNER_HOST,
        namespace: 'shop',
        serviceAccount: 'owner',
      });
      const tags = bindingRoleTags('irsa', 'prod', 'shop', 'owner', s.cluster.arn, 'x');
      return {
        ...s,
        role: {
          ...(s.role as NonNullable<DoctorState['role']>),
          tags,
          trustPolicy: JSON.stringify(trust),
        },
        serviceAccounts: [
          { namespace: 'shop', name: 'owner', annotations: {}, labels: {} },
          { namespace: 'shop', name: 'web', annotations: {}, labels: {} },
        ],
      };
    };
    const OWN = 'arn:aws:iam::111122223333:role/iamsa-prod-shop-web';
    const ownRole = {
      arn: OWN,
      name: 'iamsa-prod-shop-web',
      path: '/',
      trustPolicy: '{}',
      tags: bindingRoleTags('irsa', 'prod', 'shop', 'web', state().cluster.arn, 'x'),
    };
    it('IRSA004 re-points the annotation at iamsa role for this binding (IRSA005 defers to it)', () => {
      const c = byId({ ...othersRole(), ownRole });
      assert.equal(c.IRSA004?.status, 'fail');
      const annotate = `kubectl annotate serviceaccount -n shop web --overwrite eks.amazonaws.com/role-arn=${OWN}`;
      assert.equal(c.IRSA004?.fix, annotate);
      assert.equal(c.IRSA005?.status, 'skipped');
      assert.equal(c.IRSA005?.fix, undefined);
    });
    it('without one, the fix makes this binding its own role; the trust is never touched', () => {
      const c = byId(othersRole());
      const fix = c.IRSA004?.fix ?? '';
      assert.doesNotMatch(fix, /update-assume-role-policy/);
      assert.match(
        fix,
        /^iamsa create-serviceaccount .*--name web .*--override-existing-serviceaccounts --approve/,
      );
    });
    it('IRSA002 without annotation points at iamsa role for the binding when it exists (no placeholder)', () => {
      const s = state({
        serviceAccount: { namespace: 'shop', name: 'web', annotations: {}, labels: {} },
      });
      const c = byId({ ...s, ownRole }).IRSA002;
      assert.equal(c?.status, 'fail');
      assert.equal(
        c?.fix,
        `kubectl annotate serviceaccount -n shop web --overwrite eks.amazonaws.com/role-arn=${OWN}`,
      );
    });
  });
});

describe('IRSA005 says what is wrong and the fix plainly', () => {
  /** IRSA005 of a role whose one statement has these conditions. */
  const irsa005 = (Condition: Record<string, unknown>, over: Partial<DoctorState> = {}) =>
    byId(
      state({
        role: {
          arn: ROLE,
          name: 'shop-web',
          path: '/',
          tags: {},
          trustPolicy: JSON.stringify({
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Principal: { Federated: PROVIDER },
                Action: 'sts:AssumeRoleWithWebIdentity',
                Condition,
              },
            ],
          }),
        },
        ...over,
      }),
    ).IRSA005;
  const sa = (name: string) => ({ namespace: 'shop', name, annotations: {}, labels: {} });

  it('a wildcard sub: names the statement, the pattern, who else gets in and what the fix does', () => {
    const c = irsa005(
      {
        StringLike: { [`${HOST}:sub`]: 'system:serviceaccount:shop:*' },
        StringEquals: { [`${HOST}:aud`]: 'sts.amazonaws.com' },
      },
      { serviceAccounts: [sa('web'), sa('cart'), sa('db')] },
    );
    assert.equal(
      c?.message,
      'the trust of shop-web admits more than shop/web: statement 0 matches sub with "system:serviceaccount:shop:*"; 2 other existing service accounts can assume it; the fix replaces the trust with one statement for shop/web alone',
    );
  });

  it('no aud: a warning that says which statement and what the fix does', () => {
    const c = irsa005({ StringEquals: { [`${HOST}:sub`]: 'system:serviceaccount:shop:web' } });
    assert.equal(c?.status, 'warn');
    assert.equal(
      c?.message,
      'the trust of shop-web admits only shop/web but is looser than needed: statement 0 does not check aud; the fix replaces the trust with one statement for shop/web alone',
    );
  });
});

describe("PODID005: an association that hands iamsa's Pod Identity role to another service account (H4)", () => {
  const CLUSTER = 'arn:aws:eks:eu-west-1:111122223333:cluster/prod';
  const podRole = {
    arn: ROLE,
    name: 'shop-web',
    path: '/',
    trustPolicy: JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        buildPodIdentityTrustStatement({ accountId: '111122223333', clusterArns: [CLUSTER] }),
      ],
    }),
    tags: bindingRoleTags('pod-identity', 'prod', 'shop', 'web', CLUSTER, 'x'),
  };
  const association = (namespace: string, serviceAccount: string, id: string) => ({
    id,
    arn: `arn:aws:eks:eu-west-1:111122223333:podidentityassociation/prod/${id}`,
    namespace,
    serviceAccount,
    roleArn: ROLE,
    disableSessionTags: false,
    tags: {},
  });
  const podid005 = (others?: ReturnType<typeof association>[]) =>
    podIdentityChecks(state({ role: podRole }), {
      association: association('shop', 'web', 'a-own'),
      ...(others ? { others } : {}),
      agent: { name: 'eks-pod-identity-agent', status: 'ACTIVE' } as never,
    }).find((c) => c.id === 'PODID005');

  it('FAILs naming the association and the command that deletes it', () => {
    const c = podid005([association('evil', 'thief', 'a-foreign')]);
    assert.equal(c?.status, 'fail');
    assert.equal(
      c?.message,
      "role shop-web, iamsa's role for shop/web, is also handed to 1 other service account(s) by association(s) iamsa did not make for this binding",
    );
    assert.deepEqual(c?.details, ['association a-foreign gives it to evil/thief']);
    assert.equal(c!.severity, 'high', 'as audit PODID106');
    assert.equal(c!.finding, 'PODID106');
    assert.equal(
      c?.fix,
      'aws eks delete-pod-identity-association --cluster-name prod --region eu-west-1 --association-id a-foreign',
    );
  });

  it('is ok when only the binding uses the role', () => {
    assert.equal(podid005([])?.status, 'ok');
  });
});

test('no fix or hint of doctor and audit has a <placeholder>, which a shell reads as a redirection', () => {
  const dir = fileURLToPath(new URL('../../src/actions/report/', import.meta.url));
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
    const strings = readFileSync(join(dir, file), 'utf8')
      .split('\n')
      .filter((l) => !/^\s*(\/\/|\*)/.test(l));
    for (const line of strings) {
      assert.doesNotMatch(
        line,
        /[`'"][^`'"]*<[a-z][a-z ]*>[^`'"]*[`'"]/i,
        `${file}: use an UPPER_CASE placeholder: ${line.trim()}`,
      );
    }
  }
});
