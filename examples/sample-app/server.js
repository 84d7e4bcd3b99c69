// A tiny app to deploy: no dependencies. GET /healthz answers 200 with the version; GET / greets.
// PORT (default 8080) and HOST (default 127.0.0.1) choose where it listens.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

const version = readFileSync(new URL('./VERSION', import.meta.url), 'utf8').trim();
const port = Number(process.env.PORT ?? 8080);
const host = process.env.HOST ?? '127.0.0.1';

const server = createServer((req, res) => {
  if (req.url === '/healthz') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'ok', version }));
    return;
  }
  if (req.url === '/') {
    res.writeHead(200, { 'content-type': 'text/plain' }).end(`hello from sample-app ${version}\n`);
    return;
  }
  res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
});

server.listen(port, host, () => console.log(`sample-app ${version} listening on http://${host}:${port}`));
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    // idle keep-alive connections (a health checker's) would otherwise hold close() open
    server.closeAllConnections();
    server.close(() => process.exit(0));
  });
}
