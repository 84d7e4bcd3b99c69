import type { PairResult } from './runPair.js';

function kib(value: number | undefined): string {
  return value === undefined ? '' : `${(value / 1024).toFixed(1)} MiB`;
}

/** The ratio, with the overhead in ms or the rates when the benchmark's target is on those. */
function ratio(r: PairResult): string {
  const extras = [
    ...(r.differenceMs === undefined ? [] : [`${r.differenceMs >= 0 ? '+' : ''}${r.differenceMs} ms`]),
    ...(r.rate === undefined ? [] : [`${r.rate.subject} vs ${r.rate.reference} ${r.rate.unit}/s`]),
  ];
  return extras.length === 0 ? `${r.ratio}x` : `${r.ratio}x (${extras.join('; ')})`;
}

export function toMarkdown(results: PairResult[]): string {
  const lines = [
    '| suite | benchmark | subject median (min-max) | reference median (min-max) | ratio | target | peak RSS subject / reference |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const r of results) {
    const side = (s: PairResult['subject']) => `${s.label}: ${s.medianMs} ms (${s.minMs}-${s.maxMs})`;
    const target = r.target ? `${r.target} ${r.met ? 'met' : 'MISSED'}` : '';
    lines.push(
      `| ${r.suite} | ${r.name} | ${side(r.subject)} | ${side(r.reference)} | ${ratio(r)} | ${target} | ${kib(r.subject.maxRssKiB)} / ${kib(r.reference.maxRssKiB)} |`,
    );
  }
  return lines.join('\n');
}
