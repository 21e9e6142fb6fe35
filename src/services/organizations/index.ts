/**
 * AWS Organizations (awsJson 1.1, `AWSOrganizationsV20161128`; global, in us-east-1 like
 * IAM): an organization shared by Gatehouse accounts, its root and OUs, invitations and
 * handshakes, service control and resource control policies, and their enforcement
 * through `OrganizationsSource` (the authorizer's OrganizationSource).
 */
import { AwsError } from '../../models/errors.js';
import type { Handler, ServiceDefinition } from '../types.js';
import { organizationHandlers } from './organization.js';
import { policyHandlers } from './policies.js';
import { createAccountHandlers, type AccountCreatedLog } from './create-account.js';
import { delegatedAdministratorHandlers } from './delegated-administrators.js';
import type { Credentials } from '../../auth/credentials.js';
import { organizationsChanged } from './source.js';

export { OrganizationsSource } from './source.js';

const READ_ONLY = /^(Describe|List)/;

export function organizationsService(credentials: Credentials, logCreated?: AccountCreatedLog): ServiceDefinition {
  const handlers: Record<string, Handler> = {};
  for (const [name, handler] of Object.entries({ ...organizationHandlers, ...policyHandlers, ...delegatedAdministratorHandlers, ...createAccountHandlers(credentials, logCreated) })) {
    // After a write (committed or not), accounts cached as outside any organization are looked up again.
    handlers[name] = READ_ONLY.test(name)
      ? handler
      : async (input: unknown, ctx) => {
          try {
            return await handler(input, ctx);
          } finally {
            organizationsChanged();
          }
        };
  }
  return {
    model: 'organizations',
    signingNames: ['organizations'],
    eventSource: 'organizations.amazonaws.com',
    globalRegion: 'us-east-1',
    handlers,
    // Organizations denials are AccessDeniedException with IAM's message (the model names its member `Message`).
    accessDenied: (message) => new AwsError('AccessDeniedException', message, { status: 400, members: { Message: message } }),
  };
}
