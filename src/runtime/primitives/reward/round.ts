/**
 * Python's round(x, digits): the exact binary value rounded to the nearest multiple of 10^−digits,
 * exact ties to even. JavaScript's toFixed rounds ties up, which differs on values like 3.125.
 */
export function roundHalfEven(x: number, digits: number): number {
  if (!Number.isFinite(x)) return x;
  const sign = x < 0 ? -1 : 1;
  // toFixed(100) prints the double's exact decimal expansion (it terminates well before 100 digits
  // for the magnitudes rewards take), so the tie test below is exact.
  const exact = Math.abs(x).toFixed(100);
  const [intPart, fracPart] = exact.split(".") as [string, string];
  const kept = fracPart.slice(0, digits);
  const rest = fracPart.slice(digits);
  const base = BigInt(intPart + kept);
  let roundUp: boolean;
  if (rest[0]! > "5") roundUp = true;
  else if (rest[0]! < "5") roundUp = false;
  else if (/[1-9]/.test(rest.slice(1))) roundUp = true;
  else roundUp = base % 2n === 1n;
  const scaled = roundUp ? base + 1n : base;
  return (sign * Number(scaled)) / 10 ** digits;
}
