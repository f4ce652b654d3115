import { hostname } from "node:os";

/** What `make run` reads from the environment; every key is documented in README. */
export interface StackSettings {
  /** Use this cluster instead of starting a local control plane. */
  readonly kubeconfig: string | undefined;
  /** Use this CRI runtime instead of starting containerd. */
  readonly criEndpoint: string | undefined;
  readonly nodeName: string;
  readonly natsPort: number;
  readonly apiServerPort: number;
  readonly bridge: string;
  readonly podSubnet: string;
  /** Send traces here instead of starting Jaeger (the OTel SDK's own variable). */
  readonly otlpEndpoint: string | undefined;
  readonly jaegerUiPort: number;
  readonly jaegerOtlpPort: number;
}

/**
 * `stateDir` is where make run writes its own kubeconfig and containerd: values pointing there come
 * from a sourced .natslet/env of an earlier run, not from the user's cluster, and are ignored.
 */
export function stackSettings(env: NodeJS.ProcessEnv, stateDir: string): StackSettings {
  const own = (value: string | undefined) => (value !== undefined && value.includes(stateDir) ? undefined : value);
  return {
    kubeconfig: own(nonEmpty(env["KUBECONFIG"])),
    criEndpoint: own(nonEmpty(env["CONTAINER_RUNTIME_ENDPOINT"])),
    nodeName: nonEmpty(env["NATSLET_NODE_NAME"]) ?? hostname().toLowerCase(),
    natsPort: port(env, "NATSLET_NATS_PORT", 4222),
    apiServerPort: port(env, "NATSLET_APISERVER_PORT", 6443),
    bridge: nonEmpty(env["NATSLET_CNI_BRIDGE"]) ?? "natslet0",
    podSubnet: nonEmpty(env["NATSLET_POD_SUBNET"]) ?? "10.88.0.0/24",
    otlpEndpoint: nonEmpty(env["OTEL_EXPORTER_OTLP_ENDPOINT"]),
    jaegerUiPort: port(env, "NATSLET_JAEGER_UI_PORT", 16686),
    jaegerOtlpPort: port(env, "NATSLET_JAEGER_OTLP_PORT", 4318),
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}

function port(env: NodeJS.ProcessEnv, key: string, fallback: number): number {
  const raw = nonEmpty(env[key]);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    throw new Error(`${key}=${raw} is not a TCP port (1-65535)`);
  }
  return value;
}
