// Table tests of the volume-manager's pure parts: path rules, hostPath type checks, token
// renewal timing, mountinfo parsing, payloads and mount plans.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, test } from "node:test";
import { ApiException } from "@kubernetes/client-node";
import { ValidationError, volumeMethods, volumeSchema, type Pod, type Volume } from "@natslet/contracts";
import { payloadConflict } from "./atomic-writer.js";
import { checkHostPathType, type FileKind, type HostPathType } from "./hostpath-type.js";
import { mountsBelow, parseMountInfo } from "./mountinfo.js";
import { MountPlanError, planMounts } from "./mount-plan.js";
import { hostPathAllowed, payloadPathProblem, podDir, subPathBindDir, subPathProblem, UnsafeNameError, volumeDir } from "./paths.js";
import { formatMap, tokenKey, volumePayload, volumeReferences, VolumeSourceError, type FetchedSources } from "./payload.js";
import { apiHealthAfter } from "./sources.js";
import { tokenNeedsRefresh } from "./token-timing.js";

describe("subPath and payload path rules", () => {
  const cases: Array<[string, boolean]> = [
    ["data", true],
    ["a/b/c", true],
    ["..data2", true], // only a `..` component climbs
    ["/etc", false],
    ["..", false],
    ["a/../../etc", false],
    ["a/..", false],
  ];
  for (const [subPath, ok] of cases) {
    test(`subPath ${JSON.stringify(subPath)} ${ok ? "allowed" : "refused"}`, () => assert.equal(subPathProblem(subPath) === undefined, ok));
  }
  const payloadCases: Array<[string, boolean]> = [["key", true], ["dir/key", true], ["..data", false], ["../x", false], ["/abs", false], ["", false]];
  for (const [path, ok] of payloadCases) {
    test(`payload path ${JSON.stringify(path)} ${ok ? "allowed" : "refused"}`, () => assert.equal(payloadPathProblem(path) === undefined, ok));
  }
});

describe("hostPath allow-list", () => {
  const cases: Array<[string, string[], boolean]> = [
    ["/anything", [], true],
    ["/srv/data", ["/srv"], true],
    ["/srv", ["/srv"], true],
    ["/srvx", ["/srv"], false],
    ["/srv/../etc", ["/srv"], false],
    ["/etc/passwd", ["/srv", "/var/log"], false],
    ["/var/log/pods", ["/srv", "/var/log/"], true],
    ["relative", ["/srv"], false],
  ];
  for (const [path, allow, ok] of cases) {
    test(`${path} with [${allow.join(",")}] → ${ok}`, () => assert.equal(hostPathAllowed(path, allow), ok));
  }
});

describe("hostPath type checks", () => {
  const cases: Array<[HostPathType | undefined, FileKind, string]> = [
    [undefined, "missing", "use"],
    ["", "file", "use"],
    ["DirectoryOrCreate", "missing", "create directory"],
    ["DirectoryOrCreate", "directory", "use"],
    ["DirectoryOrCreate", "file", "refuse: /p is not a directory"],
    ["Directory", "missing", "refuse: /p is not a directory"],
    ["Directory", "directory", "use"],
    ["FileOrCreate", "missing", "create file"],
    ["FileOrCreate", "directory", "refuse: /p is not a file"],
    ["File", "file", "use"],
    ["File", "missing", "refuse: /p is not a file"],
    ["Socket", "socket", "use"],
    ["Socket", "file", "refuse: /p is not a socket file"],
    ["CharDevice", "char", "use"],
    ["CharDevice", "block", "refuse: /p is not a character device"],
    ["BlockDevice", "block", "use"],
    ["BlockDevice", "missing", "refuse: /p is not a block device"],
  ];
  for (const [type, kind, want] of cases) {
    test(`${type ?? "(none)"} on ${kind} → ${want}`, () => {
      const d = checkHostPathType("/p", type, kind);
      const got = d.action === "use" ? "use" : d.action === "create" ? `create ${d.kind}` : `refuse: ${d.message.replace("hostPath type check failed: ", "")}`;
      assert.equal(got, want);
    });
  }
});

