/**
 * "Did you mean": normalised Damerau–Levenshtein similarity with a 0.6 threshold (Nickel's rule).
 * An exact case-insensitive match always wins.
 */

const MIN_SIMILARITY = 0.6;

/** Optimal string alignment distance (adjacent transpositions count as one edit). */
export function editDistance(a: string, b: string): number {
  const n = a.length;
  const m = b.length;
  if (n === 0) return m;
  if (m === 0) return n;
  let prev2 = new Array<number>(m + 1).fill(0);
  let prev = Array.from({ length: m + 1 }, (_, j) => j);
  let cur = new Array<number>(m + 1).fill(0);
  for (let i = 1; i <= n; i++) {
    cur[0] = i;
    for (let j = 1; j <= m; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      let v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2]! + 1);
      cur[j] = v;
    }
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return prev[m]!;
}

export function similarity(a: string, b: string): number {
  const longest = Math.max(a.length, b.length);
  if (longest === 0) return 1;
  return 1 - editDistance(a, b) / longest;
}

/** Candidates similar enough to `name`, best first (at most `limit`). */
export function suggestions(name: string, candidates: Iterable<string>, limit = 3): string[] {
  const lower = name.toLowerCase();
  const scored: { candidate: string; score: number }[] = [];
  const seen = new Set<string>();
  for (const candidate of candidates) {
    if (seen.has(candidate) || candidate === name) continue;
    seen.add(candidate);
    if (candidate.toLowerCase() === lower) return [candidate];
    const score = Math.max(similarity(lower, candidate.toLowerCase()), separatorInsensitive(lower, candidate.toLowerCase()));
    if (score >= MIN_SIMILARITY) scored.push({ candidate, score });
  }
  scored.sort((x, y) => y.score - x.score || (x.candidate < y.candidate ? -1 : 1));
  return scored.slice(0, limit).map((s) => s.candidate);
}

/** `tokenmean` vs `token_mean`, `token-mean`: differences in separators alone are near misses. */
function separatorInsensitive(a: string, b: string): number {
  const strip = (s: string) => s.replace(/[_\-\s]/g, "");
  return strip(a) === strip(b) ? 0.95 : 0;
}

export function didYouMean(name: string, candidates: Iterable<string>): string | undefined {
  const found = suggestions(name, candidates);
  if (found.length === 0) return undefined;
  if (found.length === 1) return `did you mean \`${found[0]}\`?`;
  return `did you mean one of ${found.map((c) => `\`${c}\``).join(", ")}?`;
}
