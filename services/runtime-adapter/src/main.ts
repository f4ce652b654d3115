#!/usr/bin/env node
// natslet-runtime-adapter: wiring only. See service.ts for what it does.
import { connectBus, trackNatsConnection } from "@natslet/bus";
import { CriClient } from "@natslet/cri";
import { runService } from "@natslet/telemetry";
import { readMemoryCapacity } from "./meminfo.js";
import { startRuntimeAdapter } from "./service.js";
import { loadSettings, SERVICE } from "./settings.js";

runService(SERVICE, loadSettings, async ({ settings, log, registry }) => {
  const memoryCapacityBytes = await readMemoryCapacity();
  const nc = await connectBus({ servers: settings.natsUrl, name: `${SERVICE}@${settings.nodeName}`, registry });
  const cri = await CriClient.connect(settings.criEndpoint);
  const natsUp = trackNatsConnection(nc);
  const adapter = startRuntimeAdapter(settings, { nc, cri, log, registry, memoryCapacityBytes });
  return {
    checks: { nats: natsUp, cri: () => adapter.criHealthy() },
    // Stop taking work first, then close what that work used.
    closers: [
      { name: "runtime-adapter", close: () => adapter.stop() },
      { name: "nats", close: () => nc.drain() },
      { name: "cri", close: () => cri.close() },
    ],
    readyFields: { cri: settings.criEndpoint },
  };
});
