/** A throw-away self-signed certificate for 127.0.0.1, made with openssl for TLS tests. */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface SelfSigned {
  cert: string;
  key: string;
  certPath: string;
  keyPath: string;
  /** Deletes the files. */
  remove(): void;
}

export function selfSignedCert(): SelfSigned {
  const dir = mkdtempSync(join(tmpdir(), "wisp-tls-"));
  const certPath = join(dir, "cert.pem");
  const keyPath = join(dir, "key.pem");
  const made = spawnSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-days",
      "2",
      "-subj",
      "/CN=127.0.0.1",
      "-addext",
      "subjectAltName=IP:127.0.0.1",
      "-keyout",
      keyPath,
      "-out",
      certPath,
    ],
    { encoding: "utf8", timeout: 20_000 },
  );
  if (made.status !== 0) throw new Error(`openssl failed: ${made.stderr || made.error?.message}`);
  return {
    cert: readFileSync(certPath, "utf8"),
    key: readFileSync(keyPath, "utf8"),
    certPath,
    keyPath,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
