/**
 * AWS Directory Service (awsJson 1.1, `DirectoryService_20150416`): Simple AD and Managed
 * Microsoft AD directories in a VPC (their network built through EC2 on the caller's
 * behalf), tags, Directory Service Data access, ResetUserPassword, and the permission-only
 * application authorizations Client VPN uses (AuthorizeApplication...).
 *
 * For other services:
 * - `ctx.asServiceRole(...).call('ds', 'AuthorizeApplication' | 'UnauthorizeApplication' |
 *   'ListAuthorizedApplications', ...)` (applications.ts): an authorized application keeps
 *   DeleteDirectory from deleting the directory;
 * - `setDirectoryServiceTiming` (timing.ts): how long Creating / Deleting / Enabling last.
 */
import { AwsError } from '../../models/errors.js';
import type { ServiceDefinition } from '../types.js';
import { applicationHandlers } from './applications.js';
import { signInHandlers } from './sign-in.js';
import { dataAccessHandlers } from './data-access.js';
import { directoryHandlers } from './directories.js';
import { passwordHandlers } from './passwords.js';
import { tagHandlers } from './tags.js';

export { PERMISSION_ONLY_OPERATIONS, type AuthorizeApplicationInput, type UnauthorizeApplicationInput, type ListAuthorizedApplicationsInput, type ListAuthorizedApplicationsOutput } from './applications.js';
export { setDirectoryServiceTiming, FAST_DS_TIMING, REALISTIC_DS_TIMING, type DirectoryServiceTiming } from './timing.js';

export function dsService(): ServiceDefinition {
  return {
    model: 'ds',
    signingNames: ['ds'],
    eventSource: 'ds.amazonaws.com',
    handlers: { ...directoryHandlers, ...tagHandlers, ...dataAccessHandlers, ...passwordHandlers, ...applicationHandlers, ...signInHandlers },
    // A JSON service's denial: AccessDeniedException (a modelled Directory Service error) with IAM's message.
    accessDenied: (message) => new AwsError('AccessDeniedException', message, { status: 400, members: { Message: message } }),
    sensitive: ['Password', 'NewPassword'],
  };
}
