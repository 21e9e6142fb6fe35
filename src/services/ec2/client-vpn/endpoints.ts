/**
 * Client VPN endpoints: create (with the service-linked roles made on the caller's behalf
 * on the first one), modify (immutable fields refused), delete (refused while target
 * networks are associated), describe, and the client configuration export.
 */
import type {
  ClientVpnAuthenticationRequest,
  ClientVpnEndpoint,
  CreateClientVpnEndpointCommandInput,
  CreateClientVpnEndpointCommandOutput,
  DeleteClientVpnEndpointCommandInput,
  DeleteClientVpnEndpointCommandOutput,
  DescribeClientVpnEndpointsCommandInput,
  DescribeClientVpnEndpointsCommandOutput,
  ModifyClientVpnEndpointCommandInput,
  ModifyClientVpnEndpointCommandOutput,
} from '@aws-sdk/client-ec2';
import ipaddr from 'ipaddr.js';
import { AwsError } from '../../../models/errors.js';
import { dryRun, ec2Id, filterPredicate, invalidParameterValue, pageOf, parseCidr, requestTagContext, tagsFrom } from '../common.js';
import { defaultSecurityGroupOf, getSecurityGroup, getVpc } from '../records.js';
import type { Handler, ServiceContext } from '../../types.js';
import { idempotent } from './idempotency.js';
import { CVPN_KIND, dnsNameOf, endpointArn, endpointStatus, endpointsInRegion, getEndpoint, liveAssociations, saveEndpoint, type AuthenticationRecord, type EndpointRecord } from './records.js';
import { authorizeDirectory, checkCertificate, checkConnectHandler, checkSamlProvider, ensureServiceLinkedRoles, grantCertificateKey, prepareConnectionLog, unauthorizeDirectory } from './service-steps.js';
import { settled } from './timing.js';

type Out<T> = Omit<T, '$metadata'>;

/** Quotas (AWS Client VPN quotas page): endpoints per Region. */
export const ENDPOINTS_PER_REGION = 5;
const SESSION_TIMEOUTS = [8, 10, 12, 24];
const BANNER_MAX = 1400;

// -------------------------------------------------------------------------------------------
// Validation.

/** The client CIDR: IPv4, /12 to /22 (clientvpn.md §3.1; AWS's error code: a choice). */
function checkClientCidr(text: string | undefined): string {
  if (!text) throw new AwsError('MissingParameter', 'The request must contain the parameter ClientCidrBlock');
  const c = parseCidr(text);
  if (!c) throw invalidParameterValue(`Invalid value '${text}' for parameter ClientCidrBlock. The value must be a valid IPv4 CIDR block.`);
  if (c.prefix < 12 || c.prefix > 22) throw invalidParameterValue(`Client CIDR block ${text} must have a prefix length between /12 and /22.`);
  return text;
}

/**
 * Exactly one method, or mutual authentication plus one user-based method (Active
 * Directory or SAML); never two user-based methods.
 */
