import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { run } from "./exec.js";
import { busyboxImage, pauseImage, PAUSE_IMAGE, type OciArchive } from "./images.js";
import { testBinary } from "./paths.js";
import { ManagedProcess } from "./process.js";
import { makeTempDir, removeDir } from "./tempdir.js";
import { unmountBelow } from "./mounts.js";

export interface ContainerdOptions {
  /** Directory for root, state, socket, CNI config and logs; default: a temp dir removed on stop. */
  dir?: string;
  /** Linux bridge the pods attach to (at most 15 chars); default: a unique one. */
  bridge?: string;
  /** Pod subnet (/24); default: a free 10.88.N.0/24. */
  podSubnet?: string;
  /** Images to import besides busybox and pause. */
  extraImages?: readonly OciArchive[];
  /** Puts containerd's root (content store and snapshots) on a tmpfs of this size: a small image filesystem for GC tests. */
  rootSizeBytes?: number;
}

export interface Containerd {
  /** CRI endpoint, unix:///…/containerd.sock */
  readonly endpoint: string;
  /** Path of the socket. */
  readonly socket: string;
  readonly dir: string;
  /** The busybox image, present locally (tag is not `latest`). */
  readonly busyboxImage: string;
  readonly pauseImage: string;
  readonly podSubnet: string;
  readonly process: ManagedProcess;
  /** Lets the CRI pull from this registry (host:port) over plain HTTP (a hosts.toml under its config_path). */
  allowPlainHttpRegistry(host: string): void;
  /** Runs crictl against this containerd; returns stdout. */
  crictl(...args: string[]): Promise<string>;
  /** Stops containerd only (shims and containers keep running), for outage tests. */
  stopDaemon(): Promise<void>;
  /** Starts containerd again after stopDaemon(). */
  startDaemon(): Promise<void>;
  /** Removes every pod, stops containerd and leaves nothing behind (mounts, shims, bridge, files). */
  stop(): Promise<void>;
}

const CNI_BIN_DIR = "/usr/lib/cni";

