import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ValidationError } from '../../src/errors.js';
import {
  TRUST_POLICY_DEFAULT_LIMIT,
  buildTrustPolicy,
  buildTrustStatement,
  evaluateTrust,
  parseTrustPolicy,
  trustPoliciesEqual,
  trustPolicySize,
  wildcardMatch,
  type PolicyDocument,
  type PolicyStatement,
  type TrustTarget,
} from '../../src/policy/index.js';

const ACCOUNT = '111122223333';
const HOST = 'oidc.eks.us-west-2.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE';
const PROVIDER = `arn:aws:iam::${ACCOUNT}:oidc-provider/${HOST}`;
const OTHER_HOST = 'oidc.eks.eu-west-1.amazonaws.com/id/OTHER0000000000000000000000000000';
const OTHER_PROVIDER = `arn:aws:iam::${ACCOUNT}:oidc-provider/${OTHER_HOST}`;
const SUBJECT = 'system:serviceaccount:ns:sa';
const TARGET: TrustTarget = {
  providerArn: PROVIDER,
  issuerHostPath: HOST,
  namespace: 'ns',
  serviceAccount: 'sa',
};

/** The literal shape from irsa.md, filled in. */
const IRSA_MD_LITERAL = `{"Version": "2012-10-17", "Statement": [{
  "Effect": "Allow",
  "Principal": {"Federated": "arn:aws:iam::${ACCOUNT}:oidc-provider/${HOST}"},
  "Action": "sts:AssumeRoleWithWebIdentity",
  "Condition": {"StringEquals": {
    "${HOST}:sub": "system:serviceaccount:ns:sa",
    "${HOST}:aud": "sts.amazonaws.com"}}}]}`;

const stmt = (over: Partial<PolicyStatement> & Record<string, unknown> = {}): PolicyStatement =>
  ({ ...buildTrustStatement(TARGET), ...over }) as PolicyStatement;
const policy = (...statements: PolicyStatement[]): PolicyDocument => ({
  Version: '2012-10-17',
  Statement: statements,
});
/** The statement without one element. */
const omit = (s: PolicyStatement, key: keyof PolicyStatement): PolicyStatement => {
  const copy = { ...s };
  delete copy[key];
  return copy;
};
const cond = (block: Record<string, Record<string, string | string[]>>) => ({ Condition: block });

describe('buildTrustStatement / buildTrustPolicy', () => {
  it('is exactly the irsa.md policy, key order included', () =>
    assert.equal(
      JSON.stringify(buildTrustPolicy(TARGET)),
      JSON.stringify(JSON.parse(IRSA_MD_LITERAL)),
    ));
  it('orders statement keys Effect, Principal, Action, Condition and sub before aud', () => {
    const s = buildTrustStatement(TARGET);
    assert.deepEqual(Object.keys(s), ['Effect', 'Principal', 'Action', 'Condition']);
    assert.deepEqual(Object.keys(s.Condition?.StringEquals ?? {}), [`${HOST}:sub`, `${HOST}:aud`]);
  });
  it('uses a custom audience', () => {
    const s = buildTrustStatement({ ...TARGET, audience: 'my-aud' });
    assert.equal(s.Condition?.StringEquals?.[`${HOST}:aud`], 'my-aud');
  });
  it('fits the default trust size limit, four times over roughly', () => {
    const size = trustPolicySize(buildTrustPolicy(TARGET));
    assert.ok(size < TRUST_POLICY_DEFAULT_LIMIT / 4, `size ${size}`);
    assert.equal(TRUST_POLICY_DEFAULT_LIMIT, 2048);
  });
  it('measures size ignoring whitespace', () =>
    assert.equal(
      trustPolicySize(IRSA_MD_LITERAL),
      JSON.stringify(JSON.parse(IRSA_MD_LITERAL)).length,
    ));
});

