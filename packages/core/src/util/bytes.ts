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
