import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, symlinkSync, writeFileSync, copyFileSync, chmodSync } from "node:fs";
import { dirname, join } from "node:path";
import { run } from "./exec.js";
import { cacheDir } from "./paths.js";
import { makeTempDir, removeDir } from "./tempdir.js";

/**
 * Test images, built locally from Debian's static busybox: no registry is reachable here, and
 * nothing in a test may try to pull from the internet. The `localhost/` prefix means a pull
 * attempt, should an image ever be missing, can only go to this machine.
 */
export const BUSYBOX_BINARY = "/bin/busybox";
/** Reference of the sandbox ("pause") image; containerd's config names it as sandbox_image. */
export const PAUSE_IMAGE = "localhost/natslet/pause:1";

/** Reference of the busybox test image; its tag is busybox's version, never `latest`. */
export function busyboxImageRef(): string {
  return `localhost/natslet/busybox:${busyboxVersion()}`;
}

export interface OciArchive {
  readonly ref: string;
  /** An OCI image layout, tarred: input for `ctr images import`. */
  readonly path: string;
}

/** The busybox test image (shell, coreutils applets, httpd, nc) as an OCI archive. */
export async function busyboxImage(): Promise<OciArchive> {
  const ref = busyboxImageRef();
  return { ref, path: await buildCached(ref, { Cmd: ["sh"] }) };
}

/**
 * The sandbox image: the same layer with an entrypoint that sleeps until signalled. PID 1 gets
 * no default signal handlers, so the trap makes StopPodSandbox quick instead of a SIGKILL wait.
 */
export async function pauseImage(): Promise<OciArchive> {
  const script = "trap 'exit 0' TERM INT; while :; do sleep 3600 & wait $!; done";
  return { ref: PAUSE_IMAGE, path: await buildCached(PAUSE_IMAGE, { Entrypoint: ["/bin/sh", "-c", script] }) };
}

let cachedVersion: string | undefined;
function busyboxVersion(): string {
  if (cachedVersion) return cachedVersion;
  if (!existsSync(BUSYBOX_BINARY)) throw new Error(`${BUSYBOX_BINARY} missing: apt-get install busybox-static`);
  // The banner starts with "BusyBox v1.35.0 (Debian ...)"; the binary is static, so reading is enough.
  const match = /BusyBox v(\d+\.\d+\.\d+)/.exec(readFileSync(BUSYBOX_BINARY).toString("latin1"));
  cachedVersion = match?.[1] ?? "0.0.0";
  return cachedVersion;
}

interface ImageProcess {
  Cmd?: string[];
  Entrypoint?: string[];
}

/** Go's name for this machine's architecture, as OCI configs spell it. */
const GOARCH = process.arch === "x64" ? "amd64" : process.arch;

// Bump when the image layout changes, so cached archives are rebuilt.
const BUILDER_VERSION = "1";

async function buildCached(ref: string, proc: ImageProcess): Promise<string> {
  const key = sha256(Buffer.concat([readFileSync(BUSYBOX_BINARY), Buffer.from(BUILDER_VERSION + ref + JSON.stringify(proc))]));
  const out = cacheDir("images", `${ref.replace(/[^a-zA-Z0-9.]+/g, "_")}-${key.slice(0, 16)}.tar`);
  if (existsSync(out)) return out;
  const work = makeTempDir("image");
  try {
    const layer = await buildRootfsLayer(work);
    const layout = join(work, "layout");
    writeLayout(layout, ref, layer, proc);
    mkdirSync(dirname(out), { recursive: true });
    const tmp = `${out}.${process.pid}.tmp`;
    await run("tar", ["--sort=name", "--owner=0", "--group=0", "--numeric-owner", "--mtime=@0", "-C", layout, "-cf", tmp, "."]);
    renameSync(tmp, out); // atomic: parallel test files may build the same image
    return out;
  } finally {
    await removeDir(work);
  }
}

/** A rootfs with busybox and a link per applet, tarred reproducibly. Returns the layer tar. */
async function buildRootfsLayer(work: string): Promise<string> {
  const root = join(work, "rootfs");
  for (const d of ["bin", "sbin", "usr/bin", "usr/sbin", "etc", "tmp", "root", "var/www", "proc", "sys", "dev"]) {
    mkdirSync(join(root, d), { recursive: true });
  }
  chmodSync(join(root, "tmp"), 0o1777);
  copyFileSync(BUSYBOX_BINARY, join(root, "bin/busybox"));
  chmodSync(join(root, "bin/busybox"), 0o755);
  const applets = (await run(BUSYBOX_BINARY, ["--list-full"])).split("\n").filter(Boolean);
  for (const applet of applets) {
    const link = join(root, applet);
    if (applet === "bin/busybox" || existsSync(link)) continue;
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync("/bin/busybox", link);
  }
  writeFileSync(join(root, "etc/passwd"), "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n");
  writeFileSync(join(root, "etc/group"), "root:x:0:\nnogroup:x:65534:\n");
  const layer = join(work, "layer.tar");
  await run("tar", ["--sort=name", "--owner=0", "--group=0", "--numeric-owner", "--mtime=@0", "-C", root, "-cf", layer, "."]);
  return layer;
}

/** Writes an OCI image layout (oci-layout, index.json, blobs) for one single-layer image. */
function writeLayout(layout: string, ref: string, layerTar: string, proc: ImageProcess): void {
  const blobs = join(layout, "blobs", "sha256");
  mkdirSync(blobs, { recursive: true });
  const putBlob = (data: Buffer): { digest: string; size: number } => {
    const hex = sha256(data);
    writeFileSync(join(blobs, hex), data);
    return { digest: `sha256:${hex}`, size: data.length };
  };
  const layer = putBlob(readFileSync(layerTar));
  const config = putBlob(
    Buffer.from(
      JSON.stringify({
        architecture: GOARCH,
        os: "linux",
        config: { Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"], ...proc },
        rootfs: { type: "layers", diff_ids: [layer.digest] }, // uncompressed layer: diff id = digest
        history: [{ created_by: "natslet testkit: Debian busybox-static" }],
      }),
    ),
  );
  const manifest = putBlob(
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: "application/vnd.oci.image.manifest.v1+json",
        config: { mediaType: "application/vnd.oci.image.config.v1+json", ...config },
        layers: [{ mediaType: "application/vnd.oci.image.layer.v1.tar", ...layer }],
      }),
    ),
  );
  writeFileSync(join(layout, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
  writeFileSync(
    join(layout, "index.json"),
    JSON.stringify({
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.index.v1+json",
      manifests: [
        {
          mediaType: "application/vnd.oci.image.manifest.v1+json",
          ...manifest,
          platform: { architecture: GOARCH, os: "linux" },
          annotations: { "org.opencontainers.image.ref.name": ref },
        },
      ],
    }),
  );
}

function sha256(data: Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}
