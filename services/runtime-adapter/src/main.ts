#!/usr/bin/env node
// natslet-runtime-adapter: wiring only. Settings, telemetry, connections; then the service
// (service.ts), the health server and the shutdown order.
import { hostname } from "node:os";
import { connectBus } from "@natslet/bus";
import { CriClient } from "@natslet/cri";
import {
  createLogger, createRegistry, handleShutdown, initTracing, SettingsError, startHealthServer, type Logger,
} from "@natslet/telemetry";
import { readMemoryCapacity } from "./meminfo.js";
import { trackNatsConnection } from "./nats-health.js";
import { startRuntimeAdapter } from "./service.js";
import { loadSettings, SERVICE, type Settings } from "./settings.js";

async function main(log: Logger, settings: Settings): Promise<void> {
  const tracing = initTracing(SERVICE);
  const registry = createRegistry(SERVICE, settings.nodeName);
  const memoryCapacityBytes = await readMemoryCapacity();
  const nc = await connectBus({ servers: settings.natsUrl, name: `${SERVICE}@${settings.nodeName}` });
  const cri = await CriClient.connect(settings.criEndpoint);
  const natsUp = trackNatsConnection(nc);
  const adapter = startRuntimeAdapter(settings, { nc, cri, log, registry, memoryCapacityBytes });
  const health = await startHealthServer({
    host: settings.healthHost,
    port: settings.healthPort,
    checks: { nats: natsUp, cri: () => adapter.criHealthy() },
    registry,
  });
  // Stop taking work first, then close what that work used.
  handleShutdown(log, [
    { name: "runtime-adapter", close: () => adapter.stop() },
    { name: "nats", close: () => nc.drain() },
    { name: "cri", close: () => cri.close() },
    { name: "health", close: () => health.close() },
    { name: "tracing", close: () => tracing.shutdown() },
  ]);
  log.info({ healthPort: health.port, cri: settings.criEndpoint, nats: settings.natsUrl }, "ready");
}

let settings: Settings;
try {
  settings = loadSettings();
} catch (err) {
  // No settings, no configured logger: log with defaults, once, and stop.
  const log = createLogger({ service: SERVICE, node: hostname().toLowerCase(), level: "info" });
  log.fatal({ err: err instanceof SettingsError ? err.message : err }, "invalid settings");
  process.exit(1);
}
const log = createLogger({ service: SERVICE, node: settings.nodeName, level: settings.logLevel });
// The bus and the PLEG catch their own errors; anything that still escapes is a bug to log,
// not a reason to drop every pod's commands.
process.on("unhandledRejection", (err) => log.error({ err }, "unhandled rejection"));
main(log, settings).catch((err: unknown) => {
  log.fatal({ err }, "start-up failed");
  process.exit(1);
});