describe("token renewal (80% of the lifetime, or 24 h)", () => {
  const h = 3600_000;
  const cases: Array<[string, { issuedAtMs: number; expiresAtMs: number }, number, boolean]> = [
    ["fresh 1 h token", { issuedAtMs: 0, expiresAtMs: h }, 0.5 * h, false],
    ["1 h token at 79%", { issuedAtMs: 0, expiresAtMs: h }, 0.79 * h, false],
    ["1 h token at 80%", { issuedAtMs: 0, expiresAtMs: h }, 0.8 * h, true],
    ["expired", { issuedAtMs: 0, expiresAtMs: h }, 2 * h, true],
    ["48 h token after 25 h", { issuedAtMs: 0, expiresAtMs: 48 * h }, 25 * h, true],
    ["48 h token after 23 h", { issuedAtMs: 0, expiresAtMs: 48 * h }, 23 * h, false],
  ];
  for (const [name, token, now, want] of cases) test(name, () => assert.equal(tokenNeedsRefresh(token, now), want));
  test("refresh time is the earlier of 80% and 24 h", () => {
  });
});

describe("mountinfo", () => {
  const text = [
    "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw",
    "100 22 0:50 / /var/lib/natslet/pods/u1/volumes/kubernetes.io~secret/s rw shared:50 - tmpfs tmpfs rw,size=100k",
    "101 22 8:1 /srv/x /var/lib/natslet/pods/u1/volume-subpaths/v/c/0 rw shared:1 - ext4 /dev/sda1 rw",
    "102 22 0:51 / /var/lib/natslet/pods/u10/volumes/with\\040space rw - tmpfs tmpfs rw",
    "",
  ].join("\n");
  test("parses mount points, types and escaped spaces", () => {
    const entries = parseMountInfo(text);
    assert.equal(entries.length, 4);
    assert.deepEqual(entries[1], { mountPoint: "/var/lib/natslet/pods/u1/volumes/kubernetes.io~secret/s", fsType: "tmpfs", source: "tmpfs", shared: true });
    assert.equal(entries[3]?.shared, false);
    assert.equal(entries[3]?.mountPoint, "/var/lib/natslet/pods/u10/volumes/with space");
  });
  test("mounts below a pod dir, deepest first, not a sibling with a longer uid", () => {
    assert.deepEqual(mountsBelow(parseMountInfo(text), "/var/lib/natslet/pods/u1"), [
      "/var/lib/natslet/pods/u1/volumes/kubernetes.io~secret/s",
      "/var/lib/natslet/pods/u1/volume-subpaths/v/c/0",
    ]);
  });
});

const pod = (over: Partial<Pod["spec"]> = {}): Pod => ({
  metadata: { uid: "u1", name: "p", namespace: "ns", labels: { b: "2", a: "x\"y" }, annotations: {} },
  spec: { containers: [{ name: "app", image: "busybox", resources: { limits: { memory: "64Mi", cpu: "250m" } } }], ...over },
});
const ctx = { podIps: ["10.0.0.5"], hostIp: "10.0.0.1", nodeName: "n1", allocatable: { cpuMillis: 2000, memoryBytes: 4 << 30 } };
const buf = (s: string) => Buffer.from(s);
const fetched = (over: Partial<FetchedSources> = {}): FetchedSources => ({
  configMaps: new Map([["cm", new Map([["a", buf("A")], ["b", buf("B")]])], ["missing", null]]),
  secrets: new Map([["s", new Map([["pw", buf("hunter2")]])]]),
  tokens: new Map([[tokenKey({ audience: "api", expirationSeconds: 3600 }), "TOKEN"]]),
  ...over,
});
const files = (v: Volume, src = fetched()) =>
  Object.fromEntries([...volumePayload(v, pod(), src, ctx)].map(([p, f]) => [p, `${f.content.toString()} ${f.mode.toString(8)}`]));

