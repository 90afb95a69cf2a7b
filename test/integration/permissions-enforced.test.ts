// docs/permissions.md's policies, enforced (issue 18): each command's happy path through the
// binary with credentials holding exactly the generated full policy, the read-only commands and
// plans with exactly the read-only one, and nothing refused, not even a read that would only
// have become a warning. The front before moto authorizes every IAM, STS and EKS request
// (test/support/aws-authorize.ts: the action, the resource ARN the request names, and PassRole
// and TagResource behind a Pod Identity association), since moto resolves IAM resources to `*`
// and names EKS actions wrongly. Negative checks prove the enforcement is on.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { PolicyDocument } from '../../src/policy/policy-document.js';
import {
  allowedActions,
  type Mode,
  permissionPolicies,
  readPermissions,
} from '../../scripts/permissions-doc.js';
import { type AwsFront, startAwsFront } from '../support/aws-front.js';
import { ACCOUNT, type Ground, type Run, startGround } from '../support/ground.js';
import { namespace, READONLY } from '../support/irsa-states.js';
import { tempDir } from '../support/temp.js';

let g: Ground;
let front: AwsFront;
let file: string;
const data = readPermissions();
const { readOnly, full } = permissionPolicies(data);

/** A generated policy for this account, without the actions given. */
const policy = (p: typeof full, without: string[] = []): PolicyDocument => {
  const doc = JSON.parse(JSON.stringify(p).replaceAll('<account>', ACCOUNT)) as PolicyDocument;
  for (const s of doc.Statement as Array<{ Action: string[] }>)
    s.Action = s.Action.filter((a) => !without.includes(a));
  return doc;
};

before(async () => {
  g = await startGround('demo');
  front = await startAwsFront({ eks: g.eksEndpoint.url, other: g.iamEndpoint.url });
  await g.installPodIdentityAgent(g.cluster);
  await Promise.all(['perm', 'fleet'].map((ns) => namespace(g, ns)));
  file = join(tempDir('permissions-enforced'), 'bindings.yaml');
  writeFileSync(
    file,
    [
      'apiVersion: iamsa.io/v1alpha1',
      'kind: ServiceAccountBindings',
      `cluster: ${g.cluster}`,
      'bindings:',
      '  - {namespace: fleet, name: b, attachPolicyARNs: [arn:aws:iam::aws:policy/ReadOnlyAccess]}',
      '  - namespace: fleet',
      '    name: c',
      '    mechanism: pod-identity',
      '    attachPolicyARNs: [arn:aws:iam::aws:policy/ReadOnlyAccess]',
      '',
    ].join('\n'),
  );
});
after(async () => {
  await front.close();
  await g.close();
});

/** Runs iamsa through the enforcing front, on the cluster and the emulator. */
async function iamsa(args: string[]): Promise<Run> {
  const [command] = args;
  const cluster = command === 'apply' ? [] : ['-c', g.cluster];
  const kube = command === 'enable-oidc' ? [] : g.kubeFlags;
  return g.iamsa([...args, ...cluster, ...kube], {
    AWS_ENDPOINT_URL: front.url,
    AWS_ENDPOINT_URL_EKS: front.url,
  });
}

/**
 * Each run succeeds (exit 0; doctor and audit may report findings) with nothing refused, and
 * calls only the actions docs/permissions.json lists for its command in its modes.
 */
async function allSucceed(runs: Array<[string[], Mode[]]>): Promise<void> {
  const undocumented: string[] = [];
  for (const [args, modes] of runs) {
    const [command = ''] = args;
    const start = { denials: front.denials.length, calls: front.calls.length };
    const r = await iamsa(args);
    const report = command === 'doctor' || command === 'audit';
    assert.ok(
      r.code === 0 || (report && r.code === 6),
      `${args.join(' ')}: exit ${r.code}\n${r.stdout}\n${r.stderr}`,
    );
    assert.deepEqual(front.denials.slice(start.denials), [], `${args.join(' ')}: refused`);
    assert.doesNotMatch(r.stderr, /UNCHECKED_ACCESS_DENIED/, args.join(' '));
    const allowed = allowedActions(data, command, modes);
    const calls = new Set(front.calls.slice(start.calls));
    assert.ok(calls.size > 0, `${command} made no AWS call through the front`);
    for (const call of calls)
      if (!allowed.has(call))
        undocumented.push(`${command} [${modes.join(',') || 'plan'}]: ${call}`);
  }
  assert.deepEqual(undocumented, [], 'calls not in docs/permissions.json');
}

