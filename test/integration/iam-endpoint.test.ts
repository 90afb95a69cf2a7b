// The test ground's IAM endpoint, pinned to the SDK: every SimulatePrincipalPolicy answer is read
// back by the SDK's own IAMClient (its query-protocol XML deserialisers and error registry), so a
// shape or error code it would not parse fails here; and its decisions come from the policies
// moto holds for the role.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  GetRoleCommand,
  IAMClient,
  InvalidInputException,
  NoSuchEntityException,
  paginateSimulatePrincipalPolicy,
  PutRolePolicyCommand,
  SimulatePrincipalPolicyCommand,
} from '@aws-sdk/client-iam';
import { type IamEndpoint, startIamEndpoint } from '../support/iam-endpoint/index.js';
import { type Moto, startMoto } from '../support/moto.js';

const ACCOUNT = '123456789012';
const S3_READ = 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess';
const credentials = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'x' };
const TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' },
  ],
});
const policy = (...Statement: unknown[]) => JSON.stringify({ Version: '2012-10-17', Statement });

let moto: Moto;
let endpoint: IamEndpoint;
/** Through the endpoint. */
let iam: IAMClient;
/** Straight to moto, for set-up. */
let motoIam: IAMClient;
let count = 0;

before(async () => {
  moto = await startMoto();
  endpoint = await startIamEndpoint(moto.url);
  iam = new IAMClient({ region: 'us-east-1', endpoint: endpoint.url, credentials });
  motoIam = new IAMClient({ region: 'us-east-1', endpoint: moto.url, credentials });
});
after(async () => {
  iam.destroy();
  motoIam.destroy();
  await endpoint.close();
  await moto.close();
});

/** A role that may read bucket b but never b/secret*, plus what `extra` attaches. */
async function role(extra: { boundary?: string; attach?: string[] } = {}): Promise<string> {
  const name = `sim-${++count}`;
  const read = await motoIam.send(
    new CreatePolicyCommand({
      PolicyName: `${name}-read-b`,
      PolicyDocument: policy({
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: 'arn:aws:s3:::b/*',
      }),
    }),
  );
  const out = await motoIam.send(
    new CreateRoleCommand({
      RoleName: name,
      Path: '/irsa/',
      AssumeRolePolicyDocument: TRUST,
      ...(extra.boundary ? { PermissionsBoundary: extra.boundary } : {}),
    }),
  );
  for (const arn of [read.Policy?.Arn ?? '', ...(extra.attach ?? [])]) {
    await motoIam.send(new AttachRolePolicyCommand({ RoleName: name, PolicyArn: arn }));
  }
  await motoIam.send(
    new PutRolePolicyCommand({
      RoleName: name,
      PolicyName: 'deny-secret',
      PolicyDocument: policy({
        Effect: 'Deny',
        Action: 's3:*',
        Resource: 'arn:aws:s3:::b/secret*',
      }),
    }),
  );
  return out.Role?.Arn ?? '';
}

const simulate = (arn: string, actions: string[], resources?: string[]) =>
  iam.send(
    new SimulatePrincipalPolicyCommand({
      PolicySourceArn: arn,
      ActionNames: actions,
      ...(resources ? { ResourceArns: resources } : {}),
    }),
  );