describe("payloads", () => {
  test("configMap: all keys with the default mode 0644", () => {
    assert.deepEqual(files({ name: "v", configMap: { name: "cm" } }), { a: "A 644", b: "B 644" });
  });
  test("configMap: items map keys to paths, per-item mode over defaultMode", () => {
    assert.deepEqual(files({ name: "v", configMap: { name: "cm", defaultMode: 0o600, items: [{ key: "a", path: "dir/x" }, { key: "b", path: "y", mode: 0o400 }] } }), {
      "dir/x": "A 600",
      y: "B 400",
    });
  });
  test("configMap: missing object fails, optional missing is empty", () => {
    assert.throws(() => files({ name: "v", configMap: { name: "missing" } }), (e: unknown) => e instanceof VolumeSourceError && e.message === 'configmap "missing" not found' && e.retryable);
    assert.deepEqual(files({ name: "v", configMap: { name: "missing", optional: true } }), {});
  });
  test("configMap: a missing key fails unless optional", () => {
    assert.throws(() => files({ name: "v", configMap: { name: "cm", items: [{ key: "zz", path: "z" }] } }), /configmap references non-existent config key: zz/);
    assert.deepEqual(files({ name: "v", configMap: { name: "cm", optional: true, items: [{ key: "zz", path: "z" }, { key: "a", path: "a" }] } }), { a: "A 644" });
  });
  test("configMap: a path climbing out is refused", () => {
    assert.throws(() => files({ name: "v", configMap: { name: "cm", items: [{ key: "a", path: "../../etc/x" }] } }), /must not contain '\.\.'/);
  });
  test("secret: decoded data, mode from defaultMode, missing secret named", () => {
    assert.deepEqual(files({ name: "v", secret: { secretName: "s", defaultMode: 0o440 } }), { pw: "hunter2 440" });
    assert.throws(() => files({ name: "v", secret: { secretName: "nope" } }), /secret "nope" not found/);
  });
  test("downwardAPI: fields, label maps and resources with a divisor", () => {
    const v: Volume = {
      name: "v",
      downwardAPI: {
        items: [
          { path: "name", fieldRef: { fieldPath: "metadata.name" } },
          { path: "labels", fieldRef: { fieldPath: "metadata.labels" } },
          { path: "a", fieldRef: { fieldPath: "metadata.labels['a']" } },
          { path: "mem", resourceFieldRef: { containerName: "app", resource: "limits.memory", divisor: "1Mi" } },
          { path: "cpu", resourceFieldRef: { containerName: "app", resource: "limits.cpu", divisor: "1m" }, mode: 0o400 },
        ],
      },
    };
    assert.deepEqual(files(v), { name: "p 644", labels: 'a="x\\"y"\nb="2" 644', a: 'x"y 644', mem: "64 644", cpu: "250 400" });
  });
  test("downwardAPI: an unknown container is a clear error", () => {
    assert.throws(() => files({ name: "v", downwardAPI: { items: [{ path: "x", resourceFieldRef: { containerName: "nope", resource: "limits.cpu" } }] } }), /container "nope" not found/);
  });
  test("projected: configMap + secret + downwardAPI + token, one defaultMode", () => {
    const v: Volume = {
      name: "v",
      projected: {
        defaultMode: 0o440,
        sources: [
          { configMap: { name: "cm", items: [{ key: "a", path: "cm-a" }] } },
          { secret: { name: "s" } },
          { downwardAPI: { items: [{ path: "ns", fieldRef: { fieldPath: "metadata.namespace" } }] } },
          { serviceAccountToken: { audience: "api", path: "token" } },
        ],
      },
    };
    assert.deepEqual(files(v), { "cm-a": "A 440", pw: "hunter2 440", ns: "ns 440", token: "TOKEN 440" });
    assert.deepEqual(volumeReferences(v), { configMaps: [{ name: "cm", optional: false }], secrets: [{ name: "s", optional: false }], tokens: [{ audience: "api", expirationSeconds: 3600 }] });
  });
  test("projected: sources sharing a key — the later source wins (kubelet: collectData merges into one map)", () => {
    const src = fetched({ configMaps: new Map([["cm", new Map([["a", buf("A")], ["b", buf("B")]])], ["cm2", new Map([["a", buf("A2")]])]]) });
    assert.deepEqual(files({ name: "v", projected: { sources: [{ configMap: { name: "cm" } }, { configMap: { name: "cm2" } }] } }, src), { a: "A2 644", b: "B 644" });
    assert.deepEqual(files({ name: "v", projected: { sources: [{ configMap: { name: "cm2" } }, { configMap: { name: "cm" } }] } }, src), { a: "A 644", b: "B 644" });
  });
  test("projected: clusterTrustBundle is refused", () => {
    assert.throws(() => files({ name: "v", projected: { sources: [{ clusterTrustBundle: { name: "x" } }] } }), /clusterTrustBundle/);
  });
  test("formatMap sorts keys and quotes values", () => assert.equal(formatMap({ z: "1", a: "b c" }), 'a="b c"\nz="1"'));
});

