import { compactTimestamp, UsageError } from '@tempered/core';

/** A release id is one directory name: letters, digits, `.`, `_`, `+`, `-`; it starts with a letter or digit. */
export const RELEASE_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,99}$/;

/** Suffixes the target uses for work in progress; a release may not end with them. */
export const RESERVED_SUFFIXES = ['.partial', '.removing'] as const;

export function isSafeReleaseId(id: string): boolean {
  return RELEASE_ID_PATTERN.test(id) && !RESERVED_SUFFIXES.some((suffix) => id.endsWith(suffix));
}

/** Throws a UsageError (exit 2) naming the flag, unless `version` can be a release id. */
export function assertSafeVersion(version: string, what = '--version'): void {
  if (!isSafeReleaseId(version)) {
    throw new UsageError(
      `${what} ${JSON.stringify(version)} cannot name a release: use 1-100 letters, digits, '.', '_', '+' or '-', starting with a letter or digit`,
      {
        hint: `e.g. ${what} 1.4.2 or ${what} 2024-06-01.3 (and not ending in ${RESERVED_SUFFIXES.join(' or ')})`,
      },
    );
  }
}

/** `20260101T120000Z-0123abcd`: sortable by time, and tied to the artifact by its digest. */
export function generateReleaseId(now: Date, digest: string): string {
  return `${compactTimestamp(now)}-${digest.replace(/^sha256:/, '').slice(0, 8)}`;
}

/** The release id of this deploy: `--version` when given (checked), else generated. */
export function releaseIdFor(options: { version?: string | undefined; now: Date; digest: string }): string {
  if (options.version !== undefined) {
    assertSafeVersion(options.version);
    return options.version;
  }
  return generateReleaseId(options.now, options.digest);
}
