import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { toErrorInfo } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { isAuthorised } from './auth.js';
import { renderMetrics } from './metrics.js';
import { renderPage } from './page.js';
import type { StatusSource } from './types.js';

export interface StatusPageOptions {
  host: string;
  port: number;
  password: string;
  gatewayId: string;
  source: StatusSource;
  logger: Logger;
}

/**
 * The local status page and its JSON endpoints: `/`, `/api/status`, `/api/diag`,
 * `/api/cameras/<id>/snapshot.jpg`, `/metrics`. Every route needs the technician's password.
 */
export class StatusPageServer {
  private server?: http.Server;

  constructor(private readonly o: StatusPageOptions) {}

  async start(): Promise<number> {
    const server = http.createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        this.o.logger.error({ err: toErrorInfo(err, 'STATUS_PAGE_FAILED'), url: req.url }, 'status page request failed');
        if (!res.headersSent) send(res, 500, 'application/json', JSON.stringify({ error: toErrorInfo(err, 'STATUS_PAGE_FAILED') }));
        else res.end();
      });
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.o.port, this.o.host, () => resolve());
    });
    return (server.address() as AddressInfo).port;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!isAuthorised(req, this.o.password)) {
      res.setHeader('WWW-Authenticate', 'Basic realm="edge agent", charset="UTF-8"');
      send(res, 401, 'text/plain', 'technician password required\n');
      return;
    }
    if (req.method !== 'GET') return send(res, 405, 'text/plain', 'GET only\n');
    const url = new URL(req.url ?? '/', 'http://status.local');
    const snapshot = /^\/api\/cameras\/([A-Za-z0-9_-]{1,64})\/snapshot\.jpg$/.exec(url.pathname);
    if (url.pathname === '/') return send(res, 200, 'text/html; charset=utf-8', renderPage(this.o.gatewayId));
    if (url.pathname === '/api/status') return send(res, 200, 'application/json', JSON.stringify(await this.o.source.status()));
    if (url.pathname === '/api/diag') return send(res, 200, 'application/json', JSON.stringify(await this.o.source.diagReport()));
    if (url.pathname === '/metrics') return send(res, 200, 'text/plain; version=0.0.4', renderMetrics(await this.o.source.status()));
    if (snapshot) {
      const jpeg = await this.o.source.snapshotJpeg(snapshot[1]);
      return jpeg ? send(res, 200, 'image/jpeg', jpeg) : send(res, 404, 'text/plain', 'no frame from this camera yet\n');
    }
    send(res, 404, 'text/plain', 'not found\n');
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer): void {
  res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
  res.end(body);
}
