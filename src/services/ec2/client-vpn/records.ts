/**
 * Client VPN's stored state: one record per endpoint, holding its target network
 * associations, authorization rules and routes (every mutation touches one endpoint, in
 * one transaction). Transitional states (`associating`, `authorizing`, `creating`,
 * `deleting`...) are stored with the time they began and settle when read, after the
 * delays in `timing.ts`.
 */
import { AwsError } from '../../../models/errors.js';
import type { ServiceContext } from '../../types.js';
import type { Tag } from '../common.js';
import { settled } from './timing.js';

export const CVPN_KIND = {
  endpoint: 'ec2:client-vpn-endpoint',
  token: 'ec2:client-token',
} as const;

export interface AuthenticationRecord {
  readonly Type: 'certificate-authentication' | 'directory-service-authentication' | 'federated-authentication';
  readonly DirectoryId?: string;
  readonly ClientRootCertificateChainArn?: string;
  readonly SAMLProviderArn?: string;
  readonly SelfServiceSAMLProviderArn?: string;
}

export interface AssociationRecord {
  readonly AssociationId: string;
  readonly SubnetId: string;
  readonly VpcId: string;
  readonly AvailabilityZone: string;
  readonly NetworkInterfaceId: string;
  /** `associating` from `Since`, or `disassociating` from `Since` (then `disassociated`). */
  readonly Phase: 'associating' | 'disassociating';
  readonly Since: string;
}

export interface RuleRecord {
  readonly DestinationCidr: string;
  /** Empty for an all-groups rule, as AWS shows it. */
  readonly GroupId: string;
  readonly AccessAll: boolean;
  readonly Description?: string;
  readonly Phase: 'authorizing' | 'revoking';
  readonly Since: string;
}

export interface RouteRecord {
  readonly DestinationCidr: string;
  /** A subnet id, or `local` for client-to-client routes. */
  readonly TargetSubnet: string;
  readonly Origin: 'associate' | 'add-route';
  readonly Description?: string;
  readonly Phase: 'creating' | 'deleting';
  readonly Since: string;
}

export interface EndpointRecord {
  readonly ClientVpnEndpointId: string;
  readonly Region: string;
  readonly Description?: string;
  readonly CreationTime: string;
  /** Set by DeleteClientVpnEndpoint: `deleting`, then `deleted`, then gone. */
  readonly DeletionTime?: string;
  readonly ClientCidrBlock: string;
  readonly DnsServers: readonly string[];
  readonly SplitTunnel: boolean;
  readonly TransportProtocol: 'tcp' | 'udp';
  readonly VpnPort: number;
  readonly ServerCertificateArn: string;
  readonly Authentication: readonly AuthenticationRecord[];
  readonly ConnectionLog: { readonly Enabled: boolean; readonly CloudwatchLogGroup?: string; readonly CloudwatchLogStream?: string };
  readonly ClientConnect: { readonly Enabled: boolean; readonly LambdaFunctionArn?: string; readonly Since: string };
  readonly SecurityGroupIds: readonly string[];
  readonly VpcId?: string;
  readonly SelfServicePortal: 'enabled' | 'disabled';
  readonly SessionTimeoutHours: number;
  readonly Banner: { readonly Enabled: boolean; readonly BannerText?: string };
  readonly ClientRouteEnforcement: boolean;
  readonly DisconnectOnSessionTimeout: boolean;
  readonly Associations: readonly AssociationRecord[];
  readonly Rules: readonly RuleRecord[];
  readonly Routes: readonly RouteRecord[];
  readonly CertificateRevocationList?: { readonly Pem: string; readonly Since: string };
  readonly Tags: readonly Tag[];
}

// -------------------------------------------------------------------------------------------
// Effective states.

export type AssociationState = 'associating' | 'associated' | 'disassociating' | 'disassociated' | 'gone';

export function associationState(a: AssociationRecord, now: Date): AssociationState {
  if (a.Phase === 'associating') return settled('associate', a.Since, now) ? 'associated' : 'associating';
  if (!settled('disassociate', a.Since, now)) return 'disassociating';
  return settled('disassociatedVisible', a.Since, now) ? 'gone' : 'disassociated';
}

export const ruleState = (r: RuleRecord, now: Date): 'authorizing' | 'active' | 'revoking' | 'gone' =>
  r.Phase === 'authorizing' ? (settled('authorize', r.Since, now) ? 'active' : 'authorizing') : settled('revoke', r.Since, now) ? 'gone' : 'revoking';

