// The real kubelet (Kubernetes 1.35, built by tools/testenv) on the same containerd and API
// server, as the reference natslet is compared with. What it needs on this host (cgroup v1
// hybrid, no systemd, no CAP_SYS_RESOURCE, no swap) is in kubeletConfig(); everything it
// leaves on the host is removed by stop(): mounts below its root dir, its pod cgroups,
// /var/lib/kubelet (device-plugins is a fixed path), and its /var/log/containers symlinks.
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync, rmdirSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { CoreV1Api } from "@kubernetes/client-node";
import { freePort, ManagedProcess, testBinary, unmountBelow, type CertPair } from "@natslet/testkit";
import { fetchText, KUBELET_CRI_HISTOGRAM, parseHistogram, type CriCalls } from "./metrics.js";

export interface KubeletOptions {
  core: CoreV1Api;
  kubeconfig: string;
  criEndpoint: string;
  /** The API server's CA: the kubelet trusts it for client certs (the API server's log/exec calls). */
  clientCaFile: string;
  /** A client cert of that CA, to read the kubelet's /metrics. */
  clientCert: CertPair;
  nodeName: string;
  dir: string;
  /** KubeletConfiguration serializeImagePulls (the kubelet's own default is true); false unless given. */
  serializeImagePulls?: boolean;
}

export interface Kubelet {
  readonly pid: number | undefined;
  readonly args: readonly string[];
  readonly config: string;
  /** Its CRI call histogram (kubelet_runtime_operations_duration_seconds), cumulative. */
  readonly criCalls: () => Promise<CriCalls>;
  /** Stops the kubelet, lets `emptyRuntime` remove its pods' sandboxes, then cleans the host. */
  stop(emptyRuntime: () => Promise<unknown>): Promise<void>;
}

const CGROUP_ROOT = "/sys/fs/cgroup";
const VAR_LIB_KUBELET = "/var/lib/kubelet";
const CONTAINER_LOG_LINKS = "/var/log/containers";

export function kubeletConfig(opts: { criEndpoint: string; clientCaFile: string; podLogsDir: string; port: number; healthzPort: number; serializeImagePulls?: boolean }): string {
  return `apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
# cgroup v1 host: 1.35 refuses to start on it unless told not to.
failCgroupV1: false
# No systemd here.
cgroupDriver: cgroupfs
containerRuntimeEndpoint: ${opts.criEndpoint}
# Local only: no anonymous access, no webhook (no TokenReview/SubjectAccessReview round trips).
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: false}
  x509: {clientCAFile: ${opts.clientCaFile}}
authorization: {mode: AlwaysAllow}
address: 127.0.0.1
port: ${opts.port}
healthzBindAddress: 127.0.0.1
healthzPort: ${opts.healthzPort}
readOnlyPort: 0
failSwapOn: false
registerNode: true
maxPods: 150
serializeImagePulls: ${String(opts.serializeImagePulls ?? false)}
# Its own log root instead of /var/log/pods (the /var/log/containers symlinks stay fixed).
podLogsDir: ${opts.podLogsDir}
# cgroupsPerQOS and enforceNodeAllocatable keep their defaults (true, [pods]): with the
# cgroupfs driver the kubelet creates /sys/fs/cgroup/<controller>/kubepods on this host fine.
`;
}

interface HostState {
  varLibKubelet: boolean;
  containerLogLinks: boolean;
  kubepods: boolean;
}

function hostState(): HostState {
  return {
    varLibKubelet: existsSync(VAR_LIB_KUBELET),
    containerLogLinks: existsSync(CONTAINER_LOG_LINKS),
    kubepods: cgroupControllers().some((c) => existsSync(join(CGROUP_ROOT, c, "kubepods"))),
  };
}

