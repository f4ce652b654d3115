#!/usr/bin/env node
// node-status-manager: wiring only. See service.ts for what it does.
import { connectBus, trackNatsConnection } from "@natslet/bus";
import { loadKubeConfig } from "@natslet/kube";
import { runService } from "@natslet/telemetry";
import { startNodeStatusManager } from "./service.js";
import { nodeStatusManagerSettings } from "./settings.js";

runService("node-status-manager", nodeStatusManagerSettings, async ({ settings, log, registry }) => {
  const kc = loadKubeConfig(process.env);
  const nc = await connectBus({ servers: settings.natsUrl, name: `node-status-manager@${settings.nodeName}`, registry });
  const manager = await startNodeStatusManager(settings, { nc, kc, log, registry });
  return {
    checks: { nats: trackNatsConnection(nc), apiserver: () => manager.apiHealthy() },
    closers: [
      { name: "node-status-manager", close: () => manager.stop() },
      { name: "nats", close: () => nc.drain() },
    ],
    readyFields: { replica: settings.replicaId },
  };
});
