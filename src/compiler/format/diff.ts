/**
 * A unified diff of two texts by lines, for `rlp fmt --diff`: Myers' O(ND) shortest edit script,
 * hunks with three lines of context, in the format `patch` and `git apply` read.
 */

type Op = { readonly kind: " " | "-" | "+"; readonly line: string };

/** Lines with their terminators, so that a missing final newline is a difference too. */
function splitLines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

/** Myers' greedy algorithm; `trace[d]` keeps the furthest x per diagonal k ∈ [-d, d] before step d. */
function editScript(a: readonly string[], b: readonly string[]): Op[] {
  const n = a.length;
  const m = b.length;
  const trace: Int32Array[] = [];
  let v = new Int32Array(3); // diagonals -1..1 before step 0
  const at = (arr: Int32Array, d: number, k: number): number => arr[k + d]!;
  for (let d = 0; ; d++) {
    trace.push(v);
    const next = new Int32Array(2 * d + 3);
    for (let k = -d; k <= d; k += 2) {
      const down = k === -d || (k !== d && at(v, d, k - 1) < at(v, d, k + 1));
      let x = down ? at(v, d, k + 1) : at(v, d, k - 1) + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      next[k + d + 1] = x;
      if (x >= n && y >= m) return backtrack(trace, a, b);
    }
    v = next;
  }
}

function backtrack(trace: readonly Int32Array[], a: readonly string[], b: readonly string[]): Op[] {
  const ops: Op[] = [];
  let x = a.length;
  let y = b.length;
  for (let d = trace.length - 1; d >= 0; d--) {
    const v = trace[d]!;
    const at = (k: number): number => v[k + d]!;
    const k = x - y;
    const prevK = k === -d || (k !== d && at(k - 1) < at(k + 1)) ? k + 1 : k - 1;
    const prevX = d === 0 ? 0 : at(prevK);
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      ops.push({ kind: " ", line: a[--x]! });
      y--;
    }
    if (d > 0) {
      if (x === prevX) ops.push({ kind: "+", line: b[--y]! });
      else ops.push({ kind: "-", line: a[--x]! });
    }
  }
  return ops.reverse();
}

function range(start: number, count: number): string {
  // An empty range names the line before it, as diff(1) does.
  const first = count === 0 ? start : start + 1;
  return count === 1 ? `${first}` : `${first},${count}`;
}

function printLine(op: Op): string {
  const body = op.line.endsWith("\n") ? op.line : `${op.line}\n\\ No newline at end of file\n`;
  return `${op.kind}${body}`;
}

/** The diff from `before` to `after`; empty when they are equal. */
export function unifiedDiff(before: string, after: string, beforeName: string, afterName: string, context = 3): string {
  if (before === after) return "";
  const ops = editScript(splitLines(before), splitLines(after));
  const changes = ops.flatMap((op, i) => (op.kind === " " ? [] : [i]));
  const out = [`--- ${beforeName}\n`, `+++ ${afterName}\n`];
  let i = 0;
  while (i < changes.length) {
    // Changes at most 2 * context unchanged lines apart share a hunk (their contexts touch).
    let last = i;
    while (last + 1 < changes.length && changes[last + 1]! - changes[last]! - 1 <= 2 * context) last++;
    const start = Math.max(0, changes[i]! - context);
    const end = Math.min(ops.length, changes[last]! + context + 1);
    const oldStart = ops.slice(0, start).filter((op) => op.kind !== "+").length;
    const newStart = ops.slice(0, start).filter((op) => op.kind !== "-").length;
    const hunk = ops.slice(start, end);
    const oldCount = hunk.filter((op) => op.kind !== "+").length;
    const newCount = hunk.filter((op) => op.kind !== "-").length;
    out.push(`@@ -${range(oldStart, oldCount)} +${range(newStart, newCount)} @@\n`, ...hunk.map(printLine));
    i = last + 1;
  }
  return out.join("");
}
