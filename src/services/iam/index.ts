/**
 * AWS Identity and Access Management (awsQuery, 2010-05-08). Global: CloudTrail records
 * its events in us-east-1, and `aws:RequestedRegion` is us-east-1 whatever region a
 * client signs with. One file per resource family; each exports its handlers.
 */
import { roleHandlers } from './roles.js';
import { usersHandlers } from './users.js';
import { groupsHandlers } from './groups.js';
import { accessKeysHandlers } from './access-keys.js';
import { loginProfilesHandlers } from './login-profiles.js';
import { accountHandlers } from './account.js';
import { samlHandlers } from './saml.js';
import { policiesHandlers } from './policies.js';
import { rolePoliciesHandlers } from './role-policies.js';
import { instanceProfilesHandlers } from './instance-profiles.js';
import { serviceLinkedRolesHandlers } from './service-linked-roles.js';
import { simulateHandlers } from './simulate.js';
import { iamChanged } from './policy-source.js';
import { managedPoliciesChanged } from './managed.js';
import type { Credentials } from '../../auth/credentials.js';
import type { Handler, ServiceDefinition } from '../types.js';

export { IamPolicySource } from './policy-source.js';

const READ_ONLY = /^(Get|List|Simulate|Generate)/;

/**
 * IAM writes that cannot change what any existing caller is allowed: new entities
 * (nothing refers to them yet), credentials, providers, account settings, descriptions,
 * trust policies (read when a role is assumed, never cached) and tags of things that
 * are not principals. Every other write drops the cached policy sets.
 */
const KEEPS_POLICY_SETS: ReadonlySet<string> = new Set([
  'CreateUser', 'CreateGroup', 'CreateRole', 'CreatePolicy', 'CreateInstanceProfile', 'CreateServiceLinkedRole',
  'CreateAccessKey', 'UpdateAccessKey', 'DeleteAccessKey',
  'CreateLoginProfile', 'UpdateLoginProfile', 'DeleteLoginProfile', 'ChangePassword',
  'CreateAccountAlias', 'DeleteAccountAlias', 'UpdateAccountPasswordPolicy', 'DeleteAccountPasswordPolicy',
  'CreateSAMLProvider', 'UpdateSAMLProvider', 'DeleteSAMLProvider',
  'CreateOpenIDConnectProvider', 'DeleteOpenIDConnectProvider', 'AddClientIDToOpenIDConnectProvider', 'RemoveClientIDFromOpenIDConnectProvider', 'UpdateOpenIDConnectProviderThumbprint',
  'UpdateRoleDescription', 'UpdateAssumeRolePolicy',
  'TagPolicy', 'UntagPolicy', 'TagInstanceProfile', 'UntagInstanceProfile',
  'AddRoleToInstanceProfile', 'RemoveRoleFromInstanceProfile', 'DeleteInstanceProfile',
]);

/** IAM writes that can change a managed policy's default document. */
const CHANGES_MANAGED_DOCUMENTS: ReadonlySet<string> = new Set(['CreatePolicy', 'DeletePolicy', 'CreatePolicyVersion', 'DeletePolicyVersion', 'SetDefaultPolicyVersion']);

export function iamService(credentials: Credentials): ServiceDefinition {
  const families: Record<string, Handler>[] = [
    roleHandlers,
    usersHandlers,
    groupsHandlers,
    accessKeysHandlers(credentials),
    loginProfilesHandlers,
    accountHandlers,
    samlHandlers,
    policiesHandlers,
    rolePoliciesHandlers,
    instanceProfilesHandlers,
    serviceLinkedRolesHandlers,
    simulateHandlers,
  ];
  const handlers: Record<string, Handler> = {};
  for (const family of families) {
    for (const [name, handler] of Object.entries(family)) {
      if (handlers[name]) throw new Error(`IAM operation ${name} is defined twice`);
      // An IAM write that may change what a caller is allowed: cached policy sets are rebuilt.
      const changesDocuments = CHANGES_MANAGED_DOCUMENTS.has(name);
      const changesPolicySets = !READ_ONLY.test(name) && !KEEPS_POLICY_SETS.has(name);
      handlers[name] = !changesDocuments && !changesPolicySets
        ? handler
        : async (input: unknown, ctx) => {
            try {
              return await handler(input, ctx);
            } finally {
              // After the handler, so nothing it cached mid-transaction outlives a rollback.
              if (changesDocuments) managedPoliciesChanged();
              if (changesPolicySets) iamChanged();
            }
          };
    }
  }
  return {
    model: 'iam',
    signingNames: ['iam'],
    eventSource: 'iam.amazonaws.com',
    globalRegion: 'us-east-1',
    handlers,
    sensitive: ['Password', 'OldPassword', 'NewPassword', 'SAMLMetadataDocument', 'PrivateKey', 'SecretAccessKey'],
  };
}
