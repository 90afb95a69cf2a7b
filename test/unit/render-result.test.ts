// The text of a result: a binding that failed while planning is never silently dropped.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Chalk } from 'chalk';
import type { BindingResult, CommandResult, PublicStep } from '../../src/actions/engine/plan.js';
import { renderResult } from '../../src/ui/render-result.js';

const plain = new Chalk({ level: 0 });

const binding = (over: Partial<BindingResult>): BindingResult => ({
  cluster: 'prod',
  namespace: 'default',
  name: 'app',
  source: 'flags',
  mechanism: 'irsa',
  applied: false,
  changed: false,
  steps: [],
  warnings: [],
  ...over,
});

const result = (bindings: BindingResult[], over: Partial<CommandResult> = {}): CommandResult => ({
  schemaVersion: 1,
  command: 'migrate-to-pod-identity',
  applied: true,
  changed: false,
  cluster: 'prod',
  region: 'us-east-1',
  steps: [],
  bindings,
  warnings: [],
  exitCode: 5,
  ...over,
});

const failed = binding({
  name: 'app1',
  error: {
    exitCode: 5,
    message: 'the recorded IRSA trust of role r is not one iamsa wrote',
    hint: 'restore the trust by hand',
  },
});

describe('renderResult: failed bindings', () => {
  it('prints each failed binding with its message and hint, and never "Nothing to do"', () => {
    const text = renderResult(result([failed, binding({ name: 'app2' })]), plain);
    assert.match(text, /default\/app1 failed/);
    assert.match(text, /error: the recorded IRSA trust of role r is not one iamsa wrote/);
    assert.match(text, /hint: restore the trust by hand/);
    assert.doesNotMatch(text, /Nothing to do/);
    assert.match(text, /1 binding failed\. Nothing else to do: fix the failures and run again\./);
  });

  it('a plan that changes something says the failures too', () => {
    const text = renderResult(
      result([failed], {
        applied: false,
        changed: true,
        steps: [{ resource: 'iam-role', id: 'arn:x', action: 'update', changes: [] }],
      }),
      plain,
    );
    assert.match(text, /error: the recorded IRSA trust/);
    assert.match(text, /1 binding failed\. Nothing was changed/);
  });

  it('the batch (apply -f) keeps its failure lines', () => {
    const text = renderResult(result([failed], { command: 'apply' }), plain);
    assert.match(text, /error: the recorded IRSA trust/);
    assert.doesNotMatch(text, /Nothing to do/);
  });
});

describe('renderResult: columns', () => {
  it('apply -f lines its ids up over the whole plan, whichever binding has the longest kind', () => {
    const step = (resource: PublicStep['resource'], id: string): PublicStep => ({
      resource,
      id,
      action: 'create',
      changes: [],
    });
    const irsa = [
      step('iam-role', 'arn:aws:iam::1:role/a'),
      step('service-account', 'backend/api'),
    ];
    const pod = [step('pod-identity-association', 'backend/queue')];
    const text = renderResult(
      result(
        [
          binding({ name: 'api', steps: irsa, changed: true }),
          binding({ name: 'queue', mechanism: 'pod-identity', steps: pod, changed: true }),
        ],
        { command: 'apply', applied: false, changed: true, steps: [...irsa, ...pod], exitCode: 0 },
      ),
      plain,
    );
    const columns = text
      .split('\n')
      .filter((l) => l.includes('+ create'))
      .map((l) => l.search(/(arn:|backend\/)/));
    assert.equal(columns.length, 3, text);
    assert.equal(new Set(columns).size, 1, text);
  });
});
