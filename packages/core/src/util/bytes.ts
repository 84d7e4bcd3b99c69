const SIZE = /^\s*(\d+)\s*(B|KiB|MiB|GiB|TiB)?\s*$/i;
const SIZE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
};

/**
 * `512KiB`, `64 MiB`, `4096` -> bytes; undefined for anything else, decimal units (`4GB`)
 * included, which are refused rather than guessed at.
 */
export function parseBytes(text: string): number | undefined {
  const m = SIZE.exec(text);
  return m ? Number(m[1]) * (SIZE_UNITS[(m[2] ?? '').toLowerCase()] ?? 1) : undefined;
}

const UNITS: readonly [number, string][] = [
  [1024 ** 4, 'TiB'],
  [1024 ** 3, 'GiB'],
  [1024 ** 2, 'MiB'],
  [1024, 'KiB'],
];

/**
 * Sizes for people, in binary units with at most one decimal: `512 B`, `1.5 KiB`, `8 MiB`,
 * `4 GiB`. The one byte formatter of every message, plan line and limit.
 */
export function formatBytes(bytes: number): string {
  for (const [size, unit] of UNITS) {
    if (bytes >= size) return `${Number((bytes / size).toFixed(1))} ${unit}`;
  }
  return `${bytes} B`;
}
