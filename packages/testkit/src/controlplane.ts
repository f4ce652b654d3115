import { request } from "node:https";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { TestCA, newKey, publicKeyOf, type CertPair } from "./certs.js";
import { writeKubeconfig } from "./kubeconfig.js";
import { freePort } from "./net.js";
import { testBinary } from "./paths.js";
import { ManagedProcess } from "./process.js";
import { makeTempDir, removeDir } from "./tempdir.js";

export interface ControlPlaneOptions {
  /** Also run kube-scheduler (pods without nodeName get placed). */
  scheduler?: boolean;
  /**
   * Also run kube-controller-manager (deployments, service-account tokens, node lifecycle).
   * With it, the ServiceAccount admission plugin is enabled as in a real cluster; without it,
   * nothing would create the `default` service accounts that plugin insists on, so it is off.
   */
  controllerManager?: boolean;
  /** Extra kube-controller-manager flags, e.g. ["--node-monitor-grace-period=20s"]. */
  controllerManagerArgs?: readonly string[];
  /** Fixed API server port; default: a free one. */
  port?: number;
  /** Directory for certs, etcd data and logs; default: a temp dir removed on stop. */
  dir?: string;
}

export interface ControlPlane {
  /** https://127.0.0.1:<port> */
  readonly server: string;
  /** Admin kubeconfig (system:masters). */
  readonly kubeconfig: string;
  readonly dir: string;
  readonly ca: CertPair;
  /** A client cert the API server uses towards nodes (kubelet-client), for node APIs. */
  readonly apiserverKubeletClient: CertPair;
  /**
   * A serving cert for a node's HTTPS API (node-api) on 127.0.0.1, signed by `ca`: the API server
   * checks node certificates against `ca` (--kubelet-certificate-authority).
   */
  readonly nodeServing: CertPair;
  /** Stops and starts kube-apiserver only (etcd keeps the data): watch-recovery tests. */
  restartApiServer(): Promise<void>;
  stop(): Promise<void>;
}

const SERVICE_CIDR = "10.0.0.0/24";

/** etcd + kube-apiserver (+ scheduler, controller-manager) on loopback, with generated certs. */
export async function startControlPlane(opts: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const ownDir = opts.dir === undefined;
  const dir = opts.dir ?? makeTempDir("controlplane");
  const started: ManagedProcess[] = [];
  try {
    const pki = await makePki(dir);
    const etcd = await startEtcd(dir);
    started.push(etcd.process);
    const port = opts.port ?? (await freePort());
    const server = `https://127.0.0.1:${port}`;
    const kubeconfig = join(dir, "admin.kubeconfig");
    writeKubeconfig(kubeconfig, {
      server, caFile: pki.ca.cert, certFile: pki.admin.cert, keyFile: pki.admin.key, user: "natslet-admin",
    });

    const apiserverArgs = [
      `--etcd-servers=${etcd.url}`,
      "--bind-address=127.0.0.1",
      "--advertise-address=127.0.0.1",
      `--secure-port=${port}`,
      `--tls-cert-file=${pki.serving.cert}`,
      `--tls-private-key-file=${pki.serving.key}`,
      `--client-ca-file=${pki.ca.cert}`,
      `--kubelet-client-certificate=${pki.kubeletClient.cert}`,
      `--kubelet-client-key=${pki.kubeletClient.key}`,
      `--kubelet-certificate-authority=${pki.ca.cert}`,
      // Nodes here are reached on their InternalIP (127.0.0.1); their Hostname does not resolve.
      "--kubelet-preferred-address-types=InternalIP,Hostname",
      "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
      `--service-account-key-file=${pki.serviceAccountPub}`,
      `--service-account-signing-key-file=${pki.serviceAccountKey}`,
      `--service-cluster-ip-range=${SERVICE_CIDR}`,
      "--authorization-mode=Node,RBAC",
      "--allow-privileged=true",
      // Loopback is not a valid Endpoints address; nothing here needs the `kubernetes` Service.
      "--endpoint-reconciler-type=none",
      "--profiling=false",
      ...(opts.controllerManager ? [] : ["--disable-admission-plugins=ServiceAccount"]),
    ];
    const apiserverLog = join(dir, "kube-apiserver.log");
    const startApiServer = async (): Promise<ManagedProcess> => {
      const proc = ManagedProcess.start("kube-apiserver", testBinary("kube-apiserver"), apiserverArgs, {
        logFile: apiserverLog,
      });
      await proc.waitUntil(() => isReady(server, pki), "/readyz", 120_000);
      return proc;
    };
    let apiserver = await startApiServer();
    started.push(apiserver);

    const common = [`--kubeconfig=${kubeconfig}`, "--leader-elect=false", "--secure-port=0"];
    if (opts.scheduler) {
      started.push(
        ManagedProcess.start("kube-scheduler", testBinary("kube-scheduler"), common, {
          logFile: join(dir, "kube-scheduler.log"),
        }),
      );
    }
    if (opts.controllerManager) {
      const args = [
        ...common,
        `--service-account-private-key-file=${pki.serviceAccountKey}`,
        `--root-ca-file=${pki.ca.cert}`,
        `--cluster-signing-cert-file=${pki.ca.cert}`,
        `--cluster-signing-key-file=${pki.ca.key}`,
        "--use-service-account-credentials=true",
        ...(opts.controllerManagerArgs ?? []),
      ];
      started.push(
        ManagedProcess.start("kube-controller-manager", testBinary("kube-controller-manager"), args, {
          logFile: join(dir, "kube-controller-manager.log"),
        }),
      );
    }

    return {
      server,
      kubeconfig,
      dir,
      ca: pki.ca,
      apiserverKubeletClient: pki.kubeletClient,
      nodeServing: pki.nodeServing,
      async restartApiServer() {
        await apiserver.stop();
        const i = started.indexOf(apiserver);
        apiserver = await startApiServer();
        started[i] = apiserver;
      },
      async stop() {
        await stopAll(started);
        if (ownDir) await removeDir(dir);
      },
    };
  } catch (err) {
    await stopAll(started);
    if (ownDir) await removeDir(dir);
    throw err;
  }
}

