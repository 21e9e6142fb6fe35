/**
 * AWS Identity and Access Management (awsQuery, 2010-05-08). Global: CloudTrail records
 * its events in us-east-1, and `aws:RequestedRegion` is us-east-1 whatever region a
 * client signs with.
 */
import { roleHandlers } from './roles.js';
import type { Credentials } from '../../auth/credentials.js';
import type { Handler, ServiceDefinition } from '../types.js';

export { IamPolicySource } from './policy-source.js';

export function iamService(_credentials: Credentials): ServiceDefinition {
  const handlers: Record<string, Handler> = { ...roleHandlers };
  return {
    model: 'iam',
    signingNames: ['iam'],
    eventSource: 'iam.amazonaws.com',
    globalRegion: 'us-east-1',
    handlers,
    sensitive: ['Password', 'OldPassword', 'NewPassword', 'SAMLMetadataDocument', 'PrivateKey'],
  };
}
