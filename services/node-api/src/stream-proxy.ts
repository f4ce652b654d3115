// Hands an upgraded client connection (SPDY or WebSocket, for exec/attach/port-forward) to the
// runtime's streaming server, as the kubelet's proxy (apimachinery UpgradeAwareHandler) does:
// the client's request goes to the CRI URL with the client's upgrade headers, the runtime's
// "101 Switching Protocols" goes back, and from then on bytes are piped both ways untouched —
// the exit code of an exec travels inside that stream.
import { connect, isIP, type Socket } from "node:net";
import { connect as tlsConnect } from "node:tls";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";

/** Headers not passed on: the target's own Host, and the caller's credentials (the runtime needs none). */
const DROPPED = new Set(["host", "authorization", "proxy-authorization"]);

/** The raw request head sent to the runtime. */
export function upgradeRequestHead(method: string, target: URL, rawHeaders: readonly string[]): string {
  const lines = [`${method} ${target.pathname}${target.search} HTTP/1.1`, `Host: ${target.host}`];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    if (!DROPPED.has(name.toLowerCase())) lines.push(`${name}: ${rawHeaders[i + 1]!}`);
  }
  return lines.join("\r\n") + "\r\n\r\n";
}

/**
 * Dials the runtime's streaming server: TLS for an https: URL (containerd's
 * enable_tls_streaming), plain TCP for http:. With TLS the certificate is not verified, as
 * containerd makes a self-signed one at start-up that no CA vouches for; the URL itself came
 * from the runtime over the authenticated bus, and the server is node-local.
 */
function dial(target: URL): { socket: Socket; ready: "connect" | "secureConnect" } {
  const host = target.hostname.replace(/^\[|\]$/g, "");
  if (target.protocol === "https:") {
    const port = Number(target.port || 443);
    return { socket: tlsConnect({ host, port, rejectUnauthorized: false, ...(isIP(host) === 0 ? { servername: host } : {}) }), ready: "secureConnect" };
  }
  return { socket: connect({ host, port: Number(target.port || 80) }), ready: "connect" };
}

/**
 * Pipes `client` to the runtime at `target` until either side closes; resolves then. A client
 * already closed (`signal` aborted, or the socket destroyed) is not dialled for at all.
 */
export function proxyUpgrade(req: IncomingMessage, client: Duplex, head: Buffer, target: URL, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted === true || client.destroyed) {
      client.destroy();
      resolve();
      return;
    }
    if (target.protocol !== "http:" && target.protocol !== "https:") {
      client.end(`HTTP/1.1 502 Bad Gateway\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(`unsupported streaming URL scheme ${target.protocol}\n`)}\r\n\r\nunsupported streaming URL scheme ${target.protocol}\n`);
      resolve();
      return;
    }
    const { socket: backend, ready } = dial(target);
    let connected = false;
    let open = 2;
    const closed = () => {
      if (--open === 0) resolve();
    };
    backend.once(ready, () => {
      connected = true;
      backend.write(upgradeRequestHead(req.method ?? "GET", target, req.rawHeaders));
      if (head.length > 0) backend.write(head);
      // pipe() ends each side when the other ends, after what was written is flushed — the
      // runtime's last frames (an exec's exit status) must reach the client.
      backend.pipe(client);
      client.pipe(backend);
    });
    backend.on("error", () => {
      if (!connected && client.writable) client.end("HTTP/1.1 502 Bad Gateway\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
    });
    client.on("error", () => client.destroy());
    backend.on("close", () => {
      closed();
      // The client has what was flushed; if it never closes its side, do not wait for it forever.
      if (client.writable) client.end();
      setTimeout(() => client.destroy(), 10_000).unref();
    });
    client.on("close", () => {
      closed();
      backend.destroy(); // the client is gone: free the runtime's session too
    });
  });
}
