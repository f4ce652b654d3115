#!/usr/bin/env node
// `make run`: natslet on this host, in the foreground, until Ctrl-C (SIGINT/SIGTERM):
//   - NATS with JetStream (always: natslet owns its bus),
//   - a local control plane (etcd, kube-apiserver, scheduler, controller-manager) unless KUBECONFIG is set,
//   - containerd + runc + CNI with the test images unless CONTAINER_RUNTIME_ENDPOINT is set,
//   - Jaeger (OTLP/HTTP in, UI) unless OTEL_EXPORTER_OTLP_ENDPOINT is set,
//   - every natslet service as its own process (logs in .natslet/services/<name>.log), tracing to it.
// Writes .natslet/kubeconfig and .natslet/env (shell KEY=value lines) and prints how to use them.
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startContainerd, type Containerd } from "../containerd.js";
import { startControlPlane, type ControlPlane } from "../controlplane.js";
import { busyboxImageRef } from "../images.js";
import { startJaeger, type Jaeger } from "../jaeger.js";
import { nodeApiEnv, startNatslet, type Natslet } from "../natslet.js";
import { startNats, type NatsServer } from "../nats.js";
import { repoRoot, testenvBinDir } from "../paths.js";
import { stackSettings, type StackSettings } from "./settings.js";

interface Running {
  nats?: NatsServer;
  controlPlane?: ControlPlane;
  containerd?: Containerd;
  natslet?: Natslet;
  jaeger?: Jaeger;
}

async function main(argv: readonly string[]): Promise<void> {
  const command = argv[0] ?? "run";
  if (command !== "run") throw new Error(`unknown command "${command}"; usage: stack.js run`);
  const state = join(repoRoot, ".natslet");
  const settings = stackSettings(process.env, state);
  const running: Running = {};
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping`);
    await running.natslet?.stop();
    await running.containerd?.stop();
    await running.controlPlane?.stop();
    await running.nats?.stop();
    await running.jaeger?.stop();
    log("stopped; nothing left running");
  };
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => void stop(signal).then(() => process.exit(0)));
  }

  try {
    await start(settings, state, running);
  } catch (err) {
    await stop("start failed");
    throw err;
  }
  const env = envFile(settings, state, running);
  log("starting natslet's services");
  const servicesDir = join(state, "services");
  rmSync(servicesDir, { recursive: true, force: true });
  mkdirSync(servicesDir, { recursive: true });
  running.natslet = await startNatslet({
    natsUrl: env["NATS_URL"] ?? "",
    kubeconfig: env["KUBECONFIG"] ?? "",
    criEndpoint: env["CONTAINER_RUNTIME_ENDPOINT"] ?? "",
    nodeName: settings.nodeName,
    dir: servicesDir,
    env: {
      OTEL_EXPORTER_OTLP_ENDPOINT: env["OTEL_EXPORTER_OTLP_ENDPOINT"] ?? "",
      // `kubectl logs/exec` through our own control plane: it trusts and is trusted by the node-api.
      ...(running.controlPlane ? nodeApiEnv(running.controlPlane) : {}),
    },
  }).catch(async (err: unknown) => {
    await stop("start failed");
    throw err;
  });
  const natslet = running.natslet;
  // Each service's /metrics, for a Prometheus scrape config or a curl loop.
  env["NATSLET_METRICS_URLS"] = natslet.services.map((name) => `http://127.0.0.1:${natslet.healthPort(name)}/metrics`).join(" ");
  writeFileSync(join(state, "env"), Object.entries(env).map(([k, v]) => `${k}=${shellQuote(v)}`).join("\n") + "\n");
  log(`ready. In another shell:

  set -a; . .natslet/env; set +a
  kubectl get --raw /readyz && kubectl get nodes,pods -A
  crictl pods
  echo $JAEGER_URL                  # one trace per pod change: service "watcher", operation "pod upsert"

Service logs: .natslet/services/<name>.log. Ctrl-C stops everything.`);
  await new Promise(() => undefined); // until a signal
}

async function start(settings: StackSettings, state: string, running: Running): Promise<void> {
  mkdirSync(state, { recursive: true });
  // `make up` waits for a fresh env file: it is written once everything is ready.
  rmSync(join(state, "env"), { force: true });
  const natsDir = join(state, "nats");
  rmSync(natsDir, { recursive: true, force: true });
  mkdirSync(natsDir, { recursive: true });
  log(`starting nats-server on port ${settings.natsPort}`);
  running.nats = await startNats({ port: settings.natsPort, dataDir: natsDir });

  if (settings.otlpEndpoint) {
    log(`sending traces to OTEL_EXPORTER_OTLP_ENDPOINT=${settings.otlpEndpoint}`);
  } else {
    log(`starting Jaeger (UI on port ${settings.jaegerUiPort}, OTLP/HTTP on ${settings.jaegerOtlpPort})`);
    running.jaeger = await startJaeger({ queryPort: settings.jaegerUiPort, otlpHttpPort: settings.jaegerOtlpPort });
  }

  if (settings.kubeconfig) {
    log(`using the cluster of KUBECONFIG=${settings.kubeconfig}`);
  } else {
    const dir = join(state, "controlplane");
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    log(`starting a local control plane on port ${settings.apiServerPort} (etcd, kube-apiserver, scheduler, controller-manager)`);
    running.controlPlane = await startControlPlane({
      dir,
      port: settings.apiServerPort,
      scheduler: true,
      controllerManager: true,
    });
  }

  if (settings.criEndpoint) {
    log(`using the CRI runtime at ${settings.criEndpoint}`);
  } else {
    const dir = join(state, "containerd");
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    log(`starting containerd (bridge ${settings.bridge}, pods on ${settings.podSubnet})`);
    running.containerd = await startContainerd({ dir, bridge: settings.bridge, podSubnet: settings.podSubnet });
  }
}

function envFile(settings: StackSettings, state: string, running: Running): Record<string, string> {
  const kubeconfig = settings.kubeconfig ?? join(state, "kubeconfig");
  if (running.controlPlane) {
    // The control plane's own copy lives in its state dir; .natslet/kubeconfig is the stable path.
    copyFileSync(running.controlPlane.kubeconfig, kubeconfig);
  }
  const criEndpoint = settings.criEndpoint ?? running.containerd?.endpoint ?? "";
  // crictl reads its endpoints from this file (and warns on every call without one).
  const crictlConfig = join(state, "crictl.yaml");
  writeFileSync(crictlConfig, `runtime-endpoint: ${criEndpoint}\nimage-endpoint: ${criEndpoint}\ntimeout: 30\n`);
  return {
    KUBECONFIG: kubeconfig,
    NATS_URL: running.nats?.url ?? "",
    CONTAINER_RUNTIME_ENDPOINT: criEndpoint,
    CRI_CONFIG_FILE: crictlConfig,
    NATSLET_NODE_NAME: settings.nodeName,
    OTEL_EXPORTER_OTLP_ENDPOINT: settings.otlpEndpoint ?? running.jaeger?.otlpEndpoint ?? "",
    JAEGER_URL: running.jaeger?.queryUrl ?? "",
    NATSLET_TEST_IMAGE: running.containerd?.busyboxImage ?? busyboxImageRef(),
    PATH: `${testenvBinDir()}:${process.env["PATH"] ?? "/usr/bin:/bin"}`,
  };
}

function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]*$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

function log(message: string): void {
  process.stderr.write(`natslet-stack: ${message}\n`);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  log(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exit(1);
});