/** Stops in reverse start order: controllers before the API server before etcd. */
async function stopAll(procs: readonly ManagedProcess[]): Promise<void> {
  for (const p of [...procs].reverse()) await p.stop();
}

interface Pki {
  ca: TestCA;
  serving: CertPair;
  admin: CertPair;
  kubeletClient: CertPair;
  nodeServing: CertPair;
  serviceAccountKey: string;
  serviceAccountPub: string;
}

async function makePki(dir: string): Promise<Pki> {
  const ca = await TestCA.create(dir);
  const serving = await ca.issue({
    name: "kube-apiserver",
    commonName: "kube-apiserver",
    usage: "server",
    altNames: [
      "IP:127.0.0.1", "DNS:localhost", "IP:10.0.0.1",
      "DNS:kubernetes", "DNS:kubernetes.default", "DNS:kubernetes.default.svc",
      "DNS:kubernetes.default.svc.cluster.local",
    ],
  });
  const admin = await ca.issue({
    name: "admin", commonName: "natslet-admin", organization: "system:masters", usage: "client",
  });
  const kubeletClient = await ca.issue({
    name: "apiserver-kubelet-client", commonName: "kube-apiserver-kubelet-client",
    organization: "system:masters", usage: "client",
  });
  const nodeServing = await ca.issue({
    name: "node-serving", commonName: "system:node:natslet", organization: "system:nodes", usage: "server",
    altNames: ["IP:127.0.0.1", "DNS:localhost"],
  });
  const serviceAccountKey = join(dir, "sa.key");
  const serviceAccountPub = join(dir, "sa.pub");
  await newKey(serviceAccountKey);
  await publicKeyOf(serviceAccountKey, serviceAccountPub);
  return { ca, serving, admin, kubeletClient, nodeServing, serviceAccountKey, serviceAccountPub };
}

async function startEtcd(dir: string): Promise<{ url: string; process: ManagedProcess }> {
  const clientPort = await freePort();
  const peerPort = await freePort();
  const url = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  const proc = ManagedProcess.start(
    "etcd",
    testBinary("etcd"),
    [
      "--name=natslet-test",
      `--data-dir=${join(dir, "etcd")}`,
      `--listen-client-urls=${url}`,
      `--advertise-client-urls=${url}`,
      `--listen-peer-urls=${peer}`,
      `--initial-advertise-peer-urls=${peer}`,
      `--initial-cluster=natslet-test=${peer}`,
      // Test data is thrown away; fsync only costs time on a 2-core machine.
      "--unsafe-no-fsync",
      "--log-level=warn",
    ],
    { logFile: join(dir, "etcd.log") },
  );
  await proc.waitUntil(async () => {
    const res = await fetch(`${url}/health`);
    return res.ok && ((await res.json()) as { health?: string }).health === "true";
  }, "/health");
  return { url, process: proc };
}

/** GET /readyz with the admin client cert. */
function isReady(server: string, pki: Pki): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${server}/readyz`,
      {
        ca: readFileSync(pki.ca.cert),
        cert: readFileSync(pki.admin.cert),
        key: readFileSync(pki.admin.key),
        timeout: 2000,
      },
      (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      },
    );
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", reject);
    req.end();
  });
}
