import { dirname, join } from 'node:path';
import {
  type ApplyContext,
  type ApplyResult,
  defineSection,
  ExitCode,
  type HttpClient,
  InternalError,
  InterruptedError,
  PermanentError,
  type Plan,
  type PlanAction,
  PlannedCommand,
  type PlannedResult,
  type PlanSummary,
  stateDirFor,
  TemperedError,
  TransientError,
  UsageError,
} from '@tempered/core';
import { AuditLog } from '../audit/AuditLog.js';
import { confirmDeletion } from '../command/confirmDeletion.js';
import { cleanupFlags } from '../flags.js';
import { FsProvider } from '../fs/FsProvider.js';
import {
  type CleanupFlags,
  type CleanupOptions,
  describeRule,
  type ResolvedRule,
  resolveCleanupOptions,
} from '../options.js';
import { buildRuleActions } from '../plan/buildActions.js';
import { GC_NOTE, type RuleHeader, renderCleanupPlan } from '../plan/render.js';
import { type CleanupDetails, DeleteStatus, type Provider, type Resource } from '../provider/types.js';
import { DEFAULT_REGISTRY_LIMITS } from '../registry/limits.js';
import { RegistryProvider } from '../registry/RegistryProvider.js';
import { type CleanupSection, cleanupSection } from '../section.js';

export interface RuleStats {
  rule: string;
  provider: string;
  location: string;
  scanned: number;
  /** Planned deletions (what --dry-run would delete). */
  candidates: number;
  kept: number;
  deleted: number;
  movedToTrash: number;
  alreadyGone: number;
  /** Changed since the plan (newer now): left for the next run. */
  changed: number;
  failed: number;
}

export interface CleanupStats {
  rules: RuleStats[];
  deleted: number;
  movedToTrash: number;
  alreadyGone: number;
  changed: number;
  /** The audit log of real runs (JSON lines, one before and one after each deletion). */
  auditLog: string | undefined;
  notes: string[];
}

export type CleanupResult = PlannedResult<CleanupDetails> & { cleanup: CleanupStats };

/** The lock and journal name: one cleanup at a time per environment, whichever rules it runs. */
const TARGET = 'cleanup-rules';

export default class Run extends PlannedCommand<CleanupDetails> {
  static override summary =
    'Delete what the rules select: plan first, confirm, then delete within --max-delete.';
  static override description =
    'Lists every rule\'s target (directories, registry repositories), decides per resource (protected, kept by keepLatest, too new, shared digest, or delete), and deletes the candidates: only with --yes (or the environment name typed at a terminal), only when the plan stays within --max-delete, each deletion journaled and audited before and after. A target that cannot be listed is an error, never "nothing to delete". A re-run after a crash continues without repeating completed deletions.';
  static override examples = [
    '<%= config.bin %> plan -e ci',
    '<%= config.bin %> run -e ci --yes',
    '<%= config.bin %> run -e ci --rule ci-image-tags --max-delete 500 --yes --json',
  ];
  static override flags = cleanupFlags;
  static override sectionSchema = defineSection(cleanupSection);

  protected override onActionError = 'continue' as const;
  protected override journalKinds = ['delete'] as const;
  protected override itemizeApplied = false;
  // at a terminal, typing the environment's name under the plan also confirms a protected one
  protected override confirmsEnvironmentInPlan = true;

  #options: CleanupOptions | undefined;
  #http: Promise<HttpClient> | undefined;
  #audit: AuditLog | undefined;
  /** Every action id of the plan as a `delete:` id: what the last listing still saw. */
  #listed = new Set<string>();
  readonly #providers = new Map<string, Provider>();
  readonly #headers: RuleHeader[] = [];
  readonly #stats = new Map<string, RuleStats>();