function authenticationOf(options: readonly ClientVpnAuthenticationRequest[] | undefined): AuthenticationRecord[] {
  const list = options ?? [];
  if (list.length === 0 || list.length > 2) throw invalidParameterValue('You must specify one or two authentication options.');
  const out: AuthenticationRecord[] = [];
  for (const o of list) {
    switch (o.Type) {
      case 'certificate-authentication':
        if (!o.MutualAuthentication?.ClientRootCertificateChainArn) throw new AwsError('MissingParameter', 'The request must contain the parameter ClientRootCertificateChainArn');
        out.push({ Type: o.Type, ClientRootCertificateChainArn: o.MutualAuthentication.ClientRootCertificateChainArn });
        break;
      case 'directory-service-authentication':
        if (!o.ActiveDirectory?.DirectoryId) throw new AwsError('MissingParameter', 'The request must contain the parameter DirectoryId');
        if (!/^d-[0-9a-f]{10}$/.test(o.ActiveDirectory.DirectoryId)) throw invalidParameterValue(`Invalid directory ID ${o.ActiveDirectory.DirectoryId}`);
        out.push({ Type: o.Type, DirectoryId: o.ActiveDirectory.DirectoryId });
        break;
      case 'federated-authentication':
        if (!o.FederatedAuthentication?.SAMLProviderArn) throw new AwsError('MissingParameter', 'The request must contain the parameter SAMLProviderArn');
        out.push({
          Type: o.Type,
          SAMLProviderArn: o.FederatedAuthentication.SAMLProviderArn,
          ...(o.FederatedAuthentication.SelfServiceSAMLProviderArn ? { SelfServiceSAMLProviderArn: o.FederatedAuthentication.SelfServiceSAMLProviderArn } : {}),
        });
        break;
      default:
        throw invalidParameterValue(`Invalid authentication type ${o.Type ?? ''}`);
    }
  }
  const types = out.map((a) => a.Type);
  if (new Set(types).size !== types.length || (types.length === 2 && !types.includes('certificate-authentication'))) {
    throw new AwsError('InvalidParameterCombination', 'You can use mutual authentication together with one user-based authentication method (Active Directory or federated authentication) only.');
  }
  return out;
}

function checkPort(port: number | undefined): number {
  const p = port ?? 443;
  if (p !== 443 && p !== 1194) throw invalidParameterValue(`Invalid value '${p}' for parameter VpnPort. Valid values: 443, 1194.`);
  return p;
}

function checkTimeout(hours: number | undefined): number {
  const h = hours ?? 24;
  if (!SESSION_TIMEOUTS.includes(h)) throw invalidParameterValue(`Invalid value '${h}' for parameter SessionTimeoutHours. Valid values: ${SESSION_TIMEOUTS.join(', ')}.`);
  return h;
}

function checkDns(servers: readonly string[]): string[] {
  if (servers.length > 2) throw invalidParameterValue('You can specify at most 2 DNS servers.');
  for (const s of servers) if (!ipaddr.isValid(s)) throw invalidParameterValue(`Invalid DNS server address ${s}`);
  return [...servers];
}

function checkBanner(o: { Enabled?: boolean; BannerText?: string } | undefined): EndpointRecord['Banner'] {
  if (!o?.Enabled) return { Enabled: false };
  const text = o.BannerText ?? '';
  if ([...text].length > BANNER_MAX) throw invalidParameterValue(`The login banner text must be at most ${BANNER_MAX} characters.`);
  return { Enabled: true, BannerText: text };
}

/** The connect handler: a Lambda function in this account and region named AWSClientVPN-*. */
function connectHandlerOf(ctx: ServiceContext, o: { Enabled?: boolean; LambdaFunctionArn?: string } | undefined): EndpointRecord['ClientConnect'] {
  if (!o?.Enabled) return { Enabled: false, Since: ctx.now.toISOString() };
  const arn = o.LambdaFunctionArn ?? '';
  const m = /^arn:aws:lambda:([a-z0-9-]+):(\d{12}):function:([A-Za-z0-9_-]+)(:[A-Za-z0-9$_-]+)?$/.exec(arn);
  if (!m || m[1] !== ctx.region || m[2] !== ctx.caller.account) throw invalidParameterValue(`Invalid Lambda function ARN ${arn}: the function must be in this account and Region.`);
  if (!m[3]!.startsWith('AWSClientVPN-')) throw invalidParameterValue(`The Lambda function name must start with AWSClientVPN-: ${arn}`);
  return { Enabled: true, LambdaFunctionArn: arn, Since: ctx.now.toISOString() };
}

function checkConnectionLog(o: { Enabled?: boolean; CloudwatchLogGroup?: string; CloudwatchLogStream?: string } | undefined): EndpointRecord['ConnectionLog'] {
  if (!o) throw new AwsError('MissingParameter', 'The request must contain the parameter ConnectionLogOptions');
  if (!o.Enabled) return { Enabled: false };
  if (!o.CloudwatchLogGroup) throw new AwsError('MissingParameter', 'The request must contain the parameter CloudwatchLogGroup');
  return { Enabled: true, CloudwatchLogGroup: o.CloudwatchLogGroup, ...(o.CloudwatchLogStream ? { CloudwatchLogStream: o.CloudwatchLogStream } : {}) };
}