export async function startKubelet(opts: KubeletOptions): Promise<Kubelet> {
  const before = hostState();
  // A kubelet already ran here (another checkout's?): its cgroups and /var/lib/kubelet are
  // not ours to share or to remove.
  if (before.kubepods || before.varLibKubelet) {
    throw new Error(`host already has ${before.kubepods ? "kubepods cgroups" : VAR_LIB_KUBELET}: another kubelet ran here; not starting one beside it`);
  }
  const podLogsDir = join(opts.dir, "pod-logs");
  const configFile = join(opts.dir, "kubelet-config.yaml");
  const port = await freePort();
  const config = kubeletConfig({ criEndpoint: opts.criEndpoint, clientCaFile: opts.clientCaFile, podLogsDir, port, healthzPort: await freePort(), serializeImagePulls: opts.serializeImagePulls ?? false });
  writeFileSync(configFile, config);
  const args = [
    `--config=${configFile}`,
    `--kubeconfig=${opts.kubeconfig}`,
    `--root-dir=${join(opts.dir, "root")}`,
    // Its serving certificate: default /var/lib/kubelet/pki even with --root-dir.
    `--cert-dir=${join(opts.dir, "pki")}`,
    `--hostname-override=${opts.nodeName}`,
  ];
  const proc = ManagedProcess.start("kubelet", testBinary("kubelet"), args, { logFile: join(opts.dir, "kubelet.log") });

  const stop = async (emptyRuntime: () => Promise<unknown>): Promise<void> => {
    await proc.stop();
    await emptyRuntime();
    await unmountBelow(opts.dir);
    if (!before.kubepods) await removeKubepodsCgroups();
    if (!before.varLibKubelet) rmSync(VAR_LIB_KUBELET, { recursive: true, force: true });
    removeLogLinks(podLogsDir, !before.containerLogLinks);
  };
  try {
    await proc.waitUntil(() => nodeReady(opts.core, opts.nodeName), `node ${opts.nodeName} Ready`, 120_000);
  } catch (err) {
    await stop(() => Promise.resolve());
    throw err;
  }
  const tls = { cert: readFileSync(opts.clientCert.cert), key: readFileSync(opts.clientCert.key) };
  const criCalls = async () => parseHistogram(await fetchText(`https://127.0.0.1:${port}/metrics`, tls), KUBELET_CRI_HISTOGRAM);
  return { pid: proc.pid, args, config, criCalls, stop };
}

async function nodeReady(core: CoreV1Api, name: string): Promise<boolean> {
  try {
    const node = await core.readNode({ name });
    return node.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
  } catch {
    return false; // not registered yet
  }
}

function cgroupControllers(): string[] {
  try {
    return readdirSync(CGROUP_ROOT);
  } catch {
    return [];
  }
}

/** Depth-first rmdir of every kubepods tree; a cgroup empties a moment after its last process exits. */
async function removeKubepodsCgroups(): Promise<void> {
  for (const controller of cgroupControllers()) {
    const root = join(CGROUP_ROOT, controller, "kubepods");
    if (!existsSync(root)) continue;
    for (let attempt = 0; ; attempt++) {
      try {
        rmdirTree(root);
        break;
      } catch (err) {
        if (attempt >= 20) throw new Error(`could not remove ${root}: ${String(err)}`);
        await sleep(250);
      }
    }
  }
}

function rmdirTree(dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) rmdirTree(join(dir, entry.name));
  }
  rmdirSync(dir);
}

/** Symlinks in /var/log/containers that point into this kubelet's pod log dir. */
function removeLogLinks(podLogsDir: string, removeDirIfEmpty: boolean): void {
  if (!existsSync(CONTAINER_LOG_LINKS)) return;
  for (const name of readdirSync(CONTAINER_LOG_LINKS)) {
    const path = join(CONTAINER_LOG_LINKS, name);
    try {
      if (lstatSync(path).isSymbolicLink() && readlinkSync(path).startsWith(`${podLogsDir}/`)) unlinkSync(path);
    } catch {
      // gone meanwhile
    }
  }
  if (removeDirIfEmpty && readdirSync(CONTAINER_LOG_LINKS).length === 0) rmdirSync(CONTAINER_LOG_LINKS);
}
