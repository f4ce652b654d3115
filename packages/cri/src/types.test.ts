// Checks types.ts against the loaded api.proto: every field we declare must exist under that
// name (the encoder silently drops unknown ones), every proto field we leave out is listed
// with a reason, enum unions match exactly, and the decoder produces the shapes we declare.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { CRI_PACKAGE, loadCriProto } from "./proto.js";
import * as t from "./types.js";

const def = loadCriProto();

interface DescriptorFields {
  field: { name: string }[];
}
interface DescriptorValues {
  value: { name: string }[];
}
interface DescriptorEnums {
  enumType: ({ name: string } & DescriptorValues)[];
}

function definition(name: string, format: string): { type: object } & Record<string, unknown> {
  const d = def[`${CRI_PACKAGE}.${name}`];
  assert.ok(d !== undefined && "format" in d && d.format === format, `${name}: no ${format} in proto`);
  return d as unknown as { type: object } & Record<string, unknown>;
}

function protoFields(message: string): string[] {
  // proto-loader's descriptor already carries the camelCase names it encodes and decodes by.
  const type = definition(message, "Protocol Buffer 3 DescriptorProto").type as DescriptorFields;
  return type.field.map((f) => f.name).sort();
}

/** Values of a top-level enum, or of one nested in a message ("Message.Enum"). */
function protoEnum(name: string): string[] {
  const [outer, inner] = name.split(".");
  let type: DescriptorValues | undefined;
  if (outer !== undefined && inner !== undefined) {
    // proto-loader lists nested enums only inside their message's descriptor.
    const parent = definition(outer, "Protocol Buffer 3 DescriptorProto").type as DescriptorEnums;
    type = parent.enumType.find((e) => e.name === inner);
  } else {
    type = definition(name, "Protocol Buffer 3 EnumDescriptorProto").type as DescriptorValues;
  }
  assert.ok(type !== undefined, `enum ${name} not in proto`);
  return type.value.map((v) => v.name).sort();
}

interface Row {
  ts: string;
  proto: string;
  keys: string[];
  omitted: string[];
}

/**
 * One checked interface: `keys` must name every property of T and nothing else (the compiler
 * enforces both), so the runtime comparison with the proto covers the whole interface.
 */
function msg<T>(ts: string, keys: Record<keyof T, true>, omitted: string[] = []): Row {
  return { ts, proto: ts.replace(/Input$/, ""), keys: Object.keys(keys).sort(), omitted };
}

const WINDOWS = "windows";
// Deprecated in the proto in favour of the `seccomp` / `apparmor` SecurityProfile fields.
const DEPRECATED_PROFILE_PATHS = ["seccompProfilePath"];

