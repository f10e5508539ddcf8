/**
 * A fresh node:http server on 127.0.0.1:0 per test, which a test scripts request by request and which records what it
 * saw, and an HttpClient with fast retries pointed at it; plus the requests and answers the HTTP-layer tests send.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { test } from "vitest";
import { HttpClient, type ApiRequest } from "../../provider/clients/http";

/** Fast retries so scripted failures take milliseconds. */
export const FAST_RETRY = { minDelayMs: 10, throttledMinDelayMs: 10, maxAttempts: 4 };

interface SeenRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

export interface LoopbackServer {
  origin: string;
  /** What the server does with each request; replace it per test. */
  handle(handler: Handler): void;
  /** Every request the server received, in order. */
  seen: SeenRequest[];
  /** TCP connections accepted so far. */
  connections(): number;
}

export const serverTest = test.extend<{ server: LoopbackServer; client: HttpClient }>({
  // A fresh node:http server on 127.0.0.1:0; all its connections are closed after the test.
  server: async ({}, use) => {
    let handler: Handler = (_req, res) => {
      res.statusCode = 500;
      res.end("no handler scripted");
    };
    const seen: SeenRequest[] = [];
    let connections = 0;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const body = Buffer.concat(chunks).toString("utf8");
        seen.push({ method: req.method!, path: req.url!, headers: req.headers, body });
        handler(req, res, body);
      });
    });
    server.on("connection", () => connections++);
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const { port } = server.address() as AddressInfo;
    try {
      await use({ origin: `http://127.0.0.1:${port}`, handle: (h) => (handler = h), seen, connections: () => connections });
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  },
  // A client with fast retries, closed before the server is.
  client: async ({ server: _server }, use) => {
    const client = new HttpClient({ retry: FAST_RETRY });
    try {
      await use(client);
    } finally {
      await client.close();
    }
  },
});

export function get(server: LoopbackServer, path = "/v1.0/p1/streaming/jobs"): ApiRequest {
  return { service: "dli-flink", op: "listFlinkJobs", method: "GET", origin: server.origin, path };
}

export function post(server: LoopbackServer, body: string): ApiRequest {
  return {
    service: "dli-flink",
    op: "batchStopFlinkJobs",
    method: "POST",
    origin: server.origin,
    path: "/v1.0/p1/streaming/jobs/stop",
    headers: { "content-type": "application/json" },
    body,
  };
}

export function reply(res: ServerResponse, statusCode: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(statusCode, { "content-type": "application/json", ...headers });
  res.end(typeof body === "string" ? body : JSON.stringify(body));
}
