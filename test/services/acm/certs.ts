/**
 * Test certificates, made at test time with openssl (never committed): an RSA server
 * certificate with SANs and key usages, an EC P-256 certificate signed by a test CA (with
 * its chain), a key that matches neither, an encrypted key, an expired certificate and a
 * version 1 certificate. Each file's PEM text and the facts openssl reports about it.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface Pem {
  readonly path: string;
  readonly text: string;
}

export interface TestCertificates {
  readonly dir: string;
  /** RSA 2048, CN=server.example.com, SANs server/www, digitalSignature+keyEncipherment, serverAuth+clientAuth. */
  readonly rsa: { cert: Pem; key: Pem; serial: string; notBefore: Date; notAfter: Date };
  /** EC P-256 leaf (CN=vpn.example.com) signed by an RSA test CA (O=Example CA). */
  readonly ec: { cert: Pem; key: Pem; chain: Pem };
  readonly otherKey: Pem;
  readonly encryptedKey: Pem;
  readonly expired: { cert: Pem; key: Pem };
  readonly v1: { cert: Pem; key: Pem };
  cleanup(): Promise<void>;
}

async function openssl(args: readonly string[]): Promise<string> {
  const { stdout } = await run('openssl', args);
  return stdout;
}

export async function makeCertificates(): Promise<TestCertificates> {
  const dir = await mkdtemp(join(tmpdir(), 'gatehouse-acm-'));
  const p = (name: string): string => join(dir, name);
  const pem = async (name: string): Promise<Pem> => ({ path: p(name), text: await readFile(p(name), 'utf8') });

  await openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', p('rsa.key'), '-out', p('rsa.crt'), '-days', '30', '-subj', '/C=US/O=Example Corp/CN=server.example.com',
    '-addext', 'subjectAltName=DNS:server.example.com,DNS:www.example.com', '-addext', 'keyUsage=digitalSignature,keyEncipherment', '-addext', 'extendedKeyUsage=serverAuth,clientAuth']);
  await openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', p('ca.key'), '-out', p('ca.crt'), '-days', '60', '-subj', '/O=Example CA/CN=Example Root']);
  await openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', p('ec.key')]);
  await openssl(['req', '-new', '-key', p('ec.key'), '-out', p('ec.csr'), '-subj', '/CN=vpn.example.com']);
  await writeFile(p('ec.ext'), 'subjectAltName=DNS:vpn.example.com\nextendedKeyUsage=serverAuth\n');
  await openssl(['x509', '-req', '-in', p('ec.csr'), '-CA', p('ca.crt'), '-CAkey', p('ca.key'), '-CAcreateserial', '-days', '30', '-sha256', '-extfile', p('ec.ext'), '-out', p('ec.crt')]);
  await openssl(['genrsa', '-out', p('other.key'), '2048']);
  await openssl(['genrsa', '-aes256', '-passout', 'pass:secret', '-out', p('encrypted.key'), '2048']);
  await openssl(['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', p('expired.key'), '-out', p('expired.csr'), '-subj', '/CN=expired.example.com']);
  await writeFile(p('expired.ext'), 'subjectAltName=DNS:expired.example.com\n');
  await openssl(['x509', '-req', '-in', p('expired.csr'), '-signkey', p('expired.key'), '-days', '-1', '-extfile', p('expired.ext'), '-out', p('expired.crt')]);
  await openssl(['x509', '-req', '-in', p('expired.csr'), '-signkey', p('expired.key'), '-days', '10', '-out', p('v1.crt')]);

  const serial = (await openssl(['x509', '-in', p('rsa.crt'), '-noout', '-serial'])).trim().replace(/^serial=/, '');
  const dates = await openssl(['x509', '-in', p('rsa.crt'), '-noout', '-startdate', '-enddate']);
  const date = (name: string): Date => new Date(new RegExp(`${name}=(.*)`).exec(dates)![1]!);
  return {
    dir,
    rsa: { cert: await pem('rsa.crt'), key: await pem('rsa.key'), serial, notBefore: date('notBefore'), notAfter: date('notAfter') },
    ec: { cert: await pem('ec.crt'), key: await pem('ec.key'), chain: await pem('ca.crt') },
    otherKey: await pem('other.key'),
    encryptedKey: await pem('encrypted.key'),
    expired: { cert: await pem('expired.crt'), key: await pem('expired.key') },
    v1: { cert: await pem('v1.crt'), key: await pem('expired.key') },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/** openssl's serial (upper-case hex) as ACM prints it: colon-separated lower-case octets. */
export const acmSerial = (hex: string): string => (hex.length % 2 ? `0${hex}` : hex).toLowerCase().match(/../g)!.join(':');
