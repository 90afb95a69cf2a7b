// The evaluator as a table: (trust, subject, audience) -> does IAM let the token assume the role?
// Each row is one IAM rule: operators and their ForAnyValue/ForAllValues/IfExists variants, Null,
// negated operators, several providers, Deny statements winning over Allow.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  evaluateTrust,
  type PolicyDocument,
  type PolicyStatement,
  trustScope,
} from '../../src/policy/index.js';

const HOST = 'oidc.eks.us-west-2.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE';
const PROVIDER = `arn:aws:iam::111122223333:oidc-provider/${HOST}`;
const OTHER_HOST = 'oidc.eks.eu-west-1.amazonaws.com/id/OTHER';
const OTHER = `arn:aws:iam::111122223333:oidc-provider/${OTHER_HOST}`;
const SUB = `${HOST}:sub`;
const AUD = `${HOST}:aud`;
const STS = 'sts.amazonaws.com';
const APP = 'system:serviceaccount:shop:api';

type Cond = Record<string, Record<string, unknown>>;
const allow = (condition?: Cond, over: Partial<PolicyStatement> = {}): PolicyStatement => ({
  Effect: 'Allow',
  Principal: { Federated: PROVIDER },
  Action: 'sts:AssumeRoleWithWebIdentity',
  ...(condition ? { Condition: condition as PolicyStatement['Condition'] } : {}),
  ...over,
});
const deny = (condition?: Cond, over: Partial<PolicyStatement> = {}): PolicyStatement =>
  allow(condition, { Effect: 'Deny', ...over });
const exact = (sub = APP, aud = STS): Cond => ({ StringEquals: { [SUB]: sub, [AUD]: aud } });

interface Row {
  name: string;
  statements: PolicyStatement[];
  /** namespace:name, default shop:api */
  sa?: string;
  audience?: string;
  admits: boolean;
}

