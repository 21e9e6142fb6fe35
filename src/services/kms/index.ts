/**
 * AWS Key Management Service (awsJson 1.1, `TrentService`): symmetric keys with real
 * AES-256-GCM, key policies enforced as AWS enforces them (the key policy must allow;
 * IAM policies count only where it delegates to the account), aliases, grants, tags, and
 * AWS managed keys (`alias/aws/acm`...) created on first use.
 *
 * For other services: `ensureAwsManagedKey` (managed.ts) makes sure a service's AWS managed
 * key exists, without a KMS call authorized against the caller.
 */
import type { SecretBox } from '../../auth/secrets.js';
import type { ServiceDefinition } from '../types.js';
import { aliasHandlers } from './aliases.js';
import { KmsAccessDenied } from './authorize.js';
import { cryptoHandlers } from './crypto.js';
import { grantHandlers } from './grants.js';
import { keyPolicyHandlers } from './key-policies.js';
import { keyHandlers } from './keys.js';
import { tagHandlers } from './tags.js';

export { ensureAwsManagedKey, isAwsManagedAlias } from './managed.js';

export function kmsService(box: SecretBox): ServiceDefinition {
  return {
    model: 'kms',
    signingNames: ['kms'],
    eventSource: 'kms.amazonaws.com',
    // DescribeKey on `alias/aws/<service>` creates the AWS managed key on first use, and a
    // key's secret is created on its first cryptographic use: reads may write.
    alwaysTransactional: true,
    handlers: { ...keyHandlers(box), ...aliasHandlers, ...keyPolicyHandlers, ...grantHandlers, ...cryptoHandlers(box), ...tagHandlers },
    // KMS denials are AccessDeniedException (HTTP 400) with IAM's message.
    accessDenied: (message, evaluation) => new KmsAccessDenied(message, evaluation),
    sensitive: ['Plaintext'],
  };
}
