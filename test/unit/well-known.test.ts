import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValidationError } from '../../src/errors.js';
import {
  buildWellKnown,
  checkWellKnown,
  EKSCTL_KEYS,
  evaluateIdentityPolicies,
  FLAG_SCOPE_LABELS,
  MANAGED_POLICY_LIMIT,
  parseScopeFlags,
  type PolicyStatement,
  policySize,
  scopeFlags,
  validatePolicyDocument,
  WELL_KNOWN_POLICIES,
  type WellKnownContext,
  type WellKnownScope,
  legacyWellKnownPolicyName,
  wellKnownPolicyName,
} from '../../src/policy/index.js';

const ctx = (over: Partial<WellKnownContext> = {}): WellKnownContext => ({
  partition: 'aws',
  accountId: '123456789012',
  region: 'eu-west-1',
  clusterName: 'a',
  ...over,
});
const build = (key: string, scope: WellKnownScope = {}, c = ctx()) => {
  const [checked] = checkWellKnown({ [key]: scope }, FLAG_SCOPE_LABELS);
  assert.ok(checked);
  return buildWellKnown(checked, c);
};
const statementsOf = (key: string, scope: WellKnownScope = {}, c = ctx()) =>
  build(key, scope, c).documents.flatMap((d) => d.Statement);

/** A scope that satisfies every required field, in the cluster's partition. */
function minimalScope(key: string, partition: string): WellKnownScope {
  const policy = WELL_KNOWN_POLICIES.find((p) => p.key === key);
  const scope: WellKnownScope = {};
  for (const f of policy?.fields ?? []) {
    if (f.kind === 'arns' && f.required)
      scope[f.name] = f.example.replace(/^arn:aws:/, `arn:${partition}:`);
  }
  if (key === 'externalSecrets') {
    scope.secretsManagerARNs = `arn:${partition}:secretsmanager:eu-west-1:123456789012:secret:app/*`;
  }
  return scope;
}

const ZONE = 'arn:aws:route53:::hostedzone/Z0123456789';

describe('the catalogue', () => {
  it("has eksctl's seven keys in its spelling, and the rest", () => {
    const keys = WELL_KNOWN_POLICIES.map((p) => p.key);
    for (const k of EKSCTL_KEYS) assert.ok(keys.includes(k), k);
    assert.equal(keys.length, 19);
    assert.equal(new Set(keys.map((k) => k.toLowerCase())).size, keys.length);
  });

  for (const partition of ['aws', 'aws-cn', 'aws-us-gov']) {
    // The longest cluster name EKS allows makes the longest documents.
    const c = ctx({ partition, region: 'cn-north-1', clusterName: 'c'.repeat(100) });
    for (const policy of WELL_KNOWN_POLICIES) {
      it(`${policy.key} in ${partition}: valid, within IAM's size, in the cluster's partition`, () => {
        const built = build(policy.key, minimalScope(policy.key, partition), c);
        assert.ok(built.managedArns.length + built.documents.length > 0, 'grants something');
        for (const arn of built.managedArns)
          assert.match(arn, new RegExp(`^arn:${partition}:iam::aws:policy/`));
        for (const doc of built.documents) {
          validatePolicyDocument(JSON.parse(JSON.stringify(doc)), policy.key);
          assert.ok(policySize(doc) <= MANAGED_POLICY_LIMIT, `${policySize(doc)} characters`);
          const resources = doc.Statement.flatMap((s) => [s.Resource ?? []].flat());
          for (const r of resources) {
            if (r !== '*') assert.ok(r.startsWith(`arn:${partition}:`), `${r} is in ${partition}`);
          }
        }
      });
    }
  }

  it('splits a policy too big for one managed policy into parts that each fit', () => {
    const docs = build('karpenter', {}, ctx({ clusterName: 'k'.repeat(100) })).documents;
    assert.equal(docs.length, 2);
    assert.equal(
      docs.flatMap((d) => d.Statement).length,
      statementsOf('karpenter', {}, ctx({ clusterName: 'k' })).length,
    );
    assert.equal(build('karpenter', {}, ctx({ clusterName: 'short' })).documents.length, 1);
  });
});

