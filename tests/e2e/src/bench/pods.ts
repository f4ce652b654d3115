// One burst through the API server, the way a user sees it: N busybox pods bound to a node,
// created at once; a watch says when each is Running; then all deleted at once, and the watch
// says when each is gone. Times are this process's own wall clock (creationTimestamp has 1 s
// resolution): a pod's startup runs from the moment its create call was sent.
import { setTimeout as sleep } from "node:timers/promises";
import { Watch, type CoreV1Api, type KubeConfig, type V1Pod } from "@kubernetes/client-node";
import { distribution, type Distribution } from "./stats.js";

export const NAMESPACE = "default";
export const RUN_LABEL = "natslet-bench/run";

export interface BurstOptions {
  core: CoreV1Api;
  kc: KubeConfig;
  nodeName: string;
  image: string;
  /** Pod i runs images[i % images.length] instead of `image`, when given. */
  images?: readonly string[];
  n: number;
  /** Pod names are `<prefix>-<i>`; also the value of RUN_LABEL. */
  prefix: string;
  timeoutMs: number;
  /** Aborts the waits (Ctrl-C): the caller's cleanup then removes what was made. */
  signal: AbortSignal;
}

export interface PodTimes {
  name: string;
  uid: string;
  createSent: number;
  createReturned: number;
  running: number;
  deleteSent: number;
  gone: number;
}

export interface BurstResult {
  startup: Distribution;
  /** First create sent → last pod seen Running. */
  allRunningMs: number;
  removal: Distribution;
  /** First delete sent → last pod seen deleted. */
  allGoneMs: number;
  createCall: Distribution;
  pods: PodTimes[];
}

/** What the watch saw first, per pod name. */
class PodWatch {
  readonly running = new Map<string, { at: number; uid: string }>();
  readonly gone = new Map<string, number>();
  readonly lastSeen = new Map<string, V1Pod>();
  #abort: AbortController | undefined;
  #stopped = false;
  #resourceVersion = "";

  constructor(
    private readonly kc: KubeConfig,
    private readonly core: CoreV1Api,
    private readonly labelSelector: string,
  ) {}

  /** Lists (for a resourceVersion to start from), then watches until stop(). */
  async start(): Promise<void> {
    const list = await this.core.listNamespacedPod({ namespace: NAMESPACE, labelSelector: this.labelSelector });
    this.#resourceVersion = list.metadata?.resourceVersion ?? "";
    await this.#watch();
  }

  stop(): void {
    this.#stopped = true;
    this.#abort?.abort();
  }