const T = true as const;
const rows: Row[] = [
  msg<t.PodSandboxMetadata>("PodSandboxMetadata", { name: T, uid: T, namespace: T, attempt: T }),
  msg<t.PodSandboxMetadataInput>("PodSandboxMetadataInput", { name: T, uid: T, namespace: T, attempt: T }),
  msg<t.ContainerMetadata>("ContainerMetadata", { name: T, attempt: T }),
  msg<t.ContainerMetadataInput>("ContainerMetadataInput", { name: T, attempt: T }),
  msg<t.ImageSpec>("ImageSpec", { image: T, annotations: T, userSpecifiedImage: T, runtimeHandler: T }),
  msg<t.ImageSpecInput>("ImageSpecInput", { image: T, annotations: T, userSpecifiedImage: T, runtimeHandler: T }),
  msg<t.IDMapping>("IDMapping", { hostId: T, containerId: T, length: T }),
  msg<t.IDMappingInput>("IDMappingInput", { hostId: T, containerId: T, length: T }),
  ...(["Mount", "MountInput"] as const).map((name) =>
    msg<t.Mount & t.MountInput>(name, {
      containerPath: T, hostPath: T, readonly: T, selinuxRelabel: T, propagation: T,
      uidMappings: T, gidMappings: T, recursiveReadOnly: T, image: T, imageSubPath: T,
    }),
  ),
  msg<t.UserNamespace>("UserNamespace", { mode: T, uids: T, gids: T }),
  msg<t.UserNamespaceInput>("UserNamespaceInput", { mode: T, uids: T, gids: T }),
  msg<t.NamespaceOption>("NamespaceOption", { network: T, pid: T, ipc: T, targetId: T, usernsOptions: T }),
  msg<t.NamespaceOptionInput>("NamespaceOptionInput", {
    network: T, pid: T, ipc: T, targetId: T, usernsOptions: T,
  }),
  msg<t.HugepageLimit>("HugepageLimit", { pageSize: T, limit: T }),
  msg<t.HugepageLimitInput>("HugepageLimitInput", { pageSize: T, limit: T }),
  msg<t.LinuxContainerResources>("LinuxContainerResources", {
    cpuPeriod: T, cpuQuota: T, cpuShares: T, memoryLimitInBytes: T, oomScoreAdj: T, cpusetCpus: T,
    cpusetMems: T, hugepageLimits: T, unified: T, memorySwapLimitInBytes: T,
  }),
  msg<t.LinuxContainerResourcesInput>("LinuxContainerResourcesInput", {
    cpuPeriod: T, cpuQuota: T, cpuShares: T, memoryLimitInBytes: T, oomScoreAdj: T, cpusetCpus: T,
    cpusetMems: T, hugepageLimits: T, unified: T, memorySwapLimitInBytes: T,
  }),
  msg<t.Int64Value>("Int64Value", { value: T }),
  msg<t.Int64ValueInput>("Int64ValueInput", { value: T }),
  msg<t.UInt64Value>("UInt64Value", { value: T }),
  msg<t.DNSConfig>("DNSConfig", { servers: T, searches: T, options: T }),
  msg<t.PortMapping>("PortMapping", { protocol: T, containerPort: T, hostPort: T, hostIp: T }),
  msg<t.SELinuxOption>("SELinuxOption", { user: T, role: T, type: T, level: T }),
  msg<t.SecurityProfile>("SecurityProfile", { profileType: T, localhostRef: T }),
  msg<t.LinuxSandboxSecurityContext>(
    "LinuxSandboxSecurityContext",
    {
      namespaceOptions: T, selinuxOptions: T, runAsUser: T, runAsGroup: T, readonlyRootfs: T,
      supplementalGroups: T, supplementalGroupsPolicy: T, privileged: T, seccomp: T, apparmor: T,
    },
    DEPRECATED_PROFILE_PATHS,
  ),
  msg<t.LinuxPodSandboxConfig>("LinuxPodSandboxConfig", {
    cgroupParent: T, securityContext: T, sysctls: T, overhead: T, resources: T,
  }),
  msg<t.PodSandboxConfig>(
    "PodSandboxConfig",
    {
      metadata: T, hostname: T, logDirectory: T, dnsConfig: T, portMappings: T, labels: T,
      annotations: T, linux: T,
    },
    [WINDOWS],
  ),
  msg<t.KeyValue>("KeyValue", { key: T, value: T }),
  msg<t.Device>("Device", { containerPath: T, hostPath: T, permissions: T }),
  msg<t.CDIDevice>("CDIDevice", { name: T }),
  msg<t.Capability>("Capability", { addCapabilities: T, dropCapabilities: T, addAmbientCapabilities: T }),
  msg<t.LinuxContainerSecurityContext>(
    "LinuxContainerSecurityContext",
    {
      capabilities: T, privileged: T, namespaceOptions: T, selinuxOptions: T, runAsUser: T,
      runAsGroup: T, runAsUsername: T, readonlyRootfs: T, supplementalGroups: T,
      supplementalGroupsPolicy: T, noNewPrivs: T, maskedPaths: T, readonlyPaths: T, seccomp: T,
      apparmor: T,
    },
    ["apparmorProfile", ...DEPRECATED_PROFILE_PATHS],
  ),
  msg<t.LinuxContainerConfig>("LinuxContainerConfig", { resources: T, securityContext: T }),
  msg<t.ContainerConfig>(
    "ContainerConfig",
    {
      metadata: T, image: T, command: T, args: T, workingDir: T, envs: T, mounts: T, devices: T,
      labels: T, annotations: T, logPath: T, stdin: T, stdinOnce: T, tty: T, linux: T,
      CDIDevices: T, stopSignal: T,
    },
    [WINDOWS],
  ),
  msg<t.PodIP>("PodIP", { ip: T }),
  msg<t.PodSandboxNetworkStatus>("PodSandboxNetworkStatus", { ip: T, additionalIps: T }),
  msg<t.Namespace>("Namespace", { options: T }),
  msg<t.LinuxPodSandboxStatus>("LinuxPodSandboxStatus", { namespaces: T }),
  msg<t.PodSandboxStatus>("PodSandboxStatus", {
    id: T, metadata: T, state: T, createdAt: T, network: T, linux: T, labels: T, annotations: T,
    runtimeHandler: T,
  }),
  msg<t.PodSandbox>("PodSandbox", {
    id: T, metadata: T, state: T, createdAt: T, labels: T, annotations: T, runtimeHandler: T,
  }),
  msg<t.Container>("Container", {
    id: T, podSandboxId: T, metadata: T, image: T, imageRef: T, state: T, createdAt: T, labels: T,
    annotations: T, imageId: T,
  }),
  msg<t.ContainerResources>("ContainerResources", { linux: T }, [WINDOWS]),
  msg<t.LinuxContainerUser>("LinuxContainerUser", { uid: T, gid: T, supplementalGroups: T }),
  msg<t.ContainerUser>("ContainerUser", { linux: T }),
  msg<t.ContainerStatus>("ContainerStatus", {
    id: T, metadata: T, state: T, createdAt: T, startedAt: T, finishedAt: T, exitCode: T, image: T,
    imageRef: T, reason: T, message: T, labels: T, annotations: T, mounts: T, logPath: T,
    resources: T, imageId: T, user: T, stopSignal: T,
  }),
  msg<t.RuntimeCondition>("RuntimeCondition", { type: T, status: T, reason: T, message: T }),
  msg<t.RuntimeStatus>("RuntimeStatus", { conditions: T }),
  msg<t.RuntimeHandlerFeatures>("RuntimeHandlerFeatures", { recursiveReadOnlyMounts: T, userNamespaces: T }),
  msg<t.RuntimeHandler>("RuntimeHandler", { name: T, features: T }),
  msg<t.RuntimeFeatures>("RuntimeFeatures", { supplementalGroupsPolicy: T }),
  msg<t.LinuxRuntimeConfiguration>("LinuxRuntimeConfiguration", { cgroupDriver: T }),
  msg<t.NetworkConfig>("NetworkConfig", { podCidr: T }),
  msg<t.RuntimeConfig>("RuntimeConfig", { networkConfig: T }),
  msg<t.FilesystemIdentifier>("FilesystemIdentifier", { mountpoint: T }),
  msg<t.FilesystemUsage>("FilesystemUsage", { timestamp: T, fsId: T, usedBytes: T, inodesUsed: T }),
  msg<t.PsiData>("PsiData", { Total: T, Avg10: T, Avg60: T, Avg300: T }),
  msg<t.PsiStats>("PsiStats", { Full: T, Some: T }),
  msg<t.CpuUsage>("CpuUsage", { timestamp: T, usageCoreNanoSeconds: T, usageNanoCores: T, psi: T }),
  msg<t.MemoryUsage>("MemoryUsage", {
    timestamp: T, workingSetBytes: T, availableBytes: T, usageBytes: T, rssBytes: T, pageFaults: T,
    majorPageFaults: T, psi: T,
  }),
  msg<t.SwapUsage>("SwapUsage", { timestamp: T, swapAvailableBytes: T, swapUsageBytes: T }),
  msg<t.IoUsage>("IoUsage", { timestamp: T, psi: T }),
  msg<t.ContainerAttributes>("ContainerAttributes", { id: T, metadata: T, labels: T, annotations: T }),
  msg<t.ContainerStats>("ContainerStats", {
    attributes: T, cpu: T, memory: T, writableLayer: T, swap: T, io: T,
  }),
  msg<t.NetworkInterfaceUsage>("NetworkInterfaceUsage", {
    name: T, rxBytes: T, rxErrors: T, txBytes: T, txErrors: T,
  }),
  msg<t.NetworkUsage>("NetworkUsage", { timestamp: T, defaultInterface: T, interfaces: T }),
  msg<t.ProcessUsage>("ProcessUsage", { timestamp: T, processCount: T }),
  msg<t.LinuxPodSandboxStats>("LinuxPodSandboxStats", {
    cpu: T, memory: T, network: T, process: T, containers: T, io: T,
  }),
  msg<t.PodSandboxAttributes>("PodSandboxAttributes", { id: T, metadata: T, labels: T, annotations: T }),
  msg<t.PodSandboxStats>("PodSandboxStats", { attributes: T, linux: T }, [WINDOWS]),
  msg<t.Image>("Image", {
    id: T, repoTags: T, repoDigests: T, size: T, uid: T, username: T, spec: T, pinned: T,
  }),
  msg<t.AuthConfig>("AuthConfig", {
    username: T, password: T, auth: T, serverAddress: T, identityToken: T, registryToken: T,
  }),
  msg<t.PodSandboxStateValue>("PodSandboxStateValue", { state: T }),
  msg<t.PodSandboxFilter>("PodSandboxFilter", { id: T, state: T, labelSelector: T }),
  msg<t.ContainerStateValue>("ContainerStateValue", { state: T }),
  msg<t.ContainerFilter>("ContainerFilter", { id: T, state: T, podSandboxId: T, labelSelector: T }),
  msg<t.ContainerStatsFilter>("ContainerStatsFilter", { id: T, podSandboxId: T, labelSelector: T }),
  msg<t.PodSandboxStatsFilter>("PodSandboxStatsFilter", { id: T, labelSelector: T }),
  msg<t.ImageFilter>("ImageFilter", { image: T }),
  // RuntimeService
  msg<t.VersionRequest>("VersionRequest", { version: T }),
  msg<t.VersionResponse>("VersionResponse", {
    version: T, runtimeName: T, runtimeVersion: T, runtimeApiVersion: T,
  }),
  msg<t.StatusRequest>("StatusRequest", { verbose: T }),
  msg<t.StatusResponse>("StatusResponse", { status: T, info: T, runtimeHandlers: T, features: T }),
  msg<t.RunPodSandboxRequest>("RunPodSandboxRequest", { config: T, runtimeHandler: T }),
  msg<t.RunPodSandboxResponse>("RunPodSandboxResponse", { podSandboxId: T }),
  msg<t.StopPodSandboxRequest>("StopPodSandboxRequest", { podSandboxId: T }),
  msg<t.StopPodSandboxResponse>("StopPodSandboxResponse", {}),
  msg<t.RemovePodSandboxRequest>("RemovePodSandboxRequest", { podSandboxId: T }),
  msg<t.RemovePodSandboxResponse>("RemovePodSandboxResponse", {}),
  msg<t.PodSandboxStatusRequest>("PodSandboxStatusRequest", { podSandboxId: T, verbose: T }),
  msg<t.PodSandboxStatusResponse>("PodSandboxStatusResponse", {
    status: T, info: T, containersStatuses: T, timestamp: T,
  }),
  msg<t.ListPodSandboxRequest>("ListPodSandboxRequest", { filter: T }),
  msg<t.ListPodSandboxResponse>("ListPodSandboxResponse", { items: T }),
  msg<t.CreateContainerRequest>("CreateContainerRequest", { podSandboxId: T, config: T, sandboxConfig: T }),
  msg<t.CreateContainerResponse>("CreateContainerResponse", { containerId: T }),
  msg<t.StartContainerRequest>("StartContainerRequest", { containerId: T }),
  msg<t.StartContainerResponse>("StartContainerResponse", {}),
  msg<t.StopContainerRequest>("StopContainerRequest", { containerId: T, timeout: T }),
  msg<t.StopContainerResponse>("StopContainerResponse", {}),
  msg<t.RemoveContainerRequest>("RemoveContainerRequest", { containerId: T }),
  msg<t.RemoveContainerResponse>("RemoveContainerResponse", {}),
  msg<t.ListContainersRequest>("ListContainersRequest", { filter: T }),
  msg<t.ListContainersResponse>("ListContainersResponse", { containers: T }),
  msg<t.ContainerStatusRequest>("ContainerStatusRequest", { containerId: T, verbose: T }),
  msg<t.ContainerStatusResponse>("ContainerStatusResponse", { status: T, info: T }),
  msg<t.UpdateContainerResourcesRequest>(
    "UpdateContainerResourcesRequest",
    { containerId: T, linux: T, annotations: T },
    [WINDOWS],
  ),
  msg<t.UpdateContainerResourcesResponse>("UpdateContainerResourcesResponse", {}),
  msg<t.ReopenContainerLogRequest>("ReopenContainerLogRequest", { containerId: T }),
  msg<t.ReopenContainerLogResponse>("ReopenContainerLogResponse", {}),
  msg<t.ExecSyncRequest>("ExecSyncRequest", { containerId: T, cmd: T, timeout: T }),
  msg<t.ExecSyncResponse>("ExecSyncResponse", { stdout: T, stderr: T, exitCode: T }),
  msg<t.ExecRequest>("ExecRequest", { containerId: T, cmd: T, tty: T, stdin: T, stdout: T, stderr: T }),
  msg<t.ExecResponse>("ExecResponse", { url: T }),
  msg<t.AttachRequest>("AttachRequest", { containerId: T, stdin: T, tty: T, stdout: T, stderr: T }),
  msg<t.AttachResponse>("AttachResponse", { url: T }),
  msg<t.PortForwardRequest>("PortForwardRequest", { podSandboxId: T, port: T }),
  msg<t.PortForwardResponse>("PortForwardResponse", { url: T }),
  msg<t.ContainerStatsRequest>("ContainerStatsRequest", { containerId: T }),
  msg<t.ContainerStatsResponse>("ContainerStatsResponse", { stats: T }),
  msg<t.ListContainerStatsRequest>("ListContainerStatsRequest", { filter: T }),
  msg<t.ListContainerStatsResponse>("ListContainerStatsResponse", { stats: T }),
  msg<t.PodSandboxStatsRequest>("PodSandboxStatsRequest", { podSandboxId: T }),
  msg<t.PodSandboxStatsResponse>("PodSandboxStatsResponse", { stats: T }),
  msg<t.ListPodSandboxStatsRequest>("ListPodSandboxStatsRequest", { filter: T }),
  msg<t.ListPodSandboxStatsResponse>("ListPodSandboxStatsResponse", { stats: T }),
  msg<t.UpdateRuntimeConfigRequest>("UpdateRuntimeConfigRequest", { runtimeConfig: T }),
  msg<t.UpdateRuntimeConfigResponse>("UpdateRuntimeConfigResponse", {}),
  msg<t.RuntimeConfigRequest>("RuntimeConfigRequest", {}),
  msg<t.RuntimeConfigResponse>("RuntimeConfigResponse", { linux: T }),
  // ImageService
  msg<t.ListImagesRequest>("ListImagesRequest", { filter: T }),
  msg<t.ListImagesResponse>("ListImagesResponse", { images: T }),
  msg<t.ImageStatusRequest>("ImageStatusRequest", { image: T, verbose: T }),
  msg<t.ImageStatusResponse>("ImageStatusResponse", { image: T, info: T }),
  msg<t.PullImageRequest>("PullImageRequest", { image: T, auth: T, sandboxConfig: T }),
  msg<t.PullImageResponse>("PullImageResponse", { imageRef: T }),
  msg<t.RemoveImageRequest>("RemoveImageRequest", { image: T }),
  msg<t.RemoveImageResponse>("RemoveImageResponse", {}),
  msg<t.ImageFsInfoRequest>("ImageFsInfoRequest", {}),
  msg<t.ImageFsInfoResponse>("ImageFsInfoResponse", { imageFilesystems: T, containerFilesystems: T }),
];

