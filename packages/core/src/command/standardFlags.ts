import { Flags } from '@oclif/core';
import { LOG_LEVEL_NAMES } from '../log/index.js';

/**
 * The flags every Tempered command shares. None of them binds an env var through oclif:
 * config resolution owns precedence (defaults < file < TEMPERED_* env < flags) in one place.
 */
export const standardFlags = {
  config: Flags.string({
    summary:
      'Config file, YAML or JSON (default: TEMPERED_CONFIG, ./tempered.yml, ~/.config/tempered/config.yml).',
    helpGroup: 'GLOBAL',
  }),
  environment: Flags.string({
    char: 'e',
    summary: 'Environment from the config (default: TEMPERED_ENVIRONMENT, the config default, or "default").',
    helpGroup: 'GLOBAL',
  }),
  'dry-run': Flags.boolean({ summary: 'Print the plan and change nothing.', helpGroup: 'GLOBAL' }),
  quiet: Flags.boolean({
    char: 'q',
    summary:
      'Print nothing on stdout unless the run fails (then everything it held back), like rsync without -v: no cron mail on success.',
    helpGroup: 'GLOBAL',
  }),
  yes: Flags.boolean({
    char: 'y',
    summary: 'Confirm changes to a protected environment without a prompt (needed without a TTY).',
    helpGroup: 'GLOBAL',
  }),
  'log-level': Flags.option({
    options: LOG_LEVEL_NAMES as string[],
    summary: 'Log level on stderr and in the log file (default: info, or TEMPERED_LOG_LEVEL).',
    helpGroup: 'GLOBAL',
  })(),
  'log-file': Flags.string({
    summary: 'Also append JSON log lines to this file (mode 0600).',
    helpGroup: 'GLOBAL',
  }),
  'state-dir': Flags.string({
    summary: 'Root of run state (default: $XDG_STATE_HOME/tempered or ~/.local/state/tempered).',
    helpGroup: 'GLOBAL',
  }),
  'state-url': Flags.string({
    summary:
      'A postgres:// URL: keep run state in PostgreSQL instead of --state-dir, shared by every host (default: TEMPERED_STATE_URL, or state.url).',
    helpGroup: 'GLOBAL',
  }),
  'lock-wait': Flags.string({
    summary:
      'Wait up to this long for another run to release the lock, e.g. 30s or 5m (default: 0, exit 75).',
    helpGroup: 'GLOBAL',
  }),
};

/** Read-only commands (stats, list, status) need where to look, not how to change things. */
export const readOnlyFlags = {
  config: standardFlags.config,
  environment: standardFlags.environment,
  'log-level': standardFlags['log-level'],
  'log-file': standardFlags['log-file'],
  'state-dir': standardFlags['state-dir'],
  'state-url': standardFlags['state-url'],
};
