// One limit on requests in flight, shared by every binding of a run: IAM throttles bursts, and a
// batch of bindings must not multiply its own concurrency.
import { interruption } from './interruption.js';

export type Limiter = <T>(work: () => Promise<T>) => Promise<T>;

export function createLimiter(max: number): Limiter {
  let active = 0;
  const waiting: Array<() => void> = [];
  // A finished call hands its slot straight to the next waiting one, so none can jump the queue.
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else active--;
  };
  return async (work) => {
    if (active >= max) await new Promise<void>((resolve) => waiting.push(resolve));
    else active++;
    // Interrupted while it waited for a slot: a call not yet made is not made.
    if (interruption.requested) {
      release();
      throw interruption.error(false);
    }
    try {
      return await work();
    } finally {
      release();
    }
  };
}

/** A limiter whose limit follows the service: halved on throttling, grown back slowly (AIMD). */
export interface AdaptiveLimiter extends Limiter {
  /** The service throttled a call: halve the limit (once per wave of calls already in flight). */
  throttled(): void;
  /** The current limit (for tests and benchmarks). */
  readonly limit: number;
}

export interface AdaptiveOptions {
  /** Calls in flight at first (Terraform's default parallelism is 10). */
  initial?: number;
  /** The limit never goes below this. */
  min?: number;
  /** Nor above this (default: initial). */
  max?: number;
}

/**
 * Additive increase, multiplicative decrease, as TCP does: a throttle halves the limit; every
 * `limit` calls that finish without one add a slot back, up to `max`. Throttles of calls that were
 * already in flight when the limit was halved do not halve it again: they answer the old limit.
 */
export function createAdaptiveLimiter(options: AdaptiveOptions = {}): AdaptiveLimiter {
  const initial = options.initial ?? 10;
  const min = Math.max(1, options.min ?? 1);
  const max = Math.max(initial, options.max ?? initial);
  let limit = initial;
  let active = 0;
  let clean = 0;
  /** Calls left to finish before a throttle may halve the limit again. */
  let draining = 0;
  const waiting: Array<() => void> = [];
  const wake = () => {
    while (active < limit && waiting.length) {
      active++;
      waiting.shift()!();
    }
  };
  const run = async <T>(work: () => Promise<T>): Promise<T> => {
    if (active >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    else active++;
    // Interrupted while it waited for a slot: a call not yet made is not made.
    if (interruption.requested) {
      active--;
      wake();
      throw interruption.error(false);
    }
    try {
      return await work();
    } finally {
      active--;
      // The wave that was in flight when the limit was halved says nothing about the new limit.
      if (draining > 0) draining--;
      else if (++clean >= limit && limit < max) {
        limit++;
        clean = 0;
      }
      wake();
    }
  };
  const limiter = Object.assign(run, {
    throttled() {
      clean = 0;
      if (draining > 0) return;
      limit = Math.max(min, Math.floor(limit / 2));
      draining = active;
    },
  });
  return Object.defineProperty(limiter, 'limit', { get: () => limit }) as AdaptiveLimiter;
}

/** An AWS operation that changes something (IAM throttles writes first and hardest). */
export const isWriteOperation = (operation: string) =>
  !/^(Get|List|Describe|Simulate)/.test(operation);

/** Gateway methods that only read (get..., list..., policyExists). */
export const isRead = (method: string) => /^(get|list|describe|simulate)|Exists$/.test(method);

/** A gateway's methods, own (an object literal) and inherited (a class instance) alike. */
export function methodsOf(gateway: object): Array<[string, (...a: unknown[]) => Promise<unknown>]> {
  const seen = new Map<string, (...a: unknown[]) => Promise<unknown>>();
  for (let o: object | null = gateway; o && o !== Object.prototype; o = Object.getPrototypeOf(o)) {
    for (const key of Object.getOwnPropertyNames(o)) {
      const value = (gateway as Record<string, unknown>)[key];
      if (key === 'constructor' || seen.has(key) || typeof value !== 'function') continue;
      seen.set(key, value as (...a: unknown[]) => Promise<unknown>);
    }
  }
  return [...seen];
}

/**
 * The same gateway, with every call going through the limiter; reads through `readLimit` when
 * given (writes are what a service throttles first).
 */
export function limitGateway<G extends object>(
  gateway: G,
  limit: Limiter,
  readLimit: Limiter = limit,
): G {
  const limited: Record<string, unknown> = {};
  for (const [key, fn] of methodsOf(gateway)) {
    const through = isRead(key) ? readLimit : limit;
    limited[key] = (...args: unknown[]) => through(() => fn.apply(gateway, args));
  }
  return limited as G;
}