const enums: [ts: string, proto: string, values: readonly string[]][] = [
  ["Protocol", "Protocol", t.PROTOCOLS],
  ["MountPropagation", "MountPropagation", t.MOUNT_PROPAGATIONS],
  ["NamespaceMode", "NamespaceMode", t.NAMESPACE_MODES],
  ["SupplementalGroupsPolicy", "SupplementalGroupsPolicy", t.SUPPLEMENTAL_GROUPS_POLICIES],
  ["SecurityProfileType", "SecurityProfile.ProfileType", t.SECURITY_PROFILE_TYPES],
  ["PodSandboxState", "PodSandboxState", t.POD_SANDBOX_STATES],
  ["ContainerState", "ContainerState", t.CONTAINER_STATES],
  ["CgroupDriver", "CgroupDriver", t.CGROUP_DRIVERS],
  ["Signal", "Signal", t.SIGNALS],
];

describe("types.ts against api.proto", () => {
  for (const row of rows) {
    it(`${row.ts} ↔ ${row.proto}`, () => {
      const proto = protoFields(row.proto);
      const unknown = row.keys.filter((k) => !proto.includes(k));
      assert.deepEqual(unknown, [], `${row.ts}: fields not in ${row.proto} (would be dropped)`);
      const missing = proto.filter((f) => !row.keys.includes(f));
      assert.deepEqual(missing, [...row.omitted].sort(), `${row.ts}: proto fields neither typed nor listed as omitted`);
    });
  }

  for (const [ts, proto, values] of enums) {
    it(`enum ${ts} ↔ ${proto}`, () => {
      assert.deepEqual([...values].sort(), protoEnum(proto));
    });
  }

  it("every type exported by types.ts is checked here", () => {
    // The compiled declarations sit beside this test in dist/; reading them is the one way to
    // see the list of exported names at run time, so a new interface cannot skip this test.
    const dts = readFileSync(new URL("./types.d.ts", import.meta.url), "utf8");
    const exported = [...dts.matchAll(/^export (?:interface|type) (\w+)/gm)].map((m) => m[1]);
    const aliases = ["Int64", "Int64Input", "Bytes", "StringMap"];
    const checked = new Set([...rows.map((r) => r.ts), ...enums.map(([ts]) => ts), ...aliases]);
    assert.deepEqual(exported.filter((n) => n !== undefined && !checked.has(n)), []);
  });
});

