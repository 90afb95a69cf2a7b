// iamsa's trust evaluator against an independent one: @cloud-copilot/iam-simulate (a devDependency
// only; docs/decisions/0006-own-trust-evaluator.md). A few hundred generated (trust, subject,
// audience) cases, the same verdict from both. The library's data declares no condition keys for
// EKS issuers, so its copy of each trust names the cluster's issuer cognito-identity.amazonaws.com
// (keys the data declares for sts:AssumeRoleWithWebIdentity); iamsa's copy keeps the EKS host.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { evaluateTrust, type PolicyDocument } from '../../src/policy/index.js';

const ACCOUNT = '111122223333';
const HOST = 'oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE';
const PROVIDER = `arn:aws:iam::${ACCOUNT}:oidc-provider/${HOST}`;
const OTHER = `arn:aws:iam::${ACCOUNT}:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/OTHER`;
const STAND_IN = 'cognito-identity.amazonaws.com';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/cross-check`;
const CASES = 400;

/** A small deterministic generator (mulberry32): the same cases on every run. */
function random(seed: number) {
  let a = seed;
  const next = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  return { next, pick };
}

const SUBJECTS = [
  'system:serviceaccount:shop:web',
  'system:serviceaccount:shop:api',
  'system:serviceaccount:ops:web',
  'system:serviceaccount:kube-system:aws-node',
];
const SUB_VALUES = [
  ...SUBJECTS,
  'system:serviceaccount:shop:*',
  'system:serviceaccount:*:web',
  'system:serviceaccount:shop:we?',
  '*',
  'SYSTEM:SERVICEACCOUNT:SHOP:WEB',
];
const AUDIENCES = ['sts.amazonaws.com', 'vault', 'STS.amazonaws.com'];
const AUD_VALUES = [...AUDIENCES, '*', 'sts.*'];
const OPERATORS = [
  'StringEquals',
  'StringNotEquals',
  'StringLike',
  'StringNotLike',
  'StringEqualsIgnoreCase',
  'StringNotEqualsIgnoreCase',
  'ForAnyValue:StringLike',
  'ForAnyValue:StringEquals',
  'ForAllValues:StringEquals',
  'StringEqualsIfExists',
  'StringLikeIfExists',
];
const ACTIONS: unknown[] = [
  'sts:AssumeRoleWithWebIdentity',
  'sts:AssumeRoleWithWebIdentity',
  ['sts:AssumeRoleWithWebIdentity', 'sts:TagSession'],
  'sts:*',
  'sts:AssumeRole*',
  'sts:AssumeRole',
  '*',
];
const NOT_ACTIONS = ['sts:AssumeRole', 'sts:AssumeRoleWithWebIdentity', 's3:*'];
const PRINCIPALS: unknown[] = [
  { Federated: PROVIDER },
  { Federated: PROVIDER },
  { Federated: [OTHER, PROVIDER] },
  { Federated: OTHER },
  '*',
];

function condition(r: ReturnType<typeof random>): Record<string, Record<string, unknown>> {
  const c: Record<string, Record<string, unknown>> = {};
  const blocks = Math.floor(r.next() * 3);
  for (let i = 0; i < blocks; i++) {
    const op = r.pick(OPERATORS);
    const block = (c[op] ??= {});
    const which = r.next();
    const many = (pool: string[]) => (r.next() < 0.7 ? r.pick(pool) : [r.pick(pool), r.pick(pool)]);
    // Condition keys are case-insensitive: now and then one is written in capitals.
    const host = r.next() < 0.1 ? HOST.toUpperCase() : HOST;
    if (which < 0.5) block[`${host}:sub`] = many(SUB_VALUES);
    else if (which < 0.85) block[`${host}:aud`] = many(AUD_VALUES);
    else block['accounts.google.com:sub'] = many(SUB_VALUES); // a claim of another issuer
  }
  if (r.next() < 0.08) c.Null = { [`${HOST}:sub`]: r.pick(['true', 'false']) };
  return c;
}

function trust(r: ReturnType<typeof random>): PolicyDocument {
  const count = 1 + Math.floor(r.next() * 3);
  const statements = Array.from({ length: count }, () => {
    const c = condition(r);
    const action =
      r.next() < 0.1 ? { NotAction: r.pick(NOT_ACTIONS) } : { Action: r.pick(ACTIONS) };
    return {
      Effect: r.next() < 0.8 ? 'Allow' : 'Deny',
      Principal: r.pick(PRINCIPALS),
      ...action,
      ...(Object.keys(c).length ? { Condition: c } : {}),
    };
  });
  return { Version: '2012-10-17', Statement: statements } as PolicyDocument;
}

async function simulated(doc: PolicyDocument, sub: string, aud: string): Promise<boolean> {
  const resourcePolicy = JSON.parse(
    JSON.stringify(doc)
      .replaceAll(`${HOST}:`, `${STAND_IN}:`)
      .replaceAll(`${HOST.toUpperCase()}:`, `${STAND_IN}:`),
  );
  const result = await runSimulation(
    {
      request: {
        principal: PROVIDER,
        action: 'sts:AssumeRoleWithWebIdentity',
        resource: { resource: ROLE, accountId: ACCOUNT },
        contextVariables: { [`${STAND_IN}:sub`]: sub, [`${STAND_IN}:aud`]: aud },
      },
      identityPolicies: [],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy,
    },
    {},
  );
  if (result.resultType === 'error') {
    throw new Error(`the simulator refused the case: ${JSON.stringify(result.errors)}`);
  }
  return result.overallResult === 'Allowed';
}

describe('evaluateTrust agrees with @cloud-copilot/iam-simulate', () => {
  it(`${CASES} generated (trust, subject, audience) cases get the same verdict`, async () => {
    const r = random(16);
    const differ: string[] = [];
    let admitted = 0;
    for (let i = 0; i < CASES; i++) {
      const doc = trust(r);
      const sub = r.pick(SUBJECTS);
      const aud = r.pick(AUDIENCES);
      const [namespace = '', name = ''] = sub.split(':').slice(2);
      const ours = evaluateTrust(doc, {
        providerArn: PROVIDER,
        issuerHostPath: HOST,
        namespace,
        serviceAccount: name,
        audience: aud,
      }).admits;
      const theirs = await simulated(doc, sub, aud);
      if (ours) admitted++;
      if (ours !== theirs) {
        differ.push(
          `case ${i}: iamsa ${ours}, iam-simulate ${theirs} for ${sub} aud ${aud}: ${JSON.stringify(doc)}`,
        );
      }
    }
    assert.deepEqual(differ, []);
    // The cases are worth something only if both verdicts occur often.
    assert.ok(admitted > CASES / 10 && admitted < CASES - CASES / 10, `admitted ${admitted}`);
  });
});