describe("mount plans", () => {
  const names = new Set(["cfg", "data"]);
  const readOnly = new Set(["cfg"]);
  test("readOnly forced for API data volumes, propagation mapped, subPathExpr expanded from env", () => {
    const p = pod({
      containers: [
        {
          name: "app",
          image: "busybox",
          env: [{ name: "POD", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } }, { name: "SUB", value: "x-$(POD)" }],
          volumeMounts: [
            { name: "cfg", mountPath: "/cfg" },
            { name: "data", mountPath: "/data", subPathExpr: "logs/$(SUB)", mountPropagation: "HostToContainer" },
          ],
        },
      ],
    });
    assert.deepEqual(planMounts(p, names, readOnly, ctx), {
      app: [
        { volume: "cfg", containerPath: "/cfg", readonly: true, propagation: "PROPAGATION_PRIVATE", index: 0, bindKey: "0" },
        {
          volume: "data",
          containerPath: "/data",
          subPath: "logs/x-p",
          readonly: false,
          propagation: "PROPAGATION_HOST_TO_CONTAINER",
          index: 1,
          bindKey: `1-${createHash("sha256").update("logs/x-p").digest("hex").slice(0, 16)}`,
        },
      ],
    });
  });
  const refused: Array<[string, Pod["spec"]["containers"][number]["volumeMounts"], RegExp]> = [
    ["a subPath with ..", [{ name: "data", mountPath: "/d", subPath: "../../etc" }], /must not contain '\.\.'/],
    ["an absolute subPath", [{ name: "data", mountPath: "/d", subPath: "/etc" }], /must be a relative path/],
    ["an unknown volume", [{ name: "nope", mountPath: "/d" }], /cannot find volume "nope"/],
    ["Bidirectional without privileged", [{ name: "data", mountPath: "/d", mountPropagation: "Bidirectional" }], /only to privileged/],
  ];
  for (const [name, volumeMounts, want] of refused) {
    test(`refuses ${name}`, () => {
      const p = pod({ containers: [{ name: "app", image: "busybox", ...(volumeMounts ? { volumeMounts } : {}) }] });
      assert.throws(() => planMounts(p, names, readOnly, ctx), (e: unknown) => e instanceof MountPlanError && want.test(e.message));
    });
  }
});

describe("subPathExpr and the pod IP", () => {
  const names = new Set(["data"]);
  const ipPod = (subPathExpr: string) =>
    pod({
      containers: [
        {
          name: "app",
          image: "busybox",
          env: [
            { name: "POD_IP", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } },
            { name: "VIA", value: "ip-$(POD_IP)" },
            { name: "NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
          ],
          volumeMounts: [{ name: "data", mountPath: "/d", subPathExpr }],
        },
      ],
    });
  const noIp = { ...ctx, podIps: [] };
  /** The expected subPath, or undefined for "a retryable MountPlanError". */
  const cases: Array<[string, string, typeof ctx, string | undefined]> = [
    ["direct, IP unknown", "$(POD_IP)", noIp, undefined],
    ["indirect, IP unknown", "x/$(VIA)", noIp, undefined],
    ["direct, IP known", "$(POD_IP)", ctx, "10.0.0.5"],
    ["indirect, IP known", "x/$(VIA)", ctx, "x/ip-10.0.0.5"],
    ["no IP used, IP unknown", "logs/$(NAME)", noIp, "logs/p"],
  ];
  for (const [name, expr, c, want] of cases) {
    test(`${name}: ${want ?? "a retryable MountPlanError"}`, () => {
      if (want === undefined) {
        assert.throws(() => planMounts(ipPod(expr), names, new Set(), c), (e: unknown) => e instanceof MountPlanError && e.retryable && /needs the pod IP/.test(e.message));
      } else {
        assert.equal(planMounts(ipPod(expr), names, new Set(), c)["app"]?.[0]?.subPath, want);
      }
    });
  }
  test("the bind dir of a subPathExpr depends on its expansion; a plain subPath keeps the kubelet's index", () => {
    const key = (ip: string) => planMounts(ipPod("$(POD_IP)"), names, new Set(), { ...ctx, podIps: [ip] })["app"]?.[0]?.bindKey ?? "";
    assert.match(key("10.0.0.5"), /^0-[0-9a-f]{16}$/);
    assert.notEqual(key("10.0.0.5"), key("10.0.0.6"));
    assert.equal(key("10.0.0.5"), key("10.0.0.5"));
    const plain = pod({ containers: [{ name: "app", image: "busybox", volumeMounts: [{ name: "data", mountPath: "/d", subPath: "x" }] }] });
    assert.equal(planMounts(plain, names, new Set(), ctx)["app"]?.[0]?.bindKey, "0");
  });
});