describe('(key, scope) -> statements', () => {
  const table: Array<[string, WellKnownScope, WellKnownContext, PolicyStatement[], string[]?]> = [
    [
      'externalDNS',
      { hostedZoneARNs: [ZONE, 'arn:aws:route53:::hostedzone/Z2'] },
      ctx(),
      [
        {
          Effect: 'Allow',
          Action: 'route53:ChangeResourceRecordSets',
          Resource: [ZONE, 'arn:aws:route53:::hostedzone/Z2'],
        },
        {
          Effect: 'Allow',
          Action: [
            'route53:ListHostedZones',
            'route53:ListResourceRecordSets',
            'route53:ListTagsForResource',
            'route53:ListTagsForResources',
          ],
          Resource: '*',
        },
      ],
    ],
    [
      'certManager',
      { hostedZoneARNs: 'arn:aws-cn:route53:::hostedzone/Z9' },
      ctx({ partition: 'aws-cn' }),
      [
        { Effect: 'Allow', Action: 'route53:GetChange', Resource: 'arn:aws-cn:route53:::change/*' },
        {
          Effect: 'Allow',
          Action: ['route53:ChangeResourceRecordSets', 'route53:ListResourceRecordSets'],
          Resource: 'arn:aws-cn:route53:::hostedzone/Z9',
        },
        { Effect: 'Allow', Action: 'route53:ListHostedZonesByName', Resource: '*' },
      ],
    ],
    [
      'autoScaler',
      {},
      ctx({ clusterName: 'prod' }),
      [
        {
          Effect: 'Allow',
          Action: [
            'autoscaling:DescribeAutoScalingGroups',
            'autoscaling:DescribeAutoScalingInstances',
            'autoscaling:DescribeLaunchConfigurations',
            'autoscaling:DescribeScalingActivities',
            'autoscaling:DescribeTags',
            'ec2:DescribeImages',
            'ec2:DescribeInstanceTypes',
            'ec2:DescribeLaunchTemplateVersions',
            'ec2:GetInstanceTypesFromInstanceRequirements',
          ],
          Resource: '*',
        },
        {
          Effect: 'Allow',
          Action: 'eks:DescribeNodegroup',
          Resource: 'arn:aws:eks:eu-west-1:123456789012:nodegroup/prod/*',
        },
        {
          Effect: 'Allow',
          Action: [
            'autoscaling:SetDesiredCapacity',
            'autoscaling:TerminateInstanceInAutoScalingGroup',
          ],
          Resource: '*',
          Condition: { StringEquals: { 'aws:ResourceTag/kubernetes.io/cluster/prod': 'owned' } },
        },
      ],
    ],
    [
      'vpcCNI',
      { ipFamily: 'IPv6' },
      ctx(),
      [
        {
          Effect: 'Allow',
          Action: [
            'ec2:AssignIpv6Addresses',
            'ec2:DescribeInstances',
            'ec2:DescribeTags',
            'ec2:DescribeNetworkInterfaces',
            'ec2:DescribeInstanceTypes',
          ],
          Resource: '*',
        },
        {
          Effect: 'Allow',
          Action: 'ec2:CreateTags',
          Resource: 'arn:aws:ec2:eu-west-1:123456789012:network-interface/*',
        },
      ],
    ],
    [
      'velero',
      { bucketARNs: 'arn:aws:s3:::backups' },
      ctx(),
      [
        {
          Effect: 'Allow',
          Action: [
            'ec2:DescribeVolumes',
            'ec2:DescribeSnapshots',
            'ec2:CreateTags',
            'ec2:CreateVolume',
            'ec2:CreateSnapshot',
            'ec2:DeleteSnapshot',
          ],
          Resource: '*',
        },
        {
          Effect: 'Allow',
          Action: [
            's3:GetObject',
            's3:DeleteObject',
            's3:PutObject',
            's3:PutObjectTagging',
            's3:AbortMultipartUpload',
            's3:ListMultipartUploadParts',
          ],
          Resource: 'arn:aws:s3:::backups/*',
        },
        { Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::backups' },
      ],
    ],
    [
      'amazonManagedPrometheus',
      {},
      ctx(),
      [
        {
          Effect: 'Allow',
          Action: [
            'aps:RemoteWrite',
            'aps:QueryMetrics',
            'aps:GetSeries',
            'aps:GetLabels',
            'aps:GetMetricMetadata',
          ],
          Resource: 'arn:aws:aps:eu-west-1:123456789012:workspace/*',
        },
      ],
    ],
    [
      'ebsCSIController',
      {},
      ctx({ partition: 'aws-us-gov' }),
      [{ Effect: 'Allow', Action: 'ec2:DescribeInstanceTypes', Resource: '*' }],
      ['arn:aws-us-gov:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy'],
    ],
    [
      'ebsCSIController',
      { kmsKeyARNs: 'arn:aws:kms:eu-west-1:123456789012:key/k1' },
      ctx(),
      [
        { Effect: 'Allow', Action: 'ec2:DescribeInstanceTypes', Resource: '*' },
        {
          Effect: 'Allow',
          Action: ['kms:CreateGrant', 'kms:ListGrants', 'kms:RevokeGrant'],
          Resource: 'arn:aws:kms:eu-west-1:123456789012:key/k1',
          Condition: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
        },
        {
          Effect: 'Allow',
          Action: [
            'kms:Encrypt',
            'kms:Decrypt',
            'kms:ReEncrypt*',
            'kms:GenerateDataKey*',
            'kms:DescribeKey',
          ],
          Resource: 'arn:aws:kms:eu-west-1:123456789012:key/k1',
        },
      ],
      ['arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy'],
    ],
    [
      'imageBuilder',
      {},
      ctx(),
      [],
      ['arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPowerUser'],
    ],
    [
      'cloudWatchObservability',
      {},
      ctx(),
      [],
      [
        'arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy',
        'arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess',
      ],
    ],
  ];
  for (const [key, scope, c, statements, managed = []] of table) {
    it(`${key} ${JSON.stringify(scope)} in ${c.partition}`, () => {
      const built = build(key, scope, c);
      assert.deepEqual(
        built.documents.flatMap((d) => d.Statement),
        statements,
      );
      assert.deepEqual(built.managedArns, managed);
      assert.deepEqual(built.warnings, []);
    });
  }

  it('imageBuilder with repositories writes its own policy instead of the power user one', () => {
    const built = build('imageBuilder', {
      repositoryARNs: 'arn:aws:ecr:eu-west-1:123456789012:repository/app',
    });
    assert.deepEqual(built.managedArns, []);
    assert.equal(
      built.documents[0]?.Statement[1]?.Resource,
      'arn:aws:ecr:eu-west-1:123456789012:repository/app',
    );
  });

  it("an explicit '*' is allowed, written as every zone, and flagged as over-broad", () => {
    const built = build('externalDNS', { hostedZoneARNs: '*' });
    assert.equal(built.documents[0]?.Statement[0]?.Resource, 'arn:aws:route53:::hostedzone/*');
    assert.match(
      built.warnings[0] ?? '',
      /externalDNS: hostedZoneARNs '\*' covers every hosted zone.*over-broad/,
    );
  });
});

describe('checking keys and scopes', () => {
  const fails = (given: Record<string, WellKnownScope>, pattern: RegExp) =>
    assert.throws(
      () => checkWellKnown(given, FLAG_SCOPE_LABELS),
      (e: unknown) => e instanceof ValidationError && pattern.test(`${e.message} | ${e.hint}`),
    );

  it('a DNS writer without zones is an error naming the scope flag', () => {
    fails(
      { externalDNS: {} },
      /externalDNS needs hostedZoneARNs.*--well-known-scope externalDNS\.hostedZoneARNs=ARN/,
    );
    fails({ certManager: {} }, /--well-known-scope certManager\.hostedZoneARNs=ARN/);
  });
  it('an unknown key names the nearest one, or lists the valid ones when none is near', () => {
    fails(
      { externalDns2: {} },
      /unknown well-known policy "externalDns2" in --well-known-policies \| did you mean externalDNS\?/,
    );
    fails(
      { tekton: {} },
      /unknown well-known policy "tekton" in --well-known-policies \| valid keys: imageBuilder, autoScaler,/,
    );
  });
  it('keys match ignoring case and come out in their spelling', () =>
    assert.equal(
      checkWellKnown({ AUTOSCALER: {} }, FLAG_SCOPE_LABELS)[0]?.policy.key,
      'autoScaler',
    ));
  it('an unknown field names the fields there are', () =>
    fails(
      { velero: { bucket: 'x' } },
      /velero has no scope field "bucket".*\| its fields: bucketARNs/,
    ));
  it('an ARN of the wrong kind is refused with an example', () =>
    fails(
      { externalDNS: { hostedZoneARNs: 'arn:aws:s3:::bucket' } },
      /hostedZoneARNs=ARN: "arn:aws:s3:::bucket" is not the ARN of a hosted zone, e\.g\. arn:aws:route53/,
    ));
  it('a choice outside its choices, and an empty item, are refused', () => {
    fails({ vpcCNI: { ipFamily: 'ipv5' } }, /must be one of ipv4, ipv6/);
    fails({ velero: { bucketARNs: 'arn:aws:s3:::a,' } }, /an empty value/);
  });
  it('externalSecrets needs something to read', () =>
    fails({ externalSecrets: {} }, /externalSecrets needs secretsManagerARNs or ssmParameterARNs/));
  it('an ARN of another partition than the cluster is refused when building', () => {
    const [c] = checkWellKnown({ externalDNS: { hostedZoneARNs: ZONE } }, FLAG_SCOPE_LABELS);
    assert.throws(
      () => c && buildWellKnown(c, ctx({ partition: 'aws-cn' })),
      /not in partition aws-cn/,
    );
  });
});

describe('scope flags', () => {
  it('take repeated and comma-separated values, keys from --well-known-policies', () => {
    const labels = { keys: '--well-known-policies', scope: '--well-known-scope' };
    const parsed = parseScopeFlags(
      ['autoScaler,externaldns'],
      ['externalDNS.hostedZoneARNs=a,b', 'externalDNS.hostedZoneARNs=c'],
      labels,
    );
    assert.deepEqual(parsed, { autoScaler: {}, externalDNS: { hostedZoneARNs: ['a,b', 'c'] } });
    const [, dns] = checkWellKnown(
      { autoScaler: {}, externalDNS: { hostedZoneARNs: [`${ZONE}1,${ZONE}2`, `${ZONE}3`] } },
      FLAG_SCOPE_LABELS,
    );
    assert.deepEqual(dns?.values.hostedZoneARNs, [`${ZONE}1`, `${ZONE}2`, `${ZONE}3`]);
    assert.deepEqual(scopeFlags(parsed), [
      'externalDNS.hostedZoneARNs=a,b',
      'externalDNS.hostedZoneARNs=c',
    ]);
    assert.throws(
      () => parseScopeFlags([], ['velero.bucketARNs=x'], labels),
      /velero is not in --well-known-policies/,
    );
    // A typo of a key: the nearest key, never the typo, in the hint.
    assert.throws(
      () => parseScopeFlags([], ['externalDSN.hostedZoneARNs=x'], labels),
      (e: any) =>
        /externalDSN is not a well-known key/.test(e.message) &&
        e.hint ===
          'did you mean externalDNS.hostedZoneARNs? (and add --well-known-policies externalDNS)',
    );
    assert.throws(
      () => parseScopeFlags(['externalDNS'], ['externalDSN.hostedZoneARNs=x'], labels),
      (e: any) => e.hint === 'did you mean externalDNS.hostedZoneARNs?',
    );
    assert.throws(
      () => parseScopeFlags(['velero'], ['velero=x'], labels),
      /expected key\.field=value/,
    );
  });
});

describe('policy names', () => {
  it('are <role>-<key> for an iamsa- role (no stutter), else iamsa-<role>-<key>, hash-truncated to 128 characters', () => {
    assert.equal(wellKnownPolicyName('r', 'autoScaler'), 'iamsa-r-autoScaler');
    assert.equal(wellKnownPolicyName('r', 'karpenter', 2), 'iamsa-r-karpenter-2');
    assert.equal(
      wellKnownPolicyName('iamsa-demo-kube-system-external-dns', 'externalDNS'),
      'iamsa-demo-kube-system-external-dns-externalDNS',
    );
    // The name before decisions/0009, which plans still find (and replace).
    assert.equal(
      legacyWellKnownPolicyName('iamsa-demo-kube-system-external-dns', 'externalDNS'),
      'iamsa-iamsa-demo-kube-system-external-dns-externalDNS',
    );
    const long = wellKnownPolicyName('x'.repeat(120), 'karpenter');
    assert.equal(long.length, 128);
    assert.notEqual(long, wellKnownPolicyName('x'.repeat(120), 'velero'));
  });
});

describe('what the scoped policies allow (evaluated)', () => {
  const asg =
    'arn:aws:autoscaling:eu-west-1:123456789012:autoScalingGroup:uuid:autoScalingGroupName/ng-1';
  const decide = (
    key: string,
    scope: WellKnownScope,
    action: string,
    resource: string,
    context: Record<string, string | string[]> = {},
  ) => evaluateIdentityPolicies(build(key, scope).documents, { action, resource, context });

  it("the autoscaler of cluster a cannot resize cluster b's groups, only its own", () => {
    const b = { 'aws:ResourceTag/kubernetes.io/cluster/b': 'owned' };
    const a = { 'aws:ResourceTag/kubernetes.io/cluster/a': 'owned' };
    assert.equal(
      decide('autoScaler', {}, 'autoscaling:SetDesiredCapacity', asg, b),
      'implicit-deny',
    );
    assert.equal(
      decide('autoScaler', {}, 'autoscaling:TerminateInstanceInAutoScalingGroup', asg, b),
      'implicit-deny',
    );
    assert.equal(
      decide('autoScaler', {}, 'autoscaling:SetDesiredCapacity', asg, {}),
      'implicit-deny',
    );
    assert.equal(decide('autoScaler', {}, 'autoscaling:SetDesiredCapacity', asg, a), 'allow');
    assert.equal(
      decide('autoScaler', {}, 'autoscaling:DescribeAutoScalingGroups', '*', b),
      'allow',
    );
  });

  it("the load balancer controller of cluster a cannot delete cluster b's load balancers", () => {
    const lb = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/k8s-x/1';
    const tagged = (c: string) => ({ 'aws:ResourceTag/elbv2.k8s.aws/cluster': c });
    assert.equal(
      decide(
        'awsLoadBalancerController',
        {},
        'elasticloadbalancing:DeleteLoadBalancer',
        lb,
        tagged('b'),
      ),
      'implicit-deny',
    );
    assert.equal(
      decide(
        'awsLoadBalancerController',
        {},
        'elasticloadbalancing:DeleteLoadBalancer',
        lb,
        tagged('a'),
      ),
      'allow',
    );
  });

  it("karpenter of cluster a cannot terminate b's nodes or launch into b's subnets", () => {
    const instance = 'arn:aws:ec2:eu-west-1:123456789012:instance/i-1';
    const subnet = 'arn:aws:ec2:eu-west-1:123456789012:subnet/subnet-1';
    const owned = (c: string) => ({
      [`aws:ResourceTag/kubernetes.io/cluster/${c}`]: 'owned',
      'aws:ResourceTag/karpenter.sh/nodepool': 'default',
    });
    assert.equal(
      decide('karpenter', {}, 'ec2:TerminateInstances', instance, owned('b')),
      'implicit-deny',
    );
    assert.equal(decide('karpenter', {}, 'ec2:TerminateInstances', instance, owned('a')), 'allow');
    const discovery = (c: string) => ({ 'aws:ResourceTag/karpenter.sh/discovery': c });
    assert.equal(
      decide('karpenter', {}, 'ec2:RunInstances', subnet, discovery('b')),
      'implicit-deny',
    );
    assert.equal(decide('karpenter', {}, 'ec2:RunInstances', subnet, discovery('a')), 'allow');
  });

  it('externalDNS may change only the zones named', () => {
    const other = 'arn:aws:route53:::hostedzone/ZOTHER';
    assert.equal(
      decide('externalDNS', { hostedZoneARNs: ZONE }, 'route53:ChangeResourceRecordSets', ZONE),
      'allow',
    );
    assert.equal(
      decide('externalDNS', { hostedZoneARNs: ZONE }, 'route53:ChangeResourceRecordSets', other),
      'implicit-deny',
    );
  });
});

describe('evaluateIdentityPolicies', () => {
  const doc = (...Statement: PolicyStatement[]) => [{ Version: '2012-10-17' as const, Statement }];
  const req = (action: string, context: Record<string, string | string[]> = {}) => ({
    action,
    resource: 'arn:aws:s3:::b',
    context,
  });
  it('an explicit deny wins over an allow; nothing matching is an implicit deny', () => {
    const d = doc(
      { Effect: 'Allow', Action: 's3:*', Resource: '*' },
      { Effect: 'Deny', Action: 's3:Delete*', Resource: '*' },
    );
    assert.equal(evaluateIdentityPolicies(d, req('s3:GetObject')), 'allow');
    assert.equal(evaluateIdentityPolicies(d, req('S3:DeleteBucket')), 'explicit-deny');
    assert.equal(evaluateIdentityPolicies(d, req('ec2:RunInstances')), 'implicit-deny');
  });
  it('evaluates Null, IfExists, negation and the set operators', () => {
    const allow = (Condition: PolicyStatement['Condition']) =>
      doc({ Effect: 'Allow', Action: '*', Resource: '*', Condition });
    const run = (c: PolicyStatement['Condition'], ctx: Record<string, string | string[]>) =>
      evaluateIdentityPolicies(allow(c), req('s3:GetObject', ctx));
    assert.equal(run({ Null: { 'aws:RequestTag/x': 'true' } }, {}), 'allow');
    assert.equal(
      run({ Null: { 'aws:RequestTag/x': 'true' } }, { 'aws:requesttag/X': 'v' }),
      'implicit-deny',
    );
    assert.equal(run({ StringEqualsIfExists: { k: 'v' } }, {}), 'allow');
    assert.equal(run({ StringEquals: { k: 'v' } }, {}), 'implicit-deny');
    assert.equal(run({ StringNotEquals: { k: 'v' } }, {}), 'allow');
    assert.equal(
      run({ 'ForAllValues:StringEquals': { 'aws:TagKeys': ['a', 'b'] } }, { 'aws:TagKeys': ['a'] }),
      'allow',
    );
    assert.equal(
      run(
        { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['a', 'b'] } },
        { 'aws:TagKeys': ['a', 'c'] },
      ),
      'implicit-deny',
    );
    assert.equal(
      run({ 'ForAnyValue:StringNotEquals': { 'aws:TagKeys': 'a' } }, { 'aws:TagKeys': ['a', 'c'] }),
      'allow',
    );
    assert.equal(run({ StringLike: { k: 'a*' } }, { k: 'abc' }), 'allow');
    assert.throws(() => run({ NumericLessThan: { k: '1' } }, { k: '0' }), /not supported/);
  });
});

