import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { ValidationError } from '../../src/errors.js';
import {
  MANAGED_BY_LABEL,
  MANAGED_BY_VALUE,
  ROLE_ARN_ANNOTATION,
  STS_AUDIENCE,
  defaultRoleName,
  issuerHostPath,
  oidcProviderArn,
  parseArn,
  roleArn,
  sameRoleArn,
  serviceAccountSubject,
  validateRoleName,
} from '../../src/policy/index.js';

const ISSUER = 'https://oidc.eks.us-west-2.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE';
const HOST = 'oidc.eks.us-west-2.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE';

describe('constants', () => {
  it('match the values EKS and Kubernetes use', () => {
    assert.equal(STS_AUDIENCE, 'sts.amazonaws.com');
    assert.equal(ROLE_ARN_ANNOTATION, 'eks.amazonaws.com/role-arn');
    assert.equal(MANAGED_BY_LABEL, 'app.kubernetes.io/managed-by');
    assert.equal(MANAGED_BY_VALUE, 'iamsa');
  });
});

describe('issuerHostPath', () => {
  it('strips https:// from an EKS issuer', () => {
    assert.equal(issuerHostPath(ISSUER), HOST);
  });
  it('strips trailing slashes', () => {
    assert.equal(issuerHostPath(`${ISSUER}/`), HOST);
    assert.equal(issuerHostPath(`${ISSUER}//`), HOST);
  });
  it('keeps the case of the path (issuer ids are case-sensitive)', () => {
    assert.equal(issuerHostPath('https://example.com/ID/AbC'), 'example.com/ID/AbC');
  });
  it('accepts a bare host and a port', () => {
    assert.equal(issuerHostPath('https://issuer.example.com'), 'issuer.example.com');
    assert.equal(issuerHostPath('https://issuer.example.com:8443/x'), 'issuer.example.com:8443/x');
  });
  for (const bad of [
    'http://oidc.eks.us-west-2.amazonaws.com/id/X',
    'oidc.eks.us-west-2.amazonaws.com/id/X',
    '',
    'https://',
    'https:///id/X',
    ' https://example.com',
    'https://exa mple.com',
    'https://example.com/?a=b',
    'https://example.com/#frag',
    'https://user:pw@example.com',
    'ftp://example.com',
  ]) {
    it(`rejects ${JSON.stringify(bad)}`, () => {
      assert.throws(
        () => issuerHostPath(bad),
        (err: unknown) => {
          assert.ok(err instanceof ValidationError);
          assert.match(err.message, /invalid OIDC issuer URL/);
          assert.ok(err.message.includes(JSON.stringify(bad)));
          assert.ok(!err.message.includes('\n'));
          return true;
        },
      );
    });
  }
});

describe('parseArn', () => {
  it('splits a role ARN', () => {
    assert.deepEqual(parseArn('arn:aws:iam::111122223333:role/path/app'), {
      partition: 'aws',
      service: 'iam',
      region: '',
      accountId: '111122223333',
      resource: 'role/path/app',
    });
  });
  it('splits an EKS cluster ARN with a region', () => {
    assert.deepEqual(parseArn('arn:aws-cn:eks:cn-north-1:111122223333:cluster/prod'), {
      partition: 'aws-cn',
      service: 'eks',
      region: 'cn-north-1',
      accountId: '111122223333',
      resource: 'cluster/prod',
    });
  });
  it('keeps colons inside the resource', () => {
    assert.equal(
      parseArn('arn:aws:logs:us-east-1:111122223333:log-group:/aws/eks:*')?.resource,
      'log-group:/aws/eks:*',
    );
  });
  it('handles an S3 ARN with empty region and account', () => {
    assert.deepEqual(parseArn('arn:aws:s3:::bucket/key'), {
      partition: 'aws',
      service: 's3',
      region: '',
      accountId: '',
      resource: 'bucket/key',
    });
  });
  for (const bad of [
    '',
    'arn',
    'arn:aws:iam::111122223333',
    'urn:aws:iam::111122223333:role/x',
    'arn::iam::111122223333:role/x',
    'arn:aws:::111122223333:role/x',
    'arn:aws:iam::111122223333:',
  ]) {
    it(`returns undefined for ${JSON.stringify(bad)}`, () =>
      assert.equal(parseArn(bad), undefined));
  }
});

describe('ARN builders', () => {
  it('oidcProviderArn', () => {
    assert.equal(
      oidcProviderArn('aws', '111122223333', HOST),
      `arn:aws:iam::111122223333:oidc-provider/${HOST}`,
    );
    assert.equal(
      oidcProviderArn('aws-cn', '111122223333', 'oidc.eks.cn-north-1.amazonaws.com.cn/id/X'),
      'arn:aws-cn:iam::111122223333:oidc-provider/oidc.eks.cn-north-1.amazonaws.com.cn/id/X',
    );
  });
  it('roleArn with the root path', () => {
    assert.equal(roleArn('aws', '111122223333', '/', 'app'), 'arn:aws:iam::111122223333:role/app');
  });
  it('roleArn with a nested path', () => {
    assert.equal(
      roleArn('aws-us-gov', '111122223333', '/a/b/', 'app'),
      'arn:aws-us-gov:iam::111122223333:role/a/b/app',
    );
  });
  it('serviceAccountSubject', () => {
    assert.equal(serviceAccountSubject('ns', 'sa'), 'system:serviceaccount:ns:sa');
    assert.equal(
      serviceAccountSubject('kube-system', 'a.b'),
      'system:serviceaccount:kube-system:a.b',
    );
  });
});

