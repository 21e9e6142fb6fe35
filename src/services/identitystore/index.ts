/**
 * The AWS Identity Store (awsJson 1.1, `AWSIdentityStore`): the users, groups and group
 * memberships of an IAM Identity Center instance's identity store.
 *
 * For other services: `createIdentityStore(tx, account, region, now)` creates a store and
 * returns its id (`d-` + 10 hex); `deleteIdentityStore(tx, account, id)` removes one with
 * everything in it. IAM Identity Center's instance (sso-admin) calls them: the Identity
 * Store API itself has no operation that creates or deletes a store. Every operation
 * answers ResourceNotFoundException (ResourceType IDENTITY_STORE) for a store that does not
 * exist in the caller's account and region.
 */
import { AwsError } from '../../models/errors.js';
import type { ServiceDefinition } from '../types.js';
import { groupHandlers } from './groups.js';
import { membershipHandlers } from './memberships.js';
import { userHandlers } from './users.js';

export { createIdentityStore, deleteIdentityStore } from './stores.js';

export function identityStoreService(): ServiceDefinition {
  return {
    model: 'identitystore',
    signingNames: ['identitystore'],
    eventSource: 'identitystore.amazonaws.com',
    handlers: { ...userHandlers, ...groupHandlers, ...membershipHandlers },
    // AccessDeniedException with IAM's message, status 400 (as AWS answers it).
    accessDenied: (message) => new AwsError('AccessDeniedException', message, { members: { Message: message } }),
  };
}