describe('parseTrustPolicy', () => {
  const expected = buildTrustPolicy(TARGET);
  it('parses JSON text', () => assert.deepEqual(parseTrustPolicy(IRSA_MD_LITERAL), expected));
  it('parses the URL-encoded text IAM returns', () =>
    assert.deepEqual(parseTrustPolicy(encodeURIComponent(JSON.stringify(expected))), expected));
  it('accepts an object', () => assert.deepEqual(parseTrustPolicy(expected), expected));
  it('normalises a single Statement object to an array', () =>
    assert.deepEqual(parseTrustPolicy({ Version: '2012-10-17', Statement: stmt() }).Statement, [
      stmt(),
    ]));
  it('defaults a missing Version to 2008-10-17, as IAM does', () =>
    assert.equal(parseTrustPolicy({ Statement: [stmt()] }).Version, '2008-10-17'));
  it('keeps arrays of one as they are', () => {
    const parsed = parseTrustPolicy(policy(stmt({ Action: ['sts:AssumeRoleWithWebIdentity'] })));
    assert.deepEqual(parsed.Statement[0]?.Action, ['sts:AssumeRoleWithWebIdentity']);
  });
  for (const [input, message] of [
    ['{', 'not valid JSON'],
    ['[]', 'must be a JSON object'],
    [{ Version: '2012-10-17' }, 'missing "Statement"'],
    [{ Version: '2012-10-17', Statement: [] }, 'empty'],
    [{ Version: 'x', Statement: [stmt()] }, '"Version"'],
    [{ Version: '2012-10-17', Statement: [{ Action: 'x' }] }, 'no "Effect"'],
  ] as const) {
    it(`rejects ${JSON.stringify(input)}`, () =>
      assert.throws(
        () => parseTrustPolicy(input),
        (err: unknown) =>
          err instanceof ValidationError &&
          err.message.startsWith('trust policy: ') &&
          err.message.includes(message),
      ));
  }
  it('names a custom source', () =>
    assert.throws(() => parseTrustPolicy('{', 'role app'), /^ValidationError: role app: /));
});

describe('trustPoliciesEqual', () => {
  const base = buildTrustPolicy(TARGET);
  it('is reflexive across text, URL-encoded and object forms', () => {
    assert.ok(trustPoliciesEqual(base, IRSA_MD_LITERAL));
    assert.ok(trustPoliciesEqual(encodeURIComponent(JSON.stringify(base)), base));
  });
  it('ignores key order', () => {
    const reordered = JSON.parse(
      `{"Statement":[{"Condition":{"StringEquals":{"${HOST}:aud":"sts.amazonaws.com","${HOST}:sub":"${SUBJECT}"}},"Action":"sts:AssumeRoleWithWebIdentity","Principal":{"Federated":"${PROVIDER}"},"Effect":"Allow"}],"Version":"2012-10-17"}`,
    );
    assert.ok(trustPoliciesEqual(base, reordered));
  });
  it('treats string and [string] as equal', () => {
    assert.ok(
      trustPoliciesEqual(
        base,
        policy(
          stmt({
            Action: ['sts:AssumeRoleWithWebIdentity'],
            Principal: { Federated: [PROVIDER] },
            Condition: {
              StringEquals: { [`${HOST}:sub`]: [SUBJECT], [`${HOST}:aud`]: 'sts.amazonaws.com' },
            },
          }),
        ),
      ),
    );
  });
  it('treats a single Statement object as equal to an array of it', () =>
    assert.ok(trustPoliciesEqual(base, { Version: '2012-10-17', Statement: base.Statement[0] })));
  it('ignores the order of values within a list', () =>
    assert.ok(
      trustPoliciesEqual(
        policy(stmt({ Action: ['sts:TagSession', 'sts:AssumeRoleWithWebIdentity'] })),
        policy(stmt({ Action: ['sts:AssumeRoleWithWebIdentity', 'sts:TagSession'] })),
      ),
    ));
  it('differs on a different subject', () =>
    assert.ok(!trustPoliciesEqual(base, buildTrustPolicy({ ...TARGET, serviceAccount: 'other' }))));
  it('differs on Version', () =>
    assert.ok(!trustPoliciesEqual(base, { ...base, Version: '2008-10-17' })));
  it('differs on an extra statement', () =>
    assert.ok(
      !trustPoliciesEqual(base, policy(stmt(), buildTrustStatement({ ...TARGET, namespace: 'x' }))),
    ));
  it('cares about statement order', () => {
    const a = stmt();
    const b = buildTrustStatement({ ...TARGET, namespace: 'x' });
    assert.ok(!trustPoliciesEqual(policy(a, b), policy(b, a)));
  });
});