const rows: Row[] = [
  // StringEquals
  { name: 'StringEquals sub and aud', statements: [allow(exact())], admits: true },
  {
    name: 'StringEquals, another name',
    statements: [allow(exact())],
    sa: 'shop:web',
    admits: false,
  },
  {
    name: 'StringEquals, another namespace',
    statements: [allow(exact())],
    sa: 'other:api',
    admits: false,
  },
  {
    name: 'StringEquals is case-sensitive in values',
    statements: [allow(exact('system:serviceaccount:Shop:api'))],
    admits: false,
  },
  {
    name: 'condition keys are case-insensitive',
    statements: [allow({ StringEquals: { [SUB.toUpperCase()]: APP, [AUD]: STS } })],
    admits: true,
  },
  {
    name: 'StringEquals with a list of subjects (OR)',
    statements: [
      allow({ StringEquals: { [SUB]: ['system:serviceaccount:a:b', APP], [AUD]: STS } }),
    ],
    admits: true,
  },
  {
    name: 'StringEquals treats * literally',
    statements: [allow(exact('system:serviceaccount:shop:*'))],
    admits: false,
  },
  {
    name: 'custom audience matches',
    statements: [allow(exact(APP, 'vault'))],
    audience: 'vault',
    admits: true,
  },
  {
    name: 'default audience refused by a custom-audience trust',
    statements: [allow(exact(APP, 'vault'))],
    admits: false,
  },
  { name: 'wrong audience', statements: [allow(exact())], audience: 'other', admits: false },
  {
    name: 'StringEqualsIgnoreCase',
    statements: [allow({ StringEqualsIgnoreCase: { [SUB]: APP.toUpperCase() } })],
    admits: true,
  },
  // StringLike
  {
    name: 'StringLike namespace wildcard',
    statements: [allow({ StringLike: { [SUB]: 'system:serviceaccount:shop:*' } })],
    admits: true,
  },
  {
    name: 'StringLike namespace wildcard, other namespace',
    statements: [allow({ StringLike: { [SUB]: 'system:serviceaccount:shop:*' } })],
    sa: 'bank:api',
    admits: false,
  },
  {
    name: 'StringLike ? matches one character',
    statements: [allow({ StringLike: { [SUB]: 'system:serviceaccount:shop:ap?' } })],
    admits: true,
  },
  {
    name: 'StringLike ? is exactly one',
    statements: [allow({ StringLike: { [SUB]: 'system:serviceaccount:shop:a?' } })],
    admits: false,
  },
  {
    name: 'StringLike any namespace',
    statements: [allow({ StringLike: { [SUB]: 'system:serviceaccount:*:api' } })],
    sa: 'bank:api',
    admits: true,
  },
  {
    name: 'StringLike * alone',
    statements: [allow({ StringLike: { [SUB]: '*' } })],
    sa: 'x:y',
    admits: true,
  },
  {
    name: 'StringNotLike excludes',
    statements: [allow({ StringNotLike: { [SUB]: 'system:serviceaccount:kube-system:*' } })],
    admits: true,
  },
  {
    name: 'StringNotLike excludes its match',
    statements: [allow({ StringNotLike: { [SUB]: 'system:serviceaccount:shop:*' } })],
    admits: false,
  },
  // Negated equality
  {
    name: 'StringNotEquals another subject',
    statements: [allow({ StringNotEquals: { [SUB]: 'system:serviceaccount:a:b' } })],
    admits: true,
  },
  {
    name: 'StringNotEquals this subject',
    statements: [allow({ StringNotEquals: { [SUB]: APP } })],
    admits: false,
  },
  {
    name: 'StringNotEqualsIgnoreCase this subject',
    statements: [allow({ StringNotEqualsIgnoreCase: { [SUB]: APP.toUpperCase() } })],
    admits: false,
  },
  // Set operators on single-valued claims
  {
    name: 'ForAnyValue:StringEquals matches',
    statements: [allow({ 'ForAnyValue:StringEquals': { [SUB]: [APP, 'x'] } })],
    admits: true,
  },
  {
    name: 'ForAnyValue:StringEquals no match',
    statements: [allow({ 'ForAnyValue:StringEquals': { [SUB]: ['x'] } })],
    admits: false,
  },
  {
    name: 'ForAnyValue:StringLike matches',
    statements: [allow({ 'ForAnyValue:StringLike': { [SUB]: 'system:serviceaccount:shop:*' } })],
    admits: true,
  },
  {
    name: 'ForAllValues:StringEquals matches',
    statements: [allow({ 'ForAllValues:StringEquals': { [SUB]: [APP] } })],
    admits: true,
  },
  {
    name: 'ForAllValues:StringEquals no match',
    statements: [allow({ 'ForAllValues:StringEquals': { [SUB]: ['x'] } })],
    admits: false,
  },
  {
    name: 'ForAllValues on a claim of another issuer holds (empty set)',
    statements: [allow({ 'ForAllValues:StringEquals': { [`${OTHER_HOST}:sub`]: 'x' } })],
    admits: true,
  },
  {
    name: 'ForAnyValue on a claim of another issuer fails (empty set)',
    statements: [allow({ 'ForAnyValue:StringEquals': { [`${OTHER_HOST}:sub`]: 'x' } })],
    admits: false,
  },
  // IfExists and Null
  {
    name: 'StringEqualsIfExists on a present claim',
    statements: [allow({ StringEqualsIfExists: { [SUB]: APP } })],
    admits: true,
  },
  {
    name: 'StringEqualsIfExists on a present claim, no match',
    statements: [allow({ StringEqualsIfExists: { [SUB]: 'x' } })],
    admits: false,
  },
  {
    name: 'Null false: sub must be present',
    statements: [allow({ Null: { [SUB]: 'false' } })],
    admits: true,
  },
  {
    name: 'Null true: sub must be absent',
    statements: [allow({ Null: { [SUB]: 'true' } })],
    admits: false,
  },
  // Principals and actions
  {
    name: 'another provider',
    statements: [allow(exact(), { Principal: { Federated: OTHER } })],
    admits: false,
  },
  {
    name: 'two providers in one statement',
    statements: [allow(exact(), { Principal: { Federated: [OTHER, PROVIDER] } })],
    admits: true,
  },
  { name: 'Principal *', statements: [allow(exact(), { Principal: '*' })], admits: true },
  {
    name: 'Action sts:AssumeRole only',
    statements: [allow(exact(), { Action: 'sts:AssumeRole' })],
    admits: false,
  },
  { name: 'Action sts:*', statements: [allow(exact(), { Action: 'sts:*' })], admits: true },
  { name: 'no statements', statements: [], admits: false },
  {
    name: 'conditions on the other issuer only do not open it to us',
    statements: [
      allow(
        { StringEquals: { [`${OTHER_HOST}:sub`]: APP } },
        { Principal: { Federated: [OTHER, PROVIDER] } },
      ),
    ],
    admits: false,
  },
  {
    name: 'unknown aws:* keys are assumed to hold',
    statements: [allow({ ...exact(), IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } })],
    admits: true,
  },
  // Deny wins
  {
    name: 'Deny of this subject wins over Allow',
    statements: [allow(exact()), deny({ StringEquals: { [SUB]: APP } })],
    admits: false,
  },
  {
    name: 'Deny of another subject leaves Allow',
    statements: [allow(exact()), deny({ StringEquals: { [SUB]: 'system:serviceaccount:a:b' } })],
    admits: true,
  },
  {
    name: 'Deny first, Allow after: still denied',
    statements: [deny({ StringLike: { [SUB]: 'system:serviceaccount:shop:*' } }), allow(exact())],
    admits: false,
  },
  {
    name: 'Deny with ForAnyValue:StringLike wins',
    statements: [allow(exact()), deny({ 'ForAnyValue:StringLike': { [SUB]: '*:shop:*' } })],
    admits: false,
  },
  {
    name: 'Deny StringNotEquals spares only its subject',
    statements: [allow({ StringLike: { [SUB]: '*' } }), deny({ StringNotEquals: { [SUB]: APP } })],
    admits: true,
  },
  {
    name: 'Deny StringNotEquals refuses the others',
    statements: [allow({ StringLike: { [SUB]: '*' } }), deny({ StringNotEquals: { [SUB]: APP } })],
    sa: 'shop:web',
    admits: false,
  },
  {
    name: 'Deny of another action does not apply',
    statements: [allow(exact()), deny(undefined, { Action: 'sts:AssumeRole' })],
    admits: true,
  },
  {
    name: 'Deny Principal * unconditional',
    statements: [allow(exact()), deny(undefined, { Principal: '*' })],
    admits: false,
  },
];

