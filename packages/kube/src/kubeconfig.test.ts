import assert from "node:assert/strict";
import { after, test } from "node:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { KubeConfigError, loadKubeConfig } from "./kubeconfig.js";

const dir = mkdtempSync(join(tmpdir(), "natslet-kubeconfig-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function kubeconfig(file: string, server: string, context = "c"): string {
  const path = join(dir, file);
  const config = {
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: context, cluster: { server } }],
    users: [{ name: context, user: { token: "t" } }],
    contexts: [{ name: context, context: { cluster: context, user: context } }],
    "current-context": context,
  };
  writeFileSync(path, JSON.stringify(config));
  return path;
}

// No in-cluster account and no ~/.kube/config unless a test asks for them.
const nowhere = { serviceAccountDir: join(dir, "no-sa"), homeDir: join(dir, "no-home") };
const noHome = { HOME: join(dir, "no-home") };

test("KUBECONFIG wins and is read from the given env", () => {
  const file = kubeconfig("a.json", "https://a.example:6443");
  const kc = loadKubeConfig({ ...noHome, KUBECONFIG: file }, nowhere);
  assert.equal(kc.getCurrentCluster()?.server, "https://a.example:6443");
});

test("a KUBECONFIG list is merged, the first file's current context winning", () => {
  const first = kubeconfig("first.json", "https://first:6443", "one");
  const second = kubeconfig("second.json", "https://second:6443", "two");
  const kc = loadKubeConfig({ ...noHome, KUBECONFIG: `${first}${delimiter}${second}` }, nowhere);
  assert.equal(kc.getCurrentCluster()?.server, "https://first:6443");
  assert.deepEqual(kc.getContexts().map((c) => c.name), ["one", "two"]);
});

test("a KUBECONFIG that cannot be read names the file", () => {
  const missing = join(dir, "missing.json");
  assert.throws(() => loadKubeConfig({ ...noHome, KUBECONFIG: missing }, nowhere), (err: unknown) => {
    return err instanceof KubeConfigError && err.message.includes(missing) && /ENOENT/.test(err.message);
  });
});

test("a kubeconfig without a usable current context is refused", () => {
  const path = join(dir, "no-context.json");
  writeFileSync(path, JSON.stringify({ apiVersion: "v1", kind: "Config", clusters: [], users: [], contexts: [] }));
  assert.throws(() => loadKubeConfig({ KUBECONFIG: path }, nowhere), /no current context/);
});

test("in a pod: the service account and KUBERNETES_SERVICE_HOST/PORT", () => {
  const sa = join(dir, "sa");
  mkdirSync(sa, { recursive: true });
  writeFileSync(join(sa, "token"), "sa-token");
  writeFileSync(join(sa, "ca.crt"), "not a real CA");
  const kc = loadKubeConfig({ ...noHome, KUBERNETES_SERVICE_HOST: "fd00::1", KUBERNETES_SERVICE_PORT: "443" }, {
    ...nowhere,
    serviceAccountDir: sa,
  });
  assert.equal(kc.getCurrentCluster()?.server, "https://[fd00::1]:443");
  assert.equal(kc.getCurrentCluster()?.caFile, join(sa, "ca.crt"));
});

test("otherwise ~/.kube/config", () => {
  const home = join(dir, "home");
  mkdirSync(join(home, ".kube"), { recursive: true });
  writeFileSync(join(home, ".kube", "config"), JSON.stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "h", cluster: { server: "https://home:6443" } }],
    users: [{ name: "h", user: {} }],
    contexts: [{ name: "h", context: { cluster: "h", user: "h" } }],
    "current-context": "h",
  }));
  assert.equal(loadKubeConfig({ HOME: home }, nowhere).getCurrentCluster()?.server, "https://home:6443");
});

test("nothing found: the error says what was tried", () => {
  assert.throws(() => loadKubeConfig(noHome, nowhere), (err: unknown) => {
    return err instanceof KubeConfigError && /KUBECONFIG/.test(err.message) && err.message.includes(join(dir, "no-home", ".kube", "config"));
  });
});