describe('issue 18: what the controllers call today', () => {
  const actionsOf = (key: string, scope: WellKnownScope = {}) =>
    build(key, scope).documents.flatMap((d) =>
      d.Statement.flatMap((s) => ([] as string[]).concat(s.Action ?? [])),
    );
  it('vpcCNI: ec2:DescribeSecurityGroups; CloudWatch Logs only with networkPolicyLogs, on the cluster log group', () => {
    assert.ok(actionsOf('vpcCNI').includes('ec2:DescribeSecurityGroups'));
    assert.ok(!actionsOf('vpcCNI').some((a) => a.startsWith('logs:')));
    const logs = build('vpcCNI', { networkPolicyLogs: true })
      .documents.flatMap((d) => d.Statement)
      .filter((s) => ([] as string[]).concat(s.Action ?? []).some((a) => a.startsWith('logs:')));
    assert.deepEqual(
      logs.flatMap((s) => s.Action),
      [
        'logs:CreateLogGroup',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'logs:DescribeLogGroups',
      ],
    );
    assert.match(JSON.stringify(logs[0]?.Resource), /log-group:\/aws\/eks\/a\/cluster/);
  });
  it('karpenter: placement groups, instance status, zonal shift; the assumed node role is named', () => {
    const actions = actionsOf('karpenter');
    for (const a of [
      'ec2:DescribePlacementGroups',
      'ec2:DescribeInstanceStatus',
      'arc-zonal-shift:GetManagedResource',
    ])
      assert.ok(actions.includes(a), a);
    const run = build('karpenter').documents.flatMap((d) => d.Statement)[0];
    assert.match(JSON.stringify(run?.Resource), /placement-group\/\*/);
    assert.match(
      build('karpenter').warnings.join(),
      /KarpenterNodeRole-a.*eksctl-KarpenterNodeRole-a.*nodeRoleARNs/,
    );
    const given = build('karpenter', {
      nodeRoleARNs: 'arn:aws:iam::123456789012:role/eksctl-KarpenterNodeRole-demo',
    });
    assert.deepEqual(given.warnings, []);
  });
  it('ebsCSIController: ec2:DescribeInstanceTypes beside the managed policy', () => {
    assert.deepEqual(actionsOf('ebsCSIController'), ['ec2:DescribeInstanceTypes']);
  });
});
