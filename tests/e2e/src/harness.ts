// One real node for end-to-end tests: nats-server, etcd + kube-apiserver, containerd, and
// natslet's services as processes. Checks read what `kubectl get pod -o yaml` shows.
import assert from "node:assert/strict";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { CoreV1Api, KubeConfig, type CoreV1Event, type V1Pod, type V1PodSpec } from "@kubernetes/client-node";
import {
  makeTempDir, nodeApiEnv, removeDir, run, startAll, startContainerd, startControlPlane, startNatslet, startNats,
  type Containerd, type ControlPlane, type Natslet, type NatsServer, type NatsletOptions, type NatsletService, type Stoppable,
} from "@natslet/testkit";

export interface Node {
  readonly name: string;
  readonly core: CoreV1Api;
  readonly containerd: Containerd;
  readonly natslet: Natslet;
  readonly nats: NatsServer;
  readonly controlPlane: ControlPlane;
  readonly image: string;
  readonly kubeConfig: KubeConfig;
  /** Starts one more process of `service` for this node (a replica, as `--scale` would); stopped with the node. */
  startReplica(service: NatsletService): Promise<Natslet>;
  stop(): Promise<void>;
}

export interface NodeOptions {
  env?: NatsletOptions["env"];
  /** More tags of the busybox image, for tests that change a container's image. */
  extraImageTags?: string[];
  /** Run kube-scheduler and kube-controller-manager too (the full path a user takes). */
  controllers?: boolean;
}

export async function startNode(opts: NodeOptions = {}): Promise<Node> {
  const dir = makeTempDir("e2e");
  const controllers = opts.controllers ?? false;
  // What started is stopped again if a later part fails: a test file whose `before` failed must
  // not keep servers (and so its own process) alive. containerd starts once the others run.
  const started: Stoppable[] = [];
  try {
    const [nats, controlPlane] = await startAll([startNats(), startControlPlane({ scheduler: controllers, controllerManager: controllers })]);
    started.push(nats, controlPlane);
    const containerd = await startContainerd();
    started.push(containerd);
    return await startNodeOn(opts, dir, nats, controlPlane, containerd);
  } catch (err) {
    for (const part of started.reverse()) await part.stop().catch(() => undefined);
    await removeDir(dir);
    throw err;
  }
}

async function startNodeOn(opts: NodeOptions, dir: string, nats: NatsServer, controlPlane: ControlPlane, containerd: Containerd): Promise<Node> {
  const name = "natslet-e2e";
  for (const tag of opts.extraImageTags ?? []) {
    const ref = containerd.busyboxImage.replace(/:[^:]+$/, `:${tag}`);
    await run("ctr", ["--address", containerd.socket, "-n", "k8s.io", "images", "tag", containerd.busyboxImage, ref]);
  }
  const natsletOptions: NatsletOptions = {
    natsUrl: nats.url,
    kubeconfig: controlPlane.kubeconfig,
    criEndpoint: containerd.endpoint,
    nodeName: name,
    dir,
    env: { LOG_LEVEL: "debug", NATSLET_RESYNC_MS: "2000", NATSLET_HOUSEKEEPING_MS: "2000", ...nodeApiEnv(controlPlane), ...opts.env },
  };
  const natslet = await startNatslet(natsletOptions);
  const replicas: Natslet[] = [];
  const kc = new KubeConfig();
  kc.loadFromFile(controlPlane.kubeconfig);
  return {
    name,
    core: kc.makeApiClient(CoreV1Api),
    containerd,
    natslet,
    nats,
    controlPlane,
    image: containerd.busyboxImage,
    kubeConfig: kc,
    async startReplica(service) {
      const replica = await startNatslet({ ...natsletOptions, dir: join(dir, `replica-${replicas.length + 1}`), services: [service] });
      replicas.push(replica);
      return replica;
    },
    async stop() {
      for (const replica of replicas) await replica.stop();
      await natslet.stop();
      await containerd.stop();
      await controlPlane.stop();
      await nats.stop();
      if (process.env["NATSLET_KEEP_E2E_LOGS"]) process.stderr.write(`e2e logs kept in ${dir}\n`);
      else await removeDir(dir);
    },
  };
}

let counter = 0;
/** A unique pod name per test. */
export function podName(prefix: string): string {
  return `${prefix}-${process.pid}-${++counter}`;
}

export async function createPod(node: Node, name: string, spec: Omit<V1PodSpec, "nodeName">): Promise<V1Pod> {
  return node.core.createNamespacedPod({
    namespace: "default",
    body: { metadata: { name }, spec: { terminationGracePeriodSeconds: 5, ...spec, nodeName: node.name } },
  });
}

/** Polls the pod until `ok` holds; fails with the last status seen. */
export async function waitForPod(node: Node, name: string, ok: (pod: V1Pod) => boolean, what: string, timeoutMs = 60_000): Promise<V1Pod> {
  const deadline = Date.now() + timeoutMs;
  let last: V1Pod | undefined;
  while (Date.now() < deadline) {
    last = await node.core.readNamespacedPod({ name, namespace: "default" });
    if (ok(last)) return last;
    await sleep(200);
  }
  throw new Error(`pod ${name}: not ${what} within ${timeoutMs} ms; last status:\n${JSON.stringify(last?.status, null, 2)}`);
}

export async function waitForPodGone(node: Node, name: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      await node.core.readNamespacedPod({ name, namespace: "default" });
    } catch (err) {
      if ((err as { code?: number }).code === 404) return;
      throw err;
    }
    await sleep(200);
  }
  throw new Error(`pod ${name} still exists after ${timeoutMs} ms`);
}

export async function podEvents(node: Node, name: string): Promise<CoreV1Event[]> {
  const list = await node.core.listNamespacedEvent({ namespace: "default", fieldSelector: `involvedObject.name=${name}` });
  return list.items;
}

/** The pod's sandboxes and containers (any state) in containerd, by the pod UID label. */
export async function runtimeObjects(node: Node, uid: string): Promise<{ sandboxes: string[]; containers: string[] }> {
  const ids = async (...args: string[]) =>
    (await node.containerd.crictl(...args, "-q", "--label", `io.kubernetes.pod.uid=${uid}`)).trim().split("\n").filter(Boolean);
  return { sandboxes: await ids("pods"), containers: await ids("ps", "-a") };
}

/**
 * Polls until the pod has `want` sandboxes and containers in containerd. Dead containers and
 * orphaned sandboxes are collected after the status is written, so counts settle a little later.
 */
export async function waitForRuntimeObjects(node: Node, uid: string, want: { sandboxes: number; containers: number }, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = await runtimeObjects(node, uid);
  while ((last.sandboxes.length !== want.sandboxes || last.containers.length !== want.containers) && Date.now() < deadline) {
    await sleep(250);
    last = await runtimeObjects(node, uid);
  }
  assert.deepEqual(
    { sandboxes: last.sandboxes.length, containers: last.containers.length },
    want,
    `pod ${uid}: sandboxes ${last.sandboxes.join(",")}, containers ${last.containers.join(",")}`,
  );
}

export function phaseIs(phase: string) {
  return (pod: V1Pod) => pod.status?.phase === phase;
}