// Compile-time: a value read from the runtime can be sent back as the input form.
type Assignable<A, B> = [A] extends [B] ? true : false;
const roundTrips: true[] = [
  true satisfies Assignable<t.PodSandboxMetadata, t.PodSandboxMetadataInput>,
  true satisfies Assignable<t.ContainerMetadata, t.ContainerMetadataInput>,
  true satisfies Assignable<t.ImageSpec, t.ImageSpecInput>,
  true satisfies Assignable<t.Mount, t.MountInput>,
  true satisfies Assignable<t.NamespaceOption, t.NamespaceOptionInput>,
  true satisfies Assignable<t.LinuxContainerResources, t.LinuxContainerResourcesInput>,
  true satisfies Assignable<t.Int64Value, t.Int64ValueInput>,
];

describe("decoding (proto-loader options)", () => {
  it("output types hold: zero values present, unset messages null, int64 as strings", () => {
    const status = definition("ContainerStatus", "Protocol Buffer 3 DescriptorProto");
    const decode = status["deserialize"] as (b: Buffer) => unknown;
    const got = decode(Buffer.alloc(0)) as t.ContainerStatus;
    assert.equal(got.id, "");
    assert.equal(got.metadata, null);
    assert.equal(got.state, "CONTAINER_CREATED");
    assert.equal(got.createdAt, "0");
    assert.equal(got.exitCode, 0);
    assert.deepEqual(got.labels, {});
    assert.deepEqual(got.mounts, []);
    assert.equal(got.resources, null);
    assert.equal(got.stopSignal, "RUNTIME_DEFAULT");
    assert.ok(roundTrips.every(Boolean));
  });

  it("bytes decode to Buffers", () => {
    const exec = definition("ExecSyncResponse", "Protocol Buffer 3 DescriptorProto");
    const decode = exec["deserialize"] as (b: Buffer) => unknown;
    const got = decode(Buffer.alloc(0)) as t.ExecSyncResponse;
    assert.ok(Buffer.isBuffer(got.stdout));
    assert.equal(got.stdout.length, 0);
  });

  it("int64 inputs accept numbers and strings beyond 2^53 without loss", () => {
    const res = definition("LinuxContainerResources", "Protocol Buffer 3 DescriptorProto");
    const encode = res["serialize"] as (v: t.LinuxContainerResourcesInput) => Buffer;
    const decode = res["deserialize"] as (b: Buffer) => unknown;
    const input: t.LinuxContainerResourcesInput = {
      cpuQuota: 50_000,
      memoryLimitInBytes: "9007199254740993",
      oomScoreAdj: -997,
      hugepageLimits: [{ pageSize: "2MB", limit: 0 }],
      unified: { "memory.high": "max" },
    };
    const got = decode(encode(input)) as t.LinuxContainerResources;
    assert.equal(got.cpuQuota, "50000");
    assert.equal(got.memoryLimitInBytes, "9007199254740993");
    assert.equal(got.oomScoreAdj, "-997");
    assert.deepEqual(got.hugepageLimits, [{ pageSize: "2MB", limit: "0" }]);
    assert.deepEqual(got.unified, { "memory.high": "max" });
  });

  it("a nested request with enums and maps survives the encoder", () => {
    const req = definition("RunPodSandboxRequest", "Protocol Buffer 3 DescriptorProto");
    const encode = req["serialize"] as (v: t.RunPodSandboxRequest) => Buffer;
    const decode = req["deserialize"] as (b: Buffer) => unknown;
    const input: t.RunPodSandboxRequest = {
      config: {
        metadata: { name: "web", uid: "u-1", namespace: "default", attempt: 2 },
        logDirectory: "/var/log/pods/default_web_u-1",
        labels: { "io.kubernetes.pod.uid": "u-1" },
        portMappings: [{ protocol: "UDP", containerPort: 53 }],
        linux: {
          cgroupParent: "/kubepods/besteffort/podu-1",
          securityContext: {
            namespaceOptions: { network: "NODE", pid: "CONTAINER", ipc: "POD" },
            runAsUser: { value: 0 },
            supplementalGroups: [1000, "2000"],
          },
        },
      },
    };
    const got = decode(encode(input)) as { config: t.PodSandboxConfig };
    const sc = got.config.linux?.securityContext;
    assert.deepEqual(got.config.metadata, { name: "web", uid: "u-1", namespace: "default", attempt: 2 });
    assert.equal(got.config.hostname, "");
    assert.equal(got.config.portMappings?.[0]?.protocol, "UDP");
    assert.equal(sc?.namespaceOptions?.network, "NODE");
    assert.equal(sc?.namespaceOptions?.pid, "CONTAINER");
    assert.deepEqual(sc?.runAsUser, { value: "0" });
    assert.deepEqual(sc?.supplementalGroups, ["1000", "2000"]);
  });
});
