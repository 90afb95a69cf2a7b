// "Did you mean": the nearest of some names to what was typed. Pure; shared by the command-line
// parser (flags, commands, values) and the gateways (a mistyped cluster).
import { ValidationError } from './errors.js';

/** The candidate nearest to a typo (edit distance at most 2 and under 40% of it), if any. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = distance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance && d <= 2 && d < candidate.length * 0.4) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

/** Edit distance where swapping two neighbouring letters (hihg, kaim) is one edit (OSA). */
function distance(a: string, b: string): number {
  const rows: number[][] = [Array.from({ length: b.length + 1 }, (_, j) => j)];
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const up = rows[i - 1] ?? [];
      let d = Math.min((up[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (up[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d = Math.min(d, (rows[i - 2]?.[j - 2] ?? 0) + 1);
      }
      row[j] = d;
    }
    rows.push(row);
  }
  return rows[a.length]?.[b.length] ?? 0;
}

/** A hint naming the closest of a few names, or all of them when none is close. */
export function namesHint(what: string, given: string, names: readonly string[]): string {
  const near = closest(given, names);
  if (near) return `did you mean ${near}?`;
  const shown = names.slice(0, 10).join(', ') + (names.length > 10 ? ', ...' : '');
  return `${what}: ${shown}`;
}

/** "a, b or c". */
export const orList = (names: readonly string[]) =>
  names.length > 1 ? `${names.slice(0, -1).join(', ')} or ${names.at(-1)}` : (names[0] ?? '');

/**
 * A value of a fixed set (a flag's or a field's): the same letters in any case are that value;
 * anything else is a ValidationError (exit 2) naming the set, with the nearest value as a hint.
 */
export function oneOf<T extends string>(
  value: string,
  choices: readonly T[],
  what: string,
  /** Appended to the hint, e.g. "see 'iamsa audit --help'". */
  see?: string,
): T {
  const found =
    choices.find((c) => c === value) ??
    choices.find((c) => c.toLowerCase() === value.toLowerCase());
  if (found) return found;
  const near = closest(value.replace(/_/g, '-'), choices);
  const hint = [near && `did you mean ${what} ${near}?`, see].filter(Boolean).join(' ');
  throw new ValidationError(
    `invalid ${what} ${JSON.stringify(value)}: expected ${orList(choices)}`,
    hint ? { hint } : {},
  );
}
