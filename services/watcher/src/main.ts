#!/usr/bin/env node
// natslet-watcher: wiring only. Settings, telemetry, NATS, the watcher, /readyz, shutdown.
import { connectBus } from "@natslet/bus";
import { createLogger, createRegistry, handleShutdown, initTracing, startHealthServer } from "@natslet/telemetry";
import { startWatcher } from "./service.js";
import { loadSettings, type WatcherSettings } from "./settings.js";

let settings: WatcherSettings;
try {
  settings = loadSettings();
} catch (err) {
  // Before there is a logger: a bad setting is one line for the operator, not a stack trace.
  console.error(`natslet-watcher: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(2);
}

const log = createLogger({ service: settings.service, node: settings.nodeName, level: settings.logLevel });
try {
  const tracing = initTracing(settings.service);
  const registry = createRegistry(settings.service, settings.nodeName);
  const nc = await connectBus({ servers: settings.natsUrl, name: `natslet-watcher-${settings.nodeName}` });
  const watcher = await startWatcher(settings, { nc, log, registry });
  const health = await startHealthServer({
    host: settings.healthHost,
    port: settings.healthPort,
    checks: watcher.checks,
    registry,
  });
  log.info({ healthPort: health.port, nats: settings.natsUrl, tracing: tracing.exporting }, "ready");
  handleShutdown(log, [
    { name: "watcher", close: () => watcher.stop() },
    { name: "health", close: () => health.close() },
    { name: "nats", close: () => nc.drain() },
    { name: "tracing", close: () => tracing.shutdown() },
  ]);
} catch (err) {
  log.fatal({ err }, "watcher failed to start");
  process.exit(1);
}