describe('SimulatePrincipalPolicy', () => {
  test('allowed names the policy statement; an action no policy grants is an implicit deny', async () => {
    const arn = await role();
    const out = await simulate(arn, ['s3:GetObject', 's3:PutObject'], ['arn:aws:s3:::b/k']);
    assert.equal(out.IsTruncated, false);
    const [get, put] = out.EvaluationResults ?? [];
    assert.equal(get?.EvalActionName, 's3:GetObject');
    assert.equal(get?.EvalResourceName, 'arn:aws:s3:::b/k');
    assert.equal(get?.EvalDecision, 'allowed');
    assert.deepEqual(
      get?.MatchedStatements?.map((m) => [m.SourcePolicyId, m.SourcePolicyType]),
      [[`sim-${count}-read-b`, 'user-managed']],
    );
    assert.deepEqual(get?.MissingContextValues, []);
    assert.equal(get?.ResourceSpecificResults?.[0]?.EvalResourceDecision, 'allowed');
    assert.equal(put?.EvalDecision, 'implicitDeny');
    assert.deepEqual(put?.MatchedStatements, []);
  });

  test('an inline Deny wins over the Allow, and is the statement named', async () => {
    const arn = await role();
    const out = await simulate(arn, ['s3:GetObject'], ['arn:aws:s3:::b/secret-1']);
    const [r] = out.EvaluationResults ?? [];
    assert.equal(r?.EvalDecision, 'explicitDeny');
    assert.deepEqual(
      r?.MatchedStatements?.map((m) => [m.SourcePolicyId, m.SourcePolicyType]),
      [['deny-secret', 'role']],
    );
  });

  test('one result per action over several resources: the most restrictive on top, each in ResourceSpecificResults', async () => {
    const arn = await role();
    const out = await simulate(
      arn,
      ['s3:GetObject'],
      ['arn:aws:s3:::b/k', 'arn:aws:s3:::b/secret'],
    );
    assert.equal(out.EvaluationResults?.length, 1);
    const [r] = out.EvaluationResults ?? [];
    assert.equal(r?.EvalDecision, 'explicitDeny');
    assert.deepEqual(
      r?.ResourceSpecificResults?.map((s) => [s.EvalResourceName, s.EvalResourceDecision]),
      [
        ['arn:aws:s3:::b/k', 'allowed'],
        ['arn:aws:s3:::b/secret', 'explicitDeny'],
      ],
    );
  });

  test('without ResourceArns the resource is *; AWS-managed policies are read from moto too', async () => {
    const arn = await role({ attach: [S3_READ] });
    const out = await simulate(arn, ['s3:ListAllMyBuckets', 'iam:CreateUser']);
    const [list, create] = out.EvaluationResults ?? [];
    assert.equal(list?.EvalResourceName, '*');
    assert.equal(list?.EvalDecision, 'allowed');
    assert.ok(
      list?.MatchedStatements?.some(
        (m) =>
          m.SourcePolicyId === 'AmazonS3ReadOnlyAccess' && m.SourcePolicyType === 'aws-managed',
      ),
    );
    assert.equal(list?.ResourceSpecificResults, undefined);
    assert.equal(create?.EvalDecision, 'implicitDeny');
  });

  test('the permissions boundary limits what the policies allow', async () => {
    const boundary = await motoIam.send(
      new CreatePolicyCommand({
        PolicyName: `boundary-${count}`,
        PolicyDocument: policy({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }),
      }),
    );
    const arn = await role({ boundary: boundary.Policy?.Arn ?? '', attach: [S3_READ] });
    const out = await simulate(arn, ['s3:GetObject', 's3:ListBucket'], ['arn:aws:s3:::b/k']);
    const [get, list] = out.EvaluationResults ?? [];
    assert.equal(get?.EvalDecision, 'allowed');
    assert.equal(get?.PermissionsBoundaryDecisionDetail?.AllowedByPermissionsBoundary, true);
    assert.equal(list?.EvalDecision, 'implicitDeny');
    assert.equal(list?.PermissionsBoundaryDecisionDetail?.AllowedByPermissionsBoundary, false);
  });

  test('pages by MaxItems and Marker, as the SDK paginator walks them', async () => {
    const arn = await role();
    const actions = ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'];
    const pages = [];
    for await (const page of paginateSimulatePrincipalPolicy(
      { client: iam, pageSize: 2 },
      { PolicySourceArn: arn, ActionNames: actions },
    )) {
      pages.push(page.EvaluationResults?.map((r) => r.EvalActionName));
    }
    assert.deepEqual(pages, [actions.slice(0, 2), actions.slice(2)]);
  });

  test('errors parse into the SDK exceptions: a missing role, a principal that is not a role', async () => {
    await assert.rejects(
      simulate(`arn:aws:iam::${ACCOUNT}:role/missing`, ['s3:GetObject']),
      (e: unknown) =>
        e instanceof NoSuchEntityException && /missing cannot be found/.test(e.message),
    );
    await assert.rejects(
      simulate(`arn:aws:iam::${ACCOUNT}:user/alice`, ['s3:GetObject']),
      (e: unknown) => e instanceof InvalidInputException,
    );
  });
});

describe('forwarding', () => {
  test('every other IAM call reaches moto unchanged', async () => {
    const arn = await role();
    const name = arn.split('/').at(-1) ?? '';
    const before = endpoint.requests.length;
    const out = await iam.send(new GetRoleCommand({ RoleName: name }));
    assert.equal(out.Role?.Arn, arn);
    await assert.rejects(
      iam.send(new GetRoleCommand({ RoleName: 'nobody' })),
      (e: unknown) => e instanceof NoSuchEntityException,
    );
    assert.deepEqual(endpoint.requests.slice(before), [
      { action: 'GetRole', served: false, status: 200 },
      { action: 'GetRole', served: false, status: 404 },
    ]);
  });
});
