/**
 * AWS Client VPN's API (part of EC2's, 2016-11-15): endpoints, target networks,
 * authorization rules, routes, client configuration and connections. Also registers the
 * service's answer to IAM's question before deleting its service-linked role: the
 * endpoints that still exist in each Region; and to ACM's: the endpoints using a certificate.
 */
import { registerRoleUsageCheck } from '../../iam/service-linked-roles.js';
import { registerCertificateUser } from '../../acm/in-use.js';
import type { Handler } from '../../types.js';
import { authorizationRuleHandlers } from './authorization-rules.js';
import { clientConfigurationHandlers } from './client-configuration.js';
import { connectionGatehouseOperations, connectionHandlers } from './connections.js';
import { reachabilityGatehouseOperations } from './reachability.js';
import { endpointHandlers } from './endpoints.js';
import { CVPN_KIND, endpointStatus, type EndpointRecord } from './records.js';
import { routeHandlers } from './routes.js';
import { CLIENT_VPN } from './service-steps.js';
import { targetNetworkHandlers } from './target-networks.js';

export const clientVpnHandlers: Record<string, Handler> = {
  ...endpointHandlers,
  ...targetNetworkHandlers,
  ...authorizationRuleHandlers,
  ...routeHandlers,
  ...clientConfigurationHandlers,
  ...connectionHandlers,
};

/** What AWS does without an API: a VPN client connecting (connections.ts); and a reachability analysis (reachability.ts). */
export const clientVpnGatehouseOperations: Record<string, Handler> = { ...connectionGatehouseOperations, ...reachabilityGatehouseOperations };

registerRoleUsageCheck(CLIENT_VPN, async (account, _roleArn, tx) => {
  const now = new Date();
  const byRegion = new Map<string, string[]>();
  for (const e of await tx.list<EndpointRecord>(account, CVPN_KIND.endpoint)) {
    const status = endpointStatus(e, now);
    if (status === 'gone' || status === 'deleted') continue;
    const list = byRegion.get(e.Region) ?? [];
    list.push(`arn:aws:ec2:${e.Region}:${account}:client-vpn-endpoint/${e.ClientVpnEndpointId}`);
    byRegion.set(e.Region, list);
  }
  return [...byRegion].map(([region, resources]) => ({ region, resources }));
});

/** ACM's InUseBy: the endpoints that use a certificate (server or client root), so ACM refuses to delete it. */
registerCertificateUser(async (tx, account, region, certificateArn) => {
  const now = new Date();
  return (await tx.list<EndpointRecord>(account, CVPN_KIND.endpoint))
    .filter((e) => e.Region === region && !['gone', 'deleted'].includes(endpointStatus(e, now)))
    .filter((e) => e.ServerCertificateArn === certificateArn || e.Authentication.some((a) => a.ClientRootCertificateChainArn === certificateArn))
    .map((e) => `arn:aws:ec2:${region}:${account}:client-vpn-endpoint/${e.ClientVpnEndpointId}`);
});
