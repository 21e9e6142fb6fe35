/**
 * IAM Identity Center administration (`sso-admin`, awsJson 1.1, signed as `sso`): instances
 * (instances.ts), with the Gatehouse operation that stands in for the console's Enable
 * button, and permission sets (permission-sets.ts). Account assignments come next (issue 9).
 */
import type { ServiceDefinition } from '../types.js';
import { instanceGatehouseOperations, instanceHandlers } from './instances.js';
import { permissionSetHandlers } from './permission-sets.js';

export function ssoAdminService(): ServiceDefinition {
  return {
    model: 'sso-admin',
    signingNames: ['sso'],
    eventSource: 'sso.amazonaws.com',
    handlers: { ...instanceHandlers, ...permissionSetHandlers },
    gatehouseOperations: { ...instanceGatehouseOperations },
  };
}
