// The restart step after a batch: which pods must restart to pick up a change, named by the
// workload when the use case knows it; a workload whose pod template iamsa changed rolls by itself.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BindingResult, CommandResult, PublicStep } from '../../src/actions/engine/plan.js';
import { restartNextStep } from '../../src/cli/next-step.js';

const ROLE = 'arn:aws:iam::111122223333:role/legacy';
const s = (
  resource: PublicStep['resource'],
  id: string,
  action: PublicStep['action'],
  changes: string[] = [],
): PublicStep => ({ resource, id, action, changes });
const binding = (namespace: string, name: string, steps: PublicStep[]): BindingResult => ({
  cluster: 'demo',
  namespace,
  name,
  source: 'deployment/legacy-app',
  mechanism: 'irsa',
  applied: steps.some((x) => x.action !== 'unchanged'),
  changed: steps.some((x) => x.action !== 'unchanged'),
  steps,
  warnings: [],
});
const result = (bindings: BindingResult[]): CommandResult => ({
  schemaVersion: 2,
  command: 'migrate-from-kube2iam',
  applied: true,
  changed: true,
  cluster: 'demo',
  region: 'us-east-1',
  steps: bindings.flatMap((b) => b.steps),
  bindings,
  warnings: [],
});
const trust = s('iam-role', ROLE, 'update', ['trust + 1 IRSA statement(s)']);

describe('restartNextStep', () => {
  it('a workload whose pod template iamsa changed needs no restart: it is named to watch', () => {
    const forward = binding('legacy', 'legacy-app', [
      trust,
      s('service-account', 'legacy/legacy-app', 'create'),
      s('workload', 'deployment/legacy/legacy-app', 'update'),
    ]);
    assert.deepEqual(restartNextStep(result([forward])), [
      'No restart needed: iamsa changed the pod template of that workload, so its pods roll by themselves; watch them with',
      'kubectl rollout status deployment/legacy-app -n legacy',
    ]);
  });

  it('a rollback back to the default service account names the workload, not "service account default"', () => {
    const back = binding('legacy', 'default', [
      trust,
      s('workload', 'deployment/legacy/legacy-app', 'update'),
      s('service-account', 'legacy/legacy-app', 'delete'),
    ]);
    const lines = restartNextStep(result([back]));
    assert.equal(lines[1], 'kubectl rollout status deployment/legacy-app -n legacy');
    assert.doesNotMatch(lines.join('\n'), /service account default|rollout restart/);
  });

  it('a known workload left as it was is named in its restart command; others are generic', () => {
    const annotated = binding('legacy', 'legacy-app', [
      trust,
      s('service-account', 'legacy/legacy-app', 'update'),
      s('workload', 'statefulset/legacy/db', 'unchanged'),
    ]);
    const other = binding('web', 'api', [s('service-account', 'web/api', 'update')]);
    const rolled = binding('legacy', 'worker', [
      s('service-account', 'legacy/worker', 'create'),
      s('workload', 'deployment/legacy/worker', 'update'),
    ]);
    assert.deepEqual(restartNextStep(result([annotated, other, rolled])), [
      'Restart the pods of these 2 service accounts so they pick up the change, e.g.',
      'kubectl rollout restart statefulset/db -n legacy',
      'kubectl rollout restart deployment -n web <deployment using service account api>',
      'kubectl rollout status deployment/worker -n legacy  # no restart needed',
    ]);
  });

  it("a ReplicaSet does not replace its pods: they are deleted; a CronJob's next jobs need nothing", () => {
    const rs = binding('legacy', 'rs', [
      s('service-account', 'legacy/rs', 'create'),
      s('workload', 'replicaset/legacy/rs', 'update'),
    ]);
    const cron = binding('legacy', 'nightly', [
      s('service-account', 'legacy/nightly', 'create'),
      s('workload', 'cronjob/legacy/nightly', 'update'),
    ]);
    assert.deepEqual(restartNextStep(result([rs, cron])), [
      'Restart the pods of that service account so they pick up the change, e.g.',
      'kubectl delete pod -n legacy <pods of replicaset rs>  # it recreates them',
    ]);
  });

  it('role-only and deleted bindings have no pods to restart', () => {
    const roleOnly = binding('jobs', 'batch', [s('iam-role', ROLE, 'create')]);
    const pruned = binding('default', 'app1', [
      s('service-account', 'default/app1', 'delete'),
      s('iam-role', ROLE, 'delete'),
    ]);
    const unbound = binding('default', 'kept', [
      s('service-account', 'default/kept', 'update'),
      s('iam-role', ROLE, 'delete'),
    ]);
    assert.deepEqual(restartNextStep(result([roleOnly, pruned, unbound])), []);
  });
});