  async #watch(): Promise<void> {
    const path = `/api/v1/namespaces/${NAMESPACE}/pods`;
    this.#abort = await new Watch(this.kc).watch(
      path,
      { labelSelector: this.labelSelector, resourceVersion: this.#resourceVersion, allowWatchBookmarks: true },
      (type: string, obj: V1Pod) => this.#event(type, obj, Date.now()),
      // client-go style: a watch that ends (inactivity timeout, server close) resumes from the
      // last resourceVersion, so no event is lost; a 410 Gone would need a relist, which a run
      // of seconds never gets.
      (err: unknown) => {
        if (this.#stopped) return;
        if (err) process.stderr.write(`bench: pod watch ended (${err instanceof Error ? err.message : JSON.stringify(err)}); resuming\n`);
        void sleep(err ? 1000 : 100).then(() => (this.#stopped ? undefined : this.#watch()));
      },
    );
  }

  #event(type: string, pod: V1Pod, at: number): void {
    const rv = pod.metadata?.resourceVersion;
    if (rv) this.#resourceVersion = rv;
    const name = pod.metadata?.name;
    if (type === "BOOKMARK" || name === undefined) return;
    this.lastSeen.set(name, pod);
    if (pod.status?.phase === "Running" && !this.running.has(name)) this.running.set(name, { at, uid: pod.metadata?.uid ?? "" });
    if (type === "DELETED" && !this.gone.has(name)) this.gone.set(name, at);
  }
}

export async function podBurst(opts: BurstOptions): Promise<BurstResult> {
  const { core, n, prefix } = opts;
  const names = Array.from({ length: n }, (_, i) => `${prefix}-${i}`);
  const imageOf = (i: number) => opts.images?.[i % opts.images.length] ?? opts.image;
  const watch = new PodWatch(opts.kc, core, `${RUN_LABEL}=${prefix}`);
  await watch.start();
  try {
    const createSent = new Map<string, number>();
    const createReturned = new Map<string, number>();
    await Promise.all(
      names.map(async (name, i) => {
        createSent.set(name, Date.now());
        await core.createNamespacedPod({ namespace: NAMESPACE, body: podManifest(name, prefix, opts.nodeName, imageOf(i)) });
        createReturned.set(name, Date.now());
      }),
    );
    await waitFor(() => watch.running.size === n, opts, () => `Running: ${describe(watch, names, (name) => !watch.running.has(name))}`);

    const deleteSent = new Map<string, number>();
    // No delete options: the API server applies the pod's own terminationGracePeriodSeconds.
    await Promise.all(
      names.map(async (name) => {
        deleteSent.set(name, Date.now());
        await core.deleteNamespacedPod({ name, namespace: NAMESPACE });
      }),
    );
    await waitFor(() => watch.gone.size === n, opts, () => `gone: ${describe(watch, names, (name) => !watch.gone.has(name))}`);

    const pods = names.map((name): PodTimes => ({
      name,
      uid: watch.running.get(name)?.uid ?? "",
      createSent: must(createSent.get(name)),
      createReturned: must(createReturned.get(name)),
      running: must(watch.running.get(name)?.at),
      deleteSent: must(deleteSent.get(name)),
      gone: must(watch.gone.get(name)),
    }));
    return {
      startup: distribution(pods.map((p) => p.running - p.createSent)),
      allRunningMs: Math.max(...pods.map((p) => p.running)) - Math.min(...pods.map((p) => p.createSent)),
      removal: distribution(pods.map((p) => p.gone - p.deleteSent)),
      allGoneMs: Math.max(...pods.map((p) => p.gone)) - Math.min(...pods.map((p) => p.deleteSent)),
      createCall: distribution(pods.map((p) => p.createReturned - p.createSent)),
      pods,
    };
  } finally {
    watch.stop();
  }
}

function podManifest(name: string, prefix: string, nodeName: string, image: string): V1Pod {
  return {
    metadata: { name, namespace: NAMESPACE, labels: { [RUN_LABEL]: prefix } },
    spec: {
      nodeName,
      // 1 s instead of the default 30 s: the benchmark measures the machinery, not the grace.
      // Both agents raise it to the kubelet's minimum of 2 s, and `sleep` as PID 1 ignores
      // SIGTERM, so every pod's removal still waits 2 s for SIGKILL.
      terminationGracePeriodSeconds: 1,
      containers: [{ name: "sleep", image, imagePullPolicy: "IfNotPresent", command: ["sleep", "3600"] }],
    },
  };
}

/** Deletes whatever pods of the run are left, at once and without grace, and waits until none is. */
export async function forceDeleteRun(core: CoreV1Api, prefix: string, timeoutMs = 60_000): Promise<void> {
  const selector = `${RUN_LABEL}=${prefix}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { items } = await core.listNamespacedPod({ namespace: NAMESPACE, labelSelector: selector });
    if (items.length === 0) return;
    if (Date.now() > deadline) throw new Error(`${items.length} pods of ${prefix} still exist after ${timeoutMs} ms`);
    await core.deleteCollectionNamespacedPod({ namespace: NAMESPACE, labelSelector: selector, gracePeriodSeconds: 0 });
    await sleep(500);
  }
}

async function waitFor(done: () => boolean, opts: { timeoutMs: number; signal: AbortSignal }, what: () => string): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  while (!done()) {
    if (opts.signal.aborted) throw new Error(`interrupted; ${what()}`);
    if (Date.now() > deadline) throw new Error(`timed out after ${opts.timeoutMs} ms; ${what()}`);
    await sleep(20);
  }
}

/** How far the run got, for a timeout message: counts, and the phase/reason of one laggard. */
function describe(watch: PodWatch, names: readonly string[], lagging: (name: string) => boolean): string {
  const laggard = names.find(lagging);
  const pod = laggard === undefined ? undefined : watch.lastSeen.get(laggard);
  const waiting = pod?.status?.containerStatuses?.[0]?.state?.waiting;
  const detail = pod ? `${laggard ?? ""}: phase ${pod.status?.phase ?? "?"}${waiting ? ` (${waiting.reason ?? ""}: ${waiting.message ?? ""})` : ""}` : `${laggard ?? ""}: never seen`;
  return `${watch.running.size}/${names.length} Running, ${watch.gone.size}/${names.length} gone; e.g. ${detail}`;
}

function must(value: number | undefined): number {
  if (value === undefined) throw new Error("missing timestamp");
  return value;
}
