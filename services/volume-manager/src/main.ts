#!/usr/bin/env node
// volume-manager: wiring only. See service.ts for what it does.
import { connectBus, trackNatsConnection } from "@natslet/bus";
import { loadKubeConfig } from "@natslet/kube";
import { runService } from "@natslet/telemetry";
import { startVolumeManager } from "./service.js";
import { volumeManagerSettings } from "./settings.js";

runService("volume-manager", volumeManagerSettings, async ({ settings, log, registry }) => {
  const kc = loadKubeConfig(process.env);
  const nc = await connectBus({ servers: settings.natsUrl, name: `volume-manager@${settings.nodeName}`, registry });
  const manager = await startVolumeManager(settings, { nc, kc, log, registry });
  return {
    checks: { nats: trackNatsConnection(nc), apiserver: () => manager.apiHealthy() },
    closers: [
      { name: "volume-manager", close: () => manager.stop() },
      { name: "nats", close: () => nc.drain() },
    ],
    readyFields: { apiserver: kc.getCurrentCluster()?.server, rootDir: settings.rootDir },
  };
});
