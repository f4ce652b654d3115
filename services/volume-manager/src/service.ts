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
import { encodeJson, ensureStreams, headersWithTrace, request, serve, watchLatest, withEntryContext } from "@natslet/bus";
import {
  hasErrorCode, podMessageSchema, podUidOf, queues, runtimeMethods, streams, subjects, volumeMethods, volumeSchema, type EventMessage, type Pod,
  type VolumeSetupReply,
} from "@natslet/contracts";
import { parseBytes } from "@natslet/core";
import type { Logger } from "@natslet/telemetry";
import { SpanStatusCode, trace } from "@opentelemetry/api";
import type { Registry } from "prom-client";
import { KeyLock } from "./key-lock.js";
import { volumeMetrics } from "./metrics.js";
import { volumeDir } from "./paths.js";
import { PodVolumes, type SetupOutcome } from "./pod-volumes.js";
import type { VolumeManagerSettings } from "./settings.js";
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

export async function startVolumeManager(
  settings: VolumeManagerSettings,
  deps: { nc: NatsConnection; kc: KubeConfig; log: Logger; registry: Registry; clock?: () => number },
): Promise<VolumeManager> {
  const { nc, log } = deps;
  const clock = deps.clock ?? Date.now;
  const node = settings.nodeName;
  const metrics = volumeMetrics(deps.registry);
  await ensureStreams(nc);
  const sources = new SourceReader(deps.kc, clock);
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
  const lock = new KeyLock();
  const known = new Map<string, KnownPod>();

  const event = (pod: Pod, type: EventMessage["type"], reason: string, message: string): void => {
    const msg: EventMessage = {
      type,
      reason,
      message,
      involved: { kind: "Pod", namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid },
    };
    nc.publish(subjects.events(node), encodeJson(msg), { headers: headersWithTrace() });
  };

  /** `containers`: whose mounts (and subPath binds) to prepare; an empty set = the volumes only. */
  const setup = (pod: Pod, podIps: string[], containers?: ReadonlySet<string>): Promise<SetupOutcome> =>
    lock.run(pod.metadata.uid, async () => {
      const uid = pod.metadata.uid;
      const entry = known.get(uid) ?? { pod, podIps, ready: false, overLimitReported: new Set<string>() };
      entry.pod = pod;
      if (podIps.length > 0) entry.podIps = podIps;
      known.set(uid, entry);
      const started = clock();
      let outcome: SetupOutcome;
      try {
        outcome = await volumes.setup(pod, entry.podIps, containers);
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
          event(pod, "Warning", outcome.reason, outcome.message);
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

  const teardown = (uid: string, cause: "deleted" | "terminal" | "orphan" | "request"): Promise<boolean> =>
    lock.run(uid, async () => {
      try {
        const removed = await volumes.teardown(uid);
        known.delete(uid);
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
   * emptyDir contents must not vanish under a running container. No runtime-adapter answering
   * reads as "nothing runs" (a restarted node, or a test without a runtime).
   */
  const stillRunning = async (uid: string): Promise<boolean> => {
    try {
      const observed = await request(nc, subjects.runtimeRpc(node, "GetPod"), { uid }, runtimeMethods.GetPod.reply, { timeoutMs: 10_000 });
      return observed.containers.some((c) => c.state === "running") || observed.sandboxes.some((sb) => sb.state === "ready");
    } catch (err) {
      if (hasErrorCode(err, "Unavailable")) return false;
      throw err;
    }
  };
  /** Tears down once nothing of the pod runs any more (checked every 2 s, at most 5 min). */
  const teardownWhenStopped = async (uid: string, cause: "deleted" | "orphan"): Promise<void> => {
    for (let attempt = 0; attempt < 150 && !stopped; attempt++) {
      if (inStream.has(uid)) return; // the pod came back (same uid): keep its volumes
      if (!(await stillRunning(uid).catch(() => true))) {
        await teardown(uid, cause);
        return;
      }
      await sleep(2_000);
    }
    if (!stopped) log.warn({ pod_uid: uid, cause }, "pod still runs after 5 min; its volumes are kept");
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
      if (outcome.kind === "ready") return { kind: "ready", mounts: outcome.mounts };
      span?.setStatus({ code: SpanStatusCode.ERROR, message: `${outcome.reason}: ${outcome.message}` });
      return { kind: "failed", volume: outcome.volume, reason: outcome.reason, message: outcome.message, retryable: outcome.retryable };
    },
  );
  const teardownSub: Subscription = serve(
    nc,
    { subject: subjects.volumeRpc(node, "Teardown"), queue: queues.volumeManager, request: volumeMethods.Teardown.request, onError: rpcError },
    async (req) => ({ removed: await teardown(req.uid, "request") }),
  );

  // Desired pods: set up eagerly (beside the image pulls), tear down on the tombstone — the
  // sync-loop publishes that only after every container and the sandbox are gone.
  const watch = await watchLatest(nc, streams.pods.name, subjects.podsOfNode(node), podMessageSchema, (subject, err) =>
    log.error({ err, subject }, "invalid pod message dropped"),
  );
  const failSoft = (what: string, uid: string) => (err: unknown) => log.warn({ err, pod_uid: uid }, `${what} failed; will retry`);
  /** Pods the stream has (not tombstoned): what orphan cleanup must keep. */
  const inStream = new Set<string>();
  const reading = (async () => {
    for await (const entry of watch.entries) {
      const uid = podUidOf(entry.subject);
      const message = entry.value;
      if (message.kind === "deleted") {
        inStream.delete(uid);
        withEntryContext(entry, () => void teardownWhenStopped(uid, "deleted").catch(failSoft("teardown", uid)));
        continue;
      }
      if (message.pod.metadata.uid !== uid) continue;
      inStream.add(uid);
      const phase = (message.pod.status as { phase?: unknown } | undefined)?.phase;
      if (phase === "Succeeded" || phase === "Failed") {
        // Terminal: no container of it runs again, so its volumes can go (kubelet does the same).
        withEntryContext(entry, () => void teardown(uid, "terminal").catch(failSoft("teardown", uid)));
        continue;
      }
      if (message.pod.metadata.deletionTimestamp !== undefined) continue;
      if ((message.pod.spec.volumes ?? []).length === 0) continue;
      // Volumes only: subPaths are resolved when their container starts (the sync-loop asks then).
      withEntryContext(entry, () => void setup(message.pod, known.get(uid)?.podIps ?? [], new Set()).catch(failSoft("setup", uid)));
    }
  })();

  // Orphans: pod dirs of pods the stream no longer has (deleted while we were down). Only once
  // the whole desired state is known, or a live pod would lose its volumes.
  void watch.caughtUp.then(async () => {
    for (const uid of await volumes.podsOnDisk()) {
      if (inStream.has(uid)) continue;
      log.info({ pod_uid: uid }, "removing orphaned pod volumes");
      void teardownWhenStopped(uid, "orphan").catch(failSoft("orphan teardown", uid));
    }
  });

  // Resync: re-read every set-up pod (live updates, token renewal, emptyDir size limits).
  let resyncing = false;
  const resync = async () => {
    if (resyncing) return;
    resyncing = true;
    try {
      await Promise.all(
        [...known.values()]
          .filter((k) => k.ready)
          .map(async (k) => {
            const uid = k.pod.metadata.uid;
            await setup(k.pod, k.podIps, new Set()).catch(failSoft("resync", uid));
            await checkEmptyDirLimits(k).catch(failSoft("emptyDir usage check", uid));
          }),
      );
    } finally {
      resyncing = false;
    }
  };
  const resyncTimer = setInterval(() => void resync(), settings.resyncMs);

  /** A disk emptyDir above its sizeLimit: the kubelet's eviction message as a Warning Event (eviction itself is not done). */
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
      const { stdout } = await exec("du", ["-sb", dir]);
      const used = Number(stdout.split("\t")[0]);
      if (!(used > parseBytes(limit))) continue;
      metrics.emptyDirOverLimit.inc();
      if (k.overLimitReported.has(volume.name)) continue;
      k.overLimitReported.add(volume.name);
      event(k.pod, "Warning", "EmptyDirSizeLimitExceeded", `Usage of EmptyDir volume "${volume.name}" exceeds the limit "${limit}". `);
      log.warn({ pod_uid: k.pod.metadata.uid, volume: volume.name, used, limit }, "emptyDir above its sizeLimit");
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
    },
  };
}
