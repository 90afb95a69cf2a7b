// The bindings file reader: every problem of a broken file at once, each with its line and path;
// and both formats mapped onto binding specs labelled with their paths in the file.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, test } from 'node:test';
import {
  FileProblemsError,
  type FileOptions,
  parseBindingsFile,
} from '../../src/cli/bindings-file/index.js';
import { checkBinding } from '../../src/actions/binding/check.js';
import { ExitCode, ValidationError } from '../../src/errors.js';
import { defaultRoleName, sharedRoleName } from '../../src/policy/index.js';
import { tempDir } from '../support/temp.js';

const RO = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
const HEAD = 'apiVersion: iamsa.io/v1alpha1\nkind: ServiceAccountBindings\n';
const EKSCTL = 'apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\n';
const dir = tempDir('file');
writeFileSync(join(dir, 'broken.json'), '{"Version": "2012-10-17", "Statement": [');

/** Parses and returns the problems as `line: message` strings (the file name cut off). */
function problems(text: string, options: FileOptions = {}): string[] {
  try {
    parseBindingsFile(text, join(dir, 'b.yaml'), options);
  } catch (error) {
    assert.ok(error instanceof FileProblemsError, String(error));
    assert.equal(error.exitCode, 2);
    assert.equal(error.detail?.split('\n').length, error.problems.length);
    assert.match(error.message, /nothing was changed/);
    return (error.detail?.split('\n') ?? []).map((d) => d.slice(join(dir, 'b.yaml:').length));
  }
  assert.fail('expected problems');
}

/** Each expected problem is `line: pattern`; all of them and nothing else, in line order. */
function expectProblems(text: string, expected: Array<[number, RegExp]>, options?: FileOptions) {
  const got = problems(text, options);
  assert.equal(got.length, expected.length, `got:\n${got.join('\n')}`);
  expected.forEach(([line, pattern], i) => {
    const [at, ...rest] = (got[i] ?? '').split(': ');
    assert.equal(Number(at), line, got[i]);
    assert.match(rest.join(': '), pattern, got[i]);
  });
}

