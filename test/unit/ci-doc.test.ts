// docs/ci.md's GitHub Actions workflows: the audit job's SARIF reaches code scanning even when the
// audit step fails the job with exit 6 (a step after a failed one runs only with an `if:`).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parse } from 'yaml';

interface Step {
  run?: string;
  uses?: string;
  if?: string;
  with?: Record<string, string>;
}
interface Workflow {
  permissions?: Record<string, string>;
  jobs?: Record<string, { steps: Step[] }>;
}

const text = readFileSync(new URL('../../docs/ci.md', import.meta.url), 'utf8');
const workflows = [...text.matchAll(/^```yaml\n([\s\S]*?)^```$/gm)]
  .map(([, body = '']) => parse(body) as Workflow)
  .filter((w) => w.jobs);

test('the audit job uploads its SARIF also when audit exits 6', () => {
  const jobs = workflows.flatMap((w) => Object.values(w.jobs ?? {}).map((job) => ({ w, job })));
  const audits = jobs.filter(({ job }) =>
    job.steps.some((s) => /iamsa audit .*--fail-on \w+ .*-o sarif > \S+/.test(s.run ?? '')),
  );
  assert.equal(audits.length, 1, 'one GitHub Actions job runs iamsa audit -o sarif');
  const [{ w, job } = { w: {}, job: { steps: [] } }] = audits;
  const auditAt = job.steps.findIndex((s) => /iamsa audit/.test(s.run ?? ''));
  const file = /> (\S+)/.exec(job.steps[auditAt]?.run ?? '')?.[1];
  const upload = job.steps
    .slice(auditAt + 1)
    .find((s) => s.uses?.startsWith('github/codeql-action/upload-sarif@'));
  assert.ok(upload, 'an upload-sarif step after the audit');
  assert.equal(upload.with?.sarif_file, file);
  assert.match(upload.if ?? '', /^(always\(\)|success\(\) \|\| failure\(\))$/);
  assert.equal(w.permissions?.['security-events'], 'write');
  assert.match(text, /exits \*\*6\*\*/);
});
