// The volume-manager: the only writer under pods' volume dirs on this node. Reads the desired
// pods from the pod stream (set up eagerly, tear down on the tombstone, remove orphans after a
// restart), answers the sync-loop's Setup/Teardown, and re-reads set-up pods periodically so
// ConfigMap/Secret/token changes reach running pods atomically.
import { execFile } from "node:child_process";
import { cpus, totalmem } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import type { KubeConfig } from "@kubernetes/client-node";
import type { NatsConnection, Subscription } from "@nats-io/transport-node";
import { encodeJson, ensureStreams, EventPublisher, headersWithTrace, RuntimeClient, serve, watchLatest, withEntryContext } from "@natslet/bus";
import {
  NatsletError, podMessageSchema, podUidOf, queues, streams, subjects, volumeMethods, volumeSchema, type EvictionMessage,
  type Pod, type VolumeSetupReply,
} from "@natslet/contracts";
import { KeyedLock, parseBytes } from "@natslet/core";
import type { Logger } from "@natslet/telemetry";
import { SpanStatusCode, trace } from "@opentelemetry/api";
import type { Registry } from "prom-client";
import { volumeMetrics } from "./metrics.js";
import { volumeDir } from "./paths.js";
import { PodVolumes, type SetupOutcome } from "./pod-volumes.js";
import { withRealPaths, type VolumeManagerSettings } from "./settings.js";
import { podSourceKeys } from "./source-refs.js";
import { SourceReader } from "./sources.js";

const exec = promisify(execFile);

export interface VolumeManager {
  readonly caughtUp: Promise<void>;
  apiHealthy(): boolean;
  stop(): Promise<void>;
}

interface KnownPod {
  pod: Pod;
  podIps: string[];
  /** Set up successfully at least once: the resync keeps its payloads current. */
  ready: boolean;
  /** Last failure message, and when it was recorded as an Event (one Event per minute per message). */
  lastFailure?: { message: string; at: number };
  overLimitReported: Set<string>;
}

/** Orphans (pod dirs of pods the stream does not have) are looked for again every this many resyncs. */
const ORPHAN_SCAN_EVERY_RESYNCS = 30;

