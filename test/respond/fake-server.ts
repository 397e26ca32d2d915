// A provider answered by a loopback server the test starts (port 0): it records every request it gets.
import http from 'node:http';
import { afterEach } from 'vitest';
import type { AddressInfo } from 'node:net';

export interface SeenRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface FakeServer {
  url: string;
  requests: SeenRequest[];
  close(): Promise<void>;
}

/** `answer` gets each request (and how many came before it) and says what to send back. */
export async function fakeServer(answer: (req: SeenRequest, n: number) => Reply): Promise<FakeServer> {
  const requests: SeenRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const seen = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      const n = requests.length;
      requests.push(seen);
      const r = answer(seen, n);
      const body = r.body === undefined ? '' : typeof r.body === 'string' ? r.body : JSON.stringify(r.body);
      res.writeHead(r.status, { 'content-type': typeof r.body === 'string' ? 'text/plain' : 'application/json', ...(r.headers ?? {}) });
      res.end(body);
    });
  });
  // As a proxy (HTTPS_PROXY pointed here): a CONNECT names the host a client wanted; recorded and refused.
  server.on('connect', (req: http.IncomingMessage, socket: import('node:net').Socket) => {
    requests.push({ method: 'CONNECT', path: req.url ?? '', headers: req.headers, body: '' });
    socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/** A `fakeServer` for the tests of one file: every server it starts is closed after each test. */
export function fakeServersClosedAfterEach(): (...args: Parameters<typeof fakeServer>) => Promise<FakeServer> {
  let servers: FakeServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.map((s) => s.close()));
    servers = [];
  });
  return async (...args) => {
    const s = await fakeServer(...args);
    servers.push(s);
    return s;
  };
}