  override async run(): Promise<CleanupResult> {
    const result = await super.run();
    return { ...result, cleanup: this.#cleanupStats(result.dryRun) };
  }

  protected override maxDelete(): number {
    return this.#resolve().maxDelete;
  }

  protected target(): string {
    this.#resolve();
    return TARGET;
  }

  protected async plan(): Promise<PlanAction<CleanupDetails>[]> {
    const options = this.#resolve();
    const { logger, signal } = this.ctx;
    this.applyConcurrency = options.concurrency;
    const now = Date.now();
    const actions: PlanAction<CleanupDetails>[] = [];
    for (const rule of options.rules) {
      const provider = await this.#provider(rule, now);
      const ruleLogger = logger.child({ rule: rule.name, provider: rule.provider });
      let listing: Awaited<ReturnType<Provider['list']>>;
      try {
        listing = await provider.list({ logger: ruleLogger, signal });
      } catch (error) {
        throw ruleError(rule.name, error);
      }
      const planned = buildRuleActions(rule, provider, listing, now);
      const candidates = planned.actions.filter((a) => a.kind === 'delete').length;
      this.#headers.push({
        rule: rule.name,
        provider: rule.provider,
        location: provider.location,
        selection: describeRule(rule),
      });
      this.#stats.set(rule.name, {
        rule: rule.name,
        provider: rule.provider,
        location: provider.location,
        scanned: planned.scanned,
        candidates,
        kept: planned.actions.length - candidates,
        deleted: 0,
        movedToTrash: 0,
        alreadyGone: 0,
        changed: 0,
        failed: 0,
      });
      ruleLogger.info(
        {
          location: provider.location,
          scanned: planned.scanned,
          to_delete: candidates,
          kept: planned.actions.length - candidates,
        },
        'rule planned',
      );
      for (const action of planned.actions) {
        ruleLogger.debug({ action: action.id, kind: action.kind, reason: action.reason }, 'planned');
      }
      actions.push(...planned.actions);
    }
    this.#listed = new Set(actions.map((action) => action.id.replace(/^skip:/, 'delete:')));
    return actions;
  }

  /**
   * A deletion cut off between its effect and its outcome line: if the resource is no longer
   * listed at all (not even as kept), the audit log gets the `already-gone` the interrupted run
   * could not write. One whose outcome is on record, or that is still listed, gets nothing.
   */
  protected override async reconcileUnfinished(actionIds: readonly string[]): Promise<void> {
    const audit = this.#audit;
    if (!audit) return;
    const unlisted = actionIds.filter((id) => !this.#listed.has(id));
    const last = await audit.lastEntries(new Set(unlisted));
    for (const id of unlisted) {
      const entry = last.get(id);
      if (entry?.event !== 'deleting') continue;
      await audit.record({
        event: DeleteStatus.AlreadyGone,
        rule: entry.rule,
        provider: entry.provider,
        action: id,
        target: entry.target,
        detail: 'an interrupted run deleted it before recording the outcome; no longer listed',
      });
      const stats = this.#stats.get(entry.rule);
      if (stats) stats.alreadyGone++;
      this.ctx.logger.info(
        { rule: entry.rule, action: id, target: entry.target },
        'interrupted deletion confirmed',
      );
    }
  }

  protected override async confirmPlan(plan: Plan<CleanupDetails>, summary: PlanSummary): Promise<void> {
    const { ctx } = this;
    // over the cap applyPlan deletes nothing and says so (exit 3): nothing to confirm
    if (summary.delete > this.maxDelete()) return;
    const typed = await confirmDeletion({
      environment: ctx.environment.name,
      count: summary.delete,
      yes: this.flags.yes === true,
      plan: this.renderPlan(plan),
    });
    if (typed) this.environmentConfirmed();
    ctx.logger.info({ deletions: summary.delete }, 'deletion confirmed');
    this.#audit = new AuditLog(
      join(
        stateDirFor({ root: ctx.stateRoot, cli: ctx.cli, environment: ctx.environment.name }),
        'audit.jsonl',
      ),
      { cli: ctx.cli, environment: ctx.environment.name, run_id: ctx.runId },
    );
  }

  protected async applyAction(action: PlanAction<CleanupDetails>, ctx: ApplyContext): Promise<unknown> {
    const details = action.details;
    const provider = details && this.#providers.get(details.rule);
    const audit = this.#audit;
    if (!details || !provider || !audit)
      throw new InternalError(`action ${action.id} has no rule or provider`);
    const stats = this.#stats.get(details.rule);
    const entry = {
      rule: details.rule,
      provider: details.provider,
      action: action.id,
      target: action.target,
    };
    const logger = ctx.logger.child({ rule: details.rule, action: action.id });
    await audit.record({ event: 'deleting', ...entry, reason: action.reason });
    logger.info({ target: action.target }, 'deleting');
    let outcome: Awaited<ReturnType<Provider['delete']>>;
    try {
      outcome = await provider.delete(details.resource, { logger, signal: ctx.signal });
    } catch (error) {
      if (stats) stats.failed++;
      await audit.record({
        event: 'failed',
        ...entry,
        detail: error instanceof Error ? error.message : String(error),
      });
      throw error;
    }
    await audit.record({ event: outcome.status, ...entry, detail: outcome.detail });
    if (stats) {
      if (outcome.status === DeleteStatus.Deleted) stats.deleted++;
      else if (outcome.status === DeleteStatus.Moved) stats.movedToTrash++;
      else if (outcome.status === DeleteStatus.AlreadyGone) stats.alreadyGone++;
      else stats.changed++;
    }
    if (outcome.status === DeleteStatus.Changed) {
      logger.warn(
        { target: action.target, detail: outcome.detail },
        'changed since the plan; left for the next run',
      );
    } else {
      logger.info({ target: action.target, status: outcome.status }, 'deleted');
    }
    ctx.counters?.increment(`resources_${outcome.status.replace(/-/g, '_')}`);
    this.print(
      `- ${action.target} (${outcome.status}${outcome.detail && outcome.status === DeleteStatus.Changed ? `: ${outcome.detail}` : ''})`,
    );
    return { status: outcome.status };
  }

  protected override renderPlan(plan: Plan<CleanupDetails>): string {
    return renderCleanupPlan(plan, this.#headers, this.maxDelete());
  }

  protected override noopSummary(summary: PlanSummary): string {
    return `Nothing to delete: ${summary.skip} kept across ${this.#headers.length} rule(s).`;
  }

  protected override appliedSummary(applied: ApplyResult): string {
    const stats = this.#cleanupStats(false);
    const parts = [`${stats.deleted} deleted`];
    if (stats.movedToTrash) parts.push(`${stats.movedToTrash} moved to the trash`);
    if (stats.alreadyGone) parts.push(`${stats.alreadyGone} already gone`);
    if (stats.changed) parts.push(`${stats.changed} changed since the plan, left for the next run`);
    if (applied.alreadyDone) parts.push(`${applied.alreadyDone} already done by an interrupted run`);
    const kept = stats.rules.reduce((sum, rule) => sum + rule.kept, 0);
    return [`Cleanup: ${parts.join(', ')}; ${kept} kept.`, ...stats.notes].join(' ');
  }

  #cleanupStats(dryRun: boolean): CleanupStats {
    const rules = [...this.#stats.values()];
    const sum = (key: 'deleted' | 'movedToTrash' | 'alreadyGone' | 'changed') =>
      rules.reduce((total, rule) => total + rule[key], 0);
    const registryDeletes = rules
      .filter((rule) => rule.provider === 'registry')
      .reduce((total, rule) => total + (dryRun ? rule.candidates : rule.deleted), 0);
    return {
      rules,
      deleted: sum('deleted'),
      movedToTrash: sum('movedToTrash'),
      alreadyGone: sum('alreadyGone'),
      changed: sum('changed'),
      auditLog: this.#audit?.path,
      notes: registryDeletes > 0 ? [GC_NOTE] : [],
    };
  }

  async #provider(rule: ResolvedRule, now: number): Promise<Provider> {
    const options = this.#resolve();
    let provider: Provider;
    if (rule.provider === 'fs') {
      provider = new FsProvider({
        rule: rule.name,
        path: rule.path,
        match: rule.match,
        protect: rule.protect,
        trash: rule.trash,
        trashRetentionMs: rule.trashRetentionMs,
        runId: this.ctx.runId,
        now,
      }) as Provider<Resource> as Provider;
    } else {
      // one client for every registry request: the bodies it reads are capped per request
      // (maxBodyBytes, see RegistryClient), its semaphore bounds the requests in flight
      this.#http ??= this.httpClient({ concurrency: options.concurrency });
      provider = new RegistryProvider({
        rule: rule.name,
        url: rule.url,
        repositories: rule.repositories,
        tags: rule.tags,
        protectTags: rule.protectTags,
        auth: rule.auth,
        pageSize: rule.pageSizeResolved,
        tokenRealms: rule.tokenRealms,
        limits: {
          maxPages: rule.maxPages ?? DEFAULT_REGISTRY_LIMITS.maxPages,
          maxPageBytes: rule.maxPageBytes ?? DEFAULT_REGISTRY_LIMITS.maxPageBytes,
          maxManifestBytes: rule.maxManifestBytes ?? DEFAULT_REGISTRY_LIMITS.maxManifestBytes,
        },
        concurrency: options.concurrency,
        http: await this.#http,
      }) as Provider<Resource> as Provider;
    }
    this.#providers.set(rule.name, provider);
    return provider;
  }

  #resolve(): CleanupOptions {
    this.#options ??= resolveCleanupOptions({
      flags: this.flags as CleanupFlags,
      section: (this.ctx.section ?? {}) as CleanupSection,
      baseDir: this.ctx.configFile ? dirname(this.ctx.configFile) : process.cwd(),
      configFile: this.ctx.configFile,
    });
    return this.#options;
  }
}

/** Names the rule in an error that does not already, keeping its exit code (1, 2 or 75). */
function ruleError(rule: string, error: unknown): unknown {
  if (!(error instanceof TemperedError) || error instanceof InterruptedError) return error;
  if (error.message.includes(`rule "${rule}"`)) return error;
  const message = `rule "${rule}": ${error.message}`;
  const options = { cause: error, ...(error.hint ? { hint: error.hint } : {}) };
  if (error.exitCode === ExitCode.Temporary) return new TransientError(message, options);
  if (error.exitCode === ExitCode.Usage) return new UsageError(message, options);
  return new PermanentError(message, options);
}
