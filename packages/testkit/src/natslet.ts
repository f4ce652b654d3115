// Runs natslet's services as real processes (compiled services/<name>/dist/main.js), the way
// `make run` and the end-to-end tests need them: each one killable and restartable on its own.
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { CertPair } from "./certs.js";
import { freePort } from "./net.js";
import { PAUSE_IMAGE } from "./images.js";
import { repoRoot } from "./paths.js";
import { unmountBelow } from "./mounts.js";
import { ManagedProcess } from "./process.js";

export const NATSLET_SERVICES = ["runtime-adapter", "node-status-manager", "watcher", "volume-manager", "image-manager", "sync-loop", "status-manager", "node-api"] as const;
export type NatsletService = (typeof NATSLET_SERVICES)[number];

export interface NatsletOptions {
  natsUrl: string;
  kubeconfig: string;
  criEndpoint: string;
  nodeName: string;
  /** Logs, pod logs and the runtime-adapter's root dir go here. */
  dir: string;
  /** Which services to run; default all. */
  services?: readonly NatsletService[];
  /** Extra environment for every service (e.g. LOG_LEVEL, NATSLET_RESYNC_MS). */
  env?: Record<string, string>;
}

export interface Natslet {
  readonly podLogsDir: string;
  /** The services started, in start order. */
  readonly services: readonly NatsletService[];
  process(name: NatsletService): ManagedProcess;
  /** The port of the service's /healthz, /readyz and /metrics. */
  healthPort(name: NatsletService): number;
  /** SIGKILL, as in a crash. */
  kill(name: NatsletService): Promise<void>;
  start(name: NatsletService): Promise<void>;
  stop(): Promise<void>;
}

export async function startNatslet(opts: NatsletOptions): Promise<Natslet> {
  const podLogsDir = join(opts.dir, "pod-logs");
  const rootDir = join(opts.dir, "root");
  mkdirSync(podLogsDir, { recursive: true });
  mkdirSync(rootDir, { recursive: true });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NATS_URL: opts.natsUrl,
    KUBECONFIG: opts.kubeconfig,
    CONTAINER_RUNTIME_ENDPOINT: opts.criEndpoint,
    NATSLET_NODE_NAME: opts.nodeName,
    NATSLET_POD_LOGS_DIR: podLogsDir,
    NATSLET_ROOT_DIR: rootDir,
    NATSLET_HEALTH_PORT: "0",
    // The sandbox image, which image GC must never remove (the kubelet pins it too).
    NATSLET_PINNED_IMAGES: PAUSE_IMAGE,
    // The node-api's HTTPS port, which node-status-manager advertises: free, not 10250, so
    // several test nodes run side by side.
    NATSLET_NODE_API_PORT: String(await freePort()),
    ...opts.env,
  };
  const procs = new Map<NatsletService, { proc: ManagedProcess; port: number }>();

  const start = async (name: NatsletService): Promise<void> => {
    const main = join(repoRoot, "services", name, "dist", "main.js");
    if (!existsSync(main)) throw new Error(`${main} missing: build first (pnpm build)`);
    const logFile = join(opts.dir, `${name}.log`);
    const offset = existsSync(logFile) ? readFileSync(logFile).length : 0;
    const proc = ManagedProcess.start(name, process.execPath, [main], { logFile, env });
    let port = 0;
    await proc.waitUntil(() => {
      port = readyPort(logFile, offset) ?? 0;
      return Promise.resolve(port > 0);
    }, "its ready log line");
    procs.set(name, { proc, port });
  };

  const entry = (name: NatsletService) => {
    const e = procs.get(name);
    if (!e) throw new Error(`${name} is not running`);
    return e;
  };

  try {
    for (const name of opts.services ?? NATSLET_SERVICES) await start(name);
  } catch (err) {
    for (const { proc } of procs.values()) await proc.stop();
    throw err;
  }
  return {
    podLogsDir,
    get services() {
      return [...procs.keys()];
    },
    process: (name) => entry(name).proc,
    healthPort: (name) => entry(name).port,
    kill: (name) => entry(name).proc.kill(),
    start,
    async stop() {
      // Reverse start order: the producers of work stop before those that do it.
      for (const name of [...procs.keys()].reverse()) await procs.get(name)?.proc.stop();
      // A volume-manager stopped before it tore a pod's volumes down leaves tmpfs mounts
      // (secrets, tokens) and subPath binds under the root dir: nothing may outlive the test.
      await unmountBelow(rootDir);
    },
  };
}

/** The health port from a service's `"msg":"ready"` pino line written after `offset`. */
function readyPort(logFile: string, offset: number): number | undefined {
  const text = readFileSync(logFile).subarray(offset).toString("utf8");
  for (const line of text.split("\n")) {
    if (!line.includes('"msg":"ready"')) continue;
    try {
      const parsed = JSON.parse(line) as { healthPort?: unknown };
      if (typeof parsed.healthPort === "number") return parsed.healthPort;
    } catch {
      // a partial line: read again
    }
  }
  return undefined;
}

/**
 * The node-api settings that let a test control plane reach and authenticate to it: its serving
 * cert signed by the control plane's CA (the API server verifies it), and that CA as the client CA
 * (the API server's kubelet-client cert authenticates).
 */
export function nodeApiEnv(cp: { ca: CertPair; nodeServing: CertPair }): Record<string, string> {
  return {
    NATSLET_NODE_API_CLIENT_CA: cp.ca.cert,
    NATSLET_NODE_API_TLS_CERT: cp.nodeServing.cert,
    NATSLET_NODE_API_TLS_KEY: cp.nodeServing.key,
  };
}
