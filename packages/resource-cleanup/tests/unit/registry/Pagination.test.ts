import { describe, expect, it } from 'vitest';
import { Pagination } from '../../../src/registry/Pagination.js';

describe('Class: Pagination', () => {
  it('refuses a URL already visited, however it is spelled', () => {
    const pages = new Pagination('the tag list of a/b', 10);
    pages.visit('http://r/v2/a/b/tags/list?n=1');
    pages.visit('http://r/v2/a/b/tags/list?n=1&last=x');
    expect(() => pages.visit('HTTP://R/v2/a/b/tags/list?n=1')).toThrow(/points back to a page already read/);
  });

  it('allows exactly maxPages pages', () => {
    const pages = new Pagination('the catalog', 3);
    for (const n of [1, 2, 3]) pages.visit(`http://r/v2/_catalog?last=${n}`);
    expect(() => pages.visit('http://r/v2/_catalog?last=4')).toThrow(
      'the catalog: more than 3 pages (maxPages)',
    );
  });
});
