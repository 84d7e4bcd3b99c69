import { PermanentError } from '@tempered/core';

/**
 * The pages of one `Link`-paged listing (the catalog, a tag list). The registry chooses every
 * next URL, so it could page forever: a URL already read ends the listing with an error, and so
 * does one page more than `maxPages`. Neither is retried: the registry would answer the same.
 */
export class Pagination {
  readonly #what: string;
  readonly #maxPages: number;
  readonly #seen = new Set<string>();

  /** `what` names the listing in errors: `the tag list of app/web`. */
  constructor(what: string, maxPages: number) {
    this.#what = what;
    this.#maxPages = maxPages;
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
