import { ExitCode, InterruptedError } from '../errors/index.js';
import type { Logger } from '../log/index.js';

/**
 * First SIGINT/SIGTERM: abort the controller, so the run stops at the next action boundary and
 * records itself. Second signal: the operator means it; leave at once (the journal and the stale
 * lock check make that safe).
 */
export function installSignalHandlers(controller: AbortController, getLogger: () => Logger): () => void {
  const handler = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      process.exit(signal === 'SIGINT' ? ExitCode.Interrupted : ExitCode.Terminated);
    }
    getLogger().warn({ signal }, 'stop requested; finishing the current action, then stopping');
    controller.abort(new InterruptedError(signal));
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}
