// The CRI ContainerConfig for CreateContainer. kubelet: kuberuntime generateContainerConfig
// and generateLinuxContainerConfig (kuberuntime_container.go, kuberuntime_container_linux.go).
import type { Container, Pod } from "@natslet/contracts";
import type { CriContainerConfig, CriKeyValue, CriMount } from "./cri-types.js";
import { expandCommand } from "./env.js";
import { containerAnnotations, containerLabels } from "./labels.js";
import { namespaceOptions } from "./namespaces.js";
import { linuxContainerResources, type LinuxResourcesOptions } from "./resources.js";

export interface ContainerConfigOptions extends LinuxResourcesOptions {
  /** CRI metadata.attempt = restart count. */
  attempt: number;
  /** The resolved image (digest or ID) from the image-manager; the pod's text goes in userSpecifiedImage. */
  imageRef: string;
  /** The resolved environment (resolveEnv); also what $(VAR) in command/args expands against. */
  envs: readonly CriKeyValue[];
  /** Volume mounts prepared by the volume-manager (host paths are its business, not core's). */
  mounts?: readonly CriMount[];
}

/** `<container>/<attempt>.log`, relative to the sandbox's logDirectory. kubelet: buildContainerLogsPath. */
export function containerLogPath(containerName: string, attempt: number): string {
  return `${containerName}/${attempt}.log`;
}

export function containerConfig(pod: Pod, container: Container, opts: ContainerConfigOptions): CriContainerConfig {
  const { command, args } = expandCommand(container, opts.envs);
  return {
    metadata: { name: container.name, attempt: opts.attempt },
    image: { image: opts.imageRef, userSpecifiedImage: container.image },
    command,
    args,
    workingDir: container.workingDir ?? "",
    envs: [...opts.envs],
    mounts: [...(opts.mounts ?? [])],
    labels: containerLabels(pod, container),
    annotations: containerAnnotations(pod, container, opts.attempt),
    logPath: containerLogPath(container.name, opts.attempt),
    stdin: container.stdin ?? false,
    stdinOnce: container.stdinOnce ?? false,
    tty: container.tty ?? false,
    linux: {
      resources: linuxContainerResources(pod, container, opts),
      securityContext: { namespaceOptions: namespaceOptions(pod) },
    },
  };
}