/** Security groups need the VPC they belong to: at most 5, all in that VPC. */
async function checkGroups(ctx: ServiceContext, vpcId: string | undefined, ids: readonly string[] | undefined): Promise<string[]> {
  if (!ids?.length) return [];
  if (!vpcId) throw new AwsError('MissingParameter', 'The request must contain the parameter VpcId when security groups are specified');
  if (ids.length > 5) throw invalidParameterValue('You can specify at most 5 security groups.');
  for (const id of ids) {
    const g = await getSecurityGroup(ctx, id);
    if (g.VpcId !== vpcId) throw invalidParameterValue(`Security group ${id} does not belong to VPC ${vpcId}`);
  }
  return [...ids];
}

/**
 * The self-service portal needs a user-based method: the model's default is `enabled`,
 * but a mutual-only endpoint cannot have one (clientvpn.md §19, a choice).
 */
function portalOf(requested: string | undefined, auth: readonly AuthenticationRecord[]): 'enabled' | 'disabled' {
  const userBased = auth.some((a) => a.Type !== 'certificate-authentication');
  if (requested === 'enabled' && !userBased) throw invalidParameterValue('The self-service portal requires Active Directory or federated authentication.');
  if (requested === 'enabled' || requested === 'disabled') return requested;
  return userBased ? 'enabled' : 'disabled';
}

/** The condition keys CreateClientVpnEndpoint and ModifyClientVpnEndpoint carry (Service Authorization Reference). */
function conditionKeys(ctx: ServiceContext, e: Pick<EndpointRecord, 'ServerCertificateArn' | 'Authentication' | 'ConnectionLog' | 'VpcId' | 'SecurityGroupIds'>): Record<string, string | string[]> {
  const keys: Record<string, string | string[]> = { 'ec2:ServerCertificateArn': e.ServerCertificateArn };
  for (const a of e.Authentication) {
    if (a.ClientRootCertificateChainArn) keys['ec2:ClientRootCertificateChainArn'] = a.ClientRootCertificateChainArn;
    if (a.DirectoryId) keys['ec2:DirectoryArn'] = `arn:aws:ds:${ctx.region}:${ctx.caller.account}:directory/${a.DirectoryId}`;
    if (a.SAMLProviderArn) keys['ec2:SamlProviderArn'] = a.SAMLProviderArn;
  }
  if (e.ConnectionLog.CloudwatchLogGroup) keys['ec2:CloudwatchLogGroupArn'] = `arn:aws:logs:${ctx.region}:${ctx.caller.account}:log-group:${e.ConnectionLog.CloudwatchLogGroup}`;
  if (e.ConnectionLog.CloudwatchLogStream) keys['ec2:CloudwatchLogStreamArn'] = `arn:aws:logs:${ctx.region}:${ctx.caller.account}:log-group:${e.ConnectionLog.CloudwatchLogGroup ?? ''}:log-stream:${e.ConnectionLog.CloudwatchLogStream}`;
  if (e.VpcId) keys['ec2:VpcID'] = e.VpcId;
  if (e.SecurityGroupIds.length) keys['ec2:SecurityGroupID'] = [...e.SecurityGroupIds];
  return keys;
}

// -------------------------------------------------------------------------------------------
// Output.

