#!/usr/bin/env node
// status-manager: wiring only. See service.ts for what it does.
import { connectBus, trackNatsConnection } from "@natslet/bus";
import { loadKubeConfig } from "@natslet/kube";
import { runService } from "@natslet/telemetry";
import { startStatusManager } from "./service.js";
import { statusManagerSettings } from "./settings.js";

runService("status-manager", statusManagerSettings, async ({ settings, log, registry }) => {
  const kc = loadKubeConfig(process.env);
  const nc = await connectBus({ servers: settings.natsUrl, name: `status-manager@${settings.nodeName}`, registry });
  const manager = await startStatusManager(settings, { nc, kc, log, registry });
  return {
    checks: { nats: trackNatsConnection(nc), apiserver: () => manager.apiHealthy(), replicas: () => manager.replicasHealthy() },
    closers: [
      { name: "status-manager", close: () => manager.stop() },
      { name: "nats", close: () => nc.drain() },
    ],
    readyFields: { apiserver: kc.getCurrentCluster()?.server },
  };
});
