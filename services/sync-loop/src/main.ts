#!/usr/bin/env node
// sync-loop: wiring only. See service.ts for what it does.
import { connectBus } from "@natslet/bus";
import { createLogger, createRegistry, handleShutdown, initTracing, startHealthServer } from "@natslet/telemetry";
import { startSyncLoop } from "./service.js";
import { syncLoopSettings } from "./settings.js";

async function main(): Promise<void> {
  const settings = syncLoopSettings();
  const tracing = initTracing(settings.service);
  const log = createLogger({ service: settings.service, node: settings.nodeName, level: settings.logLevel });
  const registry = createRegistry(settings.service, settings.nodeName);
  const nc = await connectBus({ servers: settings.natsUrl, name: `${settings.service}@${settings.nodeName}` });
  const loop = await startSyncLoop(settings, { nc, log, registry });
  let caughtUp = false;
  void loop.caughtUp.then(() => (caughtUp = true));
  const health = await startHealthServer({
    host: settings.healthHost,
    port: settings.healthPort,
    registry,
    checks: { nats: () => !nc.isClosed(), desiredState: () => caughtUp, runtime: () => loop.runtimeHealthy() },
  });
  handleShutdown(log, [
    { name: "sync-loop", close: () => loop.stop() },
    { name: "nats", close: () => nc.drain() },
    { name: "health", close: () => health.close() },
    { name: "tracing", close: () => tracing.shutdown() },
  ]);
  log.info({ healthPort: health.port, node: settings.nodeName }, "ready");
}

main().catch((err: unknown) => {
  process.stderr.write(`sync-loop: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
