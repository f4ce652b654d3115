// The node-status-manager without its process: leader election among replicas; the leader
// registers the Node, then keeps its status and its Lease heartbeat until it stops leading.
import type { KubeConfig } from "@kubernetes/client-node";
import type { NatsConnection } from "@nats-io/transport-node";
import { systemClock, type Clock } from "@natslet/kube";
import type { Logger } from "@natslet/telemetry";
import { Counter, Gauge, type Registry } from "prom-client";
import { leaseApi, nodeApi } from "./api.js";
import { runElector } from "./elector.js";
import { runHeartbeat } from "./heartbeat.js";
import { readMachineInfo, readReadings } from "./machine.js";
import { nodeLabels, type NodeIdentity } from "./node-object.js";
import { registerNode } from "./register.js";
import { runtimeReader } from "./runtime-reader.js";
import type { NodeStatusManagerSettings } from "./settings.js";
import { runStatusLoop } from "./status-loop.js";

export interface NodeStatusManagerDeps {
  nc: NatsConnection;
  kc: KubeConfig;
  log: Logger;
  registry: Registry;
  clock?: Clock;
  wallNow?: () => Date;
}

export interface NodeStatusManager {
  isLeader(): boolean;
  /** The last API call of the leader's loops succeeded (followers: the election's). */
  apiHealthy(): boolean;
  stop(): Promise<void>;
}

export const electionLeaseName = (node: string): string => `natslet-node-status-${node}`;

export async function startNodeStatusManager(s: NodeStatusManagerSettings, deps: NodeStatusManagerDeps): Promise<NodeStatusManager> {
  const clock = deps.clock ?? systemClock;
  const wallNow = deps.wallNow ?? (() => new Date());
  const log = deps.log;
  const machine = await readMachineInfo(s.rootDir);
  const id: NodeIdentity = {
    name: s.nodeName,
    labels: nodeLabels(s.nodeName, machine.architecture, s.labels),
    taints: s.taints,
    nodeIp: s.nodeIp,
    apiPort: s.apiPort,
  };
  const nodes = nodeApi(deps.kc);
  const leases = leaseApi(deps.kc);
  const readRuntime = runtimeReader(deps.nc, s.nodeName, log);

  let leader = false;
  let apiOk = true;
  const leaderGauge = new Gauge({ name: "natslet_node_status_leader", help: "1 while this replica writes the Node.", registers: [deps.registry] });
  const posts = new Counter({
    name: "natslet_node_status_checks_total",
    help: "Node status checks, by outcome (posted, unchanged, error).",
    labelNames: ["outcome"],
    registers: [deps.registry],
  });
  const renewals = new Counter({
    name: "natslet_node_lease_renewals_total",
    help: "Node Lease renewals, by outcome (ok, error).",
    labelNames: ["outcome"],
    registers: [deps.registry],
  });

  const lead = async (signal: AbortSignal): Promise<void> => {
    const node = await registerNode(nodes, id, clock, log, signal);
    if (node === undefined) return;
    await Promise.all([
      runHeartbeat(
        {
          leases, node: { name: s.nodeName, uid: node.uid }, clock, wallNow, log,
          onRenew: (ok) => {
            apiOk = ok;
            renewals.labels(ok ? "ok" : "error").inc();
          },
        },
        signal,
      ),
      runStatusLoop(
        {
          nodes, id, machine, maxPods: s.maxPods, systemReserved: s.systemReserved, kubeReserved: s.kubeReserved,
          readRuntime, readReadings: () => readReadings(s.rootDir), clock, wallNow, log,
          updateMs: s.statusUpdateMs, reportMs: s.statusReportMs,
          onPost: (outcome) => posts.labels(outcome).inc(),
        },
        signal,
      ),
    ]);
  };

  const stopping = new AbortController();
  const running = runElector(
    {
      leases, name: electionLeaseName(s.nodeName), identity: s.replicaId,
      durationMs: s.electionDurationMs, renewMs: s.electionRenewMs, retryMs: s.electionRetryMs,
      clock, wallNow, log, lead,
      onLeading: (leading) => {
        leader = leading;
        leaderGauge.set(leading ? 1 : 0);
      },
    },
    stopping.signal,
  );

  return {
    isLeader: () => leader,
    apiHealthy: () => apiOk,
    async stop() {
      stopping.abort();
      await running;
    },
  };
}