describe('evaluateTrust: the table', () => {
  it('has at least 40 rows', () => assert.ok(rows.length >= 40, `${rows.length}`));
  for (const row of rows) {
    it(`${row.admits ? 'admits' : 'refuses'}: ${row.name}`, () => {
      const [namespace = '', serviceAccount = ''] = (row.sa ?? 'shop:api').split(':');
      const doc: PolicyDocument = { Version: '2012-10-17', Statement: row.statements };
      const result = evaluateTrust(doc, {
        providerArn: PROVIDER,
        issuerHostPath: HOST,
        namespace,
        serviceAccount,
        ...(row.audience ? { audience: row.audience } : {}),
      });
      assert.equal(result.admits, row.admits, result.problems.join('; '));
      if (!row.admits) assert.ok(result.problems.length > 0, 'a refusal says why');
    });
  }
});

describe('trustScope', () => {
  const scope = (...statements: PolicyStatement[]) =>
    trustScope(
      { Version: '2012-10-17', Statement: statements },
      { providerArn: PROVIDER, issuerHostPath: HOST },
    );
  it('no sub: missing, across namespaces; aud checked', () => {
    assert.deepEqual(scope(allow({ StringEquals: { [AUD]: STS } })).statements, [
      {
        statementIndex: 0,
        subject: 'missing',
        values: [],
        acrossNamespaces: true,
        audienceChecked: true,
        audienceWildcards: [],
        audiences: ['sts.amazonaws.com'],
      },
    ]);
  });
  it('wildcards: within one namespace or across', () => {
    const s = scope(
      allow({ StringLike: { [SUB]: 'system:serviceaccount:shop:*' } }),
      allow({ StringLike: { [SUB]: 'system:serviceaccount:*:api' } }),
    ).statements;
    assert.deepEqual(
      s.map((x) => [x.subject, x.acrossNamespaces, x.audienceChecked]),
      [
        ['wildcard', false, false],
        ['wildcard', true, false],
      ],
    );
  });
  it('an exact operator bounds a wildcard one (conditions are AND-ed)', () => {
    const s = scope(
      allow({ StringLike: { [SUB]: '*' }, StringEquals: { [SUB]: APP, [AUD]: STS } }),
    );
    assert.equal(s.statements[0]?.subject, 'exact');
    assert.deepEqual(s.exactSubjects, [{ namespace: 'shop', name: 'api' }]);
  });
  it('other providers, Deny and other actions are not in scope', () => {
    const s = scope(
      allow(exact(), { Principal: { Federated: [PROVIDER, OTHER] } }),
      // (a Deny without conditions would leave nothing in scope: nobody gets in)
      deny(exact('system:serviceaccount:shop:other')),
      allow(exact(), { Action: 'sts:AssumeRole' }),
    );
    assert.equal(s.statements.length, 1);
    assert.deepEqual(s.otherProviders, [OTHER]);
  });
  it('negated operators leave sub unbounded', () => {
    assert.equal(
      scope(allow({ StringNotEquals: { [SUB]: APP } })).statements[0]?.subject,
      'missing',
    );
  });
});
