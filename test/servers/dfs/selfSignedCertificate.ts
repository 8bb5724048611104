// A throwaway certificate for 127.0.0.1. The test server has to speak HTTPS: the SDK's bearer-token
// policy refuses to send an Entra token over plain http ("Bearer token authentication is not permitted
// for non-TLS protected (non-https) URLs"). Generated once per process with the openssl command line,
// so no private key is ever committed; tests hand the certificate to the store as its trusted CA.

import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface Certificate {
  key: string;
  cert: string;
}

let cached: Certificate | undefined;

export function loopbackCertificate(): Certificate {
  if (cached) return cached;
  const dir = mkdtempSync(join(tmpdir(), "dfs-cert-"));
  try {
    const keyPath = join(dir, "key.pem");
    const certPath = join(dir, "cert.pem");
    // prettier-ignore
    const args = [
      "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
      "-keyout", keyPath, "-out", certPath, "-days", "2", "-subj", "/CN=127.0.0.1",
      "-addext", "subjectAltName=IP:127.0.0.1", "-addext", "basicConstraints=critical,CA:TRUE",
    ];
    try {
      execFileSync("openssl", args, { stdio: "pipe" });
    } catch (error) {
      throw new Error(
        `The dfs test server needs the openssl command to make its loopback TLS certificate: ${(error as Error).message}. Install openssl and put it on the PATH.`,
        { cause: error },
      );
    }
    cached = { key: readFileSync(keyPath, "utf8"), cert: readFileSync(certPath, "utf8") };
    return cached;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
