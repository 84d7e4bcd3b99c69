import { describe, expect, it } from 'vitest';
import { type TagFacts, tagSafety } from '../../../src/select/tagSafety.js';

const tag = (name: string, selected = true, isProtected = false): TagFacts => ({
  name,
  selected,
  protected: isProtected,
});

describe('Function: tagSafety', () => {
  it('lets a digest go when every tag on it is a candidate', () => {
    expect(tagSafety([tag('ci-1'), tag('ci-1-alias')])).toBeUndefined();
  });

  it('keeps a stale tag that shares its digest with a protected one, naming it', () => {
    expect(tagSafety([tag('ci-2'), tag('latest', false, true)])).toBe(
      'shared digest: latest (protected) points at it too',
    );
  });

  it('keeps a digest that an unselected tag also points at', () => {
    expect(tagSafety([tag('ci-5'), tag('release-5', false), tag('v1', false, true)])).toBe(
      'shared digest: v1 (protected), release-5 (not selected by the rule) point at it too',
    );
  });

  it('calls a digest whose selected tags are all protected simply protected', () => {
    expect(tagSafety([tag('ci-latest', true, true)])).toBe('protected: ci-latest');
  });
});
