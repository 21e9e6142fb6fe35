/**
 * Mutual authentication's certificate checks on their own (no server): a serial number
 * whose first hex digit is 0 (`0A...`) must still match the revocation list; X509Certificate
 * and the CRL's DER write it differently. openssl makes the certificates.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { certificateProblem } from '../../../src/services/ec2/client-vpn/connections.js';

describe('Client VPN certificate checks', () => {
  it('serial numbers with leading zero digits: revoked ones are refused, others accepted', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-serial-'));
    const ssl = (...args: string[]): void => void execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
    try {
      ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '30', '-subj', '/CN=ca');
      for (const [name, serial] of [['low', '0x0A1B2C'], ['zero-byte', '0x00FF01'], ['other', '0x7E5566']] as const) {
        ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
        ssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-set_serial', serial, '-out', `${name}.crt`, '-days', '30');
      }
      writeFileSync(join(dir, 'index.txt'), '');
      writeFileSync(join(dir, 'crlnumber'), '01\n');
      writeFileSync(join(dir, 'ca.cnf'), '[ca]\ndefault_ca = t\n[t]\ndatabase = index.txt\ncrlnumber = crlnumber\ndefault_md = sha256\ndefault_crl_days = 30\ncertificate = ca.crt\nprivate_key = ca.key\n');
      ssl('ca', '-config', 'ca.cnf', '-revoke', 'low.crt');
      ssl('ca', '-config', 'ca.cnf', '-revoke', 'zero-byte.crt');
      ssl('ca', '-config', 'ca.cnf', '-gencrl', '-out', 'crl.pem');
      const read = (f: string): string => readFileSync(join(dir, f), 'utf8');
      const anchors = [new X509Certificate(read('ca.crt'))];
      const now = new Date();
      assert.equal(certificateProblem(read('low.crt'), anchors, read('crl.pem'), now), 'the client certificate is revoked');
      assert.equal(certificateProblem(read('zero-byte.crt'), anchors, read('crl.pem'), now), 'the client certificate is revoked');
      assert.equal(certificateProblem(read('other.crt'), anchors, read('crl.pem'), now), undefined);
      assert.equal(certificateProblem(read('other.crt'), anchors, undefined, now), undefined);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
