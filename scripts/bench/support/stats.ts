/** The p-th percentile of xs (the sorted value at floor(p % of n)), rounded to `decimals`. */
export function percentile(xs: readonly number[], p: number, decimals = 2): number {
  const s = [...xs].sort((a, b) => a - b);
  const scale = 10 ** decimals;
  return Math.round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] * scale) / scale;
}