describe('the hint of a broken file names the reference of its format', () => {
  const hintOf = (text: string) => {
    try {
      parseBindingsFile(text, 'b.yaml');
    } catch (error) {
      assert.ok(error instanceof FileProblemsError, String(error));
      return error.hint ?? '';
    }
    return assert.fail('expected problems');
  };
  it("iamsa's format: its schema", () => {
    assert.match(hintOf(`${HEAD}bindings: [{ nme: a }]\n`), /schema\/iamsa-bindings\.schema\.json/);
  });
  it("an eksctl ClusterConfig: docs/apply.md, not iamsa's schema", () => {
    const hint = hintOf(
      `${EKSCTL}metadata: { name: prod, region: eu-west-1 }\niam: { serviceAccounts: [{ nme: a }] }\n`,
    );
    assert.match(hint, /docs\/apply\.md#eksctl-clusterconfig/);
    assert.doesNotMatch(hint, /schema\.json/);
  });
});

describe('broken files: every problem at once, each at its line', () => {
  const cases: Array<[string, string, Array<[number, RegExp]>, FileOptions?]> = [
    ['YAML syntax', `${HEAD}bindings:\n  - name: a: b\n    tags: {}\n`, [[4, /^YAML: /]]],
    [
      'no apiVersion or kind',
      'bindings: []\n',
      [
        [1, /^missing required field "apiVersion"/],
        [1, /^missing required field "kind"/],
      ],
    ],
    [
      'wrong apiVersion',
      'apiVersion: iamsa.io/v2\nkind: ServiceAccountBindings\nbindings: []\n',
      [[1, /^apiVersion: must be one of "iamsa.io\/v1alpha1", "eksctl.io\/v1alpha5"/]],
    ],
    [
      'a mechanism misspelt: the nearest value, as the flag suggests it',
      `${HEAD}bindings:\n  - name: a\n    mechanism: podidentity\n    attachPolicyARNs: [${RO}]\n`,
      [
        [
          5,
          /^bindings\[0\]\.mechanism: must be one of "irsa", "pod-identity"; did you mean "pod-identity"\?$/,
        ],
      ],
    ],
    [
      'wrong kind',
      'apiVersion: iamsa.io/v1alpha1\nkind: Bindings\nbindings: []\n',
      [[2, /^kind: must be "ServiceAccountBindings"/]],
    ],
    [
      'unknown top-level and item fields, with suggestions',
      `${HEAD}clustr: prod\nbindings:\n  - name: a\n    namepsace: x\n    attachPolicyARNs: [${RO}]\n`,
      [
        [3, /^clustr: unknown field "clustr"; did you mean "cluster"\?/],
        [6, /^bindings\[0\]\.namepsace: unknown field "namepsace"; did you mean "namespace"\?/],
      ],
    ],
    [
      'wrong types',
      `${HEAD}cluster: prod\nbindings:\n  - name: a\n    attachPolicyARNs: ${RO}\n    roleOnly: "yes"\n    tags: {env: 1}\n`,
      [
        [6, /^bindings\[0\]\.attachPolicyARNs: must be an array/],
        [7, /^bindings\[0\]\.roleOnly: must be a boolean/],
        [8, /^bindings\[0\]\.tags\.env: must be a string \(quote it: "1"\)/],
      ],
    ],
    [
      'missing name, empty namespace',
      `${HEAD}cluster: prod\nbindings:\n  - namespace: ""\n    attachPolicyARNs: [${RO}]\n`,
      [
        [5, /^bindings\[0\]: missing required field "name"/],
        [5, /^bindings\[0\]\.namespace: must not be empty/],
      ],
    ],
    [
      'bad names and ARNs, each at its own line',
      `${HEAD}cluster: prod\nbindings:\n  - namespace: Backend\n    name: s3_reader\n    attachPolicyARNs:\n      - ${RO}\n      - not-an-arn\n    roleName: "has space"\n`,
      [
        [5, /^invalid bindings\[0\]\.namespace "Backend".*did you mean "backend"\?/],
        [6, /^invalid bindings\[0\]\.name "s3_reader"/],
        [9, /^invalid bindings\[0\]\.attachPolicyARNs\[1\] "not-an-arn"/],
        [10, /^invalid bindings\[0\]\.roleName "has space"/],
      ],
    ],
    [
      'no permissions',
      `${HEAD}cluster: prod\nbindings:\n  - name: a\n  - name: b\n    attachPolicyARNs: [${RO}]\n`,
      [
        [
          5,
          /^bindings\[0\]: no permissions given for default\/a.*; give .*bindings\[0\]\.attachPolicyARNs/,
        ],
      ],
    ],
    [
      'attachRoleARN with policies and a role name',
      `${HEAD}cluster: prod\nbindings:\n  - name: a\n    attachRoleARN: arn:aws:iam::123456789012:role/r\n    attachPolicyARNs: [${RO}]\n    roleName: r2\n`,
      [
        [
          5,
          /^bindings\[0\]\.attachRoleARN uses an existing role.*bindings\[0\]\.attachPolicyARNs, bindings\[0\]\.roleName/,
        ],
      ],
    ],
    [
      // Found reading the file (exit 2 at its line), not while planning the shared role.
      'several clusters with wellKnownPolicies or Pod Identity',
      `${HEAD}bindings:\n  - name: a\n    clusters: [prod, dr]\n    wellKnownPolicies: {autoScaler: true}\n  - name: b\n    clusters: [prod, dr]\n    mechanism: pod-identity\n    attachPolicyARNs: [${RO}]\n`,
      [
        [
          4,
          /^bindings\[0\]\.clusters lists several clusters: a shared role takes attachPolicyARNs/,
        ],
        [
          7,
          /^bindings\[1\]\.clusters lists several clusters: a shared role takes attachPolicyARNs/,
        ],
      ],
    ],
    [
      'roleOnly with createNamespace',
      `${HEAD}cluster: prod\nbindings:\n  - name: a\n    roleOnly: true\n    createNamespace: true\n    attachPolicyARNs: [${RO}]\n`,
      [[5, /^bindings\[0\]\.roleOnly only makes the IAM role.*bindings\[0\]\.createNamespace/]],
    ],
    [
      'duplicates per cluster, and a role name used twice',
      `${HEAD}cluster: prod\nbindings:\n  - name: a\n    roleName: shared\n    attachPolicyARNs: [${RO}]\n  - name: a\n    attachPolicyARNs: [${RO}]\n  - name: b\n    roleName: shared\n    attachPolicyARNs: [${RO}]\n  - name: a\n    clusters: [staging]\n    attachPolicyARNs: [${RO}]\n`,
      [
        [
          8,
          /^bindings\[1\]: duplicate binding default\/a for cluster prod; it is already at bindings\[0\] \(line 5\)/,
        ],
        [
          11,
          /^bindings\[2\]\.roleName: roleName shared is also the role of default\/a of cluster prod at bindings\[0\] \(line 5\)/,
        ],
      ],
    ],
    [
      'no cluster anywhere',
      `${HEAD}bindings:\n  - name: a\n    attachPolicyARNs: [${RO}]\n`,
      [
        [
          4,
          /^bindings\[0\]: no cluster: give clusters: in the binding, cluster: at the top of the file, or --cluster/,
        ],
      ],
    ],
    [
      '--cluster and --region naming others than the file',
      `${HEAD}cluster: prod\nregion: us-east-1\nbindings:\n  - name: a\n    clusters: [prod, {name: dr, region: eu-west-1}]\n    attachPolicyARNs: [${RO}]\n`,
      [
        [3, /^cluster: the file says cluster prod but --cluster says staging; drop --cluster/],
        [4, /^region: the file says region us-east-1 but --region says us-west-2/],
        [7, /^bindings\[0\]\.clusters\[0\]: the file says cluster prod but --cluster says staging/],
        [7, /^bindings\[0\]\.clusters\[1\]: the file says cluster dr but --cluster says staging/],
        [7, /^bindings\[0\]\.clusters\[1\]\.region: the file says region eu-west-1/],
      ],
      { cluster: 'staging', region: 'us-west-2' },
    ],
    [
      'bad cluster names and regions',
      `${HEAD}bindings:\n  - name: a\n    clusters: ["-prod", {name: dr, region: us-west-2a}]\n    attachPolicyARNs: [${RO}]\n`,
      [
        [
          5,
          /^invalid bindings\[0\]\.clusters\[1\]\.region "us-west-2a".*availability zone, use "us-west-2"/,
        ],
        [5, /^invalid bindings\[0\]\.clusters\[0\] "-prod"/],
      ],
    ],
    [
      'region typos at the top and in a cluster entry: the nearest region, at their lines',
      `${HEAD}cluster: prod\nregion: us-est-1\nbindings:\n  - name: a\n    clusters: [{name: demo, region: eu-wst-1}]\n    attachPolicyARNs: [${RO}]\n`,
      [
        [4, /^invalid region "us-est-1": no AWS region has that name; did you mean us-east-1\?/],
        [
          7,
          /^invalid bindings\[0\]\.clusters\[0\]\.region "eu-wst-1": no AWS region has that name; did you mean eu-west-1\?/,
        ],
      ],
    ],
    [
      'eksctl metadata.region typo',
      `${EKSCTL}metadata: { name: prod, region: us-est-1 }\niam: { serviceAccounts: [{ metadata: { name: a }, attachPolicyARNs: [${RO}] }] }\n`,
      [
        [
          3,
          /^invalid metadata\.region "us-est-1": no AWS region has that name; did you mean us-east-1\?/,
        ],
      ],
    ],
    [
      'inline policy: a Principal, and both attachPolicy and attachPolicyFile',
      `${HEAD}cluster: prod\nbindings:\n  - name: a\n    attachPolicy:\n      Version: "2012-10-17"\n      Statement:\n        - {Effect: Allow, Action: "s3:GetObject", Resource: "*", Principal: "*"}\n  - name: b\n    attachPolicy: {Statement: []}\n    attachPolicyFile: p.json\n`,
      [
        [6, /^bindings\[0\]\.attachPolicy: statement 0: has "Principal"/],
        [
          12,
          /^bindings\[1\]\.attachPolicyFile: give bindings\[1\]\.attachPolicy or attachPolicyFile, not both/,
        ],
      ],
    ],
    [
      'attachPolicyFile missing or not JSON (relative to the file)',
      `${HEAD}cluster: prod\nbindings:\n  - name: a\n    attachPolicyFile: missing.json\n  - name: b\n    attachPolicyFile: broken.json\n`,
      [
        [
          6,
          /^cannot read bindings\[0\]\.attachPolicyFile file .*missing\.json: (ENOENT|no such file)/,
        ],
        [8, /^bindings\[1\]\.attachPolicyFile: broken\.json/],
      ],
    ],
    [
      'tags: reserved prefix, aws: prefix',
      `${HEAD}cluster: prod\ntags: {"aws:x": y}\nbindings:\n  - name: a\n    attachPolicyARNs: [${RO}]\n  - name: b\n    tags: {"iamsa.io/owner": me}\n    attachPolicyARNs: [${RO}]\n`,
      [
        [4, /^invalid tags key "aws:x"/],
        [
          9,
          /^bindings\[1\]\.tags: invalid tag key "iamsa.io\/owner": keys starting with "iamsa.io\/" are reserved/,
        ],
      ],
    ],
    [
      'eksctl: missing metadata.name, an unknown well-known policy, subjectPattern, unknown field',
      `${EKSCTL}metadata: {region: us-west-2}\n---\n${EKSCTL}metadata: {name: prod}\niam:\n  serviceAccounts:\n    - metadata: {name: a}\n      wellKnownPolicies: {autoScaler: true, noSuch: true}\n    - metadata: {name: b, namespace: x}\n      subjectPattern: "b-*"\n      attachPolicyARNs: [${RO}]\n    - metadata: {name: c}\n      attachPolicyArns: [${RO}]\n`,
      [
        [3, /^metadata: missing required field "name"/],
        [
          11,
          /^unknown well-known policy "noSuch" in iam\.serviceAccounts\[0\]\.wellKnownPolicies; valid keys: /,
        ],
        [
          13,
          /^iam\.serviceAccounts\[1\]\.subjectPattern: subjectPattern "b-\*" trusts every matching service account.*--allow-subject-pattern/,
        ],
        [
          16,
          /^iam\.serviceAccounts\[2\]\.attachPolicyArns: unknown field "attachPolicyArns"; did you mean "attachPolicyARNs"\?/,
        ],
      ],
    ],
    [
      'eksctl: duplicates across documents of one cluster',
      `${EKSCTL}metadata: {name: prod}\niam:\n  serviceAccounts:\n    - metadata: {name: a}\n      attachPolicyARNs: [${RO}]\n---\n${HEAD}cluster: prod\nbindings:\n  - name: a\n    attachPolicyARNs: [${RO}]\n`,
      [
        [
          13,
          /^bindings\[0\]: duplicate binding default\/a for cluster prod; it is already at iam\.serviceAccounts\[0\] \(line 6\)/,
        ],
      ],
    ],
  ];
  assert.equal(cases.length, 24);
  for (const [name, text, expected, options] of cases) {
    it(name, () => expectProblems(text, expected, options));
  }
});

describe('the formats as binding specs', () => {
  it('iamsa: defaults at the top, clusters with regions, labels that are paths in the file', () => {
    writeFileSync(
      join(dir, 'inline.json'),
      '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}',
    );
    const file = parseBindingsFile(
      `${HEAD}cluster: prod\nregion: us-east-1\ntags: {team: pay, env: prod}\nbindings:\n  - name: a\n    attachPolicyARNs: [${RO}]\n  - namespace: backend\n    name: b\n    clusters: [prod, {name: dr, region: us-west-2}]\n    attachPolicyFile: inline.json\n    tags: {env: dr}\n    labels: {app: b}\n    createNamespace: true\n`,
      join(dir, 'b.yaml'),
    );
    assert.equal(file.bindings.length, 2);
    const [a, b] = file.bindings;
    assert.deepEqual(a?.clusters, [{ name: 'prod', region: 'us-east-1' }]);
    assert.equal(a?.spec.namespace, 'default');
    assert.deepEqual(a?.spec.tags, { team: 'pay', env: 'prod' });
    assert.equal(a?.spec.source.labels.policyArns, 'bindings[0].attachPolicyARNs');
    assert.equal(a?.spec.source.labels.tags, 'tags');
    assert.deepEqual(b?.clusters, [
      { name: 'prod', region: 'us-east-1' },
      { name: 'dr', region: 'us-west-2' },
    ]);
    assert.deepEqual(b?.spec.tags, { team: 'pay', env: 'dr' });
    assert.equal(b?.spec.inlinePolicy?.origin, 'inline.json');
    assert.equal(b?.spec.inlinePolicy?.file, join(dir, 'inline.json'));
    assert.deepEqual(b?.spec.serviceAccountMetadata, { labels: { app: 'b' }, annotations: {} });
    assert.equal(b?.spec.createNamespace, true);
    assert.match(b?.spec.source.where ?? '', /b\.yaml: bindings\[1\]$/);
    // A check of the use case names the field where the file has it.
    assert.throws(
      () =>
        checkBinding({
          ...b!.spec,
          cluster: 'prod',
          attachRoleArn: 'arn:aws:iam::123456789012:role/r',
        }),
      (e: unknown) =>
        e instanceof ValidationError &&
        /bindings\[1\]\.attachRoleARN .*bindings\[1\]\.attachPolicyFile, bindings\[1\]\.tags/.test(
          e.message,
        ),
    );
  });

  it('checks each binding once per cluster: declared, and one shared role name for several', () => {
    const file = parseBindingsFile(
      `${HEAD}cluster: prod\nbindings:\n  - name: a\n    attachPolicyARNs: [${RO}]\n  - name: b\n    clusters: [prod, dr]\n    attachPolicyARNs: [${RO}, ${RO}]\n`,
      'b.yaml',
    );
    const [one, shared] = file.bindings;
    assert.deepEqual(
      one?.checked.map((c) => [c.cluster, c.roleName, c.declared]),
      [['prod', defaultRoleName('prod', 'default', 'a'), true]],
    );
    assert.deepEqual(
      shared?.checked.map((c) => [c.cluster, c.roleName, c.declared, c.policyArns]),
      [
        ['prod', sharedRoleName('default', 'b'), true, [RO]],
        ['dr', sharedRoleName('default', 'b'), true, [RO]],
      ],
    );
    // The checked binding is held readonly by the compiler; the file's document is left as read.
    assert.deepEqual(shared?.spec.policyArns, [RO, RO]);
    assert.equal(shared?.spec.declared, undefined);
  });

  it('--cluster and --region fill in what the file leaves open', () => {
    const file = parseBindingsFile(
      `${HEAD}bindings:\n  - name: a\n    attachPolicyARNs: [${RO}]\n`,
      'b.yaml',
      {
        cluster: 'prod',
        region: 'eu-west-1',
      },
    );
    assert.deepEqual(file.bindings[0]?.clusters, [{ name: 'prod', region: 'eu-west-1' }]);
    assert.equal(file.bindings[0]?.spec.source.labels.cluster, '--cluster');
  });

  const CLUSTER_CONFIG = `${EKSCTL}metadata:
  name: prod
  region: us-west-2
  version: "1.30"
  tags: {env: prod}
vpc: {cidr: 10.0.0.0/16}
nodeGroups: [{name: ng-1}]
iam:
  withOIDC: true
  podIdentityAssociations: []
  serviceAccounts:
    - metadata:
        name: s3-reader
        namespace: backend
        labels: {app: s3}
        annotations: {team: data}
      attachPolicyARNs: [${RO}]
      permissionsBoundary: arn:aws:iam::123456789012:policy/boundary
      tags: {owner: data}
    - metadata: {name: inline}
      attachPolicy:
        Version: "2012-10-17"
        Statement: [{Effect: Allow, Action: ["s3:GetObject"], Resource: "*"}]
      roleName: inline-role
    - metadata: {name: role-only, namespace: jobs}
      attachPolicyARNs: [${RO}]
      roleOnly: true
    - metadata: {name: existing, namespace: backend}
      attachRoleARN: arn:aws:iam::123456789012:role/existing
    - metadata: {name: wild, namespace: backend}
      subjectPattern: "wild-*"
      attachPolicyARNs: [${RO}]
`;

  it('eksctl: metadata, withOIDC and serviceAccounts map onto bindings; the rest is one note', () => {
    const file = parseBindingsFile(CLUSTER_CONFIG, 'cluster.yaml', {
      allowSubjectPattern: true,
      overrideExisting: true,
    });
    assert.deepEqual(file.enableOidc, [{ name: 'prod', region: 'us-west-2' }]);
    assert.deepEqual(file.notes, [
      'cluster.yaml: ignoring vpc, nodeGroups, metadata.version (iamsa applies metadata, iam.withOIDC, iam.serviceAccounts and iam.podIdentityAssociations of a ClusterConfig)',
    ]);
    const [s3, inline, roleOnly, existing, wild] = file.bindings.map((b) => b.spec);
    assert.ok(
      file.bindings.every(
        (b) => b.clusters[0]?.name === 'prod' && b.clusters[0].region === 'us-west-2',
      ),
    );
    assert.deepEqual(
      { ...s3, source: undefined },
      {
        namespace: 'backend',
        name: 's3-reader',
        policyArns: [RO],
        wellKnownPolicies: undefined,
        inlinePolicy: undefined,
        permissionsBoundary: 'arn:aws:iam::123456789012:policy/boundary',
        tags: { env: 'prod', owner: 'data' },
        roleName: undefined,
        attachRoleArn: undefined,
        roleOnly: false,
        createNamespace: true,
        overrideExisting: true,
        serviceAccountMetadata: { labels: { app: 's3' }, annotations: { team: 'data' } },
        source: undefined,
      },
    );
    assert.equal(
      s3?.source.labels.permissionsBoundary,
      'iam.serviceAccounts[0].permissionsBoundary',
    );
    assert.equal(inline?.namespace, 'default');
    assert.equal(inline?.roleName, 'inline-role');
    assert.equal(inline?.inlinePolicy?.origin, 'iam.serviceAccounts[1].attachPolicy');
    assert.deepEqual(inline?.tags, { env: 'prod' });
    assert.equal(roleOnly?.roleOnly, true);
    assert.equal(roleOnly?.createNamespace, false);
    assert.equal(roleOnly?.overrideExisting, false);
    assert.equal(existing?.attachRoleArn, 'arn:aws:iam::123456789012:role/existing');
    assert.equal(wild?.subjectPattern, 'wild-*');
  });

  it('eksctl: withOIDC off means no provider in the run', () => {
    const file = parseBindingsFile(
      `${EKSCTL}metadata: {name: prod}\niam:\n  serviceAccounts:\n    - metadata: {name: a}\n      attachPolicyARNs: [${RO}]\n`,
      'c.yaml',
      { region: 'eu-west-1' },
    );
    assert.deepEqual(file.enableOidc, []);
    assert.deepEqual(file.notes, []);
    assert.deepEqual(file.bindings[0]?.clusters, [{ name: 'prod', region: 'eu-west-1' }]);
  });
  it('eksctl: shapes eksctl accepts (empty as unset, permissionPolicyName, roleARN with roleName or tags, no Version)', () => {
    const file = parseBindingsFile(
      [
        `${EKSCTL}metadata: {name: prod, region: eu-west-1}`,
        'iam:',
        '  podIdentityAssociations:',
        '    - namespace: a',
        '      serviceAccountName: empties',
        '      permissionPolicy: {}',
        `      permissionPolicyARNs: [${RO}]`,
        '      wellKnownPolicies: {}',
        '      tags: {}',
        '      permissionPolicyName: mine',
        '    - namespace: a',
        '      serviceAccountName: byo',
        '      roleARN: arn:aws:iam::123456789012:role/byo',
        '      roleName: ignored',
        '      tags: {team: x}',
        '    - namespace: a',
        '      serviceAccountName: nothing',
        '      permissionPolicyARNs: []',
        `      permissionPolicy: {Statement: [{Effect: Allow, Action: "s3:GetObject", Resource: "*"}]}`,
        '',
      ].join('\n'),
      'c.yaml',
    );
    const [empties, byo, noVersion] = file.bindings.map((b) => b.spec);
    assert.deepEqual(empties?.policyArns, [RO]);
    assert.equal(empties?.inlinePolicy, undefined);
    assert.equal(byo?.roleName, undefined);
    assert.deepEqual(byo?.tags, { team: 'x' });
    // Tags go on the association of a role given by ARN: the binding checks.
    checkBinding({ ...byo!, cluster: 'prod' });
    assert.equal(noVersion?.inlinePolicy?.document.Version, '2008-10-17');
    assert.deepEqual(
      file.notes.map((n) => n.replace(/^c\.yaml:\d+: /, '')),
      [
        'iam.podIdentityAssociations[0].permissionPolicyName is ignored: iamsa names the inline policy of its roles itself',
        'iam.podIdentityAssociations[1].roleName is ignored beside roleARN (as eksctl does)',
        'iam.podIdentityAssociations[2].permissionPolicy has no Version: IAM reads it as version 2008-10-17, where policy variables (${...}) do not work; add Version: "2012-10-17"',
      ],
    );
  });

  it('eksctl: a file of withOIDC alone has its metadata.name checked like --cluster', () => {
    expectProblems(`${EKSCTL}metadata: {name: bad/name}\niam: {withOIDC: true}\n`, [
      [3, /^invalid metadata\.name "bad\/name"/],
    ]);
    // A template's placeholder is said as one (issue 19's wording).
    expectProblems(`${EKSCTL}metadata: {name: <generated>}\niam: {withOIDC: true}\n`, [
      [
        3,
        /^metadata\.name is the template placeholder <generated>; put the real value in its place/,
      ],
    ]);
  });
});

test('a file of more bindings than an account can hold roles for is one exit-2 line, not a crash', () => {
  const n = 20_000; // 200,000 overflowed the stack before the cap (and a spread push)
  const lines = [
    'apiVersion: iamsa.io/v1alpha1',
    'kind: ServiceAccountBindings',
    'cluster: demo',
    'bindings:',
  ];
  for (let i = 0; i < n; i++) lines.push(`  - {namespace: ns, name: sa${i}}`);
  assert.throws(
    () => parseBindingsFile(lines.join('\n'), 'big.yaml'),
    (e: unknown) =>
      e instanceof ValidationError &&
      e.exitCode === ExitCode.usage &&
      /^big\.yaml: 20,000 bindings; a file may hold at most 10,000/.test(e.message),
  );
});
