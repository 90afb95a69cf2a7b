import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FLAGS_SOURCE } from '../../src/actions/binding/spec.js';
import { applyCommandLine } from '../../src/cli/command-line.js';
import { createServiceAccountCommandLine } from '../../src/cli/wizard-command-line.js';
import { shellQuote } from '../../src/policy/shell-quote.js';

test('shellQuote leaves safe words alone and single-quotes the rest', () => {
  assert.equal(
    shellQuote('arn:aws:iam::aws:policy/ReadOnlyAccess'),
    'arn:aws:iam::aws:policy/ReadOnlyAccess',
  );
  assert.equal(shellQuote('team=a,env=b'), 'team=a,env=b');
  assert.equal(shellQuote('has space'), "'has space'");
  assert.equal(shellQuote("it's"), `'it'\\''s'`);
  assert.equal(shellQuote('$HOME'), "'$HOME'");
  assert.equal(shellQuote(''), "''");
});

test('applyCommandLine appends --approve once', () => {
  assert.equal(
    applyCommandLine(['enable-oidc', '--cluster', 'a']),
    'iamsa enable-oidc --cluster a --approve',
  );
  assert.equal(
    applyCommandLine(['enable-oidc', '--approve', '--cluster', 'a']),
    'iamsa enable-oidc --cluster a --approve',
  );
});

test('the wizard equivalent names every answer as a flag', () => {
  const line = createServiceAccountCommandLine(
    'eu-west-1',
    {
      cluster: 'prod',
      namespace: 'payments',
      name: 'api',
      policyArns: ['arn:aws:iam::aws:policy/A', 'arn:aws:iam::aws:policy/B'],
      inlinePolicy: {
        document: { Version: '2012-10-17', Statement: [] },
        origin: 'my policy.json',
        file: 'my policy.json',
      },
      roleName: 'custom',
      tags: { team: 'pay' },
      roleOnly: false,
      overrideExisting: true,
      createNamespace: true,
      source: FLAGS_SOURCE,
    },
    { mode: 'eks', server: 'https://127.0.0.1:8443', caFile: '/tmp/ca.pem' },
    'ops',
  );
  assert.equal(
    line,
    'iamsa create-serviceaccount --region eu-west-1 --profile ops --cluster prod --namespace payments --name api ' +
      '--attach-policy-arn arn:aws:iam::aws:policy/A --attach-policy-arn arn:aws:iam::aws:policy/B ' +
      "--attach-policy 'my policy.json' --role-name custom --tags team=pay --override-existing-serviceaccounts " +
      '--create-namespace --kube-server https://127.0.0.1:8443 --kube-ca-file /tmp/ca.pem --approve',
  );
});

test('kubeconfig access is carried over as --kubeconfig/--context', () => {
  const line = createServiceAccountCommandLine(
    'us-east-1',
    {
      cluster: 'c',
      namespace: 'default',
      name: 'a',
      policyArns: [],
      attachRoleArn: 'arn:aws:iam::111122223333:role/r',
      tags: {},
      roleOnly: false,
      overrideExisting: false,
      createNamespace: false,
      source: FLAGS_SOURCE,
    },
    { mode: 'kubeconfig', file: '/k', context: 'ctx' },
  );
  assert.match(
    line,
    /--attach-role-arn arn:aws:iam::111122223333:role\/r --kubeconfig \/k --context ctx --approve$/,
  );
});
