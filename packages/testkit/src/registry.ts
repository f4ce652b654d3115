// A real OCI registry (distribution's `registry`, built from its Go module) on loopback, for
// pull tests: containerd pulls from it over plain HTTP, optionally behind basic auth. Images
// are pushed with the registry HTTP API v2 from the testkit's OCI archives.
import { randomBytes, createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import bcrypt from "bcryptjs";
import { run } from "./exec.js";
import type { OciArchive } from "./images.js";
import { freePort } from "./net.js";
import { testenvBinDir } from "./paths.js";
import { ManagedProcess } from "./process.js";
import { makeTempDir, removeDir } from "./tempdir.js";

export interface RegistryOptions {
  /** Require basic auth with these credentials (htpasswd, bcrypt). */
  auth?: { username: string; password: string };
}

export interface RegistryRequest {
  method: string;
  /** Path without the query, e.g. /v2/natslet/busybox/manifests/1. */
  path: string;
  status: number;
}

export interface PushOptions {
  /** Adds a second layer with one file of this many random bytes: a distinct image of known size. */
  randomLayerBytes?: number;
}

export interface Registry {
  /** host:port, the registry part of image references ("127.0.0.1:PORT"). */
  readonly host: string;
  readonly auth?: { username: string; password: string };
  /**
   * Pushes the archive's image as `<host>/<repository>:<tag>`; returns that reference and the
   * manifest digest.
   */
  push(image: OciArchive, repository: string, tag: string, opts?: PushOptions): Promise<{ ref: string; digest: string; bytes: number }>;
  /** Requests the registry served so far (its access log), oldest first. */
  requests(): RegistryRequest[];
  stop(): Promise<void>;
}

export async function startRegistry(opts: RegistryOptions = {}): Promise<Registry> {
  const dir = makeTempDir("registry");
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const logFile = join(dir, "registry.log");
  const htpasswd = join(dir, "htpasswd");
  if (opts.auth) writeFileSync(htpasswd, `${opts.auth.username}:${bcrypt.hashSync(opts.auth.password, 10)}\n`);
  const config = join(dir, "config.yml");
  writeFileSync(
    config,
    [
      "version: 0.1",
      "log:",
      "  level: info",
      "  formatter: json",
      "  accesslog:",
      "    disabled: false",
      "storage:",
      "  filesystem:",
      `    rootdirectory: ${join(dir, "data")}`,
      "  delete:",
      "    enabled: true",
      "http:",
      `  addr: ${host}`,
      `  secret: ${randomBytes(16).toString("hex")}`,
      ...(opts.auth ? ["auth:", "  htpasswd:", "    realm: natslet-test", `    path: ${htpasswd}`] : []),
      "",
    ].join("\n"),
  );
  // distribution exports its own traces to OTLP localhost:4318 by default: not to a developer's Jaeger.
  const env = { ...process.env, OTEL_TRACES_EXPORTER: "none" };
  const proc = ManagedProcess.start("registry", join(testenvBinDir(), "registry"), ["serve", config], { logFile, env });
  try {
    await proc.waitUntil(async () => {
      const res = await fetch(`http://${host}/v2/`);
      return res.status === 200 || res.status === 401;
    }, "its /v2/ endpoint");
  } catch (err) {
    await proc.stop();
    await removeDir(dir);
    throw err;
  }
  const authHeader: Record<string, string> = opts.auth
    ? { authorization: `Basic ${Buffer.from(`${opts.auth.username}:${opts.auth.password}`).toString("base64")}` }
    : {};

  const putBlob = async (repository: string, data: Buffer): Promise<string> => {
    const digest = `sha256:${createHash("sha256").update(data).digest("hex")}`;
    const head = await fetch(`http://${host}/v2/${repository}/blobs/${digest}`, { method: "HEAD", headers: authHeader });
    if (head.ok) return digest;
    const start = await fetch(`http://${host}/v2/${repository}/blobs/uploads/`, { method: "POST", headers: authHeader });
    if (start.status !== 202) throw new Error(`registry: starting a blob upload answered ${start.status} ${await start.text()}`);
    const location = new URL(start.headers.get("location") ?? "", `http://${host}`);
    location.searchParams.set("digest", digest);
    const put = await fetch(location, {
      method: "PUT",
      headers: { ...authHeader, "content-type": "application/octet-stream" },
      body: data,
    });
    if (put.status !== 201) throw new Error(`registry: blob upload answered ${put.status} ${await put.text()}`);
    return digest;
  };

  return {
    host,
    ...(opts.auth ? { auth: opts.auth } : {}),
    async push(image, repository, tag, pushOpts = {}) {
      const layout = join(dir, "push", createHash("sha256").update(image.path + repository + tag).digest("hex").slice(0, 12));
      mkdirSync(layout, { recursive: true });
      await run("tar", ["-xf", image.path, "-C", layout]);
      const blob = (digest: string) => readFileSync(join(layout, "blobs", ...digest.split(":")));
      const index = JSON.parse(readFileSync(join(layout, "index.json"), "utf8")) as { manifests: Array<{ digest: string }> };
      const manifestDigest = index.manifests[0]?.digest;
      if (!manifestDigest) throw new Error(`${image.path}: no manifest in index.json`);
      const manifest = JSON.parse(blob(manifestDigest).toString("utf8")) as {
        config: { digest: string; size: number; mediaType: string };
        layers: Array<{ digest: string; size: number; mediaType: string }>;
      };
      const config = JSON.parse(blob(manifest.config.digest).toString("utf8")) as { rootfs: { diff_ids: string[] } };
      for (const layer of manifest.layers) await putBlob(repository, blob(layer.digest));
      if (pushOpts.randomLayerBytes !== undefined) {
        const layer = await randomLayer(join(layout, "random"), pushOpts.randomLayerBytes);
        const digest = await putBlob(repository, layer);
        manifest.layers.push({ mediaType: "application/vnd.oci.image.layer.v1.tar", digest, size: layer.length });
        config.rootfs.diff_ids.push(digest); // uncompressed: diff id = digest
      }
      const configBytes = Buffer.from(JSON.stringify(config));
      manifest.config = { ...manifest.config, digest: await putBlob(repository, configBytes), size: configBytes.length };
      const manifestBytes = Buffer.from(JSON.stringify(manifest));
      const res = await fetch(`http://${host}/v2/${repository}/manifests/${tag}`, {
        method: "PUT",
        headers: { ...authHeader, "content-type": "application/vnd.oci.image.manifest.v1+json" },
        body: manifestBytes,
      });
      if (res.status !== 201) throw new Error(`registry: manifest upload answered ${res.status} ${await res.text()}`);
      const bytes = manifest.layers.reduce((n, l) => n + l.size, configBytes.length);
      return { ref: `${host}/${repository}:${tag}`, digest: `sha256:${createHash("sha256").update(manifestBytes).digest("hex")}`, bytes };
    },
    requests() {
      if (!existsSync(logFile)) return [];
      const out: RegistryRequest[] = [];
      // Access log lines are Apache combined format: `... "GET /v2/... HTTP/1.1" 200 ...`.
      for (const match of readFileSync(logFile, "utf8").matchAll(/"(GET|HEAD|POST|PUT|PATCH|DELETE) (\S+) HTTP\/[\d.]+" (\d{3})/g)) {
        out.push({ method: match[1] ?? "", path: (match[2] ?? "").split("?")[0] ?? "", status: Number(match[3]) });
      }
      return out;
    },
    async stop() {
      await proc.stop();
      await removeDir(dir);
    },
  };
}

/** A layer tar with one file of `bytes` random bytes (incompressible, so its size is real on disk). */
async function randomLayer(work: string, bytes: number): Promise<Buffer> {
  const root = join(work, "root");
  mkdirSync(root, { recursive: true });
  writeFileSync(join(root, "random.bin"), randomBytes(bytes));
  const tar = join(work, "layer.tar");
  await run("tar", ["--owner=0", "--group=0", "--numeric-owner", "--mtime=@0", "-C", root, "-cf", tar, "."]);
  return readFileSync(tar);
}
