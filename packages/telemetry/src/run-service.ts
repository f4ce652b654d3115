import { hostname } from "node:os";
import type { Registry } from "prom-client";
import { startHealthServer, type Check } from "./health.js";
import { createLogger, type Logger } from "./logger.js";
import { createRegistry } from "./metrics.js";
import type { CommonSettings } from "./settings.js";
import { handleShutdown, type Closer } from "./shutdown.js";
import { initTracing, type Tracing } from "./tracing.js";

export interface ServiceContext<S extends CommonSettings> {
  settings: S;
  log: Logger;
  registry: Registry;
  tracing: Tracing;
}

/** What a service's wiring hands back: its readiness checks and what to close, in order. */
export interface StartedService {
  checks: Record<string, Check>;
  /** Stop taking work first, then close what that work used (health and tracing come last by themselves). */
  closers: Closer[];
  /** Extra fields for the "ready" log line. */
  readyFields?: Record<string, unknown>;
}

/**
 * The life of a natslet service process, the same for all of them: settings (a bad one is one
 * fatal line and exit 2 — nothing to retry), tracing, logger and metrics; then `start` wires the
 * service; then /healthz /readyz /metrics, the SIGTERM drain and the "ready" line (with the
 * health port) that operators and testkit wait for. A failed start is logged and exits 1.
 */
export function runService<S extends CommonSettings>(
  service: string,
  loadSettings: () => S,
  start: (ctx: ServiceContext<S>) => Promise<StartedService>,
): void {
  let settings: S;
  try {
    settings = loadSettings();
  } catch (err) {
    const log = createLogger({ service, node: hostname().toLowerCase(), level: "info" });
    log.fatal({ err: err instanceof Error ? err.message : String(err) }, "invalid settings");
    process.exit(2);
  }
  const tracing = initTracing(service);
  const log = createLogger({ service, node: settings.nodeName, level: settings.logLevel });
  const registry = createRegistry(service, settings.nodeName);
  // Handlers catch their own errors; anything that still escapes is a bug to log, not a reason
  // to drop every pod's work.
  process.on("unhandledRejection", (err) => log.error({ err }, "unhandled rejection"));

  const boot = async () => {
    const started = await start({ settings, log, registry, tracing });
    const health = await startHealthServer({
      host: settings.healthHost,
      port: settings.healthPort,
      checks: started.checks,
      registry,
    });
    handleShutdown(log, [
      ...started.closers,
      { name: "health", close: () => health.close() },
      { name: "tracing", close: () => tracing.shutdown() },
    ]);
    log.info({ healthPort: health.port, nats: settings.natsUrl, tracing: tracing.exporting, ...started.readyFields }, "ready");
  };
  boot().catch((err: unknown) => {
    log.fatal({ err }, "start-up failed");
    process.exit(1);
  });
}
