#!/usr/bin/env node
// natslet-watcher: wiring only. See service.ts for what it does.
import { connectBus } from "@natslet/bus";
import { runService } from "@natslet/telemetry";
import { startWatcher } from "./service.js";
import { loadSettings } from "./settings.js";

runService("watcher", loadSettings, async ({ settings, log, registry }) => {
  const nc = await connectBus({ servers: settings.natsUrl, name: `watcher@${settings.nodeName}`, registry });
  const watcher = await startWatcher(settings, { nc, log, registry });
  return {
    checks: watcher.checks,
    closers: [
      { name: "watcher", close: () => watcher.stop() },
      { name: "nats", close: () => nc.drain() },
    ],
  };
});