describe('wildcardMatch', () => {
  for (const [pattern, value, ci, result] of [
    ['*', 'anything', false, true],
    ['sts:*', 'sts:AssumeRoleWithWebIdentity', false, true],
    ['sts:Assume*', 'sts:AssumeRoleWithWebIdentity', false, true],
    ['sts:assumerolewithwebidentity', 'sts:AssumeRoleWithWebIdentity', true, true],
    ['sts:assumerolewithwebidentity', 'sts:AssumeRoleWithWebIdentity', false, false],
    ['system:serviceaccount:ns:*', SUBJECT, false, true],
    ['system:serviceaccount:ns:s?', SUBJECT, false, true],
    ['system:serviceaccount:ns:s?', 'system:serviceaccount:ns:sab', false, false],
    ['a.b', 'axb', false, false],
    ['(x)', '(x)', false, true],
  ] as const) {
    it(`${pattern} ~ ${value} (ignoreCase ${ci}) = ${result}`, () =>
      assert.equal(wildcardMatch(pattern, value, ci), result));
  }
});

describe('evaluateTrust: admits', () => {
  it('admits the built policy, with nothing over-broad', () =>
    assert.deepEqual(evaluateTrust(buildTrustPolicy(TARGET), TARGET), {
      admits: true,
      statementIndex: 0,
      problems: [],
      overBroad: [],
    }));
  it('admits array forms of Action, Federated and values', () => {
    const result = evaluateTrust(
      policy(
        stmt({
          Principal: { Federated: [OTHER_PROVIDER, PROVIDER] },
          Action: ['sts:TagSession', 'sts:AssumeRoleWithWebIdentity'],
          ...cond({
            StringEquals: {
              [`${HOST}:sub`]: ['system:serviceaccount:x:y', SUBJECT],
              [`${HOST}:aud`]: ['sts.amazonaws.com'],
            },
          }),
        }),
      ),
      TARGET,
    );
    assert.equal(result.admits, true);
    assert.deepEqual(result.overBroad, []);
  });
  for (const action of ['sts:*', '*', 'sts:AssumeRole*', 'STS:assumerolewithwebidentity']) {
    it(`admits Action ${action}`, () =>
      assert.equal(evaluateTrust(policy(stmt({ Action: action })), TARGET).admits, true));
  }
  it('admits NotAction that does not exclude the web identity action', () => {
    const rest = omit(stmt(), 'Action');
    assert.equal(
      evaluateTrust(policy({ ...rest, NotAction: 'sts:AssumeRole' } as PolicyStatement), TARGET)
        .admits,
      true,
    );
  });
  it('finds the admitting statement among several', () => {
    const other = buildTrustStatement({
      ...TARGET,
      providerArn: OTHER_PROVIDER,
      issuerHostPath: OTHER_HOST,
    });
    const wrong = buildTrustStatement({ ...TARGET, namespace: 'other' });
    const result = evaluateTrust(policy(other, wrong, stmt()), TARGET);
    assert.equal(result.admits, true);
    assert.equal(result.statementIndex, 2);
    assert.deepEqual(result.problems, []);
  });
  it('reads condition keys case-insensitively', () => {
    const result = evaluateTrust(
      policy(
        stmt(
          cond({
            StringEquals: {
              [`${HOST.toUpperCase()}:SUB`]: SUBJECT,
              [`${HOST}:Aud`]: 'sts.amazonaws.com',
            },
          }),
        ),
      ),
      TARGET,
    );
    assert.equal(result.admits, true);
    assert.deepEqual(result.overBroad, []);
  });
  it('accepts a custom audience', () => {
    const t = { ...TARGET, audience: 'my-aud' };
    assert.equal(evaluateTrust(buildTrustPolicy(t), t).admits, true);
    assert.equal(evaluateTrust(buildTrustPolicy(TARGET), t).admits, false);
  });
  it('assumes conditions on keys it cannot know hold (aws:*, other claims)', () => {
    const s = stmt();
    const result = evaluateTrust(
      policy({
        ...s,
        Condition: {
          ...s.Condition,
          IpAddress: { 'aws:SourceIp': '10.0.0.0/8' },
          StringEquals: { ...s.Condition?.StringEquals, [`${HOST}:amr`]: 'x' },
        },
      }),
      TARGET,
    );
    assert.equal(result.admits, true);
  });
  it('evaluates StringEqualsIgnoreCase, IfExists and Null', () => {
    assert.equal(
      evaluateTrust(
        policy(
          stmt(
            cond({
              StringEqualsIgnoreCase: {
                [`${HOST}:sub`]: SUBJECT.toUpperCase(),
                [`${HOST}:aud`]: 'sts.amazonaws.com',
              },
            }),
          ),
        ),
        TARGET,
      ).admits,
      true,
    );
    assert.equal(
      evaluateTrust(
        policy(
          stmt(
            cond({
              StringEqualsIfExists: {
                [`${HOST}:sub`]: SUBJECT,
                [`${HOST}:aud`]: 'sts.amazonaws.com',
              },
            }),
          ),
        ),
        TARGET,
      ).admits,
      true,
    );
    const s = stmt();
    assert.equal(
      evaluateTrust(
        policy({ ...s, Condition: { ...s.Condition, Null: { [`${HOST}:sub`]: 'false' } } }),
        TARGET,
      ).admits,
      true,
    );
    assert.equal(
      evaluateTrust(
        policy({ ...s, Condition: { ...s.Condition, Null: { [`${HOST}:sub`]: 'true' } } }),
        TARGET,
      ).admits,
      false,
    );
  });
  it('evaluates negated operators', () => {
    const s = stmt();
    const plus = (extra: Record<string, Record<string, string>>) =>
      evaluateTrust(policy({ ...s, Condition: { ...s.Condition, ...extra } }), TARGET);
    assert.equal(
      plus({ StringNotEquals: { [`${HOST}:sub`]: 'system:serviceaccount:ns:other' } }).admits,
      true,
    );
    const excluded = plus({ StringNotLike: { [`${HOST}:sub`]: 'system:serviceaccount:ns:*' } });
    assert.equal(excluded.admits, false);
    assert.match(
      excluded.problems[0] ?? '',
      /statement 0 excludes sub "system:serviceaccount:ns:sa" \(StringNotLike\)/,
    );
  });
});

