/** Store sizes as the benches take and print them: `10k`, `100k`, `1m`. */

/** `10k` → 10,000; `flag` names the option in the error. */
export function parseSize(s: string, flag = '--size'): number {
  const m = /^(\d+(?:\.\d+)?)([km]?)$/i.exec(s.trim());
  if (!m) throw new Error(`${flag}: expected 10k, 100k, 1m..., got ${s}`);
  return Math.round(
    Number(m[1]) * { '': 1, k: 1e3, m: 1e6 }[m[2]!.toLowerCase() as '' | 'k' | 'm'],
  );
}

/** 10,000 → `10k`. */
export const fmtSize = (n: number) =>
  n >= 1e6 ? `${n / 1e6}M` : n >= 1e3 ? `${n / 1e3}k` : String(n);