export function endpointOutput(ctx: ServiceContext, e: EndpointRecord): ClientVpnEndpoint {
  const status = endpointStatus(e, ctx.now);
  const clientConnectSettled = settled('clientConnectOptions', e.ClientConnect.Since, ctx.now);
  return {
    ClientVpnEndpointId: e.ClientVpnEndpointId,
    ...(e.Description ? { Description: e.Description } : {}),
    Status: { Code: status === 'gone' ? 'deleted' : status },
    CreationTime: e.CreationTime.replace('T', ' ').replace(/\.\d{3}Z$/, ''),
    ...(e.DeletionTime ? { DeletionTime: e.DeletionTime.replace('T', ' ').replace(/\.\d{3}Z$/, '') } : {}),
    DnsName: `*.${dnsNameOf(e.ClientVpnEndpointId, e.Region)}`,
    ClientCidrBlock: e.ClientCidrBlock,
    ...(e.DnsServers.length ? { DnsServers: [...e.DnsServers] } : {}),
    SplitTunnel: e.SplitTunnel,
    VpnProtocol: 'openvpn',
    TransportProtocol: e.TransportProtocol,
    VpnPort: e.VpnPort,
    // Deprecated by AWS (always empty now: DescribeClientVpnTargetNetworks lists them).
    AssociatedTargetNetworks: [],
    ServerCertificateArn: e.ServerCertificateArn,
    AuthenticationOptions: e.Authentication.map((a) => ({
      Type: a.Type,
      ...(a.DirectoryId ? { ActiveDirectory: { DirectoryId: a.DirectoryId } } : {}),
      ...(a.ClientRootCertificateChainArn ? { MutualAuthentication: { ClientRootCertificateChain: a.ClientRootCertificateChainArn } } : {}),
      ...(a.SAMLProviderArn ? { FederatedAuthentication: { SamlProviderArn: a.SAMLProviderArn, ...(a.SelfServiceSAMLProviderArn ? { SelfServiceSamlProviderArn: a.SelfServiceSAMLProviderArn } : {}) } } : {}),
    })),
    ConnectionLogOptions: { ...e.ConnectionLog },
    Tags: [...e.Tags],
    SecurityGroupIds: [...e.SecurityGroupIds],
    ...(e.VpcId ? { VpcId: e.VpcId } : {}),
    ...(e.SelfServicePortal === 'enabled' ? { SelfServicePortalUrl: `https://self-service.clientvpn.amazonaws.com/endpoints/${e.ClientVpnEndpointId}` } : {}),
    ClientConnectOptions: {
      Enabled: e.ClientConnect.Enabled,
      ...(e.ClientConnect.LambdaFunctionArn ? { LambdaFunctionArn: e.ClientConnect.LambdaFunctionArn } : {}),
      Status: { Code: clientConnectSettled ? 'applied' : 'applying' },
    },
    SessionTimeoutHours: e.SessionTimeoutHours,
    ClientLoginBannerOptions: { ...e.Banner },
    ClientRouteEnforcementOptions: { Enforced: e.ClientRouteEnforcement },
    DisconnectOnSessionTimeout: e.DisconnectOnSessionTimeout,
    EndpointIpAddressType: 'ipv4',
    TrafficIpAddressType: 'ipv4',
  };
}

// -------------------------------------------------------------------------------------------
// Handlers.

