import { onTestFinished } from 'vitest';

/**
 * Runs `close` when the current vitest test finishes, passed or failed. Call it inside a test (or a
 * helper a test calls): vitest refuses `onTestFinished` anywhere else.
 */
export function closeWhenTestFinishes(close: () => Promise<void>): void {
  onTestFinished(async () => {
    await close();
  });
}
