import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { Command, type Interfaces } from '@oclif/core';
import type { ZodType } from 'zod';
import {
  ConfigEnv,
  type LoadedConfig,
  loadConfig,
  mergeSettings,
  registerSecretEnv,
  resolveEnvironment,
  type StandardSettings,
  stateBackendOf,
  summarizeConfig,
} from '../config/index.js';
import type { HttpClient, HttpClientOptions } from '../http/index.js';
import type { RunContext } from '../job/runContext.js';
import {
  type ClosableLogger,
  createLogger,
  LOG_LEVEL_NAMES,
  type Logger,
  type LogLevelName,
  secrets,
} from '../log/index.js';
import { RunCounters, sendHeartbeat } from '../metrics/index.js';
import { openStateStore, type RunRecord, type StateBackendSettings } from '../state/index.js';
import { sendEarlyPing } from './earlyPing.js';
import { errorLine, errorToJson, normalizeError } from './normalizeError.js';
import { reportRun } from './reportRun.js';
import { newRunId } from './runId.js';
import { installSignalHandlers } from './signals.js';
import { readOnlyFlags } from './standardFlags.js';

export type { RunContext };

export interface SuccessJson<T> {
  status: 'success';
  result: T;
  warnings: string[];
}

/**
 * The run lifecycle every Tempered command shares (DESIGN.md "One run"): flags -> config ->
 * environment -> logger -> state, then the subclass's run(), then error -> exit code, run
 * record, metrics and heartbeat. Subclasses never print JSON, never call process.exit.
 */
export abstract class TemperedCommand<T> extends Command {
  static override enableJsonFlag = true;
  static override baseFlags = readOnlyFlags;
  /** zod schema of this CLI's config section, if it has one. */
  static sectionSchema: ZodType | undefined;
  /** Commands that change things leave a run record, metrics and heartbeat; read-only ones do not. */
  static recordsRuns = false;
  /**
   * Commands that look across environments (stats) run without a selection even when the config
   * defines environments and no default: they then use the top-level settings.
   */
  static environmentOptional = false;

  protected ctx!: RunContext;
  protected flags!: Record<string, unknown>;
  protected args!: Record<string, unknown>;
  protected readonly warnings: string[] = [];
  /** The config file and environment when no flag names them (a saved plan's), set before init(). */
  protected implied: { config?: string | undefined; environment?: string | undefined } = {};
  /** Set by subclasses that know more precisely how the run ended (noop, dry-run, partial). */
  protected runStatus: RunRecord['status'] | undefined;
  protected failedStep: string | undefined;

  #closableLogger: ClosableLogger | undefined;
  #fallbackLogger: ClosableLogger | undefined;
  #removeSignalHandlers: (() => void) | undefined;
  #heartbeatStarted = false;
  readonly #httpClients: HttpClient[] = [];
  /** What print() held back under --quiet, printed only if the run fails. */
  readonly #heldBack: string[] = [];
  readonly #controller = runController();

