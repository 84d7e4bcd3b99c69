/**
 * One line from oclif's multi-line parse errors, keeping the reason. oclif writes
 * "Parsing --concurrency \n\tExpected an integer but received: abc\nSee more help with --help";
 * its first line alone ("Parsing --concurrency") names the flag but not what is wrong with it.
 */
export function parseErrorMessage(message: string): string {
  const lines = message
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !/^See more help with/i.test(line));
  const [first = message.trim(), ...rest] = lines;
  const flag = /^Parsing (-{1,2}\S+)$/.exec(first);
  if (flag && rest.length > 0) return `${flag[1]}: ${lowerFirst(rest.join('; '))}`;
  const missing = /^Missing (\d+) required args?:?$/.exec(first);
  if (missing) {
    // the lines after it are oclif's table of the missing arguments: "artifact  what it is"
    const args = rest.map((line) => {
      const [name = line, ...description] = line.split(/\s{2,}/);
      return description.length > 0 ? `${name.toUpperCase()} (${description.join(' ')})` : name.toUpperCase();
    });
    const noun = missing[1] === '1' ? 'argument' : 'arguments';
    return args.length > 0 ? `missing required ${noun}: ${args.join(', ')}` : first;
  }
  return rest.length > 0 ? `${first}: ${lowerFirst(rest.join('; '))}` : first;
}

function lowerFirst(text: string): string {
  return /^[A-Z][a-z]/.test(text) ? text[0]!.toLowerCase() + text.slice(1) : text;
}
