// What the service images run, run here without Docker: deploy/bundle.sh (the Dockerfile's
// build step) writes each service's production bundle to a temp dir outside the workspace, so
// nothing resolves from the workspace's node_modules; the bundles are then started against a
// nats-server configured by deploy/nats/nats.conf and a real containerd. A production
// dependency missing from a package.json fails here, as it would in the image.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import {
  freePort,
  makeTempDir,
  ManagedProcess,
  removeDir,
  repoRoot,
  run,
  startContainerd,
  testBinary,
  type Containerd,
} from "@natslet/testkit";

const execFileP = promisify(execFile);

/** Services that have a main.ts (others may be mid-way through being written). */
const services = readdirSync(join(repoRoot, "services"))
  .filter((name) => existsSync(join(repoRoot, "services", name, "src", "main.ts")))
  .sort();

let dir: string;
let nats: { url: string; process: ManagedProcess };
const started: ManagedProcess[] = [];
let containerd: Containerd | undefined;

before(async () => {
  dir = makeTempDir("deploy");
  nats = await startNatsFromDeployConfig(join(dir, "nats"));
  for (const service of services) {
    // `make test` compiled everything just before; the image's build runs tsc itself.
    await run("bash", ["-c", `NATSLET_BUNDLE_SKIP_BUILD=1 deploy/bundle.sh "$0" "$1" --offline`, service, bundleDir(service)], {
      cwd: repoRoot,
      timeoutMs: 300_000,
    });
  }
});
after(async () => {
  for (const proc of started.reverse()) await proc.stop();
  await nats?.process.stop();
  await containerd?.stop();
  if (dir) await removeDir(dir);
});

const bundleDir = (service: string) => join(dir, "bundles", service);

/** deploy/nats/nats.conf with loopback ports and a temp store: everything else as in compose. */
async function startNatsFromDeployConfig(natsDir: string): Promise<{ url: string; process: ManagedProcess }> {
  mkdirSync(natsDir, { recursive: true });
  const [port, httpPort] = [await freePort(), await freePort()];
  const original = readFileSync(join(repoRoot, "deploy", "nats", "nats.conf"), "utf8");
  const edited = original
    .replace(/^listen: .*$/m, `listen: 127.0.0.1:${port}`)
    .replace(/^http: .*$/m, `http: 127.0.0.1:${httpPort}`)
    .replace(/^(\s*)store_dir: .*$/m, `$1store_dir: ${join(natsDir, "jetstream")}`);
  for (const key of ["listen:", "http:", "store_dir:"]) {
    assert.ok(!edited.includes(`${key} 0.0.0.0`) && !edited.includes(`${key} /data`), `deploy/nats/nats.conf: ${key} rewritten`);
  }
  const config = join(natsDir, "nats.conf");
  writeFileSync(config, edited);
  const proc = ManagedProcess.start("nats-server", testBinary("nats-server"), ["--config", config], { logFile: join(natsDir, "nats.log") });
  await proc.waitUntil(async () => (await fetch(`http://127.0.0.1:${httpPort}/healthz?js-enabled-only=true`)).ok, "JetStream to be healthy");
  return { url: `nats://127.0.0.1:${port}`, process: proc };
}

/** The environment of a container: nothing from this process but PATH (no NODE_PATH etc.). */
function containerEnv(service: string, extra: Record<string, string>): NodeJS.ProcessEnv {
  return {
    PATH: process.env["PATH"],
    HOME: dir,
    NODE_ENV: "production",
    OTEL_SERVICE_NAME: service,
    NATS_URL: nats.url,
    NATSLET_NODE_NAME: "deploy-test",
    NATSLET_HEALTH_HOST: "127.0.0.1",
    ...extra,
  };
}

/** Starts `node dist/main.js` in the bundle, as the image's ENTRYPOINT does; resolves when /readyz is 200. */
async function startBundle(service: string, extra: Record<string, string>): Promise<Record<string, boolean>> {
  const healthPort = await freePort();
  const proc = ManagedProcess.start(service, process.execPath, ["dist/main.js"], {
    cwd: bundleDir(service),
    env: containerEnv(service, { NATSLET_HEALTH_PORT: String(healthPort), ...extra }),
    logFile: join(dir, `${service}.log`),
  });
  started.push(proc);
  let checks: Record<string, boolean> = {};
  await proc.waitUntil(async () => {
    const res = await fetch(`http://127.0.0.1:${healthPort}/readyz`);
    checks = (await res.json()) as Record<string, boolean>;
    return res.ok;
  }, "/readyz to be 200", 60_000);
  return checks;
}

describe("production bundles", () => {
  test("every service is bundled without the workspace: no src, no tests, only production dependencies", () => {
    assert.ok(services.length >= 5, `services with a main.ts: ${services.join(", ")}`);
    for (const service of services) {
      const out = bundleDir(service);
      assert.ok(existsSync(join(out, "dist", "main.js")), `${service}: dist/main.js`);
      assert.ok(!existsSync(join(out, "src")), `${service}: no src/`);
      const files = readdirSync(join(out, "dist"), { recursive: true }).map(String);
      assert.deepEqual(files.filter((f) => /\.(i?test\.js|map|d\.ts)$/.test(f)), [], `${service}: no tests, maps or declarations`);
      const modules = readdirSync(join(out, "node_modules", ".pnpm"));
      assert.ok(!modules.some((m) => m.startsWith("@natslet+testkit") || m.startsWith("typescript@")), `${service}: no dev dependencies`);
    }
  });

  test("every bundle loads all its modules: it gets as far as reading its settings", async () => {
    for (const service of services) {
      // An invalid LOG_LEVEL is refused by runService after every static import resolved:
      // exit 2 and "invalid settings". A missing package is exit 1, ERR_MODULE_NOT_FOUND.
      const result = await execFileP(process.execPath, ["dist/main.js"], {
        cwd: bundleDir(service),
        env: containerEnv(service, { LOG_LEVEL: "not-a-level" }),
        timeout: 30_000,
      }).then(
        () => ({ code: 0, output: "" }),
        (err: { code?: number; stdout?: string; stderr?: string }) => ({ code: err.code, output: `${err.stdout ?? ""}${err.stderr ?? ""}` }),
      );
      assert.equal(result.code, 2, `${service}: ${result.output}`);
      assert.match(result.output, /invalid settings/, service);
    }
  });

  test("sync-loop's bundle is ready against the nats-server of deploy/nats/nats.conf", async () => {
    const checks = await startBundle("sync-loop", {});
    assert.equal(checks["nats"], true);
  });

  test("runtime-adapter's bundle speaks CRI to containerd with the proto where the image puts it", async () => {
    containerd = await startContainerd();
    // The image copies api.proto to /app/proto/api.proto and sets NATSLET_CRI_PROTO to it.
    const proto = join(bundleDir("runtime-adapter"), "proto", "api.proto");
    mkdirSync(join(proto, ".."), { recursive: true });
    copyFileSync(join(repoRoot, "proto", "k8s.io", "cri-api", "runtime", "v1", "api.proto"), proto);
    const checks = await startBundle("runtime-adapter", {
      CONTAINER_RUNTIME_ENDPOINT: containerd.endpoint,
      NATSLET_CRI_PROTO: proto,
      NATSLET_ROOT_DIR: join(dir, "root"),
      NATSLET_POD_LOGS_DIR: join(dir, "pod-logs"),
    });
    assert.deepEqual(checks, { nats: true, cri: true });
  });
});
