import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createAdaptiveLimiter, isWriteOperation } from '../../src/actions/engine/limiter.js';

/** A call that stays in flight until released, counting how many are in flight at once. */
function gate() {
  let inFlight = 0;
  let peak = 0;
  const open: Array<() => void> = [];
  return {
    call: () =>
      new Promise<void>((resolve) => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        open.push(() => {
          inFlight--;
          resolve();
        });
      }),
    /** Finishes the calls in flight now, and lets their followers start. */
    async release(count = open.length) {
      open.splice(0, count).forEach((r) => r());
      await new Promise((r) => setImmediate(r));
    },
    get inFlight() {
      return inFlight;
    },
    get peak() {
      return peak;
    },
  };
}

describe('createAdaptiveLimiter', () => {
  it('starts at 10 in flight and runs every call once', async () => {
    const limit = createAdaptiveLimiter();
    const g = gate();
    let done = 0;
    const all = Array.from({ length: 25 }, () => limit(() => g.call().then(() => done++)));
    await new Promise((r) => setImmediate(r));
    assert.equal(g.inFlight, 10);
    while (g.inFlight) await g.release();
    await Promise.all(all);
    assert.equal(done, 25);
    assert.equal(g.peak, 10);
  });

  it('halves on a throttle, once for the calls already in flight, and grows back one at a time', async () => {
    const limit = createAdaptiveLimiter({ initial: 8 });
    const g = gate();
    const all = Array.from({ length: 60 }, () => limit(() => g.call()));
    await new Promise((r) => setImmediate(r));
    assert.equal(limit.limit, 8);
    // Three throttles of the same wave of eight calls: one halving.
    limit.throttled();
    limit.throttled();
    limit.throttled();
    assert.equal(limit.limit, 4);
    await g.release();
    assert.equal(g.inFlight, 4, 'no new call starts beyond the halved limit');
    // The calls of the old wave have finished: the next throttle halves again.
    limit.throttled();
    assert.equal(limit.limit, 2);
    // Every `limit` calls that finish without a throttle add one slot.
    await g.release();
    await g.release();
    assert.ok(limit.limit > 2 && limit.limit <= 8, `limit ${limit.limit}`);
    while (g.inFlight) await g.release();
    await Promise.all(all);
    assert.equal(limit.limit, 8, 'back to the start, never beyond');
  });

  it('never goes below its minimum, and a failing call frees its slot', async () => {
    const limit = createAdaptiveLimiter({ initial: 2, min: 1 });
    const seen: number[] = [];
    for (let i = 0; i < 5; i++) {
      limit.throttled();
      seen.push(limit.limit);
      await limit(() => Promise.resolve());
    }
    assert.equal(Math.min(...seen), 1);
    await assert.rejects(
      limit(() => Promise.reject(new Error('boom'))),
      /boom/,
    );
    assert.equal(await limit(() => Promise.resolve('next')), 'next');
  });
});

describe('isWriteOperation', () => {
  it('tells writes from reads by the operation name', () => {
    assert.equal(isWriteOperation('CreateRole'), true);
    assert.equal(isWriteOperation('TagRole'), true);
    assert.equal(isWriteOperation('GetRole'), false);
    assert.equal(isWriteOperation('ListAttachedRolePolicies'), false);
    assert.equal(isWriteOperation('GetAccountAuthorizationDetails'), false);
  });
});
