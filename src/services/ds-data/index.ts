/**
 * AWS Directory Service Data (restJson1, signing name `ds-data`, 2023-05-31): users,
 * groups and group memberships of a Managed Microsoft AD, once EnableDirectoryDataAccess
 * has been called on it. Every operation authorizes `ds-data:<Operation>` and
 * `ds:AccessDSData` on the directory (access.ts).
 *
 * The directories are Directory Service's (src/services/ds/records.ts); the AD objects
 * and their SIDs are in objects.ts, which Directory Service also uses to create a
 * directory's built-in accounts and to reset passwords.
 */
import { AwsError } from '../../models/errors.js';
import type { ServiceDefinition } from '../types.js';
import { groupHandlers } from './groups.js';
import { membershipHandlers } from './membership.js';
import { userHandlers } from './users.js';

export function dsDataService(): ServiceDefinition {
  return {
    model: 'ds-data',
    signingNames: ['ds-data'],
    eventSource: 'ds-data.amazonaws.com',
    handlers: { ...userHandlers, ...groupHandlers, ...membershipHandlers },
    // An IAM denial: AccessDeniedException (403) with reason IAM_AUTH, the model's reason for it.
    accessDenied: (message) => new AwsError('AccessDeniedException', message, { status: 403, members: { Reason: 'IAM_AUTH' } }),
    // The model marks these members sensitive: CloudTrail hides them.
    sensitive: ['EmailAddress', 'GivenName', 'Surname', 'DistinguishedName', 'UserPrincipalName', 'OtherAttributes', 'SearchString', 'NextToken'],
  };
}
