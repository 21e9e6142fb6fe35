/**
 * AWS Certificate Manager (awsJson 1.1, `CertificateManager`): imported certificates with
 * real X.509 parsing, requested certificates awaiting validation, tags, and `InUseBy` as
 * the services that use certificates report it.
 *
 * For other services: `registerCertificateUser` (in-use.ts) reports the resources that use
 * a certificate (DescribeCertificate's InUseBy; DeleteCertificate refuses while in use).
 */
import { AwsError } from '../../models/errors.js';
import type { SecretBox } from '../../auth/secrets.js';
import type { ServiceDefinition } from '../types.js';
import { certificateHandlers } from './certificates.js';
import { tagHandlers } from './tags.js';

export { registerCertificateUser, certificateUsers, type CertificateUserCheck } from './in-use.js';

export function acmService(box: SecretBox): ServiceDefinition {
  return {
    model: 'acm',
    signingNames: ['acm'],
    eventSource: 'acm.amazonaws.com',
    handlers: { ...certificateHandlers(box), ...tagHandlers },
    // ACM denials are AccessDeniedException with IAM's message (the model names its member `Message`).
    accessDenied: (message) => new AwsError('AccessDeniedException', message, { status: 400, members: { Message: message } }),
    sensitive: ['PrivateKey'],
  };
}
