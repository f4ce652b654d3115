#!/usr/bin/env node
// node-api: wiring only. See service.ts for what it does.
import { readFileSync } from "node:fs";
import { connectBus, trackNatsConnection } from "@natslet/bus";
import { loadKubeConfig } from "@natslet/kube";
import { runService } from "@natslet/telemetry";
import { kubeReviewApi } from "./auth.js";
import { startNodeApi } from "./service.js";
import { loadSettings, SERVICE } from "./settings.js";
import { servingCert } from "./tls.js";

runService(SERVICE, loadSettings, async ({ settings, log, registry }) => {
  const kc = loadKubeConfig(process.env);
  const nc = await connectBus({ servers: settings.natsUrl, name: `${SERVICE}@${settings.nodeName}`, registry });
  const tls = await servingCert({
    ...(settings.tlsCertFile !== undefined ? { certFile: settings.tlsCertFile } : {}),
    ...(settings.tlsKeyFile !== undefined ? { keyFile: settings.tlsKeyFile } : {}),
    nodeName: settings.nodeName,
    nodeIp: settings.nodeIp,
  });
  const api = await startNodeApi(
    {
      nodeName: settings.nodeName,
      address: settings.address,
      port: settings.port,
      cert: tls.cert,
      key: tls.key,
      ...(settings.clientCaFile !== undefined ? { clientCa: readFileSync(settings.clientCaFile) } : {}),
      anonymous: settings.anonymous,
      podLogsDir: settings.podLogsDir,
    },
    { nc, reviews: kubeReviewApi(kc), log, registry },
  );
  return {
    checks: { nats: trackNatsConnection(nc) },
    closers: [
      { name: "node-api", close: () => api.stop() },
      { name: "nats", close: () => nc.drain() },
    ],
    readyFields: { port: api.port, selfSignedCert: tls.generated, clientCa: settings.clientCaFile ?? null, anonymous: settings.anonymous },
  };
});