describe("names from the bus as path segments", () => {
  const uids: Array<[string, boolean]> = [
    ["0f1e2d3c-aaaa-bbbb-cccc-0123456789ab", true],
    ["../../../..", false],
    ["..", false],
    [".", false],
    ["a/b", false],
    ["", false],
    ["uid with space", false],
  ];
  for (const [uid, ok] of uids) {
    test(`pod uid ${JSON.stringify(uid)} ${ok ? "accepted" : "refused"} by the contract and by paths.ts`, () => {
      const parse = () => volumeMethods.Teardown.request({ uid }, "req");
      if (ok) {
        assert.deepEqual(parse(), { uid });
        assert.equal(podDir("/r", uid), `/r/pods/${uid}`);
      } else {
        assert.throws(parse, ValidationError);
        assert.throws(() => podDir("/r", uid), UnsafeNameError);
      }
    });
  }
  const labels: Array<[string, boolean]> = [
    ["data", true],
    ["my-vol-1", true],
    ["a".repeat(63), true],
    ["a".repeat(64), false],
    ["..", false],
    ["a/b", false],
    ["Upper", false],
    ["-lead", false],
    ["under_score", false],
  ];
  for (const [name, ok] of labels) {
    test(`volume/container name ${JSON.stringify(name.length > 20 ? `${name.slice(0, 8)}…(${name.length})` : name)} ${ok ? "accepted" : "refused"}`, () => {
      const volume = () => volumeSchema({ name, emptyDir: {} }, "v");
      const containers = () => volumeMethods.Setup.request({ pod: pod(), containers: [name] }, "req");
      if (ok) {
        assert.equal(volume().name, name);
        assert.doesNotThrow(containers);
        assert.doesNotThrow(() => volumeDir("/r", "u1", "secret", name));
        assert.doesNotThrow(() => subPathBindDir("/r", "u1", name, name, 0));
      } else {
        assert.throws(volume, ValidationError);
        assert.throws(containers, ValidationError);
        assert.throws(() => volumeDir("/r", "u1", "secret", name), UnsafeNameError);
        assert.throws(() => subPathBindDir("/r", "u1", "v", name, 0), UnsafeNameError);
      }
    });
  }
  test("a subPath bind key is an index, optionally with a hex hash", () => {
    assert.doesNotThrow(() => subPathBindDir("/r", "u1", "v", "c", "3-0123abcd"));
    assert.throws(() => subPathBindDir("/r", "u1", "v", "c", "../x"), UnsafeNameError);
  });
});

describe("atomic writer payload conflicts", () => {
  const cases: Array<[string[], boolean]> = [
    [["a", "b"], false],
    [["a/b", "a/c"], false],
    [["a", "a/b"], true],
    [["x/y/z", "x/y"], true],
    [["ab", "a/b"], false],
  ];
  for (const [paths, conflict] of cases) {
    test(`${JSON.stringify(paths)} ${conflict ? "conflict" : "fine"}`, () => {
      const payload = new Map(paths.map((p) => [p, { content: buf(""), mode: 0o644 }]));
      assert.equal(payloadConflict(payload) !== undefined, conflict);
    });
  }
});

describe("API server health after a failed request", () => {
  const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:6443"), { code: "ECONNREFUSED" });
  const cases: Array<[string, unknown, boolean, boolean]> = [
    ["404 answer", new ApiException(404, "not found", {}, {}), false, true],
    ["403 answer", new ApiException(403, "forbidden", {}, {}), false, true],
    ["503 answer", new ApiException(503, "unavailable", {}, {}), true, false],
    ["connection refused (fetch TypeError with cause)", new TypeError("fetch failed", { cause: refused }), true, false],
    ["a client-side error (nothing sent) keeps healthy", new Error("Required parameter name was null or undefined"), true, true],
    ["a client-side error keeps unhealthy", new Error("Required parameter name was null or undefined"), false, false],
  ];
  for (const [name, err, before, want] of cases) test(name, () => assert.equal(apiHealthAfter(err, before), want));
});

describe("settings", () => {
  test("defaults", async () => {
    const { volumeManagerSettings } = await import("./settings.js");
    const s = volumeManagerSettings({ NATSLET_NODE_NAME: "n" });
    assert.deepEqual([s.rootDir, s.resyncMs, s.hostPathAllow, s.nodeIp], ["/var/lib/natslet", 10_000, [], "127.0.0.1"]);
  });
  test("allow-list parsed; relative entries and a relative root are refused", async () => {
    const { volumeManagerSettings } = await import("./settings.js");
    assert.deepEqual(volumeManagerSettings({ NATSLET_HOSTPATH_ALLOW: "/srv, /var/log/,," }).hostPathAllow, ["/srv", "/var/log/"]);
    assert.throws(() => volumeManagerSettings({ NATSLET_HOSTPATH_ALLOW: "srv" }), /must be an absolute path/);
    assert.throws(() => volumeManagerSettings({ NATSLET_ROOT_DIR: "var/lib" }), /must be an absolute path/);
    assert.throws(() => volumeManagerSettings({ NATSLET_VOLUME_RESYNC_MS: "5" }), /NATSLET_VOLUME_RESYNC_MS/);
  });
});
