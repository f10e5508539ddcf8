/**
 * Where the emulator listens: one loopback address, or 127.0.0.1 and ::1 on one port (`host: "localhost"`), so an
 * endpoint written with either spelling reaches it. Never any other interface: the emulator's keys are public.
 */
import { type IncomingMessage, type Server, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";

export const DEFAULT_HOST = "127.0.0.1";
/** `host` value that listens on both loopback addresses (127.0.0.1 and ::1) on one port. */
export const BOTH_LOOPBACKS_HOST = "localhost";
/** The spellings `urlFor` writes an endpoint in. */
export type LoopbackSpelling = "127.0.0.1" | "localhost" | "::1";
/** Attempts at finding a port free on both loopbacks when `host: "localhost"` and port 0. */
const DUAL_LISTEN_ATTEMPTS = 5;

export class LoopbackListener {
  /** One per listening address: one, or two for `host: "localhost"` (127.0.0.1 and ::1), sharing all state. */
  private servers: Server[] = [];
  private listeningPort = 0;
  /** The addresses listened on, the first being the one `url` names. */
  private listeningHosts: string[] = [DEFAULT_HOST];
  /** False once listening on ::1 failed for want of an IPv6 loopback (then localhost can only be 127.0.0.1). */
  private ipv6Loopback = true;

  constructor(private readonly onRequest: (req: IncomingMessage, res: ServerResponse) => Promise<void>) {}

  get url(): string {
    return urlOf(this.listeningHosts[0] ?? DEFAULT_HOST, this.listeningPort);
  }

  get port(): number {
    return this.listeningPort;
  }

  urlFor(spelling: LoopbackSpelling): string {
    const listensOn = (host: string) => this.listeningHosts.includes(host);
    const reachable =
      spelling === "localhost" ? listensOn("127.0.0.1") && (listensOn("::1") || !this.ipv6Loopback) : listensOn(spelling);
    if (!reachable) {
      const hint = spelling === "localhost" ? `start it with host: "${BOTH_LOOPBACKS_HOST}"` : `it listens on ${this.listeningHosts.join(" and ")}`;
      throw new RangeError(`urlFor("${spelling}"): the emulator is not reachable under that name (${hint})`);
    }
    return urlOf(spelling, this.listeningPort);
  }

  /** Listens on `host` (or, for BOTH_LOOPBACKS_HOST, on 127.0.0.1 and ::1); rejects if the port can't be bound. */
  listen(port: number, host: string): Promise<void> {
    if (host === BOTH_LOOPBACKS_HOST) return this.listenOnBothLoopbacks(port);
    return this.bind(port, host).then((server) => {
      this.servers = [server];
      this.listeningPort = (server.address() as AddressInfo).port;
      this.listeningHosts = [host];
    });
  }

  /** Closes all connections (keep-alive ones too) and stops listening. */
  close(): Promise<void> {
    return Promise.all(this.servers.map(closeServer)).then(() => undefined);
  }

  /**
   * 127.0.0.1 and ::1 on one port: two sockets rather than "::" with dual stack, which would also listen on every
   * other interface. With port 0 the port 127.0.0.1 got may be taken on ::1: then both are let go and tried again.
   */
  private async listenOnBothLoopbacks(port: number): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const ipv4 = await this.bind(port, "127.0.0.1");
      const boundPort = (ipv4.address() as AddressInfo).port;
      try {
        const ipv6 = await this.bind(boundPort, "::1");
        this.servers = [ipv4, ipv6];
        this.listeningHosts = ["127.0.0.1", "::1"];
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === "EADDRNOTAVAIL" || code === "EAFNOSUPPORT") {
          this.ipv6Loopback = false;
          this.servers = [ipv4];
          this.listeningHosts = ["127.0.0.1"];
        } else {
          await closeServer(ipv4);
          if (code === "EADDRINUSE" && port === 0 && attempt < DUAL_LISTEN_ATTEMPTS) continue;
          throw error;
        }
      }
      this.listeningPort = boundPort;
      return;
    }
  }

  private bind(port: number, host: string): Promise<Server> {
    const server = createServer((req, res) => {
      this.onRequest(req, res).catch((error: unknown) => {
        console.error("jobsets emulator: request failed", error);
        if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
        res.end();
      });
    });
    return new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => {
        server.off("error", reject);
        resolve(server);
      });
    });
  }
}

function urlOf(host: string, port: number): string {
  return `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.closeAllConnections();
    server.close((error) => (error ? reject(error) : resolve()));
  });
}
