/**
 * The registry process: runs verdaccio on 127.0.0.1 and prints one JSON line,
 * `{"event":"listening","url":...}`, once it accepts connections. Started by `startRegistry()`
 * with an IPC channel: when the parent goes away (even by kill -9), the registry stops too.
 * argv[2]: JSON of `ServerOptions`.
 */
import type { AddressInfo } from 'node:net';
import { runServer } from 'verdaccio';
import { type VerdaccioConfigOptions, verdaccioConfig } from './verdaccioConfig.js';

export interface ServerOptions extends VerdaccioConfigOptions {
  host: string;
  port: number;
}

const options = JSON.parse(process.argv[2] ?? '{}') as ServerOptions;
const server = await runServer(verdaccioConfig(options) as never);

function stop(code: number): void {
  server.close(() => process.exit(code));
  // keep-alive sockets would hold close() open: the registry is throwaway, do not wait for them
  server.closeAllConnections?.();
  setTimeout(() => process.exit(code), 2000).unref();
}

process.on('SIGTERM', () => stop(0));
process.on('SIGINT', () => stop(0));
process.on('disconnect', () => stop(0));

server.on('error', (error: Error) => {
  process.stderr.write(`registry: ${error.message}\n`);
  process.exit(1);
});
server.listen(options.port, options.host, () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(
    `${JSON.stringify({ event: 'listening', url: `http://${options.host}:${port}/`, pid: process.pid })}\n`,
  );
});
