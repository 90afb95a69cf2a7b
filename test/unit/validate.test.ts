import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ValidationError } from '../../src/errors.js';
import {
  parseTags,
  validateClusterName,
  validateNamespace,
  validatePermissionsBoundaryArn,
  validatePolicyArn,
  validateRegion,
  validateRoleArn,
  validateRoleName,
  validateRolePath,
  validateServiceAccountName,
  validateThumbprint,
  validateThumbprints,
} from '../../src/policy/index.js';

/** Asserts a one-line ValidationError whose message matches every pattern. */
function rejects(fn: () => unknown, ...patterns: (RegExp | string)[]): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof ValidationError, `expected ValidationError, got ${String(err)}`);
    assert.equal(err.exitCode, 2);
    assert.ok(!err.message.includes('\n'), `message is not one line: ${err.message}`);
    for (const p of patterns) {
      if (typeof p === 'string')
        assert.ok(err.message.includes(p), `"${err.message}" lacks "${p}"`);
      else assert.match(err.message, p);
    }
    return true;
  });
}

const THUMB = '9e99a48a9960b14926bb7f3b02e22da2b0ab7280';

describe('validateClusterName', () => {
  for (const ok of ['a', '1', 'prod', 'Prod_Cluster-1', 'a'.repeat(100), '0abc', 'A_']) {
    it(`accepts ${JSON.stringify(ok.length > 20 ? `${ok.length} chars` : ok)}`, () =>
      assert.equal(validateClusterName(ok), ok));
  }
  it('rejects 101 characters and says how long it is', () =>
    rejects(() => validateClusterName('a'.repeat(101)), '(101 characters)', '1-100 characters'));
  for (const bad of ['', '-prod', '_prod', 'prod.cluster', 'prod cluster', 'prod/x', 'prød']) {
    it(`rejects ${JSON.stringify(bad)}`, () =>
      rejects(
        () => validateClusterName(bad),
        `invalid cluster name ${JSON.stringify(bad)}`,
        'letters, digits',
      ));
  }
  it('uses the flag name when given', () =>
    rejects(() => validateClusterName('-x', '--cluster'), 'invalid --cluster "-x"'));
});

describe('validateNamespace', () => {
  for (const ok of ['a', 'default', 'kube-system', 'a1', '1a', '0', 'a-b-c', 'a'.repeat(63)]) {
    it(`accepts ${ok.length > 20 ? `${ok.length} chars` : ok}`, () =>
      assert.equal(validateNamespace(ok), ok));
  }
  it('gives the documented message for "Foo_bar", with a suggestion', () =>
    rejects(
      () => validateNamespace('Foo_bar'),
      `invalid namespace "Foo_bar": must be a DNS-1123 label (lower-case letters, digits and '-', start and end alphanumeric, at most 63 characters)`,
      'did you mean "foo-bar"?',
    ));
  it('rejects 64 characters and says how long it is', () =>
    rejects(() => validateNamespace('a'.repeat(64)), 'is 64 characters long', 'at most 63'));
  for (const bad of ['', '-a', 'a-', 'a.b', 'A', 'a_b', 'a b', 'ñ', 'a\n']) {
    it(`rejects ${JSON.stringify(bad)}`, () =>
      rejects(
        () => validateNamespace(bad),
        `invalid namespace ${JSON.stringify(bad)}`,
        'DNS-1123 label',
      ));
  }
  it('uses the flag name when given', () =>
    rejects(() => validateNamespace('A', '--namespace'), 'invalid --namespace "A"'));
  it('suggests the ASCII look-alike of a pasted letter of another script, or nothing', () => {
    // Cyrillic а (U+0430), Greek ο (U+03BF), an accent: each drawn like an ASCII letter.
    rejects(() => validateNamespace('\u0430pp'), 'did you mean "app"?');
    rejects(() => validateServiceAccountName('web-\u03bfps'), 'did you mean "web-ops"?');
    rejects(() => validateNamespace('caf\u00e9'), 'did you mean "cafe"?');
    for (const name of ['\u0430pp\u0436', '\u5e94\u7528']) {
      assert.throws(
        () => validateNamespace(name),
        (e: Error) => !e.message.includes('did you mean'),
        `${name}: a letter with no ASCII look-alike gets no suggestion`,
      );
    }
  });
  it('offers no suggestion when none would be valid', () =>
    assert.throws(
      () => validateNamespace('---'),
      (err: Error) => !err.message.includes('did you mean'),
    ));
});