describe('evaluateTrust: does not admit', () => {
  it('wrong sub: names the required and the actual subject', () => {
    const result = evaluateTrust(
      buildTrustPolicy({ ...TARGET, namespace: 'a', serviceAccount: 'b' }),
      TARGET,
    );
    assert.equal(result.admits, false);
    assert.equal(result.statementIndex, undefined);
    assert.deepEqual(result.problems, [
      'statement 0 requires sub "system:serviceaccount:a:b", not "system:serviceaccount:ns:sa"',
    ]);
  });
  it('wrong sub among several values', () => {
    const result = evaluateTrust(
      policy(
        stmt(
          cond({
            StringEquals: {
              [`${HOST}:sub`]: ['system:serviceaccount:a:b', 'system:serviceaccount:c:d'],
              [`${HOST}:aud`]: 'sts.amazonaws.com',
            },
          }),
        ),
      ),
      TARGET,
    );
    assert.deepEqual(result.problems, [
      'statement 0 requires sub to be one of "system:serviceaccount:a:b", "system:serviceaccount:c:d", not "system:serviceaccount:ns:sa"',
    ]);
  });
  it('wrong aud', () => {
    const result = evaluateTrust(buildTrustPolicy({ ...TARGET, audience: 'other' }), TARGET);
    assert.equal(result.admits, false);
    assert.deepEqual(result.problems, [
      'statement 0 requires aud "other", not "sts.amazonaws.com"',
    ]);
  });
  it('wrong provider (another issuer): says so in short lines, no JSON inline', () => {
    const result = evaluateTrust(
      buildTrustPolicy({ ...TARGET, providerArn: OTHER_PROVIDER, issuerHostPath: OTHER_HOST }),
      TARGET,
    );
    assert.equal(result.admits, false);
    assert.equal(result.problems.length, 2);
    assert.equal(
      result.problems[0],
      `statement 0 trusts ${OTHER_PROVIDER} (another issuer: ${OTHER_HOST}), not ${PROVIDER}`,
    );
    assert.equal(result.problems[1], `no statement trusts the OIDC provider ${PROVIDER}`);
  });
  it('wrong account', () => {
    const foreign = `arn:aws:iam::444455556666:oidc-provider/${HOST}`;
    const result = evaluateTrust(buildTrustPolicy({ ...TARGET, providerArn: foreign }), TARGET);
    assert.equal(result.admits, false);
    assert.match(result.problems[0] ?? '', /this issuer in account 444455556666, not 111122223333/);
    assert.match(result.problems[1] ?? '', /^no statement trusts the OIDC provider/);
  });
  it('wrong partition', () => {
    const cn = `arn:aws-cn:iam::${ACCOUNT}:oidc-provider/${HOST}`;
    assert.match(
      evaluateTrust(buildTrustPolicy({ ...TARGET, providerArn: cn }), TARGET).problems[0] ?? '',
      /partition aws-cn, not aws/,
    );
  });
  it('a service principal', () => {
    const result = evaluateTrust(
      policy({
        Effect: 'Allow',
        Principal: { Service: 'pods.eks.amazonaws.com' },
        Action: ['sts:AssumeRole', 'sts:TagSession'],
      }),
      TARGET,
    );
    assert.equal(result.admits, false);
    assert.match(
      result.problems[0] ?? '',
      /^statement 0 trusts Service pods\.eks\.amazonaws\.com, not an OIDC provider$/,
    );
  });
  it('the right provider but the wrong action', () => {
    const result = evaluateTrust(policy(stmt({ Action: 'sts:AssumeRole' })), TARGET);
    assert.deepEqual(result.problems, [
      'statement 0 allows "sts:AssumeRole", not sts:AssumeRoleWithWebIdentity',
    ]);
  });
  it('NotAction excluding the web identity action', () => {
    const rest = omit(stmt(), 'Action');
    const result = evaluateTrust(
      policy({ ...rest, NotAction: 'sts:*' } as PolicyStatement),
      TARGET,
    );
    assert.equal(result.admits, false);
    assert.match(result.problems[0] ?? '', /every action except "sts:\*"/);
  });
  it('no Action at all', () => {
    const rest = omit(stmt(), 'Action');
    assert.match(
      evaluateTrust(policy(rest as PolicyStatement), TARGET).problems[0] ?? '',
      /has no "Action"/,
    );
  });
  it("a condition on another issuer's keys", () => {
    const result = evaluateTrust(
      policy(
        stmt(
          cond({
            StringEquals: {
              [`${OTHER_HOST}:sub`]: SUBJECT,
              [`${OTHER_HOST}:aud`]: 'sts.amazonaws.com',
            },
          }),
        ),
      ),
      TARGET,
    );
    assert.equal(result.admits, false);
    assert.match(result.problems[0] ?? '', /a claim of another issuer/);
  });
  it('an operator it cannot evaluate on sub', () => {
    const result = evaluateTrust(
      policy(
        stmt(
          cond({
            ArnEquals: { [`${HOST}:sub`]: SUBJECT },
            StringEquals: { [`${HOST}:aud`]: 'sts.amazonaws.com' },
          }),
        ),
      ),
      TARGET,
    );
    assert.equal(result.admits, false);
    assert.match(result.problems[0] ?? '', /uses ArnEquals on .* which iamsa cannot evaluate/);
  });
  it('StringLike that does not match', () => {
    const result = evaluateTrust(
      policy(
        stmt(
          cond({
            StringLike: {
              [`${HOST}:sub`]: 'system:serviceaccount:other:*',
              [`${HOST}:aud`]: 'sts.amazonaws.com',
            },
          }),
        ),
      ),
      TARGET,
    );
    assert.equal(result.admits, false);
    assert.equal(
      result.problems[0],
      'statement 0 requires sub like "system:serviceaccount:other:*", which "system:serviceaccount:ns:sa" does not match',
    );
  });
  it('a matching Deny wins over an Allow', () => {
    const deny = { ...stmt(), Effect: 'Deny' as const };
    const result = evaluateTrust(policy(stmt(), deny), TARGET);
    assert.equal(result.admits, false);
    assert.equal(result.statementIndex, undefined);
    assert.deepEqual(result.problems, [
      'statement 1 denies this service account ("Effect": "Deny")',
    ]);
  });
  it('a Deny for another service account does not matter', () => {
    const deny = {
      ...buildTrustStatement({ ...TARGET, serviceAccount: 'other' }),
      Effect: 'Deny' as const,
    };
    assert.equal(evaluateTrust(policy(deny, stmt()), TARGET).admits, true);
  });
  it('a Deny with Principal "*" and no conditions', () => {
    const result = evaluateTrust(
      policy(stmt(), { Effect: 'Deny', Principal: '*', Action: '*' }),
      TARGET,
    );
    assert.equal(result.admits, false);
  });
  it('a Deny alone reports the denial', () => {
    const result = evaluateTrust(policy({ ...stmt(), Effect: 'Deny' }), TARGET);
    assert.equal(result.admits, false);
    assert.deepEqual(result.problems, [
      'statement 0 denies this service account ("Effect": "Deny")',
    ]);
  });
  it('an empty statement list', () => {
    const result = evaluateTrust(policy(), TARGET);
    assert.equal(result.admits, false);
    assert.match(result.problems[0] ?? '', /^no statement trusts the OIDC provider/);
  });
  it('lists every failing statement that trusts the provider', () => {
    const result = evaluateTrust(
      policy(
        buildTrustStatement({ ...TARGET, namespace: 'a' }),
        buildTrustStatement({ ...TARGET, audience: 'x' }),
      ),
      TARGET,
    );
    assert.equal(result.problems.length, 2);
    assert.match(result.problems[0] ?? '', /^statement 0 requires sub/);
    assert.match(result.problems[1] ?? '', /^statement 1 requires aud/);
  });
});

