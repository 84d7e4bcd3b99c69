import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { RunContext } from '../../../src/command/index.js';
import { DEFAULT_SETTINGS } from '../../../src/config/index.js';
import { ExitCode, PartialError, UsageError } from '../../../src/errors/index.js';
import { type Job, type JobIO, type RunJobOptions, readSavedPlan, runJob } from '../../../src/job/index.js';
import { LogTail, silentLogger } from '../../../src/log/index.js';
import { RunCounters } from '../../../src/metrics/index.js';
import type { PlanAction } from '../../../src/plan/index.js';
import { FileStateStore } from '../../../src/state/index.js';

type Details = { path: string };
interface World {
  files: Record<string, string>;
}

/** A job over an in-memory "world" of files: plan creates what `want` lists and the world lacks. */
function probeJob(
  world: World,
  trace: string[],
  extra: Partial<Job<{ want: string[] }, World, Details, { wanted: number }>> = {},
) {
  const job: Job<{ want: string[] }, World, Details, { wanted: number }> = {
    options: (input) => ({ want: (input.flags as { want: string[] }).want }),
    check: async () => {
      trace.push('check');
    },
    target: () => '/probe',
    locks: async () => {
      trace.push('extra lock');
      return [{ release: async () => void trace.push('extra lock released') }];
    },
    read: async () => {
      trace.push('read');
      return { files: { ...world.files } };
    },
    plan: (seen, options) => ({
      actions: options.want
        .filter((path) => !(path in seen.files))
        .map(
          (path): PlanAction<Details> => ({
            id: `create:${path}`,
            kind: 'create',
            target: path,
            reason: 'missing',
            details: { path },
          }),
        ),
      unchanged: options.want.filter((path) => path in seen.files).length,
      warnings: [],
      policy: { onError: 'continue' },
      info: { wanted: options.want.length },
    }),
    facts: (seen) => ({ ...seen.files }),
    open: () => ({
      apply: async (action) => {
        trace.push(`apply ${action.id}`);
        world.files[(action.details as Details).path] = 'new';
      },
      finish: async (result) => void trace.push(result ? 'finish' : 'finish after failure'),
      summary: (result) => `applied ${result.applied}`,
      report: () => ({ probe: true }),
    }),
    renderPlan: (plan) => `plan of ${plan.actions.length}`,
    renderNoop: (_plan, summary) => `noop, ${summary.skip} unchanged`,
    ...extra,
  };
  return job;
}

async function harness(options: { dryRun?: boolean; planOut?: string } = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'runjob-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  const logger = silentLogger();
  const ctx: RunContext = {
    cli: 'probe',
    command: 'run',
    runId: 'r1',
    pingRunId: '00000000-0000-4000-8000-000000000000',
    environment: { name: 'default', protected: false },
    settings: { ...DEFAULT_SETTINGS, retry: {} },
    section: {},
    configFile: undefined,
    logger,
    counters: new RunCounters(),
    store: new FileStateStore(dir, { logger, runId: 'r1' }),
    stateRoot: dir,
    signal: new AbortController().signal,
    startedAt: new Date(),
    logTail: new LogTail(),
  };
  const out: string[] = [];
  const status: string[] = [];
  const io: JobIO = {
    ...ctx,
    dryRun: options.dryRun === true,
    http: () => Promise.reject(new Error('no HTTP here')),
    print: (text) => void out.push(text),
  };
  const run = (
    job: Job<{ want: string[] }, World, Details>,
    want: string[],
    extra: Partial<RunJobOptions> = {},
  ) =>
    runJob({
      job,
      io,
      input: {
        flags: { want },
        args: {},
        section: {},
        configFile: undefined,
        environment: 'default',
        cwd: dir,
      },
      yes: false,
      version: '1.0.0',
      planOut: options.planOut,
      hooks: {
        status: (s) => void status.push(String(s)),
        failedStep: () => undefined,
        startHeartbeat: async () => undefined,
        warnings: () => undefined,
      },
      ...extra,
    });
  return { dir, out, status, run };
}

