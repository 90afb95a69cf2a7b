// What migrate-from-kube2iam --cleanup says of the daemon: the workloads that still ask it for a
// role, by name; "can be uninstalled" only when nothing asks and no namespace restriction still
// lets a new pod ask.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { daemonVerdict } from '../../src/actions/migrate/kube2iam-discover.js';
import type { Workload, WorkloadKind } from '../../src/kube/workloads.js';
import type { DaemonConfig } from '../../src/policy/index.js';

const BASE = 'arn:aws:iam::111122223333:role/';
const config = (over: Partial<DaemonConfig> = {}): DaemonConfig => ({
  flavour: 'kube2iam',
  baseRoleArn: BASE,
  namespaceRestrictions: false,
  restrictionFormat: 'glob',
  strictRegexp: false,
  ...over,
});
const workload = (
  kind: WorkloadKind,
  namespace: string,
  name: string,
  role?: string,
): Workload => ({
  kind,
  namespace,
  name,
  annotations: {},
  templateAnnotations: role ? { 'iam.amazonaws.com/role': role } : {},
  serviceAccountName: 'default',
  owners: kind === 'Pod' && name.startsWith('web-') ? [{ kind: 'ReplicaSet', name: 'web-1' }] : [],
});

describe('daemonVerdict (--cleanup)', () => {
  it('names every workload that still asks the daemon, top-level ones first', () => {
    const said = daemonVerdict(
      config(),
      [
        workload('Pod', 'shop', 'web-1-abc', 'app-a'),
        workload('Deployment', 'shop', 'web', 'app-a'),
        workload('Pod', 'batch', 'lonely', 'db'),
        workload('Deployment', 'shop', 'plain'),
      ],
      {},
    );
    assert.match(
      said,
      /^IRSA-W036 kube2iam is still needed: 3 pod\(s\) or template\(s\) ask it for a role: /,
    );
    assert.match(said, /deployment shop\/web, pod batch\/lonely, pod shop\/web-1-abc$/);
    assert.doesNotMatch(said, /plain|uninstalled/);
  });

  it('counts past ten names', () => {
    const many = Array.from({ length: 12 }, (_, i) => workload('Pod', 'ns', `p${i}`, 'app-a'));
    assert.match(daemonVerdict(config(), many, {}), /pod ns\/p9 and 2 more$/);
  });

  it('can be uninstalled when nothing asks and nothing is restricted', () => {
    assert.match(
      daemonVerdict(config(), [workload('Deployment', 'shop', 'web')], {}),
      /^IRSA-W035 no pod or workload asks kube2iam for a role any more: the kube2iam DaemonSet can be uninstalled/,
    );
  });

  it('with --namespace-restrictions, names the namespaces that still let a new pod ask', () => {
    const said = daemonVerdict(config({ namespaceRestrictions: true }), [], {
      shop: { 'iam.amazonaws.com/allowed-roles': '["app-a"]' },
      other: { team: 'x' },
    });
    assert.match(
      said,
      /^IRSA-W046 .*namespace\(s\) shop still carry iam\.amazonaws\.com\/allowed-roles/,
    );
    assert.match(
      said,
      /once none should, remove that annotation and uninstall the kube2iam DaemonSet/,
    );
    assert.doesNotMatch(said, /can be uninstalled/);
  });

  it('kiam: its permitted annotation; a refused ask is named but does not keep the daemon', () => {
    const said = daemonVerdict(
      config({ flavour: 'kiam' }),
      [workload('Pod', 'shop', 'x', 'app-a')],
      {
        shop: { 'iam.amazonaws.com/permitted': 'db' },
      },
    );
    assert.match(said, /namespace\(s\) shop still carry iam\.amazonaws\.com\/permitted/);
    assert.match(
      said,
      /^IRSA-W046 no pod or workload gets a role from kiam any more \(1 carry iam\.amazonaws\.com\/role but are refused by the namespace restrictions: pod shop\/x\), but namespace/,
    );
    assert.doesNotMatch(said, /more carry/);
  });

  it("kube2iam's default role keeps the daemon needed", () => {
    assert.match(
      daemonVerdict(config({ defaultRole: 'base' }), [], {}),
      /still needed: no pod asks it for a role by annotation; pods without the annotation get kube2iam's default role/,
    );
  });
});