export const routeState = (r: RouteRecord, now: Date): 'creating' | 'active' | 'deleting' | 'gone' =>
  r.Phase === 'creating' ? (settled('route', r.Since, now) ? 'active' : 'creating') : settled('route', r.Since, now) ? 'gone' : 'deleting';

/** Associations that still exist in some form (not yet gone). */
export const liveAssociations = (e: EndpointRecord, now: Date): AssociationRecord[] => e.Associations.filter((a) => associationState(a, now) !== 'gone');

export type EndpointStatus = 'pending-associate' | 'available' | 'deleting' | 'deleted' | 'gone';

/** `available` once a target network is associated; back to `pending-associate` without one. */
export function endpointStatus(e: EndpointRecord, now: Date): EndpointStatus {
  if (e.DeletionTime) {
    if (!settled('deleteEndpoint', e.DeletionTime, now)) return 'deleting';
    return settled('deletedVisible', e.DeletionTime, now) ? 'gone' : 'deleted';
  }
  return e.Associations.some((a) => associationState(a, now) === 'associated') ? 'available' : 'pending-associate';
}

/** Drop what has settled into nothing: stored records stay small. */
export function compact(e: EndpointRecord, now: Date): EndpointRecord {
  return {
    ...e,
    Associations: e.Associations.filter((a) => associationState(a, now) !== 'gone'),
    Rules: e.Rules.filter((r) => ruleState(r, now) !== 'gone'),
    Routes: e.Routes.filter((r) => routeState(r, now) !== 'gone'),
  };
}

/** AWS Client VPN quotas: concurrent operations per endpoint (not adjustable). */
export const CONCURRENT_OPERATIONS = 10;

/**
 * Refuse a change while ten are in flight on the endpoint: associations and
 * disassociations, and route creations and deletions, still settling (AWS counts
 * security group changes too; those apply at once here).
 */
export function assertCanChange(e: EndpointRecord, now: Date): void {
  const busy =
    e.Associations.filter((a) => ['associating', 'disassociating'].includes(associationState(a, now))).length +
    e.Routes.filter((r) => r.Origin === 'add-route' && ['creating', 'deleting'].includes(routeState(r, now))).length;
  if (busy >= CONCURRENT_OPERATIONS) throw new AwsError('ConcurrentMutationLimitExceeded', 'Cannot initiate another change for this endpoint at this time. Please try again later.');
}

// -------------------------------------------------------------------------------------------
// Lookups.

export const endpointArn = (ctx: ServiceContext, id: string): string => `arn:aws:ec2:${ctx.region}:${ctx.caller.account}:client-vpn-endpoint/${id}`;

/** AWS's DNS name for the endpoint; Describe shows it with a `*.` wildcard label. */
export const dnsNameOf = (id: string, region: string): string => `${id}.prod.clientvpn.${region}.amazonaws.com`;

/** The endpoint, in the request's region and not yet deleted. */
export async function getEndpoint(ctx: ServiceContext, id: string, options: { readonly allowDeleting?: boolean } = {}): Promise<EndpointRecord> {
  const e = await ctx.tx.get<EndpointRecord>(ctx.caller.account, CVPN_KIND.endpoint, id);
  const status = e ? endpointStatus(e, ctx.now) : 'gone';
  if (!e || e.Region !== ctx.region || status === 'gone' || (status !== 'pending-associate' && status !== 'available' && !options.allowDeleting)) {
    throw new AwsError('InvalidClientVpnEndpointId.NotFound', `Endpoint ${id} does not exist`);
  }
  return e;
}

export async function saveEndpoint(ctx: ServiceContext, e: EndpointRecord): Promise<void> {
  await ctx.tx.update(ctx.caller.account, CVPN_KIND.endpoint, e.ClientVpnEndpointId, compact(e, ctx.now));
  ctx.recordResource('AWS::EC2::ClientVpnEndpoint', endpointArn(ctx, e.ClientVpnEndpointId));
}

/** Every endpoint of the account in the request's region that still exists. */
export async function endpointsInRegion(ctx: ServiceContext): Promise<EndpointRecord[]> {
  return (await ctx.tx.list<EndpointRecord>(ctx.caller.account, CVPN_KIND.endpoint)).filter((e) => e.Region === ctx.region && endpointStatus(e, ctx.now) !== 'gone');
}
