/**
 * AWS Security Token Service (awsQuery, 2011-06-15): who am I, and temporary credentials.
 * One file per operation family; each exports its handlers. Sessions are registered with
 * the credential store (`Credentials`), so requests signed with them act as the session.
 */
import { COMMON_ERRORS } from '../../models/errors.js';
import type { Credentials } from '../../auth/credentials.js';
import type { Handler, ServiceDefinition } from '../types.js';
import { identityHandlers } from './identity.js';
import { assumeRoleHandlers } from './assume-role.js';
import { sessionTokenHandlers } from './session-token.js';
import { federationHandlers } from './federation.js';
import { webIdentityHandlers } from './web-identity.js';
import { samlHandlers } from './saml.js';
import { decodeHandlers } from './decode.js';

export { encodeAuthorizationMessage, authorizationMessage, type AuthorizationMessage } from './decode.js';
export { createRoleSession } from './assume-role.js';

/**
 * STS words its denials without the policy-type clause other services add:
 * "User: <arn> is not authorized to perform: sts:AssumeRole on resource: <role arn>".
 */
export const stsDenialMessage = (message: string): string => message.replace(/ (because no .* allows the .* action|with an explicit deny in .*)$/, '');

export function stsService(credentials: Credentials): ServiceDefinition {
  const families: Record<string, Handler>[] = [
    identityHandlers(credentials),
    assumeRoleHandlers(credentials),
    sessionTokenHandlers(credentials),
    federationHandlers(credentials),
    webIdentityHandlers(credentials),
    samlHandlers(credentials),
    decodeHandlers,
  ];
  const handlers: Record<string, Handler> = {};
  for (const family of families) {
    for (const [name, handler] of Object.entries(family)) {
      if (handlers[name]) throw new Error(`STS operation ${name} is defined twice`);
      handlers[name] = handler;
    }
  }
  return {
    model: 'sts',
    signingNames: ['sts'],
    eventSource: 'sts.amazonaws.com',
    unsigned: ['AssumeRoleWithSAML', 'AssumeRoleWithWebIdentity'],
    handlers,
    accessDenied: (message) => COMMON_ERRORS.accessDenied(stsDenialMessage(message)),
    sensitive: ['SecretAccessKey', 'SAMLAssertion', 'WebIdentityToken', 'TokenCode'],
  };
}