describe('validateServiceAccountName', () => {
  const max = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`;
  it('the 253-character fixture is 253 characters', () => assert.equal(max.length, 253));
  for (const ok of [
    'a',
    'default',
    'my-app',
    'my.app',
    'a.b.c',
    '1',
    'a-1.b-2',
    max,
    'x'.repeat(253),
  ]) {
    it(`accepts ${ok.length > 20 ? `${ok.length} chars` : ok}`, () =>
      assert.equal(validateServiceAccountName(ok), ok));
  }
  it('rejects 254 characters and says how long it is', () =>
    rejects(
      () => validateServiceAccountName(`${max}e`),
      'DNS-1123 subdomain',
      'at most 253',
      '(254 characters)',
    ));
  for (const bad of ['', 'A', 'a..b', '.a', 'a.', '-a', 'a-', 'a.-b', 'a_b', 'a b', 'a/b']) {
    it(`rejects ${JSON.stringify(bad)}`, () =>
      rejects(
        () => validateServiceAccountName(bad),
        `invalid service account name ${JSON.stringify(bad)}`,
      ));
  }
  it('suggests a fix', () =>
    rejects(() => validateServiceAccountName('My_App'), 'did you mean "my-app"?'));
  it('cuts very long values in the message', () =>
    assert.throws(
      () => validateServiceAccountName('Z'.repeat(300)),
      (err: Error) => err.message.length < 500 && err.message.includes('…'),
    ));
});

describe('validateRoleName', () => {
  for (const ok of ['a', 'My+Role=1,2.3@4_5-6', 'x'.repeat(64)]) {
    it(`accepts ${ok.length > 20 ? `${ok.length} chars` : ok}`, () =>
      assert.equal(validateRoleName(ok), ok));
  }
  it('rejects 65 characters', () =>
    rejects(() => validateRoleName('x'.repeat(65)), 'is 65 characters long', '1-64 characters'));
  for (const bad of ['', 'a b', 'a/b', 'a:b', 'rôle', 'a*']) {
    it(`rejects ${JSON.stringify(bad)}`, () =>
      rejects(() => validateRoleName(bad), `invalid role name ${JSON.stringify(bad)}`, '+=,.@_-'));
  }
  it('uses the flag name', () =>
    rejects(() => validateRoleName('', '--role-name'), 'invalid --role-name ""'));
});

describe('validateRolePath', () => {
  for (const ok of ['/', '/a/', '/a/b/', '/team-1/app_2/', '/!~/', `/${'a'.repeat(510)}/`]) {
    it(`accepts ${ok.length > 20 ? `${ok.length} chars` : ok}`, () =>
      assert.equal(validateRolePath(ok), ok));
  }
  it('rejects 513 characters', () =>
    rejects(
      () => validateRolePath(`/${'a'.repeat(511)}/`),
      '(513 characters)',
      'is 513 characters long',
      'at most 512',
    ));
  it('rejects a missing leading slash with a suggestion', () =>
    rejects(
      () => validateRolePath('a/b/'),
      "must start and end with '/'",
      'did you mean "/a/b/"?',
    ));
  it('rejects a missing trailing slash', () =>
    rejects(() => validateRolePath('/a'), "must start and end with '/'", '"/a/"'));
  it('rejects the empty path, suggesting "/"', () =>
    rejects(() => validateRolePath(''), 'did you mean "/"?'));
  it('rejects "//"', () => rejects(() => validateRolePath('//'), '"//"'));
  it('rejects an empty segment', () =>
    rejects(() => validateRolePath('/a//b/'), 'empty path segment'));
  it('rejects spaces and non-ASCII', () => {
    rejects(() => validateRolePath('/a b/'), 'printable ASCII');
    rejects(() => validateRolePath('/é/'), 'printable ASCII');
  });
});

describe('validatePolicyArn', () => {
  for (const ok of [
    'arn:aws:iam::aws:policy/ReadOnlyAccess',
    'arn:aws:iam::aws:policy/service-role/AmazonEKSClusterPolicy',
    'arn:aws:iam::111122223333:policy/MyPolicy',
    'arn:aws:iam::111122223333:policy/a/b/My+Policy=,.@_-',
    'arn:aws-cn:iam::aws:policy/AmazonS3ReadOnlyAccess',
    'arn:aws-us-gov:iam::111122223333:policy/x',
    'arn:aws-iso-b:iam::111122223333:policy/x',
    `arn:aws:iam::111122223333:policy/${'p'.repeat(128)}`,
  ]) {
    it(`accepts ${ok.slice(0, 70)}`, () => assert.equal(validatePolicyArn(ok), ok));
  }
  for (const bad of [
    '',
    'ReadOnlyAccess',
    'arn:aws:iam::aws:role/ReadOnlyAccess',
    'arn:aws:iam::11112222333:policy/x',
    'arn:aws:iam::1111222233334:policy/x',
    'arn:aws:iam:us-east-1:111122223333:policy/x',
    'arn:aws:s3::111122223333:policy/x',
    'arn:gcp:iam::111122223333:policy/x',
    'arn:aws:iam::111122223333:policy/',
    'arn:aws:iam::111122223333:policy/a//b',
    'arn:aws:iam::111122223333:policy/bad name',
    `arn:aws:iam::111122223333:policy/${'p'.repeat(129)}`,
  ]) {
    it(`rejects ${JSON.stringify(bad.slice(0, 70))}`, () =>
      rejects(
        () => validatePolicyArn(bad),
        'invalid policy ARN',
        'arn:aws:iam::aws:policy/ReadOnlyAccess',
      ));
  }
  it('suggests the AWS managed ARN for a bare name', () =>
    rejects(
      () => validatePolicyArn('AmazonS3ReadOnlyAccess'),
      'pass arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess',
    ));
});

describe('validatePermissionsBoundaryArn', () => {
  it('accepts a policy ARN', () =>
    assert.equal(
      validatePermissionsBoundaryArn('arn:aws:iam::111122223333:policy/boundary'),
      'arn:aws:iam::111122223333:policy/boundary',
    ));
  it('names --permissions-boundary', () =>
    rejects(
      () => validatePermissionsBoundaryArn('arn:aws:iam::111122223333:role/x'),
      'invalid --permissions-boundary "arn:aws:iam::111122223333:role/x"',
    ));
});

describe('validateRoleArn', () => {
  it('parses a root-path role', () =>
    assert.deepEqual(validateRoleArn('arn:aws:iam::111122223333:role/app'), {
      partition: 'aws',
      accountId: '111122223333',
      path: '/',
      roleName: 'app',
    }));
  it('parses a nested path', () =>
    assert.deepEqual(validateRoleArn('arn:aws:iam::111122223333:role/a/b/app'), {
      partition: 'aws',
      accountId: '111122223333',
      path: '/a/b/',
      roleName: 'app',
    }));
  it('parses aws-cn and aws-us-gov', () => {
    assert.equal(validateRoleArn('arn:aws-cn:iam::111122223333:role/x').partition, 'aws-cn');
    assert.equal(
      validateRoleArn('arn:aws-us-gov:iam::111122223333:role/x').partition,
      'aws-us-gov',
    );
  });
  it('accepts a 64-character name and rejects 65', () => {
    assert.equal(
      validateRoleArn(`arn:aws:iam::111122223333:role/${'r'.repeat(64)}`).roleName.length,
      64,
    );
    rejects(
      () => validateRoleArn(`arn:aws:iam::111122223333:role/${'r'.repeat(65)}`),
      'invalid role ARN',
    );
  });
  for (const bad of [
    '',
    'arn:aws:iam::aws:role/x',
    'arn:aws:iam::111122223333:policy/x',
    'arn:aws:iam::111122223333:role/',
    'arn:aws:iam::111122223333:role//x',
    'arn:aws:iam::12345:role/x',
    'arn:aws:iam:us-east-1:111122223333:role/x',
    'arn:aws:iam::111122223333:role/x y',
  ]) {
    it(`rejects ${JSON.stringify(bad)}`, () =>
      rejects(
        () => validateRoleArn(bad),
        'invalid role ARN',
        'arn:aws:iam::123456789012:role/MyRole',
      ));
  }
  it('explains an STS session ARN', () =>
    rejects(
      () => validateRoleArn('arn:aws:sts::111122223333:assumed-role/app/session'),
      'STS session ARN',
    ));
  it('explains a bare role name', () =>
    rejects(() => validateRoleArn('app'), 'not just the role name'));
  it('uses the flag name', () =>
    rejects(() => validateRoleArn('x', '--role-arn'), 'invalid --role-arn "x"'));
});

describe('validateThumbprint', () => {
  it('accepts 40 lower-case hex characters', () => assert.equal(validateThumbprint(THUMB), THUMB));
  it('lower-cases', () => assert.equal(validateThumbprint(THUMB.toUpperCase()), THUMB));
  it('accepts the colon-separated form', () =>
    assert.equal(validateThumbprint(THUMB.toUpperCase().match(/../g)!.join(':')), THUMB));
  for (const bad of [
    '',
    THUMB.slice(1),
    `${THUMB}0`,
    `${THUMB.slice(1)}g`,
    ` ${THUMB}`,
    THUMB.match(/../g)!.join('-'),
    'a'.repeat(64),
  ]) {
    it(`rejects ${JSON.stringify(bad)}`, () =>
      rejects(() => validateThumbprint(bad), 'must be 40 hexadecimal'));
  }
});

describe('validateThumbprints', () => {
  const t = (n: number) => n.toString(16).padStart(40, '0');
  it('accepts an empty list', () => assert.deepEqual(validateThumbprints([]), []));
  it('accepts five', () =>
    assert.deepEqual(validateThumbprints([1, 2, 3, 4, 5].map(t)), [1, 2, 3, 4, 5].map(t)));
  it('rejects six distinct', () =>
    rejects(() => validateThumbprints([1, 2, 3, 4, 5, 6].map(t)), '6 distinct', 'at most 5'));
  it('deduplicates ignoring case, keeping order', () =>
    assert.deepEqual(validateThumbprints([THUMB, t(1), THUMB.toUpperCase(), t(1)]), [THUMB, t(1)]));
  it('counts after deduplication', () =>
    assert.equal(validateThumbprints([1, 2, 3, 4, 5, 1, 2].map(t)).length, 5));
  it('names a bad element', () =>
    rejects(() => validateThumbprints([THUMB, 'zz']), 'invalid thumbprint "zz"'));
});

describe('parseTags', () => {
  it('returns {} for undefined, empty string and empty list', () => {
    assert.deepEqual(parseTags(undefined), {});
    assert.deepEqual(parseTags(''), {});
    assert.deepEqual(parseTags([]), {});
  });
  it('parses k=v,k2=v2', () =>
    assert.deepEqual(parseTags('team=payments,env=prod'), { team: 'payments', env: 'prod' }));
  it('merges repeated flags', () =>
    assert.deepEqual(parseTags(['team=payments', 'env=prod,tier=1']), {
      team: 'payments',
      env: 'prod',
      tier: '1',
    }));
  it('allows an empty value', () => assert.deepEqual(parseTags('flag='), { flag: '' }));
  it('keeps "=" inside the value', () => assert.deepEqual(parseTags('expr=a=b'), { expr: 'a=b' }));
  it('trims around pairs and skips empty pairs', () =>
    assert.deepEqual(parseTags(' a = 1 , ,b=two words,'), { a: '1', b: 'two words' }));
  it('accepts all IAM tag characters, including Unicode letters', () =>
    assert.deepEqual(parseTags('k_.:/=+-@=v_.:/=+-@,Équipe=Zürich 1'), {
      'k_.:/': '+-@=v_.:/=+-@',
      Équipe: 'Zürich 1',
    }));
  it('rejects a pair without "=" and shows the expected form', () =>
    rejects(() => parseTags('team'), 'invalid tag "team"', 'key=value', 'team=payments,env=prod'));
  it('uses the flag name', () => rejects(() => parseTags('x', '--tag'), 'invalid --tag "x"'));
  it('rejects an empty key', () => rejects(() => parseTags('=v'), 'invalid tag key ""', '1-128'));
  it('accepts a 128-character key and rejects 129', () => {
    assert.ok(Object.hasOwn(parseTags(`${'k'.repeat(128)}=v`), 'k'.repeat(128)));
    rejects(() => parseTags(`${'k'.repeat(129)}=v`), '(129 characters)', '1-128');
  });
  it('accepts a 256-character value and rejects 257', () => {
    assert.equal(parseTags(`k=${'v'.repeat(256)}`).k?.length, 256);
    rejects(() => parseTags(`k=${'v'.repeat(257)}`), '(257 characters)', 'at most 256');
  });
  it('counts characters, not UTF-16 units', () =>
    assert.equal([...(parseTags(`k=${'語'.repeat(256)}`).k ?? '')].length, 256));
  for (const bad of ['k!=v', 'k=v!', 'k=v#', 'k*=v', 'k=😀', 'k=a;b']) {
    it(`rejects characters outside the IAM set: ${bad}`, () =>
      rejects(() => parseTags(bad), 'IAM tag rule'));
  }
  it('rejects aws: keys in any case', () => {
    rejects(() => parseTags('aws:x=1'), 'reserves');
    rejects(() => parseTags('AWS:x=1'), 'reserves');
    rejects(() => parseTags('Aws:cloudformation:stack=1'), 'reserves');
  });
  it('allows keys that merely contain aws', () =>
    assert.deepEqual(parseTags('awsome=1,my-aws:x=2'), { awsome: '1', 'my-aws:x': '2' }));
  it('rejects duplicate keys ignoring case, within and across flags', () => {
    rejects(() => parseTags('Team=a,team=b'), 'given twice', '"Team"');
    rejects(() => parseTags(['team=a', 'team=a']), 'given twice');
  });
  it('accepts 50 tags and rejects 51', () => {
    const pairs = (n: number) => Array.from({ length: n }, (_, i) => `k${i}=v`).join(',');
    assert.equal(Object.keys(parseTags(pairs(50))).length, 50);
    rejects(() => parseTags(pairs(51)), '51 given', 'at most 50');
  });
});

describe('validateRegion', () => {
  for (const ok of [
    'us-west-2',
    'us-east-1',
    'cn-north-1',
    'cn-northwest-1',
    'us-gov-west-1',
    'eu-central-2',
    'il-central-1',
    'us-isob-east-1',
    'us-iso-west-1',
    'ap-southeast-5',
    'mx-central-1',
  ]) {
    it(`accepts ${ok}`, () => assert.equal(validateRegion(ok), ok));
  }
  for (const bad of [
    '',
    'us',
    'us-west',
    'uswest2',
    'us-west-',
    'u-west-2',
    'us-west-123',
    'us_west_2',
    'global',
  ]) {
    it(`rejects ${JSON.stringify(bad)}`, () =>
      rejects(() => validateRegion(bad), `invalid region ${JSON.stringify(bad)}`, 'us-west-2'));
  }
  it('recognises an availability zone', () =>
    rejects(() => validateRegion('us-west-2a'), 'availability zone', 'use "us-west-2"'));
  it('suggests lower case', () =>
    rejects(() => validateRegion('US-WEST-2'), 'did you mean "us-west-2"?'));
  it('uses the flag name', () =>
    rejects(() => validateRegion('x', '--region'), 'invalid --region "x"'));
});
