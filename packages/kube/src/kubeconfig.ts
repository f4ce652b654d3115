// Where the API server is and who we are to it, the way kubectl and client-go look for it:
// $KUBECONFIG, else the pod's service account (in-cluster), else ~/.kube/config.
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, join } from "node:path";
import { isIPv6 } from "node:net";
import { KubeConfig } from "@kubernetes/client-node";
import { KeepAliveKubeConfig } from "./keep-alive.js";

export class KubeConfigError extends Error {
  override readonly name = "KubeConfigError";
}

type Env = Readonly<Record<string, string | undefined>>;

export interface KubeConfigLocations {
  /** Where a pod finds its service account (token, ca.crt). */
  readonly serviceAccountDir?: string;
  /** The home directory when $HOME is unset. */
  readonly homeDir?: string;
}

export const SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

/**
 * Loads the kubeconfig natslet talks to the API server with. `env` is read, never
 * process.env behind the caller's back. Fails with a KubeConfigError that says what was tried.
 */
export function loadKubeConfig(env: Env, locations: KubeConfigLocations = {}): KubeConfig {
  const kc = new KeepAliveKubeConfig();
  const kubeconfig = env["KUBECONFIG"]?.trim();
  if (kubeconfig) {
    // Like kubectl: a list of files, merged, the first one's current context winning.
    const files = kubeconfig.split(delimiter).filter((f) => f !== "");
    files.forEach((file, i) => {
      const part = i === 0 ? kc : new KubeConfig();
      try {
        part.loadFromFile(file);
      } catch (err) {
        throw new KubeConfigError(`KUBECONFIG: cannot load ${file}: ${err instanceof Error ? err.message : String(err)}`);
      }
      if (part !== kc) kc.mergeConfig(part, true);
    });
    return checked(kc, `KUBECONFIG=${kubeconfig}`);
  }

  const host = env["KUBERNETES_SERVICE_HOST"]?.trim();
  const port = env["KUBERNETES_SERVICE_PORT"]?.trim();
  const saDir = locations.serviceAccountDir ?? SERVICE_ACCOUNT_DIR;
  const token = join(saDir, "token");
  if (host && port && existsSync(token)) {
    // client-node's loadFromCluster reads process.env itself; the same config, from `env`.
    kc.loadFromClusterAndUser(
      {
        name: "inCluster",
        server: `https://${isIPv6(host) ? `[${host}]` : host}:${port}`,
        caFile: join(saDir, "ca.crt"),
        skipTLSVerify: false,
      },
      // client-node's FileAuth re-reads the file every minute: projected tokens rotate.
      { name: "inClusterUser", authProvider: { name: "tokenFile", config: { tokenFile: token } } },
    );
    return checked(kc, "in-cluster service account");
  }

  const home = env["HOME"]?.trim() || locations.homeDir || homedir();
  const defaultFile = join(home, ".kube", "config");
  if (existsSync(defaultFile)) {
    try {
      kc.loadFromFile(defaultFile);
    } catch (err) {
      throw new KubeConfigError(`cannot load ${defaultFile}: ${err instanceof Error ? err.message : String(err)}`);
    }
    return checked(kc, defaultFile);
  }

  throw new KubeConfigError(
    "no kubeconfig: set KUBECONFIG, run in a pod (KUBERNETES_SERVICE_HOST/PORT and a service account token in " +
      `${saDir}), or create ${defaultFile}`,
  );
}

/** A kubeconfig is only usable with a current context that names a known cluster. */
function checked(kc: KubeConfig, source: string): KubeConfig {
  const cluster = kc.getCurrentCluster();
  if (!cluster) {
    throw new KubeConfigError(`${source}: no current context, or it names no known cluster`);
  }
  if (!/^https?:\/\//.test(cluster.server)) {
    throw new KubeConfigError(`${source}: cluster "${cluster.name}" has no http(s) server URL (got "${cluster.server}")`);
  }
  return kc;
}
