#!/usr/bin/env node
// image-manager: wiring only. See service.ts for what it does.
import { connectBus, trackNatsConnection } from "@natslet/bus";
import { loadKubeConfig } from "@natslet/kube";
import { runService } from "@natslet/telemetry";
import { startImageManager } from "./service.js";
import { imageManagerSettings } from "./settings.js";

runService("image-manager", imageManagerSettings, async ({ settings, log, registry }) => {
  const kc = loadKubeConfig(process.env);
  const nc = await connectBus({ servers: settings.natsUrl, name: `image-manager@${settings.nodeName}`, registry });
  const manager = await startImageManager(settings, { nc, kc, log, registry });
  return {
    checks: { nats: trackNatsConnection(nc) },
    closers: [
      { name: "image-manager", close: () => manager.stop() },
      { name: "nats", close: () => nc.drain() },
    ],
    readyFields: {
      pullParallelism: settings.pullParallelism,
      eagerPulls: settings.eagerPulls,
      credentialVerification: settings.credentialVerification.policy,
    },
  };
});
