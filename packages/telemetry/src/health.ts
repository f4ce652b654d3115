import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";

/** A readiness check: true when the dependency it names is usable right now. */
export type Check = () => boolean | Promise<boolean>;

export interface HealthServer {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * /healthz: the process serves requests (liveness). /readyz: every named check passes; the body
 * lists each check so an operator sees which dependency is missing. /metrics: Prometheus text.
 */
export async function startHealthServer(opts: {
  host: string;
  port: number;
  checks: Record<string, Check>;
  registry: Registry;
}): Promise<HealthServer> {
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://health").pathname;
    const reply = (status: number, body: string, type = "text/plain; charset=utf-8") => {
      res.writeHead(status, { "content-type": type }).end(body);
    };
    switch (path) {
      case "/healthz":
        reply(200, "ok\n");
        return;
      case "/readyz":
        void readiness(opts.checks).then(
          ({ ready, results }) => reply(ready ? 200 : 503, JSON.stringify(results) + "\n", "application/json"),
          (err: unknown) => reply(500, String(err)),
        );
        return;
      case "/metrics":
        void opts.registry.metrics().then(
          (text) => reply(200, text, opts.registry.contentType),
          (err: unknown) => reply(500, String(err)),
        );
        return;
      default:
        reply(404, "not found\n");
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function readiness(checks: Record<string, Check>): Promise<{ ready: boolean; results: Record<string, boolean> }> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => [name, await Promise.resolve(check()).catch(() => false)] as const),
  );
  const results = Object.fromEntries(entries);
  return { ready: entries.every(([, ok]) => ok), results };
}
