import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Container, EnvVar, Pod } from "@natslet/contracts";
import { envReferences, expandCommand, resolveEnv, type EnvContext, type EnvResult } from "./env.js";
import { UID, basePod } from "./testing/fixtures.js";

const ctx: EnvContext = {
  podIps: ["10.88.0.5", "fd00::5"],
  hostIp: "192.168.1.10",
  nodeName: "node-from-ctx",
  allocatable: { cpuMillis: 4000, memoryBytes: 8 * 2 ** 30 },
};

function pod(env: EnvVar[], patch: (p: Pod) => void = () => {}): { pod: Pod; container: Container } {
  const p = basePod();
  p.metadata.annotations = { "team.io/owner": "ops" };
  p.spec.serviceAccountName = "builder";
  const [app, helper] = p.spec.containers;
  if (!app || !helper) throw new Error("fixture");
  p.spec.containers = [
    { ...app, env, resources: { requests: { cpu: "250m", memory: "64Mi" }, limits: { memory: "128Mi" } } },
    { ...helper, resources: { limits: { cpu: "1500m" } } },
  ];
  patch(p);
  return { pod: p, container: p.spec.containers[0] as Container };
}

const ok = (...pairs: [string, string][]): EnvResult => ({ ok: true, envs: pairs.map(([key, value]) => ({ key, value })) });
const field = (name: string, fieldPath: string): EnvVar => ({ name, valueFrom: { fieldRef: { fieldPath } } });
const res = (name: string, resource: string, divisor?: string, containerName?: string): EnvVar => ({
  name,
  valueFrom: { resourceFieldRef: { resource, ...(divisor ? { divisor } : {}), ...(containerName ? { containerName } : {}) } },
});

describe("resolveEnv: fieldRef", () => {
  const cases: [string, string][] = [
    ["metadata.name", "web"],
    ["metadata.namespace", "default"],
    ["metadata.uid", UID],
    ["metadata.labels['app']", "web"],
    ["metadata.labels['missing']", ""],
    ["metadata.annotations['team.io/owner']", "ops"],
    ["spec.nodeName", "node-1"],
    ["spec.serviceAccountName", "builder"],
    ["status.hostIP", "192.168.1.10"],
    ["status.hostIPs", "192.168.1.10"],
    ["status.podIP", "10.88.0.5"],
    ["status.podIPs", "10.88.0.5,fd00::5"],
  ];
  for (const [path, want] of cases) {
    test(path, () => {
      const { pod: p, container } = pod([field("V", path)]);
      assert.deepEqual(resolveEnv(p, container, ctx), ok(["V", want]));
    });
  }

  test("spec.nodeName and serviceAccountName fall back to the context", () => {
    const { pod: p, container } = pod([field("N", "spec.nodeName"), field("S", "spec.serviceAccountName")], (x) => {
      delete x.spec.nodeName;
      delete x.spec.serviceAccountName;
    });
    assert.deepEqual(resolveEnv(p, container, { ...ctx, serviceAccountName: "default" }), ok(["N", "node-from-ctx"], ["S", "default"]));
  });

  test("several host IPs", () => {
    const { pod: p, container } = pod([field("H", "status.hostIPs"), field("P", "status.hostIP")]);
    assert.deepEqual(resolveEnv(p, container, { ...ctx, hostIps: ["192.168.1.10", "fd00::10"] }), ok(["H", "192.168.1.10,fd00::10"], ["P", "192.168.1.10"]));
  });

  test("an unsupported path is a CreateContainerConfigError", () => {
    const { pod: p, container } = pod([field("V", "spec.hostname")]);
    assert.deepEqual(resolveEnv(p, container, ctx), { ok: false, reason: "CreateContainerConfigError", message: "unsupported fieldPath: spec.hostname" });
  });
});

describe("resolveEnv: resourceFieldRef", () => {
  const cases: [string, EnvVar, string][] = [
    ["requests.cpu in cores, rounded up", res("V", "requests.cpu"), "1"],
    ["requests.cpu in millicores", res("V", "requests.cpu", "1m"), "250"],
    ["requests.memory in Mi", res("V", "requests.memory", "1Mi"), "64"],
    ["limits.memory in bytes", res("V", "limits.memory"), String(128 * 2 ** 20)],
    ["limits.cpu unset: node allocatable", res("V", "limits.cpu"), "4"],
    ["limits.cpu of another container", res("V", "limits.cpu", "1m", "helper"), "1500"],
    ["requests.cpu of another container defaults to its limit", res("V", "requests.cpu", "100m", "helper"), "15"],
    ["limits.memory of another container unset: allocatable in Gi", res("V", "limits.memory", "1Gi", "helper"), "8"],
  ];
  for (const [name, env, want] of cases) {
    test(name, () => {
      const { pod: p, container } = pod([env]);
      assert.deepEqual(resolveEnv(p, container, ctx), ok(["V", want]));
    });
  }

  test("an unknown resource is a CreateContainerConfigError", () => {
    const { pod: p, container } = pod([res("V", "limits.gpu")]);
    assert.deepEqual(resolveEnv(p, container, ctx), {
      ok: false,
      reason: "CreateContainerConfigError",
      message: "unsupported container resource : limits.gpu",
    });
  });

  test("a malformed divisor is a CreateContainerConfigError", () => {
    const { pod: p, container } = pod([res("V", "limits.cpu", "lots")]);
    const got = resolveEnv(p, container, ctx);
    assert.equal(got.ok, false);
  });
});

