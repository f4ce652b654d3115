import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { run } from "./exec.js";

/** File paths of one key pair signed by the test CA. */
export interface CertPair {
  readonly cert: string;
  readonly key: string;
}

export interface CertRequest {
  /** Base file name: <name>.crt / <name>.key */
  readonly name: string;
  readonly commonName: string;
  readonly organization?: string;
  /** subjectAltName entries, e.g. ["IP:127.0.0.1", "DNS:localhost"] */
  readonly altNames?: readonly string[];
  readonly usage: "server" | "client" | "server+client";
}

/**
 * A throwaway certificate authority for a test control plane, made with the openssl CLI
 * (Node has no API to issue certificates). ECDSA P-256 keys: fast to generate, accepted by
 * every Kubernetes component.
 */
export class TestCA implements CertPair {
  readonly cert: string;
  readonly key: string;

  private constructor(readonly dir: string) {
    this.cert = join(dir, "ca.crt");
    this.key = join(dir, "ca.key");
  }

  static async create(dir: string, commonName = "natslet-test-ca"): Promise<TestCA> {
    const ca = new TestCA(dir);
    await newKey(ca.key);
    await run("openssl", [
      "req", "-x509", "-new", "-key", ca.key, "-out", ca.cert, "-days", "3650", "-sha256",
      "-subj", `/CN=${commonName}`,
      "-addext", "basicConstraints=critical,CA:TRUE",
      "-addext", "keyUsage=critical,keyCertSign,cRLSign,digitalSignature",
    ]);
    return ca;
  }

  async issue(req: CertRequest): Promise<CertPair> {
    const pair = { cert: join(this.dir, `${req.name}.crt`), key: join(this.dir, `${req.name}.key`) };
    const csr = join(this.dir, `${req.name}.csr`);
    const ext = join(this.dir, `${req.name}.ext`);
    const subject = `/CN=${req.commonName}` + (req.organization ? `/O=${req.organization}` : "");
    const usages = { server: "serverAuth", client: "clientAuth", "server+client": "serverAuth,clientAuth" };
    const lines = [
      "basicConstraints=critical,CA:FALSE",
      "keyUsage=critical,digitalSignature,keyEncipherment",
      `extendedKeyUsage=${usages[req.usage]}`,
    ];
    if (req.altNames?.length) lines.push(`subjectAltName=${req.altNames.join(",")}`);
    writeFileSync(ext, lines.join("\n") + "\n");
    await newKey(pair.key);
    await run("openssl", ["req", "-new", "-key", pair.key, "-out", csr, "-subj", subject]);
    await run("openssl", [
      "x509", "-req", "-in", csr, "-CA", this.cert, "-CAkey", this.key, "-CAcreateserial",
      "-out", pair.cert, "-days", "3650", "-sha256", "-extfile", ext,
    ]);
    return pair;
  }
}

/** A PKCS#8 EC P-256 private key. */
export async function newKey(path: string): Promise<void> {
  await run("openssl", ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", path]);
}

/** The public half of `keyPath`, for --service-account-key-file. */
export async function publicKeyOf(keyPath: string, outPath: string): Promise<void> {
  await run("openssl", ["pkey", "-in", keyPath, "-pubout", "-out", outPath]);
}
