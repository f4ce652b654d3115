import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Container } from "@natslet/contracts";
import { canonicalJson, containerSpecHash, fnv1a32 } from "./hash.js";

const base: Container = {
  name: "app",
  image: "nginx:1.27",
  command: ["nginx"],
  env: [{ name: "A", value: "1" }],
  ports: [{ containerPort: 80, protocol: "TCP" }],
};

describe("containerSpecHash", () => {
  test("FNV-1a 32 matches the reference vectors", () => {
    assert.equal(fnv1a32(""), "811c9dc5");
    assert.equal(fnv1a32("a"), "e40c292c");
    assert.equal(fnv1a32("foobar"), "bf9cf968");
  });

  test("canonical JSON sorts keys at every level and drops undefined", () => {
    assert.equal(canonicalJson({ b: 1, a: { d: [2, { f: 1, e: 0 }], c: undefined } }), '{"a":{"d":[2,{"e":0,"f":1}]},"b":1}');
  });

  test("stable: same spec, same hash, whatever the key order", () => {
    const reordered: Container = { ports: [{ protocol: "TCP", containerPort: 80 }], env: [{ value: "1", name: "A" }], command: ["nginx"], image: "nginx:1.27", name: "app" };
    assert.equal(containerSpecHash(reordered), containerSpecHash(base));
    assert.match(containerSpecHash(base), /^[0-9a-f]{8}$/);
  });

  const restarts: [string, Partial<Container>][] = [
    ["image", { image: "nginx:1.28" }],
    ["command", { command: ["nginx", "-g", "daemon off;"] }],
    ["args", { args: ["-v"] }],
    ["workingDir", { workingDir: "/srv" }],
    ["env", { env: [{ name: "A", value: "2" }] }],
    ["ports", { ports: [{ containerPort: 8080, protocol: "TCP" }] }],
    ["volumeMounts", { volumeMounts: [{ name: "data", mountPath: "/data" }] }],
    ["tty", { tty: true }],
  ];
  for (const [field, change] of restarts) {
    test(`a change of ${field} changes the hash`, () => assert.notEqual(containerSpecHash({ ...base, ...change }), containerSpecHash(base)));
  }

  const keeps: [string, Partial<Container>][] = [
    ["resources (resized in place)", { resources: { limits: { cpu: "2" } } }],
    ["probes", { readinessProbe: { httpGet: { path: "/" } } }],
    ["imagePullPolicy", { imagePullPolicy: "Always" }],
    ["an empty list instead of none", { args: [] }],
  ];
  for (const [what, change] of keeps) {
    test(`${what} does not change the hash`, () => assert.equal(containerSpecHash({ ...base, ...change }), containerSpecHash(base)));
  }
});
