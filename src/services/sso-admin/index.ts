/**
 * IAM Identity Center administration (`sso-admin`, awsJson 1.1, signed as `sso`): instances
 * so far (instances.ts), with the Gatehouse operation that stands in for the console's
 * Enable button. Permission sets and account assignments come next (issue 9).
 */
import type { ServiceDefinition } from '../types.js';
import { instanceGatehouseOperations, instanceHandlers } from './instances.js';

export function ssoAdminService(): ServiceDefinition {
  return {
    model: 'sso-admin',
    signingNames: ['sso'],
    eventSource: 'sso.amazonaws.com',
    handlers: { ...instanceHandlers },
    gatehouseOperations: { ...instanceGatehouseOperations },
  };
}
