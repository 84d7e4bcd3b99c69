import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { toMarkdown } from './report.js';
import type { PairResult } from './runPair.js';
import { fileSyncSuite } from './suites/fileSync.js';
import { fleetSuite } from './suites/fleet.js';
import { loggerSuite } from './suites/logger.js';
import { registrySuite } from './suites/registry.js';
import { startupSuite } from './suites/startup.js';
import { stateSuite } from './suites/state.js';

const SUITES: Record<string, (o: { quick: boolean }) => PairResult[] | Promise<PairResult[]>> = {
  startup: startupSuite,
  logger: loggerSuite,
  'file-sync': fileSyncSuite,
  registry: registrySuite,
  state: stateSuite,
  fleet: fleetSuite,
};

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string', multiple: true },
    out: { type: 'string', default: 'bench-results.json' },
  },
});

const names = values.only?.length ? values.only : Object.keys(SUITES);
const unknown = names.filter((n) => !SUITES[n]);
if (unknown.length > 0) {
  process.stderr.write(`unknown suite(s): ${unknown.join(', ')}; known: ${Object.keys(SUITES).join(', ')}\n`);
  process.exit(2);
}

const results: PairResult[] = [];
for (const name of names) {
  process.stderr.write(`running ${name}${values.quick ? ' (quick)' : ''}...\n`);
  results.push(...(await SUITES[name]!({ quick: values.quick })));
}

const machine = `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
process.stdout.write(`${toMarkdown(results)}\n\nMachine: ${machine}\n`);
const out = resolve(values.out);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(
  out,
  `${JSON.stringify({ date: new Date().toISOString(), machine, quick: values.quick, results }, null, 2)}\n`,
);
process.stderr.write(`results written to ${out}\n`);
