/**
 * Encrypt, Decrypt and GenerateDataKey with real AES-256-GCM under each key's own 256-bit
 * secret (kept sealed in the key's record, created on the key's first use).
 *
 * The ciphertext blob names its key, as KMS's does (Decrypt needs no KeyId for symmetric
 * keys): `0x01 | u16 length | key ARN | 12-byte IV | 16-byte tag | ciphertext`. The
 * encryption context is bound as additional authenticated data (canonical: keys sorted),
 * so Decrypt with a different context fails with InvalidCiphertextException, as in KMS.
 * The layout is Gatehouse's own; AWS's is opaque and undocumented.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type {
  DecryptCommandInput,
  DecryptCommandOutput,
  EncryptCommandInput,
  EncryptCommandOutput,
  GenerateDataKeyCommandInput,
  GenerateDataKeyCommandOutput,
} from '@aws-sdk/client-kms';
import { AwsError } from '../../models/errors.js';
import type { SecretBox } from '../../auth/secrets.js';
import type { Handler, ServiceContext } from '../types.js';
import { authorizeKey, dryRun, encryptionContextKeys } from './authorize.js';
import { KEY_ARN, KIND, assertUsable, type KeyRecord } from './records.js';
import { resolveKey } from './resolve.js';

type Out<T> = Omit<T, '$metadata'>;
type EncryptionContext = Record<string, string>;

const VERSION = 0x01;

/** KMS answers a ciphertext it cannot use with an empty InvalidCiphertextException. */
const invalidCiphertext = (): AwsError => new AwsError('InvalidCiphertextException', '');

const aad = (arn: string, ec: EncryptionContext | undefined): Buffer =>
  Buffer.from(JSON.stringify([arn, Object.entries(ec ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))]));

/** The key's secret, created and sealed on first use (AWS managed keys are created without one). */
async function materialOf(ctx: ServiceContext, box: SecretBox, key: KeyRecord): Promise<Buffer> {
  if (key.Material) return Buffer.from(box.open(key.Material), 'base64');
  const secret = randomBytes(32);
  await ctx.tx.update(key.AWSAccountId, KIND.key, key.KeyId, { ...key, Material: box.seal(secret.toString('base64')) });
  return secret;
}

export const newMaterial = (box: SecretBox): string => box.seal(randomBytes(32).toString('base64'));

function seal(secret: Buffer, arn: string, plaintext: Buffer, ec: EncryptionContext | undefined): Buffer {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', secret, iv);
  cipher.setAAD(aad(arn, ec));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  const name = Buffer.from(arn, 'utf8');
  const len = Buffer.alloc(2);
  len.writeUInt16BE(name.length);
  return Buffer.concat([Buffer.from([VERSION]), len, name, iv, cipher.getAuthTag(), body]);
}

/** The key ARN a ciphertext blob names, and its parts; InvalidCiphertextException if malformed. */
function parseBlob(blob: Buffer): { arn: string; iv: Buffer; tag: Buffer; body: Buffer } {
  if (blob.length < 3 || blob[0] !== VERSION) throw invalidCiphertext();
  const len = blob.readUInt16BE(1);
  const start = 3 + len;
  if (blob.length < start + 28) throw invalidCiphertext();
  return { arn: blob.subarray(3, start).toString('utf8'), iv: blob.subarray(start, start + 12), tag: blob.subarray(start + 12, start + 28), body: blob.subarray(start + 28) };
}

function open(secret: Buffer, parts: ReturnType<typeof parseBlob>, ec: EncryptionContext | undefined): Buffer {
  try {
    const d = createDecipheriv('aes-256-gcm', secret, parts.iv);
    d.setAAD(aad(parts.arn, ec));
    d.setAuthTag(parts.tag);
    return Buffer.concat([d.update(parts.body), d.final()]);
  } catch {
    throw invalidCiphertext();
  }
}

/** Symmetric keys support only SYMMETRIC_DEFAULT. */
function checkAlgorithm(key: KeyRecord, algorithm: string | undefined): void {
  if (algorithm && algorithm !== 'SYMMETRIC_DEFAULT') {
    throw new AwsError('InvalidKeyUsageException', `The encryption algorithm ${algorithm} is not supported by KMS key ${key.Arn}.`);
  }
}

