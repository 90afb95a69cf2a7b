// One registry of severities: a doctor check takes its severity from CHECK_KINDS, and one that
// finds what an audit finding reports has that finding's severity (PODID005 in doctor is PODID103
// in audit: a role any cluster may use).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FINDING_KINDS } from '../../src/actions/report/finding-kinds.js';
import { check, CHECK_KINDS } from '../../src/actions/report/check-kinds.js';

test('PODID005 in doctor has the severity of PODID103 in audit', () => {
  const warned = check('PODID005', 'warn', 'any cluster');
  assert.equal(warned.severity, FINDING_KINDS.PODID103.severity);
  assert.equal(warned.finding, 'PODID103');
  // What passed or was skipped has no severity.
  for (const status of ['ok', 'skipped'] as const) {
    assert.equal(check('PODID005', status, 'm').severity, undefined);
  }
});

test("a check's title and severity are the registry's", () => {
  const failed = check('IRSA004', 'fail', 'm', { fix: 'f' });
  assert.deepEqual(
    [failed.title, failed.severity, failed.finding, failed.fix],
    [CHECK_KINDS.IRSA004.title, CHECK_KINDS.IRSA004.severity, undefined, 'f'],
  );
  assert.equal(check('IRSA004', 'ok', 'm', { fix: 'f' }).fix, undefined);
});

test('every doctor check mapped to a finding names a finding that exists', () => {
  for (const [checkId, kind] of Object.entries(CHECK_KINDS)) {
    const finding = (kind as { finding?: keyof typeof FINDING_KINDS }).finding;
    if (finding) assert.ok(FINDING_KINDS[finding], `${checkId} -> ${finding}`);
  }
});
