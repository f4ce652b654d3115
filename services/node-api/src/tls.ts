// The serving certificate: the configured PEM files, or — like the kubelet without
// --tls-cert-file — a self-signed one made at start-up for the node's name and IP. Node has no
// API to make certificates, so the openssl command line (Debian's openssl package) makes it.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface ServingCert {
  cert: Buffer;
  key: Buffer;
  generated: boolean;
}

export async function servingCert(opts: { certFile?: string; keyFile?: string; nodeName: string; nodeIp: string }): Promise<ServingCert> {
  if (opts.certFile !== undefined && opts.keyFile !== undefined) {
    return { cert: await readFile(opts.certFile), key: await readFile(opts.keyFile), generated: false };
  }
  const dir = await mkdtemp(join(tmpdir(), "natslet-node-api-"));
  try {
    const cert = join(dir, "tls.crt");
    const key = join(dir, "tls.key");
    await run("openssl", [
      "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", key, "-out", cert,
      "-days", "365", "-sha256", "-subj", `/CN=${opts.nodeName}@${Math.floor(Date.now() / 1000)}`,
      "-addext", `subjectAltName=DNS:${opts.nodeName},IP:${opts.nodeIp}`,
      "-addext", "extendedKeyUsage=serverAuth",
    ]).catch((err: unknown) => {
      throw new Error(`generating a self-signed serving certificate with openssl failed (install openssl, or set NATSLET_NODE_API_TLS_CERT and NATSLET_NODE_API_TLS_KEY): ${(err as Error).message}`);
    });
    return { cert: await readFile(cert), key: await readFile(key), generated: true };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
