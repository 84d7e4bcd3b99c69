import { PermanentError } from '@tempered/core';

/**
 * The pages of one `Link`-paged listing (the catalog, a tag list). The registry chooses every
 * next URL, so it could page forever: a URL already read ends the listing with an error, and so
 * does one page more than `maxPages`, and more names in all than `maxPages` full pages of the
 * size asked for hold (a registry that ignores `n` and answers a million names a page). None is
 * retried: the registry would answer the same.
 */
export class Pagination {
  readonly #what: string;
  readonly #maxPages: number;
  readonly #maxNames: number;
  readonly #seen = new Set<string>();
  readonly #names: string[] = [];

  /** `what` names the listing in errors: `the tag list of app/web`. */
  constructor(what: string, maxPages: number, pageSize: number) {
    this.#what = what;
    this.#maxPages = maxPages;
    this.#maxNames = maxPages * pageSize;
  }

  /** Every name the pages listed so far. */
  get names(): string[] {
    return this.#names;
  }

  /** Adds one page's names; a loop, not push(...page): a huge page would overflow the stack. */
  add(page: readonly string[]): void {
    if (this.#names.length + page.length > this.#maxNames) {
      throw new PermanentError(
        `${this.#what}: more than ${this.#maxNames} names (maxPages x pageSize); refused`,
        { hint: 'if the registry really holds that many, raise maxPages or pageSize in the rule' },
      );
    }
    for (const name of page) this.#names.push(name);
  }

  /** Call with each page's absolute URL before requesting it. */
  visit(url: string): void {
    const key = new URL(url).href;
    if (this.#seen.has(key)) {
      throw new PermanentError(
        `${this.#what}: the registry's Link header points back to a page already read (${new URL(url).pathname}${new URL(url).search}), so the listing would never end; refused`,
        {
          hint: 'the registry pages wrongly (a proxy or registry bug); fix it, or list the repository by name',
        },
      );
    }
    if (this.#seen.size >= this.#maxPages) {
      throw new PermanentError(`${this.#what}: more than ${this.#maxPages} pages (maxPages); refused`, {
        hint: 'if the registry really holds that many, raise maxPages or pageSize in the rule',
      });
    }
    this.#seen.add(key);
  }
}