/** Set-up outside the policy under test (this test's own, whatever ran before). */
async function setUp(...runs: string[][]): Promise<void> {
  front.enforce(undefined);
  for (const args of runs) {
    const r = await iamsa([...args, '--approve']);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
  }
}

const sa = (name: string, ...more: string[]) => ['-n', 'perm', '--name', name, ...more];

describe('the documented policies, enforced', () => {
  test('full policy: every command with --approve, --prune and Pod Identity', async () => {
    front.enforce([policy(full)]);
    const approve: Mode[] = ['approve'];
    const podIdentity: Mode[] = ['approve', 'podIdentity'];
    await allSucceed([
      [['enable-oidc', '--approve'], approve],
      [
        [
          'create-serviceaccount',
          ...sa('a', '--attach-policy-arn', READONLY),
          ...['--well-known-policies', 'ebsCSIController', '--approve'],
        ],
        approve,
      ],
      [
        [
          'update-serviceaccount',
          ...sa('a', '--attach-policy-arn', 'arn:aws:iam::aws:policy/AmazonEC2ReadOnlyAccess'),
          '--approve',
        ],
        approve,
      ],
      [['get-serviceaccounts', '--orphans'], []],
      [['doctor', ...sa('a', '--simulate', 's3:GetObject')], []],
      [['audit'], []],
      [
        [
          'create-serviceaccount',
          ...sa('p', '--mechanism', 'pod-identity', '--attach-policy-arn', READONLY, '--approve'),
        ],
        podIdentity,
      ],
      [['migrate-to-pod-identity', ...sa('a'), '--approve'], approve],
      [['delete-serviceaccount', ...sa('p', '--approve')], podIdentity],
      [
        ['apply', '-f', file, '--prune', '--approve'],
        ['approve', 'prune', 'podIdentity'],
      ],
    ]);
  });

  test('read-only policy: get, doctor, audit and every plan', async () => {
    await setUp(['enable-oidc'], ['apply', '-f', file]);
    front.enforce([policy(readOnly)]);
    try {
      await allSucceed(
        [
          ['create-serviceaccount', ...sa('r', '--attach-policy-arn', READONLY)],
          ['get-serviceaccounts'],
          ['doctor', '-n', 'fleet', '--name', 'b', '--simulate', 's3:GetObject'],
          ['doctor', '-n', 'fleet', '--name', 'c'],
          ['audit'],
          ['migrate-to-pod-identity'],
          ['apply', '-f', file, '--prune'],
          ['delete-serviceaccount', '-n', 'fleet', '--name', 'b'],
        ].map((args) => [args, []]),
      );
    } finally {
      front.enforce(undefined);
    }
  });

  test('enforcement is on: one action or PassRole fewer, and the command fails AccessDenied', async () => {
    const denied = async (policies: PolicyDocument[], args: string[], action: RegExp) => {
      front.enforce(policies);
      try {
        const r = await iamsa(args);
        assert.notEqual(r.code, 0, r.stdout);
        assert.match(r.stderr, /AccessDenied|not authorized/);
        assert.match(r.stderr, action);
      } finally {
        front.enforce(undefined);
      }
    };
    await setUp(['enable-oidc']);
    const create = ['create-serviceaccount', ...sa('n', '--attach-policy-arn', READONLY)];
    await denied([policy(full, ['iam:CreateRole'])], [...create, '--approve'], /iam:CreateRole/);
    await denied([policy(readOnly)], [...create, '--approve'], /iam:CreateRole/);
    await denied(
      [policy(full, ['iam:PassRole'])],
      [...create, '--mechanism', 'pod-identity', '--approve'],
      /iam:PassRole/,
    );
  });
});