export const endpointHandlers: Record<string, Handler> = {
  async CreateClientVpnEndpoint(input: CreateClientVpnEndpointCommandInput, ctx: ServiceContext): Promise<Out<CreateClientVpnEndpointCommandOutput>> {
    const authentication = authenticationOf(input.AuthenticationOptions);
    const draft = {
      ServerCertificateArn: input.ServerCertificateArn!,
      Authentication: authentication,
      ConnectionLog: checkConnectionLog(input.ConnectionLogOptions),
      ...(input.VpcId ? { VpcId: input.VpcId } : {}),
      SecurityGroupIds: input.SecurityGroupIds ?? [],
    };
    const resource = endpointArn(ctx, '*');
    const context = { ...conditionKeys(ctx, draft), ...requestTagContext(input.TagSpecifications) };
    await dryRun(ctx, input, 'ec2:CreateClientVpnEndpoint', resource, context);
    await ctx.authorize('ec2:CreateClientVpnEndpoint', resource, { context });
    if (input.TrafficIpAddressType && input.TrafficIpAddressType !== 'ipv4') throw invalidParameterValue('Gatehouse supports IPv4 Client VPN endpoints only (TrafficIpAddressType ipv4).');
    if (input.TransitGatewayConfiguration) throw invalidParameterValue('Transit gateway based Client VPN endpoints are not supported by Gatehouse.');
    return idempotent(ctx, 'CreateClientVpnEndpoint', input, async () => {
      const clientCidr = checkClientCidr(input.ClientCidrBlock);
      const vpcId = input.VpcId ? (await getVpc(ctx, input.VpcId)).VpcId : undefined;
      const record: EndpointRecord = {
        ClientVpnEndpointId: ec2Id('cvpn-endpoint'),
        Region: ctx.region,
        ...(input.Description ? { Description: input.Description } : {}),
        CreationTime: ctx.now.toISOString(),
        ClientCidrBlock: clientCidr,
        DnsServers: checkDns(input.DnsServers ?? []),
        SplitTunnel: input.SplitTunnel ?? false,
        TransportProtocol: input.TransportProtocol === 'tcp' ? 'tcp' : 'udp',
        VpnPort: checkPort(input.VpnPort),
        ServerCertificateArn: draft.ServerCertificateArn,
        Authentication: authentication,
        ConnectionLog: draft.ConnectionLog,
        ClientConnect: connectHandlerOf(ctx, input.ClientConnectOptions),
        SecurityGroupIds: await checkGroups(ctx, vpcId, input.SecurityGroupIds),
        ...(vpcId ? { VpcId: vpcId } : {}),
        SelfServicePortal: portalOf(input.SelfServicePortal, authentication),
        SessionTimeoutHours: checkTimeout(input.SessionTimeoutHours),
        Banner: checkBanner(input.ClientLoginBannerOptions),
        ClientRouteEnforcement: input.ClientRouteEnforcementOptions?.Enforced ?? false,
        DisconnectOnSessionTimeout: input.DisconnectOnSessionTimeout ?? true,
        Associations: [],
        Rules: [],
        Routes: [],
        Tags: [],
      };
      // Deleted endpoints (still listed for a while) no longer count.
      if ((await endpointsInRegion(ctx)).filter((x) => endpointStatus(x, ctx.now) !== 'deleted').length >= ENDPOINTS_PER_REGION) {
        throw new AwsError('ClientVpnEndpointLimitExceeded', `You have reached the maximum number of Client VPN endpoints (${ENDPOINTS_PER_REGION}) for this Region.`);
      }
      const tags = await tagsFrom(ctx, input.TagSpecifications, 'client-vpn-endpoint', endpointArn(ctx, record.ClientVpnEndpointId), 'CreateClientVpnEndpoint');
      // The service's own steps, in AWS's order: its roles (on the caller's behalf), then
      // what it reads as its role.
      await ensureServiceLinkedRoles(ctx);
      const certificates = [record.ServerCertificateArn, ...authentication.flatMap((a) => (a.ClientRootCertificateChainArn ? [a.ClientRootCertificateChainArn] : []))];
      for (const arn of new Set(certificates)) await checkCertificate(ctx, arn);
      await grantCertificateKey(ctx, certificates);
      for (const a of authentication) if (a.SAMLProviderArn) await checkSamlProvider(ctx, a.SAMLProviderArn);
      for (const a of authentication) if (a.DirectoryId) await authorizeDirectory(ctx, a.DirectoryId, endpointArn(ctx, record.ClientVpnEndpointId));
      const log = await connectionLogFor(ctx, record.ClientVpnEndpointId, record.ConnectionLog);
      if (record.ClientConnect.LambdaFunctionArn) await checkConnectHandler(ctx, record.ClientConnect.LambdaFunctionArn);
      // With a VPC and no groups, the VPC's default group applies from the start.
      const groups = record.SecurityGroupIds.length || !vpcId ? record.SecurityGroupIds : [await defaultGroupId(ctx, vpcId)];
      const stored: EndpointRecord = { ...record, ConnectionLog: log, SecurityGroupIds: groups, Tags: tags };
      await ctx.tx.insert(ctx.caller.account, CVPN_KIND.endpoint, stored.ClientVpnEndpointId, stored);
      ctx.recordResource('AWS::EC2::ClientVpnEndpoint', endpointArn(ctx, stored.ClientVpnEndpointId));
      // AWS's Create response shows the DNS name without the wildcard label (clientvpn.md §13).
      return { ClientVpnEndpointId: stored.ClientVpnEndpointId, Status: { Code: 'pending-associate' }, DnsName: dnsNameOf(stored.ClientVpnEndpointId, ctx.region) };
    });
  },

  async ModifyClientVpnEndpoint(input: ModifyClientVpnEndpointCommandInput, ctx: ServiceContext): Promise<Out<ModifyClientVpnEndpointCommandOutput>> {
    const arn = endpointArn(ctx, input.ClientVpnEndpointId!);
    await dryRun(ctx, input, 'ec2:ModifyClientVpnEndpoint', arn);
    const e = await getEndpoint(ctx, input.ClientVpnEndpointId!);
    const vpcId = input.VpcId ?? e.VpcId;
    let next: EndpointRecord = {
      ...e,
      ...(input.Description !== undefined ? { Description: input.Description } : {}),
      ...(input.ServerCertificateArn ? { ServerCertificateArn: input.ServerCertificateArn } : {}),
      ...(input.ConnectionLogOptions ? { ConnectionLog: checkConnectionLog(input.ConnectionLogOptions) } : {}),
      // DnsServers.Enabled=false removes the custom servers.
      ...(input.DnsServers ? { DnsServers: input.DnsServers.Enabled === false ? [] : checkDns(input.DnsServers.CustomDnsServers ?? []) } : {}),
      ...(input.VpnPort !== undefined ? { VpnPort: checkPort(input.VpnPort) } : {}),
      ...(input.SplitTunnel !== undefined ? { SplitTunnel: input.SplitTunnel } : {}),
      ...(input.SelfServicePortal ? { SelfServicePortal: portalOf(input.SelfServicePortal, e.Authentication) } : {}),
      ...(input.ClientConnectOptions ? { ClientConnect: connectHandlerOf(ctx, input.ClientConnectOptions) } : {}),
      ...(input.SessionTimeoutHours !== undefined ? { SessionTimeoutHours: checkTimeout(input.SessionTimeoutHours) } : {}),
      ...(input.ClientLoginBannerOptions ? { Banner: checkBanner(input.ClientLoginBannerOptions) } : {}),
      ...(input.ClientRouteEnforcementOptions ? { ClientRouteEnforcement: input.ClientRouteEnforcementOptions.Enforced ?? false } : {}),
      ...(input.DisconnectOnSessionTimeout !== undefined ? { DisconnectOnSessionTimeout: input.DisconnectOnSessionTimeout } : {}),
    };
    await ctx.authorize('ec2:ModifyClientVpnEndpoint', arn, { context: conditionKeys(ctx, { ...next, ...(vpcId ? { VpcId: vpcId } : {}), SecurityGroupIds: input.SecurityGroupIds ?? e.SecurityGroupIds }) });
    if (input.TransitGatewayConfiguration) throw invalidParameterValue('Modifying the transit gateway configuration is not supported.');
    if (input.ConnectionLogOptions) next = { ...next, ConnectionLog: await connectionLogFor(ctx, e.ClientVpnEndpointId, next.ConnectionLog) };
    if (input.ClientConnectOptions?.Enabled && next.ClientConnect.LambdaFunctionArn) await checkConnectHandler(ctx, next.ClientConnect.LambdaFunctionArn);
    if (input.ServerCertificateArn && input.ServerCertificateArn !== e.ServerCertificateArn) {
      await checkCertificate(ctx, input.ServerCertificateArn);
      await grantCertificateKey(ctx, [input.ServerCertificateArn]);
    }
    let result = next;
    if (input.VpcId !== undefined || input.SecurityGroupIds !== undefined) {
      // Moving to another VPC while subnets are associated is refused (clientvpn.md §19).
      if (input.VpcId && e.VpcId && input.VpcId !== e.VpcId && liveAssociations(e, ctx.now).length > 0) {
        throw invalidParameterValue('You cannot change the VPC while target networks are associated with the endpoint.');
      }
      if (input.VpcId) await getVpc(ctx, input.VpcId);
      const groups = input.SecurityGroupIds ? await checkGroups(ctx, vpcId, input.SecurityGroupIds) : vpcId ? [await defaultGroupId(ctx, vpcId)] : [];
      result = { ...next, ...(vpcId ? { VpcId: vpcId } : {}), SecurityGroupIds: groups };
    }
    await saveEndpoint(ctx, result);
    return { Return: true };
  },

  async DeleteClientVpnEndpoint(input: DeleteClientVpnEndpointCommandInput, ctx: ServiceContext): Promise<Out<DeleteClientVpnEndpointCommandOutput>> {
    const arn = endpointArn(ctx, input.ClientVpnEndpointId!);
    await dryRun(ctx, input, 'ec2:DeleteClientVpnEndpoint', arn);
    await ctx.authorize('ec2:DeleteClientVpnEndpoint', arn);
    const e = await getEndpoint(ctx, input.ClientVpnEndpointId!);
    if (liveAssociations(e, ctx.now).some((a) => a.Phase === 'associating')) {
      throw new AwsError('InvalidClientVpnEndpointAssociationExists', `Endpoint ${e.ClientVpnEndpointId} has associated target networks. Disassociate them before deleting the endpoint.`);
    }
    for (const a of e.Authentication) if (a.DirectoryId) await unauthorizeDirectory(ctx, a.DirectoryId, arn);
    await saveEndpoint(ctx, { ...e, DeletionTime: ctx.now.toISOString() });
    return { Status: { Code: 'deleting' } };
  },

  async DescribeClientVpnEndpoints(input: DescribeClientVpnEndpointsCommandInput, ctx: ServiceContext): Promise<Out<DescribeClientVpnEndpointsCommandOutput>> {
    await dryRun(ctx, input, 'ec2:DescribeClientVpnEndpoints', '*');
    await ctx.authorize('ec2:DescribeClientVpnEndpoints', '*');
    let all = await endpointsInRegion(ctx);
    for (const id of input.ClientVpnEndpointIds ?? []) if (!all.some((e) => e.ClientVpnEndpointId === id)) throw new AwsError('InvalidClientVpnEndpointId.NotFound', `Endpoint ${id} does not exist`);
    if (input.ClientVpnEndpointIds?.length) all = all.filter((e) => input.ClientVpnEndpointIds!.includes(e.ClientVpnEndpointId));
    const keep = filterPredicate<EndpointRecord>(input.Filters, {
      'endpoint-id': (e) => [e.ClientVpnEndpointId],
      'transport-protocol': (e) => [e.TransportProtocol],
    });
    const page = pageOf(all.filter(keep), input);
    return { ClientVpnEndpoints: page.items.map((e) => endpointOutput(ctx, e)), ...(page.NextToken ? { NextToken: page.NextToken } : {}) };
  },
};

/** Connection logging's group checked and its stream settled (created when not named). */
async function connectionLogFor(ctx: ServiceContext, endpointId: string, log: EndpointRecord['ConnectionLog']): Promise<EndpointRecord['ConnectionLog']> {
  if (!log.Enabled || !log.CloudwatchLogGroup) return log;
  return { ...log, CloudwatchLogStream: await prepareConnectionLog(ctx, endpointId, log.CloudwatchLogGroup, log.CloudwatchLogStream) };
}

async function defaultGroupId(ctx: ServiceContext, vpcId: string): Promise<string> {
  return (await defaultSecurityGroupOf(ctx, vpcId)).GroupId;
}
