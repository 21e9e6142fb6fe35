/**
 * Certificates for Client VPN tests, made with openssl at test time: a CA, a server
 * certificate it signs (CN server.vpn.example), a client certificate, an empty CRL and one
 * revoking the client certificate, and a client certificate from another CA. `clientVpnFixtures` also imports the server certificate (with the CA
 * as its chain) into the server's ACM.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ACMClient, ImportCertificateCommand } from '@aws-sdk/client-acm';
import { clientConfig, type Keys } from './server.js';

export interface Pki {
  readonly caCert: string;
  readonly serverCert: string;
  readonly serverKey: string;
  readonly clientCert: string;
  readonly clientKey: string;
  readonly crl: string;
  /** A CRL from the same CA that revokes `clientCert`. */
  readonly revokingCrl: string;
  /** A client certificate from another CA (not trusted by the endpoint). */
  readonly strangerCert: string;
}

let cached: Pki | undefined;

/** A small PKI (made once per test process: openssl takes a moment). */
export function pki(): Pki {
  if (cached) return cached;
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-pki-'));
  const ssl = (...args: string[]): void => void execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  try {
    ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '365', '-subj', '/CN=gatehouse-test-ca');
    // X.509 v3 with the extensions easy-rsa gives (ACM refuses v1 certificates).
    for (const [name, usage] of [['server', 'serverAuth'], ['client', 'clientAuth']] as const) {
      writeFileSync(join(dir, `${name}.ext`), `basicConstraints = CA:FALSE\nkeyUsage = digitalSignature, keyEncipherment\nextendedKeyUsage = ${usage}\nsubjectAltName = DNS:${name}.vpn.example\n`);
      ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}.vpn.example`);
      ssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.crt`, '-days', '365', '-extfile', `${name}.ext`);
    }
    writeFileSync(join(dir, 'index.txt'), '');
    writeFileSync(join(dir, 'crlnumber'), '01\n');
    writeFileSync(
      join(dir, 'ca.cnf'),
      ['[ca]', 'default_ca = test', '[test]', 'database = index.txt', 'crlnumber = crlnumber', 'default_md = sha256', 'default_crl_days = 30', 'certificate = ca.crt', 'private_key = ca.key', ''].join('\n'),
    );
    ssl('ca', '-config', 'ca.cnf', '-gencrl', '-out', 'crl.pem');
    ssl('ca', '-config', 'ca.cnf', '-revoke', 'client.crt');
    ssl('ca', '-config', 'ca.cnf', '-gencrl', '-out', 'revoking.pem');
    ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'other.key', '-out', 'other.crt', '-days', '365', '-subj', '/CN=another-ca');
    ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'stranger.key', '-out', 'stranger.csr', '-subj', '/CN=stranger.vpn.example');
    ssl('x509', '-req', '-in', 'stranger.csr', '-CA', 'other.crt', '-CAkey', 'other.key', '-CAcreateserial', '-out', 'stranger.crt', '-days', '365', '-extfile', 'client.ext');
    const read = (f: string): string => readFileSync(join(dir, f), 'utf8');
    cached = {
      caCert: read('ca.crt'),
      serverCert: read('server.crt'),
      serverKey: read('server.key'),
      clientCert: read('client.crt'),
      clientKey: read('client.key'),
      crl: read('crl.pem'),
      revokingCrl: read('revoking.pem'),
      strangerCert: read('stranger.crt'),
    };
    return cached;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The server certificate imported into ACM (the chain is the CA), and the CRL. */
export async function clientVpnFixtures(endpoint: string, keys?: Keys): Promise<{ serverCertificateArn: string; crl: string; pki: Pki }> {
  const p = pki();
  const acm = new ACMClient(clientConfig(endpoint, keys));
  const imported = await acm.send(new ImportCertificateCommand({ Certificate: Buffer.from(p.serverCert), PrivateKey: Buffer.from(p.serverKey), CertificateChain: Buffer.from(p.caCert) }));
  return { serverCertificateArn: imported.CertificateArn!, crl: p.crl, pki: p };
}
