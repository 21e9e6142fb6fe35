/**
 * Secrets at rest. Secret access keys must stay usable (SigV4 is an HMAC keyed with
 * them), so they are encrypted with AES-256-GCM under a key kept in the data folder;
 * passwords, which AWS never returns, are hashed with scrypt.
 */
import { createCipheriv, createDecipheriv, randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export class SecretBox {
  private constructor(private readonly key: Buffer) {}

  /** The key from `file` (created, mode 0600, on first use), or a fresh key in memory. */
  static open(file?: string): SecretBox {
    if (!file) return new SecretBox(randomBytes(32));
    if (existsSync(file)) return new SecretBox(Buffer.from(readFileSync(file, 'utf8').trim(), 'base64'));
    const key = randomBytes(32);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, key.toString('base64'), { mode: 0o600 });
    return new SecretBox(key);
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
    return `v1:${Buffer.concat([iv, c.getAuthTag(), body]).toString('base64')}`;
  }

  open(sealed: string): string {
    const raw = Buffer.from(sealed.slice(3), 'base64');
    const d = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
    d.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([d.update(raw.subarray(28)), d.final()]).toString('utf8');
  }
}

export function hashPassword(password: string): string {
  const salt = randomBytes(16);
  return `scrypt:${salt.toString('base64')}:${scryptSync(password, salt, 32).toString('base64')}`;
}

export function checkPassword(password: string, stored: string): boolean {
  const [, salt = '', hash = ''] = stored.split(':');
  const expected = Buffer.from(hash, 'base64');
  const got = scryptSync(password, Buffer.from(salt, 'base64'), expected.length);
  return timingSafeEqual(got, expected);
}