/** Starts containerd + runc with its own root/state/socket, CNI, and the test images imported. */
export async function startContainerd(opts: ContainerdOptions = {}): Promise<Containerd> {
  const ownDir = opts.dir === undefined;
  const dir = opts.dir ?? makeTempDir("containerd");
  const socket = join(dir, "containerd.sock");
  const endpoint = `unix://${socket}`;
  const id = dir.replace(/[^a-zA-Z0-9]/g, "").slice(-6).toLowerCase();
  const bridge = opts.bridge ?? `nl${id}`;
  const podSubnet = opts.podSubnet ?? (await freePodSubnet());
  const config = join(dir, "config.toml");
  writeCniConfig(join(dir, "cni"), `natslet-${id}`, bridge, podSubnet, join(dir, "cni-ipam"));
  writeFileSync(config, containerdConfig(dir, socket));
  if (opts.rootSizeBytes !== undefined) {
    mkdirSync(join(dir, "root"), { recursive: true });
    await run("mount", ["-t", "tmpfs", "-o", `size=${opts.rootSizeBytes}`, "natslet-image-fs", join(dir, "root")]);
  }

  const launch = async (): Promise<ManagedProcess> => {
    const proc = ManagedProcess.start("containerd", "containerd", ["--config", config], {
      logFile: join(dir, "containerd.log"),
    });
    await proc.waitUntil(async () => {
      if (!existsSync(socket)) return false;
      await run("ctr", ["--address", socket, "version"], { timeoutMs: 5000 });
      return true;
    }, "its socket", 60_000);
    return proc;
  };

  let proc = await launch();
  const crictl = async (...args: string[]): Promise<string> =>
    run(testBinary("crictl"), ["--runtime-endpoint", endpoint, "--image-endpoint", endpoint, "--timeout", "60s", ...args]);

  const cleanup = async () => {
    if (proc.running) {
      // Removing every sandbox makes the shims exit and CNI release addresses.
      await crictl("rmp", "--all", "--force").catch(() => undefined);
      await proc.stop(15_000);
    }
    await killShims(socket);
    await unmountBelow(dir);
    await run("ip", ["link", "delete", bridge]).catch(() => undefined);
    if (ownDir) await removeDir(dir);
  };

  try {
    const [busybox, pause] = await Promise.all([busyboxImage(), pauseImage()]);
    for (const image of [busybox, pause, ...(opts.extraImages ?? [])]) await importArchive(socket, image);
    return {
      endpoint,
      socket,
      dir,
      busyboxImage: busybox.ref,
      pauseImage: pause.ref,
      podSubnet,
      get process() {
        return proc;
      },
      allowPlainHttpRegistry(host: string) {
        const hostDir = join(dir, "certs.d", host);
        mkdirSync(hostDir, { recursive: true });
        writeFileSync(join(hostDir, "hosts.toml"), `server = "http://${host}"\n\n[host."http://${host}"]\n  capabilities = ["pull", "resolve"]\n`);
      },
      crictl,
      async stopDaemon() {
        await proc.stop(15_000);
      },
      async startDaemon() {
        proc = await launch();
      },
      stop: cleanup,
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}

/**
 * Imports an OCI archive; the image is named by the manifest's org.opencontainers.image.ref.name
 * (a full reference). Not `--index-name`: under full load containerd 1.6 sometimes lost the index
 * blob ctr writes for it ("content digest <sha256 of index.json>: not found", seen in CI), and
 * the index is not needed. Retried twice all the same, with growing pauses, for the same
 * transient on other blobs.
 */
async function importArchive(socket: string, image: OciArchive): Promise<void> {
  const args = ["--address", socket, "--namespace", "k8s.io", "images", "import", image.path];
  for (let attempt = 1; ; attempt++) {
    try {
      await run("ctr", args);
      break;
    } catch (err) {
      if (attempt === 3) throw err;
      await sleep(1000 * attempt);
    }
  }
  const listed = await run("ctr", ["--address", socket, "--namespace", "k8s.io", "images", "ls", "-q"]);
  if (!listed.split("\n").includes(image.ref)) throw new Error(`ctr images import ${image.path}: ${image.ref} not among the images:\n${listed}`);
}

function containerdConfig(dir: string, socket: string): string {
  const cri = 'plugins."io.containerd.grpc.v1.cri"';
  return `version = 2
root = "${join(dir, "root")}"
state = "${join(dir, "state")}"
# Unused storage backends only log noise on this host.
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.tracing.processor.v1.otlp"]

[grpc]
  address = "${socket}"

[ttrpc]
  address = "${socket}.ttrpc"

[metrics]
  address = ""

[plugins."io.containerd.internal.v1.opt"]
  path = "${join(dir, "opt")}"

[${cri}]
  sandbox_image = "${PAUSE_IMAGE}"
  # The sandbox lacks CAP_SYS_RESOURCE: lowering oom_score_adj fails without this.
  restrict_oom_score_adj = true
  # A free port per instance, so several containerds can serve streaming side by side.
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  enable_selinux = false

[${cri}.containerd]
  snapshotter = "overlayfs"
  default_runtime_name = "runc"

[${cri}.containerd.runtimes.runc]
  runtime_type = "io.containerd.runc.v2"

[${cri}.containerd.runtimes.runc.options]
  SystemdCgroup = false

# Per-registry hosts.toml files (allowPlainHttpRegistry), read on every pull.
[${cri}.registry]
  config_path = "${join(dir, "certs.d")}"

[${cri}.cni]
  bin_dir = "${CNI_BIN_DIR}"
  conf_dir = "${join(dir, "cni")}"
`;
}

/** bridge + host-local: every pod gets an IP on our own bridge; nothing routes off the host. */
function writeCniConfig(confDir: string, name: string, bridge: string, subnet: string, ipamDir: string): void {
  mkdirSync(confDir, { recursive: true });
  const conflist = {
    cniVersion: "1.0.0",
    name,
    plugins: [
      {
        type: "bridge",
        bridge,
        isGateway: true,
        ipMasq: false,
        hairpinMode: true,
        ipam: { type: "host-local", ranges: [[{ subnet }]], routes: [{ dst: "0.0.0.0/0" }], dataDir: ipamDir },
      },
    ],
  };
  writeFileSync(join(confDir, "10-natslet.conflist"), JSON.stringify(conflist, null, 2));
}

/** A 10.88.N.0/24 that no interface or route on this host uses yet. */
async function freePodSubnet(): Promise<string> {
  const routes = await run("ip", ["-4", "route", "show"]);
  for (let attempt = 0; attempt < 50; attempt++) {
    const n = 1 + Math.floor(Math.random() * 254);
    if (!routes.includes(`10.88.${n}.`)) return `10.88.${n}.0/24`;
  }
  throw new Error("no free 10.88.N.0/24 pod subnet");
}

/** Shims outlive a killed containerd; they name our socket on their command line. */
async function killShims(socket: string): Promise<void> {
  const out = await run("pgrep", ["-f", `containerd-shim.*-address ${socket}`]).catch(() => "");
  for (const pid of out.split("\n").filter(Boolean)) {
    try {
      process.kill(Number(pid), "SIGKILL");
    } catch {
      // already gone
    }
  }
}