describe('runJob', () => {
  it('dry-run: checks, reads and prints the plan without a lock or any change', async () => {
    const world: World = { files: { a: 'x' } };
    const trace: string[] = [];
    const { out, status, run } = await harness({ dryRun: true });
    const result = await run(probeJob(world, trace), ['a', 'b']);
    expect(trace).toEqual(['check', 'read']);
    expect(out).toEqual(['plan of 1']);
    expect(status).toEqual(['dry-run']);
    expect(result.plan).toMatchObject({
      cli: 'probe',
      command: 'run',
      target: '/probe',
      summary: { create: 1, skip: 1 },
    });
    expect(world.files).toEqual({ a: 'x' });
  });

  it('applies under the run lock and the extra locks, released last-taken first', async () => {
    const world: World = { files: {} };
    const trace: string[] = [];
    const { out, run } = await harness();
    const result = await run(probeJob(world, trace), ['a', 'b']);
    expect(trace).toEqual([
      'check',
      'extra lock',
      'read',
      'apply create:a',
      'apply create:b',
      'finish',
      'extra lock released',
    ]);
    expect(out).toEqual(['applied 2']);
    expect(result).toMatchObject({ dryRun: false, probe: true, applied: { applied: 2 } });
  });

  it('a no-op prints the job noop line and opens no applier', async () => {
    const world: World = { files: { a: 'x' } };
    const trace: string[] = [];
    const { out, status, run } = await harness();
    await run(probeJob(world, trace), ['a']);
    expect(out).toEqual(['noop, 1 unchanged']);
    expect(status).toEqual(['noop']);
    expect(trace).not.toContain('finish');
  });

  it('a failed check stops the run before the lock and the read, also on dry-run', async () => {
    const trace: string[] = [];
    const failing = (t: string[]) =>
      probeJob({ files: {} }, t, {
        check: async () => {
          throw new UsageError('bad input');
        },
      });
    for (const dryRun of [true, false]) {
      const { run } = await harness({ dryRun });
      await expect(run(failing(trace), ['a'])).rejects.toThrow('bad input');
    }
    expect(trace).toEqual([]);
  });

  it('problems reported by the applier make a run whose actions all succeeded partial (exit 3)', async () => {
    const trace: string[] = [];
    const job = probeJob({ files: {} }, trace);
    const open = job.open;
    job.open = (...args) => ({ ...open(...args), problems: () => ['2 entries could not be read'] });
    const { run } = await harness();
    const error = await run(job, ['a']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PartialError);
    expect((error as PartialError).exitCode).toBe(ExitCode.Partial);
    expect(trace).toContain('extra lock released');
  });

  it('refuses a plan with two actions of one id', async () => {
    const job = probeJob({ files: {} }, []);
    const plan = job.plan;
    job.plan = (world, options) => {
      const built = plan(world, options);
      return { ...built, actions: [...built.actions, ...built.actions] };
    };
    const { run } = await harness({ dryRun: true });
    await expect(run(job, ['a'])).rejects.toThrow('two planned actions share the id "create:a"');
  });

  it('saves a plan, applies exactly it, and refuses it once the world changed', async () => {
    const world: World = { files: { a: 'x' } };
    const trace: string[] = [];
    const dry = await harness({ dryRun: true });
    const planOut = join(dry.dir, 'probe.plan');
    const dryRun = await harness({ dryRun: true, planOut });
    await dryRun.run(probeJob(world, trace), ['a', 'b']);
    expect((await stat(planOut)).mode & 0o777).toBe(0o600);
    const saved = await readSavedPlan(planOut, { cli: 'probe' });
    expect(saved.facts).toEqual({ a: 'x' });
    expect(JSON.parse(await readFile(planOut, 'utf8')).input.flags).toEqual({ want: ['a', 'b'] });

    // the options say "a, b, c" now, but a saved plan applies only what was reviewed
    const apply = await harness();
    trace.length = 0;
    await apply.run(probeJob(world, trace), ['a', 'b', 'c'], { saved: { plan: saved, file: planOut } });
    expect(trace.filter((t) => t.startsWith('apply'))).toEqual(['apply create:b']);

    const again = await harness();
    const drift = await again
      .run(probeJob(world, trace), ['a', 'b'], { saved: { plan: saved, file: planOut } })
      .catch((e: unknown) => e);
    expect(drift).toBeInstanceOf(UsageError);
    expect((drift as Error).message).toContain('new: b');
    expect((drift as Error).message).toContain('nothing was applied');
  });
});
