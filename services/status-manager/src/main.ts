#!/usr/bin/env node
// status-manager: wiring only. See service.ts for what it does.
import { KubeConfig } from "@kubernetes/client-node";
import { connectBus } from "@natslet/bus";
import { createLogger, createRegistry, handleShutdown, initTracing, startHealthServer } from "@natslet/telemetry";
import { startStatusManager } from "./service.js";
import { statusManagerSettings } from "./settings.js";

async function main(): Promise<void> {
  const settings = statusManagerSettings();
  const tracing = initTracing(settings.service);
  const log = createLogger({ service: settings.service, node: settings.nodeName, level: settings.logLevel });
  const registry = createRegistry(settings.service, settings.nodeName);
  // KUBECONFIG, else in-cluster, else ~/.kube/config.
  const kc = new KubeConfig();
  kc.loadFromDefault();
  const nc = await connectBus({ servers: settings.natsUrl, name: `${settings.service}@${settings.nodeName}` });
  const manager = await startStatusManager(settings, { nc, kc, log, registry });
  const health = await startHealthServer({
    host: settings.healthHost,
    port: settings.healthPort,
    registry,
    checks: { nats: () => !nc.isClosed(), apiserver: () => manager.apiHealthy() },
  });
  handleShutdown(log, [
    { name: "status-manager", close: () => manager.stop() },
    { name: "nats", close: () => nc.drain() },
    { name: "health", close: () => health.close() },
    { name: "tracing", close: () => tracing.shutdown() },
  ]);
  log.info({ healthPort: health.port, node: settings.nodeName }, "ready");
}

main().catch((err: unknown) => {
  process.stderr.write(`status-manager: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
