import { join } from 'node:path';
import { atomicWriteFile, readBoundedFile } from '../fs/index.js';
import type { RunRecord } from '../state/index.js';

/** The exposition format's rules for names (https://prometheus.io/docs/concepts/data_model/). */
export const METRIC_NAME_PATTERN = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
export const LABEL_NAME_PATTERN = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Our own textfile read back for its counters; a real one is a few KB. */
const MAX_PREVIOUS_BYTES = 1024 * 1024;

type MetricType = 'gauge' | 'counter';

interface Family {
  help: string;
  type: MetricType;
  /** Label text (`cli="x",command="y"`) -> value. */
  samples: Map<string, number>;
}

/** One file per job, so jobs never overwrite each other's metrics. */
function namePart(text: string): string {
  return text.replace(/[^A-Za-z0-9_]/g, '_');
}

/**
 * The job's file in the textfile collector's directory: `tempered_<cli>_<command>.prom`, with
 * `_<environment>` before `.prom` unless the environment is `default`, so two environments of one
 * job never overwrite each other. `file-sync sync -e prod` writes `tempered_file_sync_sync_prod.prom`.
 */
export function metricsFileName(cli: string, command: string, environment: string): string {
  const parts = [namePart(cli.replace(/^tempered-/, '')), namePart(command)];
  if (environment !== 'default') parts.push(namePart(environment));
  return `tempered_${parts.join('_')}.prom`;
}

export function metricsPathIn(
  dir: string,
  record: Pick<RunRecord, 'cli' | 'command' | 'environment'>,
): string {
  return join(dir, metricsFileName(record.cli, record.command, record.environment));
}

/**
 * A run counter (RunCounters' names) as a Prometheus counter, one unit per name: `actions_<kind>`
 * are one family by kind, `bytes_<what>` and `<what>_bytes` count bytes, the rest count things.
 */
export function counterMetric(counter: string): { name: string; label?: [string, string] } {
  const key = namePart(counter);
  if (key === 'actions_failed') return { name: 'tempered_run_actions_failed_total' };
  if (key.startsWith('actions_')) {
    return { name: 'tempered_run_actions_total', label: ['kind', key.slice('actions_'.length)] };
  }
  if (key.startsWith('bytes_')) return { name: `tempered_run_${key.slice('bytes_'.length)}_bytes_total` };
  return { name: `tempered_run_${key}_total` };
}

const COUNTER_HELP: Record<string, string> = {
  tempered_runs_total: 'Runs of this job, by how they ended.',
  tempered_run_actions_total: 'Actions applied, by kind, across runs.',
  tempered_run_actions_failed_total: 'Actions that failed, across runs.',
  tempered_run_retries_total: 'Retries of transient errors, across runs.',
  tempered_run_http_requests_total: 'HTTP requests sent, across runs.',
  tempered_run_copied_bytes_total: 'Bytes copied, across runs.',
};

/** From the name alone, so a counter reads the same whichever run wrote the file. */
function counterHelp(name: string): string {
  const known = COUNTER_HELP[name];
  if (known) return known;
  const words = name
    .replace(/^tempered_run_/, '')
    .replace(/_total$/, '')
    .replace(/_/g, ' ');
  return `${words.charAt(0).toUpperCase()}${words.slice(1)}, across runs.`;
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

const SUCCESS_STATUSES = new Set(['success', 'noop', 'dry-run']);
const LAST_SUCCESS = 'tempered_run_last_success_timestamp_seconds';
const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)\{(.*)\} (\S+)$/;

/**
 * node_exporter's textfile collector format, one job per file. Gauges describe the last run;
 * counters (`_total`) add this run to what `previous` (the job's file as the last run left it)
 * counted, so `increase()` works across runs; a missing or foreign file starts them at zero,
 * which Prometheus reads as a counter reset.
 */
export function renderPrometheus(record: RunRecord, previous = ''): string {
  const base = `cli="${escapeLabel(record.cli)}",command="${escapeLabel(record.command)}",environment="${escapeLabel(record.environment)}"`;
  const families = new Map<string, Family>();
  const family = (name: string, type: MetricType, help: string): Family => {
    let found = families.get(name);
    if (!found) {
      found = { help, type, samples: new Map() };
      families.set(name, found);
    }
    return found;
  };
  const gauge = (name: string, help: string, value: number) =>
    family(name, 'gauge', help).samples.set(base, value);
  const add = (name: string, labels: string, by: number) => {
    const samples = family(name, 'counter', counterHelp(name)).samples;
    samples.set(labels, (samples.get(labels) ?? 0) + by);
  };

  const ok = SUCCESS_STATUSES.has(record.status);
  const finished = Date.parse(record.finishedAt) / 1000;
  gauge('tempered_run_success', 'Whether the last run succeeded (1) or not (0).', ok ? 1 : 0);
  gauge('tempered_run_exit_code', 'Exit code of the last run.', record.exitCode);
  gauge('tempered_run_duration_seconds', 'Duration of the last run.', record.durationMs / 1000);
  gauge('tempered_run_finished_timestamp_seconds', 'When the last run finished (Unix time).', finished);
  const lastSuccessHelp = 'When a run last succeeded (Unix time).';
  if (ok) gauge(LAST_SUCCESS, lastSuccessHelp, finished);

  // what earlier runs counted: our own series of this job, read back from the file they left
  for (const line of previous.split('\n')) {
    const match = SAMPLE.exec(line);
    if (!match) continue;
    const [, name = '', labels = '', text = ''] = match;
    const value = Number(text);
    if (!Number.isFinite(value) || value < 0 || !labels.startsWith(base)) continue;
    if (name === LAST_SUCCESS && labels === base && !ok) gauge(LAST_SUCCESS, lastSuccessHelp, value);
    else if (name.endsWith('_total')) add(name, labels, value);
  }

  add('tempered_runs_total', `${base},status="${escapeLabel(record.status)}"`, 1);
  add('tempered_run_retries_total', base, record.retries ?? 0);
  for (const [counter, value] of Object.entries(record.counts)) {
    // retries come from the record's own field, counted once
    if (counter === 'retries' || !Number.isFinite(value)) continue;
    const metric = counterMetric(counter);
    const labels = metric.label ? `${base},${metric.label[0]}="${escapeLabel(metric.label[1])}"` : base;
    add(metric.name, labels, value);
  }

  const lines: string[] = [];
  for (const [name, { help, type, samples }] of families) {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) lines.push(`${name}{${labels}} ${formatValue(name, value)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Seconds to the millisecond, always with three decimals; counts as they are. */
function formatValue(name: string, value: number): string {
  return name.endsWith('_seconds') ? value.toFixed(3) : String(value);
}

async function readPrevious(path: string): Promise<string> {
  try {
    return (await readBoundedFile(path, { maxBytes: MAX_PREVIOUS_BYTES })).toString('utf8');
  } catch {
    // missing, unreadable or not a regular file: the counters start again from zero
    return '';
  }
}

/**
 * Written atomically (0644, for node_exporter's user): the collector must never read half a
 * file, or it drops every metric in it.
 */
export async function writePrometheusTextfile(path: string, record: RunRecord): Promise<void> {
  await atomicWriteFile(path, renderPrometheus(record, await readPrevious(path)), { mode: 0o644 });
}