describe('defaultRoleName', () => {
  const hash10 = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 10);

  it('is readable when it fits', () => {
    assert.equal(defaultRoleName('prod', 'payments', 'api'), 'iamsa-prod-payments-api');
  });
  it('keeps the readable form at exactly 64 characters', () => {
    // 'iamsa-' (6) + cluster (10) + '-' + ns (10) + '-' + sa = 64  => sa is 36 characters
    const sa = 'a'.repeat(36);
    const name = defaultRoleName('c'.repeat(10), 'n'.repeat(10), sa);
    assert.equal(name.length, 64);
    assert.equal(name, `iamsa-${'c'.repeat(10)}-${'n'.repeat(10)}-${sa}`);
  });
  it('hashes at 65 characters', () => {
    const sa = 'a'.repeat(37);
    const name = defaultRoleName('c'.repeat(10), 'n'.repeat(10), sa);
    assert.equal(name.length, 64);
    const readable = `iamsa-${'c'.repeat(10)}-${'n'.repeat(10)}-${sa}`;
    assert.equal(
      name,
      `${readable.slice(0, 53)}-${hash10(`${'c'.repeat(10)}/${'n'.repeat(10)}/${sa}`)}`,
    );
  });
  it('fits 64 characters for maximal inputs (100-char cluster, 63-char ns, 253-char sa)', () => {
    const name = defaultRoleName(
      'C'.repeat(100),
      'n'.repeat(63),
      `${'s'.repeat(120)}.${'t'.repeat(132)}`,
    );
    assert.equal(name.length, 64);
    assert.match(name, /^iamsa-C+-[0-9a-f]{10}$/);
    assert.doesNotThrow(() => validateRoleName(name));
  });
  it('is deterministic', () => {
    const args = ['my-cluster', 'n'.repeat(40), 's'.repeat(40)] as const;
    assert.equal(defaultRoleName(...args), defaultRoleName(...args));
    assert.equal(defaultRoleName('a', 'b', 'c'), defaultRoleName('a', 'b', 'c'));
  });
  it('differs for long inputs that differ only after the truncation point', () => {
    const base = 'x'.repeat(60);
    const names = new Set<string>();
    for (let i = 0; i < 200; i++) names.add(defaultRoleName('prod', base, `sa-${i}`));
    assert.equal(names.size, 200);
    for (const name of names) assert.equal(name.length, 64);
  });
  it('differs when only the split between the parts differs (long inputs)', () => {
    const a = defaultRoleName('prod', 'n'.repeat(40), `x-${'s'.repeat(40)}`);
    const b = defaultRoleName('prod', `${'n'.repeat(40)}-x`, 's'.repeat(40));
    assert.notEqual(a, b);
  });
  it('differs for near-identical long inputs across clusters', () => {
    const ns = 'n'.repeat(50);
    assert.notEqual(defaultRoleName('prod-1', ns, 'api'), defaultRoleName('prod-2', ns, 'api'));
  });
  it('replaces characters IAM does not allow', () => {
    assert.equal(defaultRoleName('c l/u:s', 'ns', 'sa'), 'iamsa-c-l-u-s-ns-sa');
    assert.equal(defaultRoleName('clüster', 'ns', 'sa'), 'iamsa-cl-ster-ns-sa');
  });
  it('keeps characters IAM allows (dots of service account names, underscores of clusters)', () => {
    assert.equal(defaultRoleName('my_cluster', 'ns', 'a.b'), 'iamsa-my_cluster-ns-a.b');
  });
  it('always produces a valid IAM role name', () => {
    for (const [c, n, s] of [
      ['a', 'b', 'c'],
      ['Z'.repeat(100), 'z'.repeat(63), 'y'.repeat(253)],
      ['ä'.repeat(80), 'n', 's'],
      ['c', 'n', 's'.repeat(58)],
    ] as const) {
      const name = defaultRoleName(c, n, s);
      assert.ok(name.length <= 64, name);
      assert.match(name, /^[A-Za-z0-9+=,.@_-]{1,64}$/);
    }
  });
});

describe('sameRoleArn', () => {
  const arn = 'arn:aws:iam::111122223333:role/irsa/App-Role';
  it('the same ARN, or the role name in another case, is the same role', () => {
    assert.equal(sameRoleArn(arn, arn), true);
    assert.equal(sameRoleArn(arn, 'arn:aws:iam::111122223333:role/irsa/app-role'), true);
  });
  it('another account, partition or path is another role', () => {
    for (const other of [
      'arn:aws:iam::999922223333:role/irsa/App-Role',
      'arn:aws-cn:iam::111122223333:role/irsa/App-Role',
      'arn:aws:iam::111122223333:role/App-Role',
      'arn:aws:iam::111122223333:role/IRSA/App-Role',
      'arn:aws:iam::111122223333:role/irsa/App-Role2',
    ]) {
      assert.equal(sameRoleArn(arn, other), false, other);
    }
  });
});
