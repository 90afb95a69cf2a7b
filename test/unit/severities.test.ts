// One registry of severities: a doctor check that finds what an audit finding reports has that
// finding's severity (PODID005 in doctor is PODID103 in audit: a role any cluster may use).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  DOCTOR_CHECK_FINDINGS,
  FINDING_KINDS,
  withSeverity,
} from '../../src/actions/report/finding-kinds.js';
import { check } from '../../src/actions/report/report.js';

test('PODID005 in doctor has the severity of PODID103 in audit', () => {
  const warned = withSeverity(check('PODID005', 'trust is narrow', 'warn', 'any cluster'));
  assert.equal(warned.severity, FINDING_KINDS.PODID103.severity);
  assert.equal(warned.finding, 'PODID103');
  // What passed or was skipped has no severity.
  for (const status of ['ok', 'skipped'] as const) {
    assert.equal(withSeverity(check('PODID005', 't', status, 'm')).severity, undefined);
  }
});

test('every doctor check mapped to a finding names a finding that exists', () => {
  for (const [checkId, finding] of Object.entries(DOCTOR_CHECK_FINDINGS)) {
    assert.ok(FINDING_KINDS[finding], `${checkId} -> ${finding}`);
  }
});
