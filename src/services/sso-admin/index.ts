/**
 * IAM Identity Center administration (`sso-admin`, awsJson 1.1, signed as `sso`): instances
 * (instances.ts), with the Gatehouse operation that stands in for the console's Enable
 * button; permission sets (permission-sets.ts); account assignments and provisioning
 * (assignments.ts, provisioning.ts) with their asynchronous tasks; the instance's own SAML
 * identity provider (idp.ts) and the sign-in stand-in (sign-in.ts); and the service-linked
 * role's life in member accounts (lifecycle.ts).
 */
import type { SecretBox } from '../../auth/secrets.js';
import type { ServiceDefinition } from '../types.js';
import { assignmentHandlers } from './assignments.js';
import { instanceGatehouseOperations, instanceHandlers } from './instances.js';
import { permissionSetHandlers } from './permission-sets.js';
import { signInGatehouseOperations } from './sign-in.js';
import './lifecycle.js';

export function ssoAdminService(box: SecretBox): ServiceDefinition {
  return {
    model: 'sso-admin',
    signingNames: ['sso'],
    eventSource: 'sso.amazonaws.com',
    handlers: { ...instanceHandlers, ...permissionSetHandlers, ...assignmentHandlers(box) },
    gatehouseOperations: { ...instanceGatehouseOperations, ...signInGatehouseOperations(box) },
  };
}
