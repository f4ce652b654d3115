import { readFileSync, writeFileSync } from "node:fs";

export interface KubeconfigSpec {
  readonly server: string;
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
  readonly user: string;
  readonly clusterName?: string;
}

/**
 * Writes a self-contained kubeconfig (certificates embedded, so the file can be copied
 * anywhere). JSON is valid YAML, and every Kubernetes client reads it.
 */
export function writeKubeconfig(path: string, spec: KubeconfigSpec): void {
  const b64 = (file: string) => readFileSync(file).toString("base64");
  const cluster = spec.clusterName ?? "natslet";
  const config = {
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      { name: cluster, cluster: { server: spec.server, "certificate-authority-data": b64(spec.caFile) } },
    ],
    users: [
      {
        name: spec.user,
        user: { "client-certificate-data": b64(spec.certFile), "client-key-data": b64(spec.keyFile) },
      },
    ],
    contexts: [{ name: cluster, context: { cluster, user: spec.user } }],
    "current-context": cluster,
    preferences: {},
  };
  writeFileSync(path, JSON.stringify(config, null, 2) + "\n", { mode: 0o600 });
}
