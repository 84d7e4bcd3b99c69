import type { Config } from '@oclif/core/config';
import { normalizeArgv } from '@oclif/core/help';
import { helpAddition, versionAddition } from '@oclif/core/run';
import { didYouMean } from '../config/suggest.js';
import { UsageError } from '../errors/TemperedError.js';

export interface UnknownCommand {
  /** As typed, words separated by spaces. */
  command: string;
  suggestion: string | undefined;
  error: UsageError;
}

/**
 * The command a run names when oclif has none by that name (nor a topic, help or version), with
 * the closest visible command, as oclif's own lookup would decide it.
 */
export function unknownCommand(config: Config, argv: string[]): UnknownCommand | undefined {
  if (config.isSingleCommandCLI || versionAddition(argv, config) || helpAddition(argv, config))
    return undefined;
  const [id, ...rest] = normalizeArgv(config, argv);
  if (id === undefined) return undefined;
  // `help synk` is as much a typo as `synk`
  if (id === 'help' && config.findCommand(id)) {
    const words = rest.filter((arg) => !arg.startsWith('-'));
    return words.length > 0 ? unknownCommand(config, words) : undefined;
  }
  if (config.findCommand(id) || config.findTopic(id)) return undefined;
  if (config.flexibleTaxonomy && config.findMatches(id, rest).length > 0) return undefined;

  const spaced = (value: string) => value.replaceAll(':', ' ');
  // oclif joins every word before the first flag into the id; the typo is the first word that
  // names no topic (`synk SRC DST` is the command "synk" with two arguments)
  const parts = id.split(':');
  let known = 0;
  while (known < parts.length - 1 && config.findTopic(parts.slice(0, known + 1).join(':'))) known++;
  const command = parts.slice(0, known + 1).join(' ');
  const visible = config.commands
    .filter((c) => !c.hidden)
    .flatMap((c) => [c.id, ...c.aliases])
    .map(spaced);
  const suggestion = id.startsWith('-') ? undefined : didYouMean(command, visible);
  const hint = `"${config.bin} help" lists the commands`;
  const message = id.startsWith('-')
    ? `"${id}" is not a command: the command comes first, then its flags`
    : `unknown command "${command}"${suggestion ? `; did you mean "${suggestion}"?` : ''}`;
  return { command, suggestion, error: new UsageError(message, { hint }) };
}
