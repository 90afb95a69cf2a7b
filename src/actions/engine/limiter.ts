// One limit on requests in flight, shared by every binding of a run: IAM throttles bursts, and a
// batch of bindings must not multiply its own concurrency.
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
    try {
      return await work();
    } finally {
      release();
    }
  };
}

/** Gateway methods that only read (get..., list..., policyExists). */
const isRead = (method: string) => /^(get|list|describe)|Exists$/.test(method);

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
  // Own properties (an object literal) and methods (a class instance) alike.
  for (let o: object | null = gateway; o && o !== Object.prototype; o = Object.getPrototypeOf(o)) {
    for (const key of Object.getOwnPropertyNames(o)) {
      const value = (gateway as Record<string, unknown>)[key];
      if (key === 'constructor' || key in limited || typeof value !== 'function') continue;
      const through = isRead(key) ? readLimit : limit;
      limited[key] = (...args: unknown[]) =>
        through(() => (value as (...a: unknown[]) => Promise<unknown>).apply(gateway, args));
    }
  }
  return limited as G;
}
