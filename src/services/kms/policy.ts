/**
 * Key policies: the default one CreateKey gives, the ones AWS gives its AWS managed keys,
 * KMS's validation (MalformedPolicyDocumentException), and the compiled form the
 * authorizer evaluates as the key's resource policy.
 *
 * KMS returns the policies it writes pretty-printed in its own style (two-space indent,
 * `"key" : value`, arrays inline as `[ {`...`} ]`), as GetKeyPolicy shows for the default
 * key policy and for `aws/acm`; policies a caller sets are returned as they were sent.
 */
import { compilePolicy, parsePolicy, type CompiledPolicy } from '../../policy/index.js';
import { GLOBAL } from '../../auth/credentials.js';
import { AwsError } from '../../models/errors.js';
import type { Tx } from '../../store/index.js';
import { KIND as IAM_KIND } from '../iam/records.js';
import type { KeyRecord } from './records.js';

/** KMS's JSON style (Jackson's default pretty printer). */
export function kmsJson(v: unknown, indent = 0): string {
  const pad = (n: number): string => '  '.repeat(n);
  if (Array.isArray(v)) return v.length ? `[ ${v.map((x) => kmsJson(x, indent)).join(', ')} ]` : '[ ]';
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v);
    if (entries.length === 0) return '{ }';
    return `{\n${entries.map(([k, x]) => `${pad(indent + 1)}${JSON.stringify(k)} : ${kmsJson(x, indent + 1)}`).join(',\n')}\n${pad(indent)}}`;
  }
  return JSON.stringify(v);
}

/**
 * The default key policy (KMS Developer Guide, "Default key policy"): the account's root
 * may do everything, which delegates the key's use to the account's IAM policies.
 */
export function defaultKeyPolicy(account: string): string {
  return kmsJson({
    Version: '2012-10-17',
    Id: 'key-default-1',
    Statement: [{ Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: 'kms:*', Resource: '*' }],
  });
}

/**
 * The key policy AWS gives the `aws/acm` key, as GetKeyPolicy returns it in real accounts
 * (`auto-acm-4`): only ACM, acting for a principal of the account (forward access, so
 * `kms:ViaService` is `acm.<region>.amazonaws.com`), may create decrypt and encrypt grants
 * for AWS resources and decrypt; principals of the account may read the key and its grants
 * and revoke grants directly; nothing may re-encrypt to another key.
 */
export function acmManagedPolicy(account: string, region: string): string {
  const via = { 'kms:CallerAccount': account, 'kms:ViaService': `acm.${region}.amazonaws.com` };
  return kmsJson({
    Version: '2012-10-17',
    Id: 'auto-acm-4',
    Statement: [
      {
        Sid: 'Allow creation of decryption grants',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: 'kms:CreateGrant',
        Resource: '*',
        Condition: { StringEquals: via, 'ForAllValues:StringEquals': { 'kms:GrantOperations': 'Decrypt' }, Bool: { 'kms:GrantIsForAWSResource': 'true' } },
      },
      {
        Sid: 'Allow creation of encryption grant',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: 'kms:CreateGrant',
        Resource: '*',
        Condition: { StringEquals: via, 'ForAllValues:StringEquals': { 'kms:GrantOperations': ['Encrypt', 'ReEncryptFrom', 'ReEncryptTo'] }, Bool: { 'kms:GrantIsForAWSResource': 'true' } },
      },
      {
        Sid: 'Allowed operations for the key owner',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: ['kms:DescribeKey', 'kms:ListGrants', 'kms:RevokeGrant', 'kms:GetKeyPolicy'],
        Resource: '*',
        Condition: { StringEquals: { 'kms:CallerAccount': account } },
      },
      {
        Sid: 'Deny re-encryption to any other key',
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: 'kms:ReEncrypt*',
        Resource: '*',
        Condition: { Bool: { 'kms:ReEncryptOnSameKey': 'false' } },
      },
      {
        Sid: 'Allow decrypt',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: 'kms:Decrypt',
        Resource: '*',
        Condition: { StringEquals: via },
      },
    ],
  });
}

/**
 * The policy most AWS managed keys share (`aws/ebs`, `aws/s3`, `aws/lambda`...): the
 * service, acting for a principal of the account, may use the key; the account may read
 * its metadata and revoke grants directly. Gatehouse's choice for the keys other than
 * `aws/acm`, whose exact policies it has no capture of; `viaService` is the service's
 * endpoint prefix (`ec2` for `aws/ebs`).
 */
export function genericManagedPolicy(account: string, region: string, service: string, viaService: string): string {
  return kmsJson({
    Version: '2012-10-17',
    Id: `auto-${service}-2`,
    Statement: [
      {
        Sid: `Allow access through ${service} for all principals in the account that are authorized to use ${service}`,
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:CreateGrant', 'kms:DescribeKey'],
        Resource: '*',
        Condition: { StringEquals: { 'kms:ViaService': `${viaService}.${region}.amazonaws.com`, 'kms:CallerAccount': account } },
      },
      {
        Sid: 'Allow direct access to key metadata to the account',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${account}:root` },
        Action: ['kms:Describe*', 'kms:Get*', 'kms:List*', 'kms:RevokeGrant'],
        Resource: '*',
      },
    ],
  });
}

export const malformed = (message: string): AwsError => new AwsError('MalformedPolicyDocumentException', message);

/** The key policy as the authorizer evaluates it (compiled once per policy text). */
export const compiledKeyPolicy = (key: Pick<KeyRecord, 'Arn' | 'Policy'>): CompiledPolicy => compilePolicy(key.Policy, { id: key.Arn, kind: 'resource', sourceType: 'key policy' });

const ACCOUNT_KIND = 'account';

/**
 * KMS refuses a key policy that does not parse as a resource policy, or that names a
 * principal that does not exist ("Policy contains a statement with one or more invalid
 * principals.", KMS's wording). Users and roles are checked in the accounts Gatehouse
 * serves; other accounts' principals cannot be known and are accepted.
 */
export async function checkKeyPolicy(tx: Tx, doc: string): Promise<void> {
  const parsed = parsePolicy(doc, 'resource');
  if (!parsed.document) throw malformed(parsed.errors[0]?.message ?? 'The policy is not valid.');
  for (const st of parsed.document.statements) {
    if (!st.principal && !st.notPrincipal) throw malformed('Policy contains a statement with no principal.');
    for (const p of [...(st.principal?.aws ?? []), ...(st.notPrincipal?.aws ?? [])]) {
      if (p === '*' || /^\d{12}$/.test(p) || /^arn:aws:iam::\d{12}:root$/.test(p)) continue;
      const m = /^arn:aws:(iam|sts)::(\d{12}):(user|role|assumed-role|federated-user)(\/.*)?\/([^/]+)$/.exec(p);
      if (!m) throw malformed('Policy contains a statement with one or more invalid principals.');
      const [, , account, type, , name] = m;
      if (type !== 'user' && type !== 'role') continue;
      if (!(await tx.get(GLOBAL, ACCOUNT_KIND, account!))) continue;
      const entity = await tx.getByName<{ Arn: string }>(account!, type === 'user' ? IAM_KIND.user : IAM_KIND.role, name!);
      if (entity?.Arn !== p) throw malformed('Policy contains a statement with one or more invalid principals.');
    }
  }
}
