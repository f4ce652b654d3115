// Table tests of the reference counting behind the ConfigMap/Secret watches, and of reading a
// watched object's contents.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Pod } from "@natslet/contracts";
import { fetchedDataOf, nameOf, podSourceKeys, resourceVersionOf, sourceCollectionPath, sourceKeyString, SourceRefCounter, type SourceKey } from "./source-refs.js";

const cm = (name: string, namespace = "default"): SourceKey => ({ kind: "configmap", namespace, name });
const secret = (name: string, namespace = "default"): SourceKey => ({ kind: "secret", namespace, name });
const ids = (keys: readonly SourceKey[]) => keys.map(sourceKeyString).sort();

describe("SourceRefCounter", () => {
  test("a key starts with its first pod and stops with its last", () => {
    const refs = new SourceRefCounter();
    assert.deepEqual(ids(refs.set("p1", [cm("a"), secret("s")]).started), ["configmap/default/a", "secret/default/s"]);
    assert.deepEqual(refs.set("p2", [cm("a")]), { started: [], stopped: [] }, "shared: no second watch");
    assert.deepEqual(refs.podsOf(cm("a")).sort(), ["p1", "p2"]);
    assert.deepEqual(ids(refs.release("p1")), ["secret/default/s"], "a still used by p2");
    assert.deepEqual(refs.podsOf(cm("a")), ["p2"]);
    assert.deepEqual(ids(refs.release("p2")), ["configmap/default/a"]);
    assert.equal(refs.size, 0);
  });

  test("setting a pod's keys again starts only the new and stops only the dropped", () => {
    const refs = new SourceRefCounter();
    refs.set("p1", [cm("a"), cm("b")]);
    const change = refs.set("p1", [cm("b"), cm("c")]);
    assert.deepEqual(ids(change.started), ["configmap/default/c"]);
    assert.deepEqual(ids(change.stopped), ["configmap/default/a"]);
    assert.deepEqual(refs.set("p1", [cm("b"), cm("c")]), { started: [], stopped: [] }, "idempotent");
  });

  test("the same name in another namespace or of another kind is another key", () => {
    const refs = new SourceRefCounter();
    refs.set("p1", [cm("x", "ns1")]);
    assert.deepEqual(ids(refs.set("p2", [cm("x", "ns2"), secret("x", "ns1")]).started), ["configmap/ns2/x", "secret/ns1/x"]);
    assert.deepEqual(refs.podsOf(cm("x", "ns1")), ["p1"]);
  });

  test("releasing an unknown pod, or twice, stops nothing", () => {
    const refs = new SourceRefCounter();
    assert.deepEqual(refs.release("nobody"), []);
    refs.set("p1", [cm("a")]);
    refs.set("p2", [cm("a")]);
    refs.release("p2");
    assert.deepEqual(refs.release("p2"), [], "p2's second release must not take p1's reference");
    assert.deepEqual(refs.podsOf(cm("a")), ["p1"]);
  });

  test("duplicate keys in one set count once", () => {
    const refs = new SourceRefCounter();
    refs.set("p1", [cm("a"), cm("a")]);
    assert.deepEqual(ids(refs.release("p1")), ["configmap/default/a"]);
    assert.equal(refs.size, 0);
  });
});

describe("podSourceKeys", () => {
  const pod = (volumes: Record<string, unknown>[], namespace = "ns"): Pod => ({
    metadata: { uid: "u", name: "p", namespace },
    spec: { containers: [{ name: "c", image: "i" }], volumes },
  });
  const cases: Array<[string, Record<string, unknown>[], string[]]> = [
    ["no volumes", [], []],
    ["configMap and secret volumes", [{ name: "a", configMap: { name: "c1" } }, { name: "b", secret: { secretName: "s1" } }], ["configmap/ns/c1", "secret/ns/s1"]],
    [
      "projected sources, each once",
      [
        { name: "a", projected: { sources: [{ configMap: { name: "c1" } }, { secret: { name: "s1" } }, { serviceAccountToken: { path: "t" } }] } },
        { name: "b", configMap: { name: "c1", optional: true } },
      ],
      ["configmap/ns/c1", "secret/ns/s1"],
    ],
    ["an empty name cannot be watched", [{ name: "a", configMap: {} }], []],
    ["a volume the contract refuses is skipped", [{ name: "Bad Name", configMap: { name: "c1" } }, { name: "ok", secret: { secretName: "s2" } }], ["secret/ns/s2"]],
    ["other types reference nothing", [{ name: "e", emptyDir: {} }, { name: "d", downwardAPI: { items: [] } }], []],
  ];
  for (const [what, volumes, want] of cases) {
    test(what, () => assert.deepEqual(ids(podSourceKeys(pod(volumes))), want));
  }
});

describe("watched object contents", () => {
  const cases: Array<[string, "configmap" | "secret", Record<string, unknown>, Record<string, string> | undefined]> = [
    ["configMap data and binaryData", "configmap", { data: { a: "alpha" }, binaryData: { b: Buffer.from([0, 1]).toString("base64") } }, { a: "alpha", b: "\u0000\u0001" }],
    ["an empty configMap", "configmap", {}, {}],
    ["secret data is base64", "secret", { data: { p: Buffer.from("hunter2").toString("base64") } }, { p: "hunter2" }],
    ["data null is no data", "secret", { data: null }, {}],
    ["a non-string value: not trusted (the caller GETs)", "configmap", { data: { a: 1 } }, undefined],
    ["data as an array: not trusted", "secret", { data: ["x"] }, undefined],
  ];
  for (const [what, kind, obj, want] of cases) {
    test(what, () => {
      const got = fetchedDataOf(kind, { metadata: { name: "x" }, ...obj });
      assert.deepEqual(got === undefined || got === null ? got : Object.fromEntries([...got].map(([k, v]) => [k, v.toString("latin1")])), want);
    });
  }

  test("resourceVersion, name and the collection path", () => {
    assert.equal(resourceVersionOf({ metadata: { resourceVersion: "42" } }), "42");
    assert.equal(resourceVersionOf(null), "", "a missing object has none");
    assert.equal(resourceVersionOf({}), "");
    assert.equal(nameOf({ metadata: { name: "n" } }), "n");
    assert.equal(nameOf({ metadata: "x" }), undefined);
    assert.equal(sourceCollectionPath(cm("a", "kube-system")), "/api/v1/namespaces/kube-system/configmaps");
    assert.equal(sourceCollectionPath(secret("a")), "/api/v1/namespaces/default/secrets");
  });
});
