// GET requests to the API server over node:http(s), authenticated from the kubeconfig.
// Not client-node's Watch: it aborts a quiet watch after 30 s of silence (bookmarks come only
// once a minute) and builds a new connection pool for every watch. Not the typed API either:
// its models turn timestamps into Date objects and drop fields they do not know. Here the
// caller gets the response stream and decides itself.
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest, type RequestOptions } from "node:https";
import type { KubeConfig } from "@kubernetes/client-node";
import { errorFromStatus, MalformedResponseError } from "./errors.js";

/** An error response is a small Status object; more than this is not one. */
const MAX_ERROR_BODY = 64 * 1024;

/**
 * GETs `path` with `query`. Resolves with the response once a 200 arrives; any other status
 * rejects with KubeApiError built from the API server's Status body.
 */
export async function apiGet(
  kc: KubeConfig,
  path: string,
  query: Readonly<Record<string, string>>,
  signal: AbortSignal,
): Promise<IncomingMessage> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error("kubeconfig has no current cluster");
  // server may carry a path prefix (an API proxy): append, do not resolve against it.
  const url = new URL(cluster.server.replace(/\/+$/, "") + path);
  for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);

  const opts: RequestOptions = { headers: { accept: "application/json", "user-agent": "natslet" } };
  // Adds TLS material, the cached agent and Authorization (token files are re-read as they rotate).
  await kc.applyToHTTPSOptions(opts);
  signal.throwIfAborted();
  const send = url.protocol === "http:" ? httpRequest : httpsRequest;
  const res = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = send(url, { ...opts, method: "GET", signal }, resolve);
    req.on("error", reject);
    // A watch can sit idle for minutes: let TCP notice a peer that vanished without a FIN.
    req.on("socket", (socket) => socket.setKeepAlive(true, 30_000));
    req.end();
  });
  if (res.statusCode === 200) return res;
  const body = await readText(res, MAX_ERROR_BODY).catch(() => "");
  let status: unknown;
  try {
    status = JSON.parse(body);
  } catch {
    status = { message: `HTTP ${res.statusCode ?? "?"} ${body.slice(0, 200)}`.trim() };
  }
  throw errorFromStatus(res.statusCode ?? 0, status);
}

/** The whole body as text; `limit` guards against a body that is not what it should be. */
export async function readText(res: IncomingMessage, limit = Number.MAX_SAFE_INTEGER): Promise<string> {
  res.setEncoding("utf8");
  let text = "";
  for await (const chunk of res as AsyncIterable<string>) {
    text += chunk;
    if (text.length > limit) {
      res.destroy();
      throw new MalformedResponseError(`response body larger than ${limit} characters`);
    }
  }
  return text;
}

/**
 * The body split into lines as they arrive (a watch stream is one JSON object per line).
 * Ends when the server ends the response; throws if the connection breaks first. Leaving the
 * loop early destroys the response, and with it the connection.
 */
export async function* lines(res: IncomingMessage): AsyncGenerator<string, void, undefined> {
  res.setEncoding("utf8");
  let pending = "";
  try {
    for await (const chunk of res as AsyncIterable<string>) {
      pending += chunk;
      let newline: number;
      while ((newline = pending.indexOf("\n")) >= 0) {
        const line = pending.slice(0, newline).trim();
        pending = pending.slice(newline + 1);
        if (line !== "") yield line;
      }
    }
    const last = pending.trim();
    if (last !== "") yield last;
  } finally {
    res.destroy();
  }
}
