import { type FaultServer, startFaultServer } from './startFaultServer.js';

/**
 * A real HTTP server on 127.0.0.1 that answers every request with `status` (text `OK`) and records
 * it (heartbeat pings and the like): a fault server with no script. Set `fallback` to change the
 * answer between runs.
 */
export function startRecordingServer(status = 200): Promise<FaultServer> {
  return startFaultServer([], {
    fallback: { status, headers: { 'content-type': 'text/plain' }, body: 'OK' },
  });
}
