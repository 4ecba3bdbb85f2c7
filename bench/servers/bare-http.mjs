// The idle baseline: a bare node:http server and nothing else (plain JavaScript, no loader), listening on
// loopback. Prints {"port"} once listening.
import { createServer } from 'node:http';

const server = createServer((_request, response) => response.end('ok'));
server.listen(0, '127.0.0.1', () => process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
