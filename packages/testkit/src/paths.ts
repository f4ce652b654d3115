import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root: packages/testkit/{src,dist}/paths.js → three levels up. */
export const repoRoot: string = fileURLToPath(new URL("../../../", import.meta.url));

/**
 * Directory of the Go-built test binaries (tools/testenv/build.sh). Taken from
 * NATSLET_TESTENV_BIN, else from the pointer file build.sh writes into .natslet/.
 */
export function testenvBinDir(): string {
  const fromEnv = process.env["NATSLET_TESTENV_BIN"];
  if (fromEnv) return fromEnv;
  const pointer = join(repoRoot, ".natslet", "testenv-bin");
  if (existsSync(pointer)) return readFileSync(pointer, "utf8").trim();
  throw new Error(
    "test binaries not built: run `make setup` (tools/testenv/build.sh) or set NATSLET_TESTENV_BIN",
  );
}

/** Absolute path of one test binary, e.g. `testBinary("kube-apiserver")`. */
export function testBinary(name: TestBinary): string {
  const path = join(testenvBinDir(), name);
  if (!existsSync(path)) {
    throw new Error(`${path} is missing: rebuild with tools/testenv/build.sh`);
  }
  return path;
}

export type TestBinary =
  | "etcd"
  | "kube-apiserver"
  | "kube-controller-manager"
  | "kube-scheduler"
  | "kubelet"
  | "kubectl"
  | "nats-server"
  | "crictl"
  | "registry"
  | "jaeger";

/** Cache for things slow to build and keyed by their inputs (test images). Outside the repo. */
export function cacheDir(...parts: string[]): string {
  const root = process.env["NATSLET_CACHE"] ?? join(process.env["HOME"] ?? "/root", ".cache", "natslet");
  return join(root, ...parts);
}
