import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { composePlan, type PlanStep, updateStep } from '../../src/actions/engine/plan.js';
import type { Reporter } from '../../src/actions/engine/reporter.js';
import { ConflictError, ExitCode, IamsaError } from '../../src/errors.js';

const quiet: Reporter = { progress: (_label, work) => work(), warn: () => undefined };
const ok = () => Promise.resolve();
const fail = (error: Error) => () => Promise.reject(error);

describe('updateStep', () => {
  it('is unchanged when no edit is needed, and lists the needed ones otherwise', () => {
    assert.equal(updateStep('iam-role', 'r', 1, [false, false]).action, 'unchanged');
    const s = updateStep('iam-role', 'r', 1, [false, { change: 'trust policy', run: ok }]);
    assert.equal(s.action, 'update');
    assert.deepEqual(s.changes, ['trust policy']);
  });

  it('runs every edit and says which failed and which were made, keeping the exit code', async () => {
    const made: string[] = [];
    const s = updateStep('iam-role', 'arn:role', 1, [
      { change: 'trust policy', run: async () => void made.push('trust') },
      { change: 'tags team', run: fail(new ConflictError('TagRole refused')) },
      { change: 'permissions boundary', run: async () => void made.push('boundary') },
    ]);
    await assert.rejects(s.run?.() ?? ok(), (e: unknown) => {
      assert.ok(e instanceof IamsaError);
      assert.equal(e.exitCode, ExitCode.conflict);
      assert.match(
        e.message,
        /^TagRole refused \(tags team of arn:role failed; made: trust policy, permissions boundary\)$/,
      );
      return true;
    });
    assert.deepEqual(made.sort(), ['boundary', 'trust']);
  });
});

/** Applies steps as one chain, the way enable-oidc's provider step runs. */
const applyPlan = (steps: PlanStep[], reporter: Reporter) =>
  composePlan({ command: 't', cluster: 'c', region: 'r', warnings: [] }, [], reporter, {
    extra: steps,
  }).apply();

describe('one chain of steps', () => {
  const stepOf = (id: string, phase: number, run: () => Promise<void>): PlanStep => ({
    resource: 'policy-attachment',
    id,
    action: 'create',
    changes: [],
    phase,
    run,
  });

  it('runs phases in order and skips unchanged steps', async () => {
    const order: string[] = [];
    await applyPlan(
      [
        stepOf('b', 2, async () => void order.push('b')),
        stepOf('a', 1, async () => void order.push('a')),
        { ...stepOf('c', 1, async () => void order.push('c')), action: 'unchanged' },
      ],
      quiet,
    );
    assert.deepEqual(order, ['a', 'b']);
  });

  it('a failure lists every failure of the phase and what was already done, then stops', async () => {
    let later = false;
    await assert.rejects(
      applyPlan(
        [
          stepOf('done', 1, ok),
          stepOf('x', 2, fail(new Error('first'))),
          stepOf('y', 2, fail(new Error('second'))),
          stepOf('z', 3, async () => void (later = true)),
        ],
        quiet,
      ),
      (e: unknown) => {
        assert.ok(e instanceof IamsaError);
        assert.match(
          e.message,
          /^first \(also failed: second; already done: created policy-attachment done\)$/,
        );
        assert.match(e.hint ?? '', /re-run the same command/);
        return true;
      },
    );
    assert.equal(later, false, 'a later phase does not start');
  });

  it('a failure before anything was done is the error as it is', async () => {
    const error = new ConflictError('taken', { hint: 'h' });
    await assert.rejects(applyPlan([stepOf('x', 1, fail(error))], quiet), (e) => e === error);
  });
});
