/**
 * Amazon EC2 (ec2 protocol, 2016-11-15): the networking Client VPN stands on. Denials
 * are EC2's `UnauthorizedOperation` with an encoded authorization message that
 * `sts:DecodeAuthorizationMessage` reveals.
 */
import { AwsError } from '../../models/errors.js';
import { authorizationMessage, encodeAuthorizationMessage } from '../sts/decode.js';
import { vpcHandlers } from './vpcs.js';
import { securityGroupHandlers } from './security-groups.js';
import { networkInterfaceHandlers } from './network-interfaces.js';
import { internetGatewayHandlers, routeTableHandlers } from './route-tables.js';
import { tagHandlers } from './tags.js';
import { peeringHandlers } from './peering.js';
import { networkAclHandlers } from './network-acls.js';
import { natGatewayHandlers } from './nat-gateways.js';
import { instanceHandlers, vpnGatewayHandlers } from './instances.js';
import { clientVpnGatehouseOperations, clientVpnHandlers } from './client-vpn/index.js';
import type { ServiceDefinition } from '../types.js';

export function ec2Service(): ServiceDefinition {
  return {
    model: 'ec2',
    signingNames: ['ec2'],
    eventSource: 'ec2.amazonaws.com',
    // A region's default VPC is created by the first call there, a Describe included.
    alwaysTransactional: true,
    handlers: { ...vpcHandlers, ...securityGroupHandlers, ...networkInterfaceHandlers, ...routeTableHandlers, ...internetGatewayHandlers, ...tagHandlers, ...peeringHandlers, ...networkAclHandlers, ...natGatewayHandlers, ...instanceHandlers, ...vpnGatewayHandlers, ...clientVpnHandlers },
    gatehouseOperations: { ...clientVpnGatehouseOperations },
    accessDenied: (message, evaluation, denied) => {
      const encoded = encodeAuthorizationMessage(
        denied.caller.account,
        authorizationMessage({ caller: denied.caller, action: denied.action, resource: denied.resource, evaluation, conditions: denied.context }),
      );
      return new AwsError('UnauthorizedOperation', `You are not authorized to perform this operation. ${message}. Encoded authorization failure message: ${encoded}`, { status: 403 });
    },
  };
}
