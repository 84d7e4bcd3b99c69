/** Edit distance (insert, delete, substitute), small inputs only: config keys and environment names. */
export function levenshtein(a: string, b: string): number {
  if (a === b) return 0;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/**
 * The closest candidate within `maxDistance` edits (the first one wins a tie), if any. Case is
 * ignored so `loglevel` and `LOG_LEVEL`-style slips still find `logLevel`.
 */
export function didYouMean(
  input: string,
  candidates: readonly string[],
  maxDistance = 2,
): string | undefined {
  const needle = input.toLowerCase().replaceAll('_', '');
  let best: string | undefined;
  let bestDistance = maxDistance + 1;
  for (const candidate of candidates) {
    const distance = levenshtein(needle, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}
