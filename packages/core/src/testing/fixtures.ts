// Test fixtures: one base pod and one observed state matching it, to be changed by small mutate
// functions per case — the shape of the kubelet's TestComputePodActions. Not exported by index.ts.
import type { Container, ObservedContainer, ObservedPod, ObservedSandbox, Pod } from "@natslet/contracts";
import { containerSpecHash } from "../hash.js";

/** A fixed "now" for every test: 2026-11-28T06:20:14Z. */
export const NOW = Date.parse("2026-11-28T06:20:14Z");
export const SECOND = 1000;

export const UID = "8a0f9c1e-uid";

/** Pod "web" in "default" with containers app and helper, restartPolicy Always, no resources. */
export function basePod(): Pod {
  return {
    metadata: { uid: UID, name: "web", namespace: "default", labels: { app: "web" } },
    spec: {
      nodeName: "node-1",
      restartPolicy: "Always",
      containers: [
        { name: "app", image: "nginx:1.27", ports: [{ containerPort: 80, protocol: "TCP" }] },
        { name: "helper", image: "busybox:1.36", command: ["sleep", "3600"] },
      ],
    },
  };
}

/** The base pod as the runtime shows it when all is well: one ready sandbox, both containers running. */
export function baseObserved(pod: Pod = basePod()): ObservedPod {
  return {
    uid: pod.metadata.uid,
    name: pod.metadata.name,
    namespace: pod.metadata.namespace,
    sandboxes: [sandbox("sb-0", 0)],
    containers: pod.spec.containers.map((c, i) => running(pod, c.name, { id: `${c.name}-0`, createdAt: NOW - 100 * SECOND + i })),
  };
}

export function sandbox(id: string, attempt: number, patch: Partial<ObservedSandbox> = {}): ObservedSandbox {
  return { id, attempt, state: "ready", createdAt: NOW - 200 * SECOND + attempt, ip: "10.88.0.5", ...patch };
}

/** A running container of `pod` named `name` (spec hash of its current spec). */
export function running(pod: Pod, name: string, patch: Partial<ObservedContainer> = {}): ObservedContainer {
  const spec = findContainer(pod, name);
  return {
    id: `${name}-0`,
    name,
    sandboxId: "sb-0",
    attempt: 0,
    state: "running",
    createdAt: NOW - 100 * SECOND,
    startedAt: NOW - 99 * SECOND,
    image: spec.image,
    imageRef: `sha256:${name}`,
    specHash: containerSpecHash(spec),
    ...patch,
  };
}

/** The same container, exited with `exitCode` `ago` ms before NOW. */
export function exited(pod: Pod, name: string, exitCode: number, patch: Partial<ObservedContainer> = {}, ago = 5 * SECOND): ObservedContainer {
  return running(pod, name, { state: "exited", exitCode, finishedAt: NOW - ago, ...patch });
}

export function findContainer(pod: Pod, name: string): Container {
  const c = [...pod.spec.containers, ...(pod.spec.initContainers ?? [])].find((x) => x.name === name);
  if (c === undefined) throw new Error(`fixture: no container ${name}`);
  return c;
}

/** Replaces the observed containers named `name` with `replacement`. */
export function replaceContainers(observed: ObservedPod, name: string, ...replacement: ObservedContainer[]): void {
  observed.containers = [...observed.containers.filter((c) => c.name !== name), ...replacement];
}
