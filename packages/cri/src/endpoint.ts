// CRI endpoints as the kubelet's --container-runtime-endpoint writes them. Only unix
// sockets: a Linux node agent talks to a local runtime, never over TCP.

const UNIX_SCHEME = "unix://";

/**
 * Turns `unix:///run/containerd/containerd.sock` or a bare absolute path into the
 * grpc-js target `unix:///run/containerd/containerd.sock`. Throws on anything else.
 */
export function endpointToTarget(endpoint: string): string {
  const path = endpoint.startsWith(UNIX_SCHEME) ? endpoint.slice(UNIX_SCHEME.length) : endpoint;
  if (/^[a-z][a-z0-9+.-]*:/i.test(path)) {
    throw new Error(`CRI endpoint ${JSON.stringify(endpoint)}: only unix sockets are supported`);
  }
  // `unix://run/x.sock` would make "run" a host name in URL terms; demand an absolute path.
  if (!path.startsWith("/")) {
    throw new Error(
      `CRI endpoint ${JSON.stringify(endpoint)}: need an absolute socket path (unix:///path or /path)`,
    );
  }
  return `${UNIX_SCHEME}${path}`;
}
