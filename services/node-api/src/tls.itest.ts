// servingCert with the real openssl: a generated certificate a TLS server accepts, for the node's name and IP.
import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { test } from "node:test";
import { servingCert } from "./tls.js";

test("a generated self-signed certificate names the node and its IP, and matches its key", async () => {
  const { cert, key, generated } = await servingCert({ nodeName: "node-a", nodeIp: "10.1.2.3" });
  assert.equal(generated, true);
  const x = new X509Certificate(cert);
  assert.match(x.subjectAltName ?? "", /DNS:node-a/);
  assert.match(x.subjectAltName ?? "", /IP Address:10\.1\.2\.3/);
  assert.ok(x.checkHost("node-a"));
  assert.equal(x.checkIP("10.1.2.3"), "10.1.2.3");
  const { createPrivateKey } = await import("node:crypto");
  assert.ok(x.checkPrivateKey(createPrivateKey(key)));
  assert.ok(new Date(x.validTo).getTime() > Date.now() + 300 * 86_400_000);
});
