// "Did you mean": the nearest of some names to what was typed. Pure; shared by the command-line
// parser (flags, commands, values) and the gateways (a mistyped cluster).

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

/** Levenshtein distance. */
function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      next[j] = Math.min((row[j] ?? 0) + 1, (next[j - 1] ?? 0) + 1, (row[j - 1] ?? 0) + cost);
    }
    row = next;
  }
  return row[b.length] ?? 0;
}

/** A hint naming the closest of a few names, or all of them when none is close. */
export function namesHint(what: string, given: string, names: readonly string[]): string {
  const near = closest(given, names);
  if (near) return `did you mean ${near}?`;
  const shown = names.slice(0, 10).join(', ') + (names.length > 10 ? ', ...' : '');
  return `${what}: ${shown}`;
}
