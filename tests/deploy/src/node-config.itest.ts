// The compose node's configuration, run for real: containerd with deploy/containerd/config.toml
// and the CNI conflist of deploy/cni/, only the host paths moved to a temp dir, the bridge and
// subnet made unique, and the sandbox image the local one (no registry here). A pod sandbox
// gets an address from that conflist; everything is removed afterwards.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { makeTempDir, ManagedProcess, pauseImage, PAUSE_IMAGE, removeDir, repoRoot, run, testBinary } from "@natslet/testkit";

let dir: string;
let containerd: ManagedProcess | undefined;
let socket: string;
let bridge: string;
let subnet: string;

const crictl = (...args: string[]) =>
  run(testBinary("crictl"), ["--runtime-endpoint", `unix://${socket}`, "--image-endpoint", `unix://${socket}`, "--timeout", "60s", ...args]);

/** deploy/containerd/config.toml with this test's paths; fails if a rewritten key is missing. */
function containerdConfig(): string {
  let text = readFileSync(join(repoRoot, "deploy", "containerd", "config.toml"), "utf8");
  const set = (key: RegExp, value: string) => {
    assert.match(text, key, `deploy/containerd/config.toml has ${key.source}`);
    text = text.replace(key, (_m, prefix: string) => `${prefix}"${value}"`);
  };
  set(/^(root = )".*"$/m, join(dir, "root"));
  set(/^(state = )".*"$/m, join(dir, "state"));
  set(/^(\s*address = )"\/run\/natslet\/containerd\/containerd\.sock"$/m, socket);
  set(/^(\s*address = )"\/run\/natslet\/containerd\/containerd\.sock\.ttrpc"$/m, `${socket}.ttrpc`);
  set(/^(\s*sandbox_image = )".*"$/m, PAUSE_IMAGE);
  set(/^(\s*conf_dir = )".*"$/m, join(dir, "cni"));
  // containerd's default would be /opt/containerd on this host.
  return `${text}\n[plugins."io.containerd.internal.v1.opt"]\n  path = "${join(dir, "opt")}"\n`;
}

before(async () => {
  dir = makeTempDir("node-config");
  socket = join(dir, "containerd.sock");
  bridge = `nc${dir.slice(-6).replace(/[^a-zA-Z0-9]/g, "").toLowerCase()}`;
  const routes = await run("ip", ["-4", "route", "show"]);
  const n = [...Array(254).keys()].map((i) => i + 1).find((i) => !routes.includes(`10.89.${i}.`));
  assert.ok(n !== undefined, "a free 10.89.N.0/24");
  subnet = `10.89.${n}.0/24`;

  const conflist = JSON.parse(readFileSync(join(repoRoot, "deploy", "cni", "10-natslet.conflist"), "utf8")) as {
    plugins: { type: string; bridge?: string; ipam?: { ranges: { subnet: string }[][]; dataDir?: string } }[];
  };
  const bridgePlugin = conflist.plugins.find((p) => p.type === "bridge");
  assert.ok(bridgePlugin?.ipam, "the conflist has a bridge plugin with IPAM");
  bridgePlugin.bridge = bridge;
  bridgePlugin.ipam.ranges = [[{ subnet }]];
  bridgePlugin.ipam.dataDir = join(dir, "cni-ipam");
  mkdirSync(join(dir, "cni"), { recursive: true });
  writeFileSync(join(dir, "cni", "10-natslet.conflist"), JSON.stringify(conflist, null, 2));
  const config = join(dir, "config.toml");
  writeFileSync(config, containerdConfig());

  containerd = ManagedProcess.start("containerd", "containerd", ["--config", config], { logFile: join(dir, "containerd.log") });
  await containerd.waitUntil(async () => {
    if (!existsSync(socket)) return false;
    await run("ctr", ["--address", socket, "version"], { timeoutMs: 5000 });
    return true;
  }, "its socket");
  const pause = await pauseImage();
  await run("ctr", ["--address", socket, "--namespace", "k8s.io", "images", "import", "--index-name", pause.ref, pause.path]);
});

after(async () => {
  if (containerd?.running) {
    // Removing the sandboxes makes CNI release addresses and its iptables rules (ipMasq).
    await crictl("rmp", "--all", "--force").catch(() => undefined);
    await containerd.stop(15_000);
  }
  const shims = await run("pgrep", ["-f", `containerd-shim.*-address ${socket}`]).catch(() => "");
  for (const pid of shims.split("\n").filter(Boolean)) process.kill(Number(pid), "SIGKILL");
  const mounts = readFileSync("/proc/self/mounts", "utf8")
    .split("\n")
    .map((line) => line.split(" ")[1])
    .filter((m): m is string => m !== undefined && m.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
  for (const m of mounts) await run("umount", ["-l", m]).catch(() => undefined);
  await run("ip", ["link", "delete", bridge]).catch(() => undefined);
  if (dir) await removeDir(dir);
});

test("containerd takes deploy/containerd/config.toml: the CRI settings natslet depends on are in effect", async () => {
  const info = JSON.parse(await crictl("info")) as { config: Record<string, unknown>; status: { conditions: { type: string; status: boolean }[] } };
  const config = info.config as { restrictOOMScoreAdj?: boolean; sandboxImage?: string; cni?: { binDir?: string; confDir?: string } };
  assert.equal(config.restrictOOMScoreAdj, true);
  assert.equal(config.sandboxImage, PAUSE_IMAGE);
  assert.equal(config.cni?.binDir, "/usr/lib/cni");
  const ready = Object.fromEntries(info.status.conditions.map((c) => [c.type, c.status]));
  assert.deepEqual(ready, { RuntimeReady: true, NetworkReady: true }, "deploy/cni's conflist loaded, its plugins found");
});

test("a pod sandbox gets its address from deploy/cni's bridge + host-local + portmap chain", async () => {
  const podConfig = join(dir, "pod.json");
  writeFileSync(
    podConfig,
    JSON.stringify({
      metadata: { name: "deploy-node-config", namespace: "default", uid: "deploy-node-config-uid", attempt: 0 },
      port_mappings: [{ protocol: 0, container_port: 80 }],
      log_directory: join(dir, "pod-logs"),
      linux: {},
    }),
  );
  const id = (await crictl("runp", podConfig)).trim();
  const inspect = JSON.parse(await crictl("inspectp", id)) as { status: { state: string; network: { ip: string } } };
  assert.equal(inspect.status.state, "SANDBOX_READY");
  const prefix = subnet.split(".").slice(0, 3).join(".") + ".";
  assert.ok(inspect.status.network.ip.startsWith(prefix), `sandbox IP ${inspect.status.network.ip} in ${subnet}`);
  await crictl("stopp", id);
  await crictl("rmp", id);
});
