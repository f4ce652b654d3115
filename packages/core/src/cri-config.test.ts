import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { containerConfig } from "./container-config.js";
import { containerLabels, containerAnnotations, sandboxLabels } from "./labels.js";
import { podHostname, portMappings, sandboxConfig } from "./sandbox-config.js";
import { UID, basePod } from "./testing/fixtures.js";

describe("sandboxConfig", () => {
  test("a pod-network pod", () => {
    const pod = basePod();
    pod.metadata.annotations = { note: "hi" };
    const dnsConfig = { servers: ["10.96.0.10"], searches: ["default.svc.cluster.local"], options: ["ndots:5"] };
    assert.deepEqual(sandboxConfig(pod, { attempt: 2, dnsConfig }), {
      metadata: { name: "web", uid: UID, namespace: "default", attempt: 2 },
      hostname: "web",
      logDirectory: `/var/log/pods/default_web_${UID}`,
      dnsConfig,
      portMappings: [{ protocol: "TCP", containerPort: 80 }],
      labels: sandboxLabels(pod),
      annotations: { note: "hi" },
      linux: {
        cgroupParent: "",
        securityContext: {
          namespaceOptions: { network: "POD", pid: "CONTAINER", ipc: "POD" },
          seccomp: { profileType: "RuntimeDefault" },
        },
      },
    });
  });

  test("host namespaces: no hostname, NODE namespaces; log root and cgroup parent are parameters", () => {
    const pod = basePod();
    Object.assign(pod.spec, { hostNetwork: true, hostPID: true, hostIPC: true });
    const config = sandboxConfig(pod, { attempt: 0, podLogsRoot: "/tmp/pods/", cgroupParent: "/natslet/web" });
    assert.equal(config.hostname, "");
    assert.equal(config.logDirectory, `/tmp/pods/default_web_${UID}`);
    assert.deepEqual(config.linux.securityContext.namespaceOptions, { network: "NODE", pid: "NODE", ipc: "NODE" });
    assert.equal(config.linux.cgroupParent, "/natslet/web");
    assert.equal("dnsConfig" in config, false);
  });

  test("hostname: spec.hostname wins; long names are cut to 63 without a trailing dash", () => {
    const pod = basePod();
    pod.spec.hostname = "custom";
    assert.equal(podHostname(pod), "custom");
    delete pod.spec.hostname;
    pod.metadata.name = `${"a".repeat(62)}-bcd`;
    assert.equal(podHostname(pod), "a".repeat(62));
  });

  test("port mappings: every container, host port and IP kept, duplicate names once", () => {
    const pod = basePod();
    pod.spec.containers = [
      { name: "a", image: "x", ports: [{ name: "http", containerPort: 80, hostPort: 8080, hostIP: "127.0.0.1" }, { name: "http", containerPort: 81 }] },
      { name: "b", image: "x", ports: [{ containerPort: 53, protocol: "UDP" }, { containerPort: 53, protocol: "UDP" }] },
    ];
    assert.deepEqual(portMappings(pod), [
      { protocol: "TCP", containerPort: 80, hostPort: 8080, hostIp: "127.0.0.1" },
      { protocol: "UDP", containerPort: 53 },
    ]);
  });
});

describe("containerConfig", () => {
  test("metadata, image, expanded command, env, log path, labels, resources", () => {
    const pod = basePod();
    const container = {
      name: "app",
      image: "nginx:1.27",
      command: ["/bin/sh", "-c"],
      args: ["echo $(GREETING)"],
      workingDir: "/srv",
      tty: true,
      resources: { limits: { cpu: "500m", memory: "128Mi" } },
    };
    pod.spec.containers = [container];
    const envs = [{ key: "GREETING", value: "hello" }];
    const mounts = [{ containerPath: "/data", hostPath: "/var/lib/natslet/pods/x/volumes/data", readonly: true }];
    assert.deepEqual(
      containerConfig(pod, container, { attempt: 3, imageRef: "sha256:abc", envs, mounts, memoryCapacityBytes: 8 * 2 ** 30 }),
      {
        metadata: { name: "app", attempt: 3 },
        image: { image: "sha256:abc", userSpecifiedImage: "nginx:1.27" },
        command: ["/bin/sh", "-c"],
        args: ["echo hello"],
        workingDir: "/srv",
        envs,
        mounts,
        labels: containerLabels(pod, container),
        annotations: containerAnnotations(pod, container, 3),
        logPath: "app/3.log",
        stdin: false,
        stdinOnce: false,
        tty: true,
        linux: {
          resources: { cpuPeriod: 100_000, cpuQuota: 50_000, cpuShares: 512, memoryLimitInBytes: 128 * 2 ** 20, oomScoreAdj: -997 },
          securityContext: { namespaceOptions: { network: "POD", pid: "CONTAINER", ipc: "POD" } },
        },
      },
    );
  });

  test("defaults: no command, no mounts, empty working dir", () => {
    const pod = basePod();
    const [app] = pod.spec.containers;
    assert.ok(app);
    const config = containerConfig(pod, app, { attempt: 0, imageRef: "sha256:n", envs: [], memoryCapacityBytes: 2 ** 30 });
    assert.deepEqual([config.command, config.args, config.mounts, config.workingDir, config.logPath], [[], [], [], "", "app/0.log"]);
  });
});