describe('evaluateTrust: over-broad', () => {
  it('StringLike with * in aud admits but is flagged', () => {
    const result = evaluateTrust(
      policy(
        stmt(
          cond({
            StringEquals: { [`${HOST}:sub`]: SUBJECT },
            StringLike: { [`${HOST}:aud`]: '*' },
          }),
        ),
      ),
      TARGET,
    );
    assert.equal(result.admits, true);
    assert.deepEqual(result.overBroad, [
      `statement 0 matches "${HOST}:aud" with StringLike "*": tokens for other audiences are accepted too; use StringEquals with "sts.amazonaws.com"`,
    ]);
  });
  it('StringLike with * in sub admits but is flagged', () => {
    const result = evaluateTrust(
      policy(
        stmt(
          cond({
            StringLike: { [`${HOST}:sub`]: 'system:serviceaccount:ns:*' },
            StringEquals: { [`${HOST}:aud`]: 'sts.amazonaws.com' },
          }),
        ),
      ),
      TARGET,
    );
    assert.equal(result.admits, true);
    assert.deepEqual(result.overBroad, [
      `statement 0 matches "${HOST}:sub" with StringLike "system:serviceaccount:ns:*": every service account it matches can assume this role; use StringEquals with "${SUBJECT}"`,
    ]);
  });
  it('StringLike with ? in sub is flagged', () => {
    const result = evaluateTrust(
      policy(
        stmt(
          cond({
            StringLike: {
              [`${HOST}:sub`]: 'system:serviceaccount:ns:s?',
              [`${HOST}:aud`]: 'sts.amazonaws.com',
            },
          }),
        ),
      ),
      TARGET,
    );
    assert.equal(result.admits, true);
    assert.equal(result.overBroad.length, 1);
  });
  it('StringLike without a wildcard is not flagged', () => {
    const result = evaluateTrust(
      policy(
        stmt(
          cond({ StringLike: { [`${HOST}:sub`]: SUBJECT, [`${HOST}:aud`]: 'sts.amazonaws.com' } }),
        ),
      ),
      TARGET,
    );
    assert.equal(result.admits, true);
    assert.deepEqual(result.overBroad, []);
  });
  it('a missing sub condition admits but is flagged', () => {
    const result = evaluateTrust(
      policy(stmt(cond({ StringEquals: { [`${HOST}:aud`]: 'sts.amazonaws.com' } }))),
      TARGET,
    );
    assert.equal(result.admits, true);
    assert.deepEqual(result.overBroad, [
      `statement 0 has no condition on "${HOST}:sub": every service account of that cluster can assume this role; add StringEquals "${HOST}:sub": "${SUBJECT}"`,
    ]);
  });
  it('a missing aud condition admits but is flagged', () => {
    const result = evaluateTrust(
      policy(stmt(cond({ StringEquals: { [`${HOST}:sub`]: SUBJECT } }))),
      TARGET,
    );
    assert.equal(result.admits, true);
    assert.deepEqual(result.overBroad, [
      `statement 0 has no condition on "${HOST}:aud"; add StringEquals "${HOST}:aud": "sts.amazonaws.com"`,
    ]);
  });
  it('no Condition at all is flagged twice', () => {
    const rest = omit(stmt(), 'Condition');
    const result = evaluateTrust(policy(rest as PolicyStatement), TARGET);
    assert.equal(result.admits, true);
    assert.equal(result.overBroad.length, 2);
  });
  it('a negative-only sub condition counts as missing', () => {
    const result = evaluateTrust(
      policy(
        stmt(
          cond({
            StringNotEquals: { [`${HOST}:sub`]: 'system:serviceaccount:x:y' },
            StringEquals: { [`${HOST}:aud`]: 'sts.amazonaws.com' },
          }),
        ),
      ),
      TARGET,
    );
    assert.equal(result.admits, true);
    assert.match(result.overBroad[0] ?? '', /has no condition on ".*:sub"/);
  });
  it('Principal "*" is flagged', () => {
    const result = evaluateTrust(policy(stmt({ Principal: '*' })), TARGET);
    assert.equal(result.admits, true);
    assert.match(result.overBroad[0] ?? '', /trusts every principal/);
  });
  it('flags other statements of the role too, even when they do not admit this service account', () => {
    const broad = stmt(
      cond({
        StringLike: {
          [`${HOST}:sub`]: 'system:serviceaccount:other:*',
          [`${HOST}:aud`]: 'sts.amazonaws.com',
        },
      }),
    );
    const result = evaluateTrust(policy(stmt(), broad), TARGET);
    assert.equal(result.admits, true);
    assert.equal(result.statementIndex, 0);
    assert.equal(result.overBroad.length, 1);
    assert.match(result.overBroad[0] ?? '', /^statement 1 matches/);
  });
  it("flags another provider's statement with its own host and a placeholder subject", () => {
    const otherBroad = {
      Effect: 'Allow' as const,
      Principal: { Federated: OTHER_PROVIDER },
      Action: 'sts:AssumeRoleWithWebIdentity',
    };
    const result = evaluateTrust(policy(otherBroad, stmt()), TARGET);
    assert.equal(result.admits, true);
    assert.deepEqual(result.overBroad, [
      `statement 0 has no condition on "${OTHER_HOST}:sub": every service account of that cluster can assume this role; add StringEquals "${OTHER_HOST}:sub": "system:serviceaccount:<namespace>:<name>"`,
      `statement 0 has no condition on "${OTHER_HOST}:aud"; add StringEquals "${OTHER_HOST}:aud": "sts.amazonaws.com"`,
    ]);
  });
  it('does not flag Deny statements', () => {
    const rest = omit(stmt(), 'Condition');
    const result = evaluateTrust(
      policy(stmt(), {
        ...rest,
        Effect: 'Deny',
        Principal: { Federated: OTHER_PROVIDER },
      } as PolicyStatement),
      TARGET,
    );
    assert.deepEqual(result.overBroad, []);
  });
  it('reports over-broad statements even when nothing admits', () => {
    const result = evaluateTrust(
      policy(stmt({ Condition: { StringLike: { [`${HOST}:sub`]: 'system:serviceaccount:x:*' } } })),
      TARGET,
    );
    assert.equal(result.admits, false);
    assert.equal(result.overBroad.length, 2);
  });
  it('works on a parsed URL-encoded policy', () => {
    const text = encodeURIComponent(
      JSON.stringify({
        Version: '2012-10-17',
        Statement: { ...stmt(), Principal: { Federated: [PROVIDER] } },
      }),
    );
    assert.deepEqual(evaluateTrust(parseTrustPolicy(text), TARGET), {
      admits: true,
      statementIndex: 0,
      problems: [],
      overBroad: [],
    });
  });
});

describe('evaluateTrust: statements naming several providers', () => {
  it('conditions on one issuer do not leave the other provider open', () => {
    const result = evaluateTrust(
      policy(stmt({ Principal: { Federated: [PROVIDER, OTHER_PROVIDER] } })),
      TARGET,
    );
    assert.equal(result.admits, true);
    assert.deepEqual(result.overBroad, []);
  });
  it('conditions only on the other issuer reject this cluster', () => {
    const other = buildTrustStatement({
      ...TARGET,
      providerArn: OTHER_PROVIDER,
      issuerHostPath: OTHER_HOST,
    });
    const result = evaluateTrust(
      policy({ ...other, Principal: { Federated: [PROVIDER, OTHER_PROVIDER] } }),
      TARGET,
    );
    assert.equal(result.admits, false);
    assert.equal(result.problems.length, 2);
    assert.ok(result.problems.every((p) => p.includes('a claim of another issuer')));
    assert.deepEqual(result.overBroad, []);
  });
});
