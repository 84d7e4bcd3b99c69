import { atomicWriteFile } from '../fs/index.js';
import type { RunRecord } from '../state/index.js';

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

/**
 * node_exporter's textfile collector format. Written atomically: the collector must never read
 * half a file, or it drops every metric in it.
 */
export function renderPrometheus(record: RunRecord): string {
  const labels = `cli="${escapeLabel(record.cli)}",command="${escapeLabel(record.command)}",environment="${escapeLabel(record.environment)}"`;
  const ok = record.status === 'success' || record.status === 'noop' || record.status === 'dry-run' ? 1 : 0;
  const finished = Date.parse(record.finishedAt) / 1000;
  const lines = [
    '# HELP tempered_run_success Whether the last run succeeded (1) or not (0).',
    '# TYPE tempered_run_success gauge',
    `tempered_run_success{${labels}} ${ok}`,
    '# HELP tempered_run_exit_code Exit code of the last run.',
    '# TYPE tempered_run_exit_code gauge',
    `tempered_run_exit_code{${labels}} ${record.exitCode}`,
    '# HELP tempered_run_duration_seconds Duration of the last run.',
    '# TYPE tempered_run_duration_seconds gauge',
    `tempered_run_duration_seconds{${labels}} ${(record.durationMs / 1000).toFixed(3)}`,
    '# HELP tempered_run_finished_timestamp_seconds When the last run finished.',
    '# TYPE tempered_run_finished_timestamp_seconds gauge',
    `tempered_run_finished_timestamp_seconds{${labels}} ${finished.toFixed(3)}`,
    '# HELP tempered_run_retries Retries during the last run.',
    '# TYPE tempered_run_retries gauge',
    `tempered_run_retries{${labels}} ${record.retries}`,
    '# HELP tempered_run_actions Actions of the last run by kind.',
    '# TYPE tempered_run_actions gauge',
  ];
  for (const [name, value] of Object.entries(record.counts)) {
    lines.push(`tempered_run_actions{${labels},kind="${escapeLabel(name)}"} ${value}`);
  }
  return `${lines.join('\n')}\n`;
}

export async function writePrometheusTextfile(path: string, record: RunRecord): Promise<void> {
  await atomicWriteFile(path, renderPrometheus(record), { mode: 0o644 });
}
