import { ConflictError, confirmByTyping, type LockOwner, standardFlags } from '@tempered/core';
import { DeployReadCommand } from '../command/DeployReadCommand.js';
import { breakDeployLocks, describeLock, inspectDeployLocks, type LockView } from '../command/locks.js';
import { hostFlags } from '../job/flags.js';

export interface UnlockResult {
  target: string;
  removed: { scope: LockView['scope']; host?: string; owner: LockOwner }[];
}

export default class Unlock extends DeployReadCommand<UnlockResult> {
  static override summary = 'Remove a deploy lock whose owner is gone; refuses while the owner still runs.';
  static override description =
    'A run killed on this host leaves its lock behind; the next release takes it over by itself. Use unlock ' +
    'for a lock the next run cannot judge (an owner on another host), once you know that run is gone.';
  static override examples = [
    '<%= config.bin %> unlock -e prod --yes',
    '<%= config.bin %> unlock --config /etc/tempered/deploy.yml -e prod --yes --json --state-dir /var/lib/tempered',
    '<%= config.bin %> unlock -e staging --log-level debug --log-file /var/log/deploy.log',
  ];
  static override flags = { ...hostFlags, yes: standardFlags.yes };

  async run(): Promise<UnlockResult> {
    const { ctx } = this;
    const target = this.fleet;
    const locks = await inspectDeployLocks(target, ctx.store);
    if (locks.length === 0) {
      this.print(`No lock held on ${target.display}.`);
      return { target: target.display, removed: [] };
    }
    const live = locks.find((lock) => lock.liveness === 'alive');
    if (live) {
      throw new ConflictError(`${describeLock(live)}; refusing to unlock`, {
        hint: `stop that run first (kill ${live.owner.pid}), or wait for it to finish`,
      });
    }
    for (const lock of locks) ctx.logger.info({ scope: lock.scope, owner: lock.owner }, 'lock found');
    await this.confirm(locks);
    const removed = await breakDeployLocks(target, ctx.store);
    for (const lock of removed) {
      ctx.logger.warn({ scope: lock.scope, previous_owner: lock.owner }, 'lock removed');
      this.print(
        `Removed the ${lock.host ? `${lock.host} ` : ''}${lock.scope} lock of run ${lock.owner.runId} (pid ${lock.owner.pid} on ${lock.owner.host}).`,
      );
    }
    return { target: target.display, removed };
  }

  /** `--yes`, or a person at a terminal answering "yes"; without a TTY nobody can be asked. */
  private async confirm(locks: LockView[]): Promise<void> {
    if (this.flags.yes === true) return;
    await confirmByTyping({
      expected: 'yes',
      preamble: locks.map(describeLock).join('\n'),
      question: 'Remove? Type "yes": ',
      noTerminal: {
        message: 'unlock removes a run lock and needs confirmation',
        hint: 'pass --yes to confirm (no terminal to ask at)',
      },
      mismatch: { message: 'not confirmed; nothing was removed', hint: 'type yes, or pass --yes' },
    });
  }
}
