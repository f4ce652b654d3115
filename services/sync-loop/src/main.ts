#!/usr/bin/env node
// sync-loop: wiring only. See service.ts for what it does.
import { connectBus, trackNatsConnection } from "@natslet/bus";
import { runService } from "@natslet/telemetry";
import { startSyncLoop } from "./service.js";
import { syncLoopSettings } from "./settings.js";

runService("sync-loop", syncLoopSettings, async ({ settings, log, registry }) => {
  const nc = await connectBus({ servers: settings.natsUrl, name: `sync-loop@${settings.nodeName}`, registry });
  const loop = await startSyncLoop(settings, { nc, log, registry });
  let caughtUp = false;
  void loop.caughtUp.then(() => (caughtUp = true));
  return {
    checks: { nats: trackNatsConnection(nc), desiredState: () => caughtUp, runtime: () => loop.runtimeHealthy(), replicas: () => loop.replicasHealthy() },
    closers: [
      { name: "sync-loop", close: () => loop.stop() },
      { name: "nats", close: () => nc.drain() },
    ],
  };
});