export async function startVolumeManager(
  givenSettings: VolumeManagerSettings,
  deps: { nc: NatsConnection; kc: KubeConfig; log: Logger; registry: Registry; clock?: () => number },
): Promise<VolumeManager> {
  const { nc, log } = deps;
  // Real paths only from here on: mounts are compared against mountinfo, which has real paths.
  const settings = await withRealPaths(givenSettings);
  const clock = deps.clock ?? Date.now;
  const node = settings.nodeName;
  const metrics = volumeMetrics(deps.registry);
  await ensureStreams(nc);
  // A watched object's change re-reads the pods using it at once (resyncPods, below).
  let onSourceChange: (uids: string[]) => void = () => undefined;
  const sources = new SourceReader(deps.kc, clock, {
    onRead: (kind, source) => metrics.sourceReads.labels(kind, source).inc(),
    ...(settings.sourceStrategy === "watch"
      ? { watch: { log, onChange: (uids: string[]) => onSourceChange(uids), onWatchCount: (n: number) => metrics.sourceWatches.set(n) } }
      : {}),
  });
  const volumes = new PodVolumes({
    rootDir: settings.rootDir,
    sources,
    hostPathAllow: settings.hostPathAllow,
    downward: {
      hostIp: settings.nodeIp,
      nodeName: node,
      allocatable: { cpuMillis: cpus().length * 1000, memoryBytes: totalmem() },
    },
    onVolume: (type, result) => metrics.setups.labels(type, result).inc(),
  });
  const lock = new KeyedLock();
  const known = new Map<string, KnownPod>();
  /** No more resyncs for the pod: its entry goes, and with it its references (watches no other pod uses stop). */
  const forgetPod = (uid: string) => {
    known.delete(uid);
    sources.track(uid, []);
  };

  const events = new EventPublisher(nc, node);

  /**
   * `containers`: whose mounts (and subPath binds) to prepare; an empty set = the volumes only.
   * `stillWanted` is checked inside the pod's lock, right before the work: the eager setup and
   * the resync are queued behind a teardown of the same pod and must not bring its volumes
   * back once it ran (undefined = skipped).
   */
  const setup = (pod: Pod, podIps: string[], containers?: ReadonlySet<string>, stillWanted?: () => boolean): Promise<SetupOutcome | undefined> =>
    lock.run(pod.metadata.uid, async () => {
      const uid = pod.metadata.uid;
      if (stillWanted && !stillWanted()) return undefined;
      const entry = known.get(uid) ?? { pod, podIps, ready: false, overLimitReported: new Set<string>() };
      entry.pod = pod;
      if (podIps.length > 0) entry.podIps = podIps;
      known.set(uid, entry);
      // Referenced from the first attempt on: a pod waiting for a missing object is re-read
      // as soon as the watch sees it created.
      sources.track(uid, podSourceKeys(pod));
      const started = clock();
      let outcome: SetupOutcome;
      try {
        // A pod not set up yet confirms "not found" with a GET (see FetchOptions).
        outcome = await volumes.setup(pod, entry.podIps, containers, { confirmMissing: !entry.ready });
      } catch (err) {
        metrics.setupDuration.labels("error").observe((clock() - started) / 1000);
        throw err;
      }
      metrics.setupDuration.labels(outcome.kind).observe((clock() - started) / 1000);
      const fields = { pod_uid: uid, pod_namespace: pod.metadata.namespace, pod_name: pod.metadata.name };
      if (outcome.kind === "failed") {
        const last = entry.lastFailure;
        if (last?.message !== outcome.message || clock() - last.at > 60_000) {
          entry.lastFailure = { message: outcome.message, at: clock() };
          events.pod(pod.metadata, "Warning", outcome.reason, outcome.message);
          log.warn({ ...fields, volume: outcome.volume, reason: outcome.reason, message: outcome.message }, "volume setup failed");
        }
        return outcome;
      }
      delete entry.lastFailure;
      if (entry.ready && outcome.updated.length > 0) {
        metrics.liveUpdates.inc(outcome.updated.length);
        log.info({ ...fields, volumes: outcome.updated }, "volume contents updated");
      }
      if (!entry.ready) log.info({ ...fields, volumes: (pod.spec.volumes ?? []).length }, "volumes set up");
      entry.ready = true;
      return outcome;
    });

  type Cause = "deleted" | "terminal" | "orphan" | "request";
  const teardown = (uid: string, cause: Cause): Promise<boolean> =>
    lock.run(uid, async () => {
      // Forgotten first: a failed teardown must not be set up again by the resync (the orphan
      // scan retries it instead).
      forgetPod(uid);
      try {
        const removed = await volumes.teardown(uid);
        metrics.teardowns.labels(cause, "ok").inc();
        if (removed) log.info({ pod_uid: uid, cause }, "volumes torn down");
        return removed;
      } catch (err) {
        metrics.teardowns.labels(cause, "error").inc();
        throw err;
      }
    });

  let stopped = false;
  /**
   * Whether a container or sandbox of the pod still runs. A tombstone normally comes after the
   * sync-loop removed everything, but a force-deleted pod's tombstone arrives at once: its
   * emptyDir contents must not vanish under a running container. No answer (no runtime-adapter
   * listening, NATS no-responders, a timeout, CRI down) is "still running": not knowing is no
   * reason to pull volumes from under containers.
   */
  const runtime = new RuntimeClient(nc, node, { timeoutMs: 10_000 });
  const stillRunning = async (uid: string): Promise<boolean> => {
    try {
      const observed = await runtime.call("GetPod", { uid });
      return observed.containers.some((c) => c.state === "running") || observed.sandboxes.some((sb) => sb.state === "ready");
    } catch (err) {
      log.debug({ err, pod_uid: uid }, "cannot tell whether the pod still runs; treated as running");
      return true;
    }
  };
  /** Pods a teardownWhenStopped is running for (the periodic orphan scan must not start a second). */
  const tearingDown = new Set<string>();
  /**
   * Tears down once nothing of the pod runs any more (checked every 2 s, at most 5 min); a
   * failed teardown is retried in the same loop with a growing pause. Whatever is still on
   * disk after that is found again by the periodic orphan scan.
   */
  const teardownWhenStopped = async (uid: string, cause: "deleted" | "orphan" | "terminal"): Promise<void> => {
    if (tearingDown.has(uid)) return;
    tearingDown.add(uid);
    try {
      let pause = 2_000;
      for (let attempt = 0; attempt < 150 && !stopped; attempt++) {
        // The pod came back (same uid): keep its volumes. A terminal pod stays in the stream.
        if (cause !== "terminal" && (inStream.has(uid) || known.has(uid))) return;
        if (!(await stillRunning(uid))) {
          try {
            await teardown(uid, cause);
            return;
          } catch (err) {
            log.warn({ err, pod_uid: uid, cause, retry_in_ms: pause }, "volume teardown failed; will retry");
            await sleep(pause);
            pause = Math.min(pause * 2, 30_000);
            continue;
          }
        }
        await sleep(2_000);
      }
      if (!stopped) log.warn({ pod_uid: uid, cause }, "pod still runs (or its volumes could not be removed) after 5 min; kept for the orphan scan");
    } finally {
      tearingDown.delete(uid);
    }
  };

  const rpcError = (err: unknown, code: string, subject: string) => log.warn({ err, code, subject }, "volume request failed");
  const setupSub: Subscription = serve(
    nc,
    { subject: subjects.volumeRpc(node, "Setup"), queue: queues.volumeManager, request: volumeMethods.Setup.request, onError: rpcError },
    async (req): Promise<VolumeSetupReply> => {
      // The serve span is this request's: the pod, and a failed setup as an error in the trace.
      const span = trace.getActiveSpan();
      span?.setAttributes({ "k8s.pod.uid": req.pod.metadata.uid, "k8s.pod.name": req.pod.metadata.name, "k8s.namespace.name": req.pod.metadata.namespace });
      const outcome = await setup(req.pod, req.podIps ?? [], req.containers ? new Set(req.containers) : undefined);
      if (outcome === undefined) throw new Error("setup skipped"); // only guarded setups skip
      if (outcome.kind === "ready") return { kind: "ready", mounts: outcome.mounts };
      span?.setStatus({ code: SpanStatusCode.ERROR, message: `${outcome.reason}: ${outcome.message}` });
      return { kind: "failed", volume: outcome.volume, reason: outcome.reason, message: outcome.message, retryable: outcome.retryable };
    },
  );
  const teardownSub: Subscription = serve(
    nc,
    { subject: subjects.volumeRpc(node, "Teardown"), queue: queues.volumeManager, request: volumeMethods.Teardown.request, onError: rpcError },
    async (req) => {
      // Never from under a running container (nor when the runtime cannot tell).
      if (await stillRunning(req.uid)) throw new NatsletError("Conflict", `pod ${req.uid} still runs (or the runtime cannot tell): its volumes are kept`);
      return { removed: await teardown(req.uid, "request") };
    },
  );

  // Desired pods: set up eagerly (beside the image pulls), tear down on the tombstone — the
  // sync-loop publishes that only after every container and the sandbox are gone.
  const watch = await watchLatest(nc, streams.pods.name, subjects.podsOfNode(node), podMessageSchema, (subject, err) =>
    log.error({ err, subject }, "invalid pod message dropped"),
  );
  const failSoft = (what: string, uid: string) => (err: unknown) => log.warn({ err, pod_uid: uid }, `${what} failed; will retry`);
  /** Pods the stream has (not tombstoned): what orphan cleanup must keep. */
  const inStream = new Set<string>();
  /** Pods of the stream in a terminal phase: their volumes go and must not be set up again. */
  const terminal = new Set<string>();
  /** Whether the stream still wants the pod's volumes (checked inside the pod's lock). */
  const wanted = (uid: string) => () => inStream.has(uid) && !terminal.has(uid);
  const reading = (async () => {
    for await (const entry of watch.entries) {
      const uid = podUidOf(entry.subject);
      const message = entry.value;
      if (message.kind === "deleted") {
        inStream.delete(uid);
        terminal.delete(uid);
        forgetPod(uid); // no more resyncs: a resync queued meanwhile sees its entry gone
        withEntryContext(entry, () => void teardownWhenStopped(uid, "deleted").catch(failSoft("teardown", uid)));
        continue;
      }
      if (message.pod.metadata.uid !== uid) continue;
      inStream.add(uid);
      const phase = (message.pod.status as { phase?: unknown } | undefined)?.phase;
      if (phase === "Succeeded" || phase === "Failed") {
        // Terminal: no container of it starts again, so its volumes can go (kubelet does the
        // same) — once the ones still stopping have stopped.
        terminal.add(uid);
        forgetPod(uid);
        withEntryContext(entry, () => void teardownWhenStopped(uid, "terminal").catch(failSoft("teardown", uid)));
        continue;
      }
      if (message.pod.metadata.deletionTimestamp !== undefined) continue;
      if ((message.pod.spec.volumes ?? []).length === 0) continue;
      // Volumes only: subPaths are resolved when their container starts (the sync-loop asks then).
      withEntryContext(entry, () => void setup(message.pod, known.get(uid)?.podIps ?? [], new Set(), wanted(uid)).catch(failSoft("setup", uid)));
    }
  })();

  // Orphans: pod dirs of pods the stream no longer has (deleted while we were down, or a
  // teardown that failed or waited too long). Only once the whole desired state is known, or a
  // live pod would lose its volumes; then again every ORPHAN_SCAN_EVERY_RESYNCS resyncs.
  let caughtUp = false;
  const scanOrphans = async () => {
    for (const uid of await volumes.podsOnDisk()) {
      // Kept: wanted by the stream, set up by a Setup request (known), or being torn down.
      if ((inStream.has(uid) && !terminal.has(uid)) || known.has(uid) || tearingDown.has(uid)) continue;
      log.info({ pod_uid: uid }, "removing orphaned pod volumes");
      void teardownWhenStopped(uid, "orphan").catch(failSoft("orphan teardown", uid));
    }
  };
  void watch.caughtUp.then(async () => {
    caughtUp = true;
    await scanOrphans();
  });

  /**
   * Sets up the pod again, volumes only, through its lock like every setup. `guard` runs inside
   * the lock right before the work. Still the same entry there: a teardown queued before this
   * ran removed it (and a terminal or deleted pod is not set up again).
   */
  const resyncPod = (k: KnownPod, guard: () => void = () => undefined) => {
    const uid = k.pod.metadata.uid;
    const current = () => {
      guard();
      return known.get(uid) === k && !terminal.has(uid);
    };
    return setup(k.pod, k.podIps, new Set(), current).catch(failSoft("resync", uid));
  };

  // A watched ConfigMap/Secret changed: re-read the pods using it now, not at the next resync.
  // At most one such resync waits per pod: a burst of changes is read once, by the one that
  // runs after it (it reads the watch's latest).
  const changeResyncQueued = new Set<string>();
  onSourceChange = (uids) => {
    if (stopped) return;
    for (const uid of uids) {
      const k = known.get(uid);
      if (k === undefined || changeResyncQueued.has(uid)) continue;
      changeResyncQueued.add(uid);
      metrics.sourceChangeResyncs.inc();
      void resyncPod(k, () => changeResyncQueued.delete(uid)).finally(() => changeResyncQueued.delete(uid));
    }
  };

  // Resync: re-read every set-up pod (live updates, token renewal, emptyDir size limits).
  let resyncing = false;
  let resyncs = 0;
  const resync = async () => {
    if (resyncing) return;
    resyncing = true;
    try {
      await Promise.all(
        [...known.values()]
          .filter((k) => k.ready)
          .map(async (k) => {
            const outcome = await resyncPod(k);
            if (outcome !== undefined) await checkEmptyDirLimits(k).catch(failSoft("emptyDir usage check", k.pod.metadata.uid));
          }),
      );
      if (caughtUp && ++resyncs % ORPHAN_SCAN_EVERY_RESYNCS === 0) await scanOrphans().catch(failSoft("orphan scan", "*"));
    } finally {
      resyncing = false;
    }
  };
  const resyncTimer = setInterval(() => void resync(), settings.resyncMs);

  /**
   * A disk emptyDir above its sizeLimit gets the pod evicted, as the kubelet's eviction manager
   * does (localStorageEviction): the sync-loop stops it and fails it with reason Evicted. Asked
   * again at every check while it is over (a lost request, a sync-loop restart), logged once.
   */
  async function checkEmptyDirLimits(k: KnownPod): Promise<void> {
    for (const raw of k.pod.spec.volumes ?? []) {
      let volume;
      try {
        volume = volumeSchema(raw, "volume");
      } catch {
        continue;
      }
      const limit = volume.emptyDir?.sizeLimit;
      if (!volume.emptyDir || (volume.emptyDir.medium ?? "") !== "" || !limit) continue;
      const dir = volumeDir(settings.rootDir, k.pod.metadata.uid, "emptyDir", volume.name);
      const { stdout } = await exec("du", ["-sbx", dir]);
      const used = Number(stdout.split("\t")[0]);
      if (!(used > parseBytes(limit))) continue;
      metrics.emptyDirOverLimit.inc();
      const eviction: EvictionMessage = { uid: k.pod.metadata.uid, message: `Usage of EmptyDir volume "${volume.name}" exceeds the limit "${limit}". ` };
      nc.publish(subjects.evictions(node), encodeJson(eviction), { headers: headersWithTrace() });
      if (k.overLimitReported.has(volume.name)) continue;
      k.overLimitReported.add(volume.name);
      log.warn({ pod_uid: k.pod.metadata.uid, volume: volume.name, used, limit }, "emptyDir above its sizeLimit: eviction asked for");
    }
  }

  return {
    caughtUp: watch.caughtUp,
    apiHealthy: () => sources.healthy,
    async stop() {
      stopped = true;
      clearInterval(resyncTimer);
      setupSub.unsubscribe();
      teardownSub.unsubscribe();
      await watch.stop();
      await reading;
      await lock.settled();
      await sources.close();
    },
  };
}
