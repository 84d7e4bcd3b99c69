import { describe, expect, it } from 'vitest';
import {
  chooseRollbackTarget,
  newestFirst,
  previousGood,
  selectCleanup,
} from '../../../src/release/select.js';
import { dirs, logOf } from './fixtures.js';

describe('Function: newestFirst', () => {
  it('orders logged releases by deploy, newest first, then unknown directories by mtime', () => {
    const log = logOf(['v1'], ['v2'], ['v3']);
    expect(newestFirst(log, dirs('v3', 'v1', 'hand-made-a', 'hand-made-b'))).toEqual([
      'v3',
      'v1',
      'hand-made-b',
      'hand-made-a',
    ]);
  });
});

describe('Function: selectCleanup', () => {
  it('removes what is beyond keep, oldest first', () => {
    expect(
      selectCleanup({ newestFirst: ['v5', 'v4', 'v3', 'v2', 'v1'], keep: 3, protect: new Set() }),
    ).toEqual(['v2', 'v1']);
  });

  it('never removes a protected release (current, previous good), even beyond keep', () => {
    expect(
      selectCleanup({ newestFirst: ['v5', 'v4', 'v3', 'v2', 'v1'], keep: 1, protect: new Set(['v5', 'v2']) }),
    ).toEqual(['v4', 'v3', 'v1']);
  });

  it('removes nothing when there are no more than keep', () => {
    expect(selectCleanup({ newestFirst: ['v2', 'v1'], keep: 5, protect: new Set() })).toEqual([]);
  });
});

describe('Function: previousGood', () => {
  const existing = new Set(['v1', 'v2', 'v3']);

  it('is current when current is good', () => {
    expect(previousGood(logOf(['v1'], ['v2']), { current: 'v2', release: 'v3', existing })).toBe('v2');
  });

  it('is current when the log does not know it (set up by hand)', () => {
    expect(previousGood(logOf(['v1']), { current: 'v2', release: 'v3', existing })).toBe('v2');
  });

  it('skips a failed current for the newest good release', () => {
    expect(previousGood(logOf(['v1'], ['v2', 'failed']), { current: 'v2', release: 'v3', existing })).toBe(
      'v1',
    );
  });

  it('is never the release being deployed, and undefined when nothing good exists', () => {
    expect(previousGood(logOf(['v3']), { current: 'v3', release: 'v3', existing })).toBeUndefined();
    expect(
      previousGood(logOf(['v1', 'failed']), { current: undefined, release: 'v2', existing }),
    ).toBeUndefined();
  });

  it('ignores good releases whose directory is gone', () => {
    expect(
      previousGood(logOf(['v1'], ['v2', 'failed']), {
        current: 'v2',
        release: 'v3',
        existing: new Set(['v2']),
      }),
    ).toBeUndefined();
  });
});

describe('Function: chooseRollbackTarget', () => {
  const existing = new Set(['v1', 'v2', 'v3', 'v4']);

  it('picks the newest good release deployed before current', () => {
    expect(chooseRollbackTarget({ log: logOf(['v1'], ['v2'], ['v3']), existing, current: 'v3' })).toBe('v2');
  });

  it('skips failed and rolled-back releases', () => {
    const log = logOf(['v1'], ['v2', 'failed'], ['v3', 'rolled-back'], ['v4']);
    expect(chooseRollbackTarget({ log, existing, current: 'v4' })).toBe('v1');
  });

  it('never goes forward: releases deployed after current are not candidates', () => {
    const log = logOf(['v1'], ['v2'], ['v3']);
    expect(chooseRollbackTarget({ log, existing, current: 'v2' })).toBe('v1');
  });

  it('skips releases whose directory was removed', () => {
    const log = logOf(['v1'], ['v2'], ['v3']);
    expect(chooseRollbackTarget({ log, existing: new Set(['v1', 'v3']), current: 'v3' })).toBe('v1');
  });

  it('refuses (exit 2) when there is nothing to roll back to', () => {
    expect(() => chooseRollbackTarget({ log: logOf(['v1']), existing, current: 'v1' })).toThrow(
      /no good release was deployed before v1/,
    );
    expect(() => chooseRollbackTarget({ log: logOf(), existing: new Set(), current: undefined })).toThrow(
      expect.objectContaining({ exitCode: 2 }),
    );
  });

  it('takes a named release, even a failed one; undefined when it is already current', () => {
    const log = logOf(['v1'], ['v2', 'failed'], ['v3']);
    expect(chooseRollbackTarget({ log, existing, current: 'v3', named: 'v2' })).toBe('v2');
    expect(chooseRollbackTarget({ log, existing, current: 'v3', named: 'v3' })).toBeUndefined();
    expect(() => chooseRollbackTarget({ log, existing, current: 'v3', named: 'v9' })).toThrow(
      /does not exist/,
    );
  });
});