  protected get logger(): Logger {
    if (this.#closableLogger) return this.#closableLogger.logger;
    // errors before the config is read (a bad flag, a bad file) still say which CLI spoke
    this.#fallbackLogger ??= createLogger({
      level: bootstrapLevel(this.flags),
      bindings: { cli: this.config?.bin, command: this.id },
    });
    return this.#fallbackLogger.logger;
  }

  protected get cliName(): string {
    return this.config.bin;
  }

  override async init(): Promise<void> {
    await super.init();
    const ctor = this.ctor as typeof TemperedCommand;
    const { flags, args } = await this.parse(parseOptions(ctor));
    this.flags = flags as Record<string, unknown>;
    this.args = args as Record<string, unknown>;
    this.#removeSignalHandlers = installSignalHandlers(this.#controller, () => this.logger);

    const cli = this.cliName;
    const command = this.id ?? 'run';
    // before anything can print: a hook, an error or a state file may quote $DB_PASSWORD
    await registerSecretEnv(process.env);
    const loaded = await loadConfig({
      path: (flags.config as string | undefined) ?? this.implied.config,
      cli,
      sectionSchema: ctor.sectionSchema,
    });
    const requested = (flags.environment as string | undefined) ?? this.implied.environment;
    const resolved = resolveEnvironment(
      ctor.environmentOptional ? withoutSelection(loaded, requested) : loaded,
      {
        requested,
      },
    );
    const settings = mergeSettings({
      file: resolved.fileSettings,
      env: process.env,
      flags: {
        logLevel: flags['log-level'] as LogLevelName | undefined,
        logFile: flags['log-file'] as string | undefined,
        stateDir: flags['state-dir'] as string | undefined,
        stateUrl: flags['state-url'] as string | undefined,
        lockWait: flags['lock-wait'] as string | undefined,
      },
    });
    if (settings.secretVars) await registerSecretEnv(process.env, { extraNames: settings.secretVars });
    const runId = newRunId();
    this.#closableLogger = createLogger({
      level: settings.logLevel,
      file: settings.logFile,
      bindings: { cli, command, environment: resolved.name, run_id: runId },
    });
    const logger = this.#closableLogger.logger;
    const pingRunId = randomUUID();
    // logged before the store opens: a run refused by an unreachable state server still says
    // which config and which backend it was given (the URL redacted)
    logger.info(
      { version: this.config.version, argv: this.argv, ...(settings.ping ? { ping_rid: pingRunId } : {}) },
      'run started',
    );
    logger.info({ config: summarizeConfig(loaded, resolved, settings) }, 'config resolved');
    // every run opens its store, a dry-run too: a backend that cannot be reached fails it with
    // exit 75 before anything is planned. Only a run that changes things needs a writable state
    // dir up front; a dry-run only warns that its run record could not be kept
    const store = await openStateStore({
      state: stateBackendFor(settings),
      cli,
      environment: resolved.name,
      runId,
      logger,
      forWriting: ctor.recordsRuns && flags['dry-run'] !== true,
    });
    this.ctx = {
      cli,
      command,
      runId,
      pingRunId,
      environment: { name: resolved.name, protected: resolved.protected },
      settings,
      section: resolved.section,
      configFile: loaded.file,
      logger,
      logTail: this.#closableLogger.tail,
      counters: new RunCounters(),
      store,
      stateRoot: settings.stateDir,
      signal: this.#controller.signal,
      startedAt: new Date(),
    };
  }

  /**
   * The heartbeat's /start, sent once the run really starts (past confirmation and the lock);
   * a run refused before that sends nothing, and the monitor's schedule catches a missed run.
   */
  protected async startHeartbeat(): Promise<void> {
    if (!this.ctx.settings.ping || this.#heartbeatStarted) return;
    this.#heartbeatStarted = true;
    await sendHeartbeat(this.ctx.settings.ping, 'start', {
      logger: this.ctx.logger,
      rid: this.ctx.pingRunId,
    });
  }

  /**
   * core's HTTP client wired to this run: its logger, its retry counters, the config's retry
   * policy, and the stop signal. Closed when the run ends. undici loads only on first use.
   */
  protected async httpClient(options: HttpClientOptions = {}): Promise<HttpClient> {
    const { HttpClient } = await import('../http/index.js');
    const client = new HttpClient({
      logger: this.ctx.logger,
      counters: this.ctx.counters,
      retry: { ...this.ctx.settings.retry, ...options.retry },
      ...options,
    });
    this.#httpClients.push(client);
    return client;
  }

  protected isDryRun(): boolean {
    return this.flags?.['dry-run'] === true;
  }

  /**
   * Errors go to the log (stderr: human at a terminal, JSON for cron) as one line with its hint,
   * and, under --json, to stdout as the error document. The stack only at debug level.
   */
  override async catch(error: Interfaces.CommandError): Promise<unknown> {
    const normalized = normalizeError(error);
    process.exitCode = normalized.exitCode;
    const logger = this.logger;
    logger.error(
      {
        code: normalized.code,
        exit_code: normalized.exitCode,
        ...(logger.isLevelEnabled('debug') ? { err: error } : {}),
      },
      errorLine(normalized),
    );
    if (this.jsonEnabled()) this.logJson({ status: 'error', error: errorToJson(normalized) });
    // failed before the run opened (a bad flag, config or state dir): reportRun never runs
    if (!this.ctx && (this.ctor as typeof TemperedCommand).recordsRuns) {
      await sendEarlyPing({
        argv: this.argv,
        flags: this.flags,
        exitCode: normalized.exitCode,
        logger,
        body: (this.#closableLogger ?? this.#fallbackLogger)?.tail.text() ?? '',
      });
    }
    return undefined;
  }

  override async finally(error: Error | undefined): Promise<unknown> {
    if (error && this.#heldBack.length > 0) process.stdout.write(`${this.#heldBack.join('\n')}\n`);
    try {
      await Promise.allSettled(this.#httpClients.map((client) => client.close()));
      if (this.ctx && (this.ctor as typeof TemperedCommand).recordsRuns)
        await reportRun(this.ctx, {
          error,
          status: this.runStatus,
          failedStep: this.failedStep,
          dryRun: this.isDryRun(),
          heartbeatStarted: this.#heartbeatStarted,
        });
    } finally {
      await closeStore(this.ctx);
      this.#removeSignalHandlers?.();
      this.#closableLogger?.close();
    }
    return super.finally(error);
  }

  protected override toSuccessJson(result: unknown): SuccessJson<unknown> {
    return { status: 'success', result, warnings: this.warnings };
  }

  /**
   * Plain JSON: no colour codes for whatever reads stdout (jq, a CI step, a cron mail). Redacted
   * like a log line: a result (a dry-run plan's details) may carry a value read from a secret.
   * Round-tripped through JSON first: the redactor reports an object met twice (the warnings
   * array, shared by the plan and the document) as "[Circular]".
   */
  override logJson(json: unknown): void {
    const plain: unknown = JSON.parse(JSON.stringify(json) ?? 'null');
    process.stdout.write(`${JSON.stringify(secrets.redact(plain), null, 2)}\n`);
  }

  /**
   * Result text for a person; suppressed under --json, where the result is the JSON document, and
   * held back under --quiet until the run is known to have failed.
   */
  protected print(text: string): void {
    if (this.jsonEnabled()) return;
    const line = secrets.redactString(text);
    if (this.flags?.quiet === true) this.#heldBack.push(line);
    else process.stdout.write(`${line}\n`);
  }

  protected addWarning(message: string): void {
    this.warnings.push(message);
    this.logger.warn(message);
  }

  abstract override run(): Promise<T>;
}

/** After the run record: a networked store's open connections would keep the process alive. */
async function closeStore(ctx: RunContext | undefined): Promise<void> {
  try {
    await ctx?.store.close?.();
  } catch (error) {
    ctx?.logger.warn({ err: error }, 'could not close the state store');
  }
}

/** The state backend the merged settings select (the file backend under stateDir by default). */
export function stateBackendFor(settings: StandardSettings): StateBackendSettings {
  const { state } = settings;
  if (stateBackendOf(state) === 'file') return { backend: 'file', root: settings.stateDir };
  return {
    backend: 'postgres',
    // mergeSettings refuses the postgres backend without a url
    url: state?.url ?? '',
    ...(state?.schema !== undefined ? { schema: state.schema } : {}),
    ...(state?.leaseTtlMs !== undefined ? { leaseTtlMs: state.leaseTtlMs } : {}),
  };
}

/**
 * With nothing selected (no flag, no TEMPERED_ENVIRONMENT, no defaultEnvironment) a config with
 * environments is resolved as if it defined none: the top-level settings, under `default`.
 */
function withoutSelection(loaded: LoadedConfig, requested: string | undefined): LoadedConfig {
  if (requested || process.env[ConfigEnv.environment] || loaded.data.defaultEnvironment !== undefined)
    return loaded;
  if (loaded.environments.length === 0) return loaded;
  const { environments: _ignored, ...data } = loaded.data;
  return { ...loaded, data, environments: [] };
}

function bootstrapLevel(flags: Record<string, unknown> | undefined): LogLevelName {
  const candidate = (flags?.['log-level'] as string | undefined) ?? process.env.TEMPERED_LOG_LEVEL;
  return LOG_LEVEL_NAMES.includes(candidate as LogLevelName) ? (candidate as LogLevelName) : 'info';
}

/**
 * The run's abort controller. Every operation in flight (queued HTTP requests, retries, sleeps)
 * listens on its signal and stops listening when it settles, so hundreds at once at a high
 * concurrency are expected, not the leak Node's 10-listener warning (printed on stderr, outside
 * the log format) guesses at.
 */
function runController(): AbortController {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  return controller;
}

/**
 * oclif's parse spreads the class it is given, which copies only its own static fields: args and
 * flags a command inherits (apply's FILE, from core's ApplyCommand) must be named explicitly.
 */
export function parseOptions(ctor: typeof Command) {
  return {
    args: ctor.args,
    flags: ctor.flags,
    baseFlags: ctor.baseFlags,
    enableJsonFlag: ctor.enableJsonFlag,
    strict: ctor.strict,
  };
}
