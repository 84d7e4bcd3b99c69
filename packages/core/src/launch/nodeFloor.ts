/**
 * The oldest Node.js every Tempered CLI runs on. The `engines` field of every published package
 * says the same (a test holds them together); npm only warns about `engines`, so the launcher
 * checks it too, before it loads anything that an older Node could fail on with a stack trace.
 */
export const NODE_FLOOR = '22.12.0';

/** True when `version` ("22.11.0", "v20.20.2") is older than {@link NODE_FLOOR}. */
export function isBelowNodeFloor(version: string): boolean {
  const have = version.replace(/^v/, '').split('.').map(Number);
  const need = NODE_FLOOR.split('.').map(Number);
  for (let i = 0; i < need.length; i++) {
    const part = have[i] ?? 0;
    if (Number.isNaN(part)) return false;
    if (part !== need[i]) return part < (need[i] as number);
  }
  return false;
}

/** The one line an older Node gets: what is needed, what ran, and which binary it was. */
export function nodeFloorMessage(version: string, execPath: string): string {
  const floor = NODE_FLOOR.replace(/\.0$/, '');
  return `Tempered needs Node.js >= ${floor}; this is ${version.replace(/^v/, '')} (${execPath})`;
}