describe("resolveEnv: $(VAR) expansion", () => {
  test("expands earlier variables, keeps unknown and later ones, honours $$", () => {
    const { pod: p, container } = pod([
      { name: "A", value: "a" },
      { name: "POD", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
      { name: "B", value: "$(A)-$(POD)-$(C)-$$(A)-$(NOPE)" },
      { name: "C", value: "c" },
    ]);
    assert.deepEqual(resolveEnv(p, container, ctx), ok(["A", "a"], ["POD", "web"], ["B", "a-web-$(C)-$(A)-$(NOPE)"], ["C", "c"]));
  });

  test("a redefined variable keeps its place with the later value", () => {
    const { pod: p, container } = pod([{ name: "A", value: "1" }, { name: "B", value: "$(A)" }, { name: "A", value: "2" }]);
    assert.deepEqual(resolveEnv(p, container, ctx), ok(["A", "2"], ["B", "1"]));
  });

  test("service variables expand and are added after the container's own", () => {
    const { pod: p, container } = pod([{ name: "URL", value: "http://$(DB_SERVICE_HOST)" }, { name: "DB_SERVICE_HOST", value: "override" }]);
    const got = resolveEnv(p, container, { ...ctx, serviceEnv: { DB_SERVICE_HOST: "10.0.0.9", KUBERNETES_SERVICE_HOST: "10.0.0.1" } });
    assert.deepEqual(got, ok(["URL", "http://10.0.0.9"], ["DB_SERVICE_HOST", "override"], ["KUBERNETES_SERVICE_HOST", "10.0.0.1"]));
  });

  test("an empty value without a source is an empty variable", () => {
    const { pod: p, container } = pod([{ name: "E", value: "" }, { name: "F" }]);
    assert.deepEqual(resolveEnv(p, container, ctx), ok(["E", ""], ["F", ""]));
  });

  test("command and args expand against the environment", () => {
    const { container } = pod([]);
    const got = expandCommand(
      { ...container, command: ["/bin/$(SHELL_NAME)", "-c"], args: ["echo $(GREETING) $$(GREETING) $(MISSING)"] },
      [{ key: "SHELL_NAME", value: "sh" }, { key: "GREETING", value: "hi" }],
    );
    assert.deepEqual(got, { command: ["/bin/sh", "-c"], args: ["echo hi $(GREETING) $(MISSING)"] });
  });
});

describe("resolveEnv: ConfigMaps and Secrets", () => {
  const cm = (name: string, key: string, optional?: boolean): EnvVar => ({
    name: "V",
    valueFrom: { configMapKeyRef: { name, key, ...(optional === undefined ? {} : { optional }) } },
  });
  const secret = (name: string, key: string): EnvVar => ({ name: "S", valueFrom: { secretKeyRef: { name, key } } });

  const cases: [string, EnvVar[], Partial<EnvContext>, EnvResult][] = [
    ["not fetched: the caller must fetch it first", [cm("cfg", "k")], {}, err("couldn't get configMap default/cfg: not fetched")],
    ["fetched: the value", [cm("cfg", "k")], { configMaps: { cfg: { k: "v" } } }, ok(["V", "v"])],
    ["missing object", [cm("cfg", "k")], { configMaps: { cfg: null } }, err('configmap "cfg" not found')],
    ["missing object, optional: skipped", [cm("cfg", "k", true)], { configMaps: { cfg: null } }, ok()],
    ["missing key", [cm("cfg", "x")], { configMaps: { cfg: { k: "v" } } }, err("couldn't find key x in ConfigMap default/cfg")],
    ["missing key, optional: skipped", [cm("cfg", "x", true)], { configMaps: { cfg: { k: "v" } } }, ok()],
    ["secret value", [secret("db", "password")], { secrets: { db: { password: "hunter2" } } }, ok(["S", "hunter2"])],
    ["missing secret", [secret("db", "password")], { secrets: { db: null } }, err('secret "db" not found')],
    ["secret not fetched", [secret("db", "password")], {}, err("couldn't get secret default/db: not fetched")],
  ];
  for (const [name, env, extra, want] of cases) {
    test(name, () => {
      const { pod: p, container } = pod(env);
      assert.deepEqual(resolveEnv(p, container, { ...ctx, ...extra }), want);
    });
  }

  test("envReferences lists what to fetch, required if any use is", () => {
    const { container } = pod([cm("a", "k", true), secret("s", "k"), cm("a", "j"), cm("b", "k", true)]);
    assert.deepEqual(envReferences(container), [
      { kind: "ConfigMap", name: "a", optional: false },
      { kind: "Secret", name: "s", optional: false },
      { kind: "ConfigMap", name: "b", optional: true },
    ]);
  });
});

function err(message: string): EnvResult {
  return { ok: false, reason: "CreateContainerConfigError", message };
}