const cryptoContext = (ec: EncryptionContext | undefined, alias: string | undefined, algorithm?: string): Record<string, string | string[]> => ({
  ...encryptionContextKeys(ec),
  ...(alias ? { 'kms:RequestAlias': alias } : {}),
  ...(algorithm ? { 'kms:EncryptionAlgorithm': algorithm } : {}),
});

export function cryptoHandlers(box: SecretBox): Record<string, Handler> {
  return {
    async Encrypt(input: EncryptCommandInput, ctx: ServiceContext): Promise<Out<EncryptCommandOutput>> {
      const { key, alias } = await resolveKey(ctx, input.KeyId!, { aliases: true });
      const ec = input.EncryptionContext;
      const algorithm = input.EncryptionAlgorithm ?? 'SYMMETRIC_DEFAULT';
      await authorizeKey(ctx, 'kms:Encrypt', key, { context: cryptoContext(ec, alias, algorithm), grant: { operation: 'Encrypt', ...(ec ? { encryptionContext: ec } : {}) } });
      assertUsable(key);
      checkAlgorithm(key, algorithm);
      dryRun(input);
      const blob = seal(await materialOf(ctx, box, key), key.Arn, Buffer.from(input.Plaintext!), ec);
      return { CiphertextBlob: blob, KeyId: key.Arn, EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' };
    },

    async Decrypt(input: DecryptCommandInput, ctx: ServiceContext): Promise<Out<DecryptCommandOutput>> {
      if (!input.CiphertextBlob) throw invalidCiphertext();
      const parts = parseBlob(Buffer.from(input.CiphertextBlob));
      if (!KEY_ARN.test(parts.arn)) throw invalidCiphertext();
      const { key } = await resolveKey(ctx, parts.arn);
      let alias: string | undefined;
      if (input.KeyId) {
        const named = await resolveKey(ctx, input.KeyId, { aliases: true });
        if (named.key.Arn !== key.Arn) throw new AwsError('IncorrectKeyException', 'The key ID in the request does not identify a KMS key that can perform this operation.');
        alias = named.alias;
      }
      const ec = input.EncryptionContext;
      const algorithm = input.EncryptionAlgorithm ?? 'SYMMETRIC_DEFAULT';
      await authorizeKey(ctx, 'kms:Decrypt', key, { context: cryptoContext(ec, alias, algorithm), grant: { operation: 'Decrypt', ...(ec ? { encryptionContext: ec } : {}) } });
      assertUsable(key);
      checkAlgorithm(key, algorithm);
      dryRun(input);
      const plaintext = open(await materialOf(ctx, box, key), parts, ec);
      return { KeyId: key.Arn, Plaintext: plaintext, EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' };
    },

    async GenerateDataKey(input: GenerateDataKeyCommandInput, ctx: ServiceContext): Promise<Out<GenerateDataKeyCommandOutput>> {
      const { key, alias } = await resolveKey(ctx, input.KeyId!, { aliases: true });
      const ec = input.EncryptionContext;
      await authorizeKey(ctx, 'kms:GenerateDataKey', key, { context: cryptoContext(ec, alias, 'SYMMETRIC_DEFAULT'), grant: { operation: 'GenerateDataKey', ...(ec ? { encryptionContext: ec } : {}) } });
      assertUsable(key);
      // Exactly one of NumberOfBytes and KeySpec (KMS's ValidationException wording).
      if ((input.NumberOfBytes === undefined) === (input.KeySpec === undefined)) throw new AwsError('ValidationException', 'Please specify either number of bytes or key spec.');
      dryRun(input);
      const plaintext = randomBytes(input.NumberOfBytes ?? (input.KeySpec === 'AES_128' ? 16 : 32));
      const blob = seal(await materialOf(ctx, box, key), key.Arn, plaintext, ec);
      return { CiphertextBlob: blob, Plaintext: plaintext, KeyId: key.Arn };
    },
  };
}
