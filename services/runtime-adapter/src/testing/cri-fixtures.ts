// CRI objects as containerd returns them (every field present, as proto-loader fills defaults),
// built from small patches. Test-only.
import { labelKeys } from "@natslet/core";
import type { Container, ContainerStatus, PodSandbox, PodSandboxStatus } from "@natslet/cri";
import { IMAGE_ANNOTATION } from "../observe-map.js";

export const UID = "0f5c7c7e-uid";
/** 2026-11-28T06:20:14.123456789Z in CRI nanoseconds. */
export const T0_NS = "1795933214123456789";
export const T0_MS = 1795933214123;

export function podLabels(uid = UID): Record<string, string> {
  return {
    app: "web",
    [labelKeys.podName]: "web",
    [labelKeys.podNamespace]: "default",
    [labelKeys.podUid]: uid,
    [labelKeys.managed]: "true",
  };
}

export function sandboxItem(patch: Partial<PodSandbox> = {}): PodSandbox {
  return {
    id: "sb-1",
    metadata: { name: "web", uid: UID, namespace: "default", attempt: 0 },
    state: "SANDBOX_READY",
    createdAt: T0_NS,
    labels: podLabels(),
    annotations: {},
    runtimeHandler: "",
    ...patch,
  };
}

export function sandboxStatus(patch: Partial<PodSandboxStatus> = {}): PodSandboxStatus {
  return {
    id: "sb-1",
    metadata: { name: "web", uid: UID, namespace: "default", attempt: 0 },
    state: "SANDBOX_READY",
    createdAt: T0_NS,
    network: { ip: "10.88.0.7", additionalIps: [] },
    linux: { namespaces: { options: { network: "POD", pid: "CONTAINER", ipc: "POD", targetId: "", usernsOptions: null } } },
    labels: podLabels(),
    annotations: {},
    runtimeHandler: "",
    ...patch,
  };
}

export function containerLabels(name = "app", uid = UID): Record<string, string> {
  return {
    [labelKeys.containerName]: name,
    [labelKeys.podName]: "web",
    [labelKeys.podNamespace]: "default",
    [labelKeys.podUid]: uid,
    [labelKeys.managed]: "true",
  };
}

export function containerItem(patch: Partial<Container> = {}): Container {
  return {
    id: "c-1",
    podSandboxId: "sb-1",
    metadata: { name: "app", attempt: 0 },
    image: { image: "sha256:abc", annotations: {}, userSpecifiedImage: "", runtimeHandler: "" },
    imageRef: "sha256:abc",
    state: "CONTAINER_RUNNING",
    createdAt: T0_NS,
    labels: containerLabels(),
    annotations: { [labelKeys.containerHash]: "1234abcd", [IMAGE_ANNOTATION]: "localhost/busybox:1" },
    imageId: "sha256:abc",
    ...patch,
  };
}

export function containerStatus(patch: Partial<ContainerStatus> = {}): ContainerStatus {
  return {
    id: "c-1",
    metadata: { name: "app", attempt: 0 },
    state: "CONTAINER_RUNNING",
    createdAt: T0_NS,
    startedAt: "1795933215000000000",
    finishedAt: "0",
    exitCode: 0,
    image: { image: "sha256:abc", annotations: {}, userSpecifiedImage: "", runtimeHandler: "" },
    imageRef: "sha256:abc",
    reason: "",
    message: "",
    labels: containerLabels(),
    annotations: { [labelKeys.containerHash]: "1234abcd", [IMAGE_ANNOTATION]: "localhost/busybox:1" },
    mounts: [],
    logPath: "/var/log/pods/default_web_uid/app/0.log",
    resources: null,
    imageId: "sha256:abc",
    user: null,
    stopSignal: "RUNTIME_DEFAULT",
    ...patch,
  };
}
