import { describe, expect, it } from 'vitest';
import { isBelowNodeFloor, NODE_FLOOR, nodeFloorMessage } from '../../../src/launch/nodeFloor.js';

describe('the Node.js floor', () => {
  it('is 22.12', () => {
    expect(NODE_FLOOR).toBe('22.12.0');
  });

  it.each([
    ['v20.20.2', true],
    ['18.0.0', true],
    ['22.11.9', true],
    ['22.12.0', false],
    ['22.22.1', false],
    ['23.0.0', false],
    ['24.21.0', false],
    ['26.1.0', false],
    ['v100.0.0', false],
  ])('%s is below it: %s', (version, below) => {
    expect(isBelowNodeFloor(version)).toBe(below);
  });

  it('an unreadable version is let through: the launcher must not refuse a Node it cannot parse', () => {
    expect(isBelowNodeFloor('nightly')).toBe(false);
  });

  it('says in one line what is needed, what ran and where', () => {
    const message = nodeFloorMessage('v20.20.2', '/usr/bin/node');
    expect(message).toBe('Tempered needs Node.js >= 22.12; this is 20.20.2 (/usr/bin/node)');
    expect(message).not.toContain('\n');
  });
});
