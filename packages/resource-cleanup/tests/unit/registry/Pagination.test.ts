import { describe, expect, it } from 'vitest';
import { Pagination } from '../../../src/registry/Pagination.js';

describe('Class: Pagination', () => {
  it('refuses a URL already visited, however it is spelled', () => {
    const pages = new Pagination('the tag list of a/b', 10, 100);
    pages.visit('http://r/v2/a/b/tags/list?n=1');
    pages.visit('http://r/v2/a/b/tags/list?n=1&last=x');
    expect(() => pages.visit('HTTP://R/v2/a/b/tags/list?n=1')).toThrow(/points back to a page already read/);
  });

  it('allows exactly maxPages pages', () => {
    const pages = new Pagination('the catalog', 3, 100);
    for (const n of [1, 2, 3]) pages.visit(`http://r/v2/_catalog?last=${n}`);
    expect(() => pages.visit('http://r/v2/_catalog?last=4')).toThrow(
      'the catalog: more than 3 pages (maxPages)',
    );
  });

  it('caps the names of a listing at maxPages full pages, and takes a huge page without overflowing', () => {
    const pages = new Pagination('the tag list of a/b', 2, 500_000);
    const huge = Array.from({ length: 900_000 }, (_, i) => `t${i}`);
    pages.add(huge);
    expect(pages.names).toHaveLength(900_000);
    expect(() => pages.add(huge)).toThrow(
      'the tag list of a/b: more than 1000000 names (maxPages x pageSize)',
    );
  });
});
