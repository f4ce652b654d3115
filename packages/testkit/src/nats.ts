import { join } from "node:path";
import { freePort } from "./net.js";
import { testBinary } from "./paths.js";
import { ManagedProcess } from "./process.js";
import { makeTempDir, removeDir } from "./tempdir.js";

export interface NatsServer {
  /** Client URL, e.g. nats://127.0.0.1:41234 */
  readonly url: string;
  /** HTTP monitoring base URL (/healthz, /jsz, /varz). */
  readonly monitorUrl: string;
  readonly process: ManagedProcess;
  /** Restarts on the same port and store dir (JetStream state survives). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export interface NatsOptions {
  /** Fixed client port; default: a free one. */
  port?: number;
  /** Where JetStream keeps its store; default: a fresh temp dir, removed on stop. */
  dataDir?: string;
}

/** Starts a nats-server with JetStream on loopback and waits until JetStream is healthy. */
export async function startNats(opts: NatsOptions = {}): Promise<NatsServer> {
  const ownDir = opts.dataDir === undefined;
  const dir = opts.dataDir ?? makeTempDir("nats");
  const port = opts.port ?? (await freePort());
  const monitorPort = await freePort();
  const monitorUrl = `http://127.0.0.1:${monitorPort}`;
  const args = [
    "--addr", "127.0.0.1", "--port", String(port),
    "--http_port", String(monitorPort),
    "--jetstream", "--store_dir", join(dir, "jetstream"),
    "--server_name", `natslet-test-${port}`,
  ];

  const launch = async (): Promise<ManagedProcess> => {
    const proc = ManagedProcess.start("nats-server", testBinary("nats-server"), args, {
      logFile: join(dir, "nats-server.log"),
    });
    await proc.waitUntil(
      async () => (await fetch(`${monitorUrl}/healthz?js-enabled-only=true`)).ok,
      "JetStream to be healthy",
    );
    return proc;
  };

  let proc = await launch();
  return {
    url: `nats://127.0.0.1:${port}`,
    monitorUrl,
    get process() {
      return proc;
    },
    async restart() {
      await proc.stop();
      proc = await launch();
    },
    async stop() {
      await proc.stop();
      if (ownDir) await removeDir(dir);
    },
  };
}
