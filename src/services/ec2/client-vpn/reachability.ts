/**
 * Can this client reach that address, and why not? The Gatehouse operation
 * `AnalyzeClientVpnReachability` walks the path a packet takes (clientvpn.md §18), from
 * the client through the endpoint and the VPC to the destination's security group, and
 * reports each step's decision with what decided it:
 *   not-via-vpn, endpoint-unavailable, no-route, unauthorized, sg-egress, no-vpc-route,
 *   nacl, no-destination, sg-ingress, allowed.
 * It reads EC2's own records (endpoints, route tables, security groups, network ACLs,
 * interfaces, peering); the caller needs the Describe permissions a person would need to
 * work it out by hand.
 */
import { AwsError } from '../../../models/errors.js';
import { KIND, cidrSize, parseCidr } from '../common.js';
import { findPeering } from '../peering.js';
import { aclOfSubnet, inRegion, routeTableOfSubnet, type NetworkAclEntryRecord, type NetworkInterfaceRecord, type RouteRecord as VpcRoute, type SecurityGroupRecord, type SecurityGroupRuleRecord, type SubnetRecord, type VpcRecord } from '../records.js';
import type { Handler, ServiceContext } from '../../types.js';
import { authorizes } from './authorization-rules.js';
import { connectionsOf } from './connections.js';
import { associationState, endpointStatus, getEndpoint, routeState, ruleState, type EndpointRecord } from './records.js';

export type Reason = 'not-via-vpn' | 'endpoint-unavailable' | 'no-route' | 'unauthorized' | 'sg-egress' | 'no-vpc-route' | 'nacl' | 'no-destination' | 'sg-ingress' | 'allowed';

export interface Step {
  readonly Step: string;
  readonly Decision: 'pass' | 'fail' | 'info';
  readonly Detail: string;
}

export interface AnalyzeInput {
  readonly ClientVpnEndpointId?: string;
  /** A connection (its client address, groups and landing subnet), or: */
  readonly ConnectionId?: string;
  /** The user's directory or IdP groups (none for certificate authentication). */
  readonly Groups?: readonly string[];
  /** The associated subnet the client landed on (default: the first associated). */
  readonly SubnetId?: string;
  readonly Destination?: string;
  /** `tcp` (default), `udp` or `icmp`. */
  readonly Protocol?: string;
  readonly Port?: number;
}

export interface AnalyzeOutput {
  readonly Result: Reason;
  readonly Reachable: boolean;
  readonly Steps: readonly Step[];
}

const PROTOCOLS: Readonly<Record<string, string>> = { tcp: '6', udp: '17', icmp: '1' };
/** A typical ephemeral port for return traffic through stateless ACLs. */
const EPHEMERAL = 32768;

const toNumber = (ip: string): number => ip.split('.').reduce((n, b) => n * 256 + Number(b), 0);
function inCidr(ip: string, cidr: string): boolean {
  const c = parseCidr(cidr);
  if (!c) return false;
  const n = toNumber(ip);
  return n >= c.base && n < c.base + cidrSize(c);
}
const prefixOf = (cidr: string): number => parseCidr(cidr)?.prefix ?? -1;

function longest<T>(items: readonly T[], cidrOf: (t: T) => string, ip: string): T[] {
  const matching = items.filter((t) => inCidr(ip, cidrOf(t)));
  if (matching.length === 0) return [];
  const best = Math.max(...matching.map((t) => prefixOf(cidrOf(t))));
  return matching.filter((t) => prefixOf(cidrOf(t)) === best);
}

/** Whether a security group rule covers this protocol and port. */
function ruleCovers(r: SecurityGroupRuleRecord, protocol: string, port: number): boolean {
  if (r.IpProtocol === '-1') return true;
  const number = { tcp: '6', udp: '17', icmp: '1', icmpv6: '58' }[r.IpProtocol] ?? r.IpProtocol;
  if (number !== protocol) return false;
  if (protocol === '1') return true;
  return r.FromPort === -1 || (port >= r.FromPort && port <= r.ToPort);
}

/** A security group rule set (one direction) allowing traffic with a peer address and the peer's groups. */
function groupsAllow(groups: readonly SecurityGroupRecord[], egress: boolean, peerIp: string, peerGroups: readonly string[], protocol: string, port: number): SecurityGroupRuleRecord | undefined {
  for (const g of groups) {
    for (const r of g.Rules) {
      if (r.IsEgress !== egress || !ruleCovers(r, protocol, port)) continue;
      if (r.CidrIpv4 && inCidr(peerIp, r.CidrIpv4)) return r;
      if (r.ReferencedGroup && peerGroups.includes(r.ReferencedGroup.GroupId)) return r;
    }
  }
  return undefined;
}

/** Network ACL evaluation: rules in number order, the first that matches decides; none: deny. */
function aclAllows(entries: readonly NetworkAclEntryRecord[], egress: boolean, peerIp: string, protocol: string, port: number): { allowed: boolean; rule: number } {
  const ordered = entries.filter((e) => e.Egress === egress).sort((a, b) => a.RuleNumber - b.RuleNumber);
  for (const e of ordered) {
    if (!inCidr(peerIp, e.CidrBlock)) continue;
    if (e.Protocol !== '-1' && e.Protocol !== protocol) continue;
    if (e.PortRange && (port < e.PortRange.From || port > e.PortRange.To)) continue;
    return { allowed: e.RuleAction === 'allow', rule: e.RuleNumber };
  }
  return { allowed: false, rule: 32767 };
}

export async function analyze(ctx: ServiceContext, input: AnalyzeInput): Promise<AnalyzeOutput> {
  const steps: Step[] = [];
  const done = (Result: Reason): AnalyzeOutput => ({ Result, Reachable: Result === 'allowed', Steps: steps });
  const fail = (step: string, detail: string, reason: Reason): AnalyzeOutput => {
    steps.push({ Step: step, Decision: 'fail', Detail: detail });
    return done(reason);
  };
  const pass = (step: string, detail: string): void => void steps.push({ Step: step, Decision: 'pass', Detail: detail });
  const destination = input.Destination ?? '';
  if (!parseCidr(`${destination}/32`)) throw new AwsError('InvalidParameterValue', `Invalid destination address '${destination}'`);
  const protocol = PROTOCOLS[(input.Protocol ?? 'tcp').toLowerCase()];
  if (!protocol) throw new AwsError('InvalidParameterValue', `Invalid protocol '${input.Protocol ?? ''}': tcp, udp or icmp`);
  const port = input.Port ?? 443;
  const e: EndpointRecord = await getEndpoint(ctx, input.ClientVpnEndpointId ?? '');
  const now = ctx.now;

  // 0. The endpoint accepts clients only with an associated target network.
  const associated = e.Associations.filter((a) => associationState(a, now) === 'associated');
  if (endpointStatus(e, now) !== 'available') return fail('endpoint', `Endpoint ${e.ClientVpnEndpointId} is ${endpointStatus(e, now)}: no target network is associated`, 'endpoint-unavailable');
  let groups = input.Groups ?? [];
  let landing = associated.find((a) => a.SubnetId === input.SubnetId) ?? associated[0]!;
  if (input.SubnetId && landing.SubnetId !== input.SubnetId) throw new AwsError('InvalidParameterValue', `Subnet ${input.SubnetId} is not associated with endpoint ${e.ClientVpnEndpointId}`);
  if (input.ConnectionId) {
    const c = (await connectionsOf(ctx, e.ClientVpnEndpointId)).find((x) => x.ConnectionId === input.ConnectionId && !x.EndedAt);
    if (!c) throw new AwsError('InvalidClientVpnConnection.IdNotFound', `Connection ${input.ConnectionId} does not exist`);
    landing = associated.find((a) => a.SubnetId === c.SubnetId) ?? landing;
    groups = input.Groups ?? c.Groups ?? [];
  }
  pass('endpoint', `Endpoint ${e.ClientVpnEndpointId} is available; the client landed on ${landing.SubnetId}`);

  // 1-2. The endpoint's route table: routes through the landing subnet, or local.
  const routes = e.Routes.filter((r) => routeState(r, now) === 'active');
  if (e.SplitTunnel && !routes.some((r) => inCidr(destination, r.DestinationCidr))) {
    steps.push({ Step: 'split-tunnel', Decision: 'info', Detail: `Split tunnel: no endpoint route covers ${destination}, so the client sends it outside the VPN` });
    return done('not-via-vpn');
  }
  const route = longest(routes.filter((r) => r.TargetSubnet === landing.SubnetId || r.TargetSubnet === 'local'), (r) => r.DestinationCidr, destination)[0];
  if (!route) return fail('endpoint-route', `No endpoint route to ${destination} through ${landing.SubnetId} (or local)`, 'no-route');
  pass('endpoint-route', `Route ${route.DestinationCidr} → ${route.TargetSubnet} (${route.Origin})`);

  // 3. Authorization rules: the longest matching prefix decides.
  const rules = e.Rules.filter((r) => ruleState(r, now) === 'active');
  if (!authorizes(rules, now, groups, destination)) {
    const best = longest(rules, (r) => r.DestinationCidr, destination);
    return fail('authorization', best.length ? `The most specific rules for ${destination} (${best[0]!.DestinationCidr}) name ${best.map((r) => (r.AccessAll ? 'all groups' : r.GroupId)).join(', ')}, none of the client's groups` : `No authorization rule covers ${destination}`, 'unauthorized');
  }
  pass('authorization', `An authorization rule allows ${destination}`);

  // 4. Client to client: delivered as is, no security groups.
  if (route.TargetSubnet === 'local') {
    pass('local', `Delivered to the client holding ${destination}, source address kept`);
    return done('allowed');
  }

  // 5. Source NAT to the association's interface; the endpoint's groups' egress rules.
  const account = ctx.caller.account;
  const eni = await ctx.tx.get<NetworkInterfaceRecord>(account, KIND.networkInterface, landing.NetworkInterfaceId);
  if (!eni) return fail('snat', `The endpoint's interface in ${landing.SubnetId} is gone`, 'no-route');
  const endpointGroups = (await Promise.all(e.SecurityGroupIds.map((id) => ctx.tx.get<SecurityGroupRecord>(account, KIND.securityGroup, id)))).filter((g): g is SecurityGroupRecord => g !== undefined);
  pass('snat', `Source address translated to the endpoint interface ${eni.NetworkInterfaceId} (${eni.PrivateIpAddress})`);
  const interfaces = await inRegion<NetworkInterfaceRecord>(ctx, KIND.networkInterface);
  const target = interfaces.find((n) => n.PrivateIpAddress === destination && n.NetworkInterfaceId !== eni.NetworkInterfaceId);
  const egress = groupsAllow(endpointGroups, true, destination, target?.Groups ?? [], protocol, port);
  if (!egress) return fail('sg-egress', `No egress rule of the endpoint's security groups (${e.SecurityGroupIds.join(', ')}) allows ${input.Protocol ?? 'tcp'}/${port} to ${destination}`, 'sg-egress');
  pass('sg-egress', `Egress rule ${egress.SecurityGroupRuleId} allows it`);

  // 6. The landing subnet's route table.
  const subnet = (await ctx.tx.get<SubnetRecord>(account, KIND.subnet, landing.SubnetId))!;
  const table = await routeTableOfSubnet(ctx, subnet);
  const vpcRoute: VpcRoute | undefined = longest(table.Routes, (r) => r.DestinationCidrBlock, destination)[0];
  if (!vpcRoute) return fail('vpc-route', `Route table ${table.RouteTableId} has no route to ${destination}`, 'no-vpc-route');
  let destinationSubnet: SubnetRecord | undefined;
  if (vpcRoute.GatewayId === 'local') {
    destinationSubnet = target && target.VpcId === subnet.VpcId ? await ctx.tx.get<SubnetRecord>(account, KIND.subnet, target.SubnetId) : undefined;
    pass('vpc-route', `Route table ${table.RouteTableId}: ${vpcRoute.DestinationCidrBlock} → local`);
  } else if (vpcRoute.VpcPeeringConnectionId) {
    const p = await findPeering(ctx, vpcRoute.VpcPeeringConnectionId);
    if (p?.Status !== 'active') return fail('vpc-route', `Peering connection ${vpcRoute.VpcPeeringConnectionId} is not active`, 'no-vpc-route');
    destinationSubnet = target ? await ctx.tx.get<SubnetRecord>(account, KIND.subnet, target.SubnetId) : undefined;
    // The way back: the peer's table must route the landing VPC's CIDR (not the client CIDR: SNAT).
    const vpc = (await ctx.tx.get<VpcRecord>(account, KIND.vpc, subnet.VpcId))!;
    if (destinationSubnet) {
      const back = longest((await routeTableOfSubnet(ctx, destinationSubnet)).Routes, (r) => r.DestinationCidrBlock, eni.PrivateIpAddress)[0];
      if (back?.VpcPeeringConnectionId !== p.VpcPeeringConnectionId) return fail('vpc-route', `The peer's route table has no route back to ${vpc.CidrBlock} through ${p.VpcPeeringConnectionId}`, 'no-vpc-route');
    }
    pass('vpc-route', `Route table ${table.RouteTableId}: ${vpcRoute.DestinationCidrBlock} → ${p.VpcPeeringConnectionId}, and back`);
  } else if (vpcRoute.GatewayId?.startsWith('igw-') || vpcRoute.NatGatewayId || vpcRoute.GatewayId?.startsWith('vgw-') || vpcRoute.TransitGatewayId) {
    const via = vpcRoute.GatewayId ?? vpcRoute.NatGatewayId ?? vpcRoute.TransitGatewayId ?? '';
    if (vpcRoute.GatewayId?.startsWith('igw-')) {
      const igw = await ctx.tx.get<{ VpcId?: string }>(account, KIND.internetGateway, vpcRoute.GatewayId);
      if (igw?.VpcId !== subnet.VpcId) return fail('vpc-route', `Internet gateway ${vpcRoute.GatewayId} is not attached (blackhole route)`, 'no-vpc-route');
    }
    if (vpcRoute.NatGatewayId) {
      const nat = await ctx.tx.get<{ DeleteTime?: string }>(account, KIND.natGateway, vpcRoute.NatGatewayId);
      if (!nat || nat.DeleteTime) return fail('vpc-route', `NAT gateway ${vpcRoute.NatGatewayId} is gone (blackhole route)`, 'no-vpc-route');
    }
    pass('vpc-route', `Route table ${table.RouteTableId}: ${vpcRoute.DestinationCidrBlock} → ${via}: leaves the VPC`);
  } else {
    return fail('vpc-route', `Route ${vpcRoute.DestinationCidrBlock} in ${table.RouteTableId} points at ${vpcRoute.NetworkInterfaceId ?? 'an unsupported target'}`, 'no-vpc-route');
  }

  // 7. Network ACLs, both ways (they are stateless).
  const checkAcl = async (s: SubnetRecord, isEgress: boolean, peer: string, p: number, what: string): Promise<string | undefined> => {
    const acl = await aclOfSubnet(ctx, s);
    if (!acl) return undefined;
    const r = aclAllows(acl.Entries, isEgress, peer, protocol, p);
    if (!r.allowed) return `Network ACL ${acl.NetworkAclId} of ${s.SubnetId} denies ${what} (rule ${r.rule === 32767 ? '*' : r.rule})`;
    return undefined;
  };
  const out = (await checkAcl(subnet, true, destination, port, `outbound to ${destination}:${port}`)) ?? (await checkAcl(subnet, false, destination, EPHEMERAL, `the replies from ${destination}`));
  if (out) return fail('nacl', out, 'nacl');
  if (destinationSubnet) {
    const inbound = (await checkAcl(destinationSubnet, false, eni.PrivateIpAddress, port, `inbound from ${eni.PrivateIpAddress}:${port}`)) ?? (await checkAcl(destinationSubnet, true, eni.PrivateIpAddress, EPHEMERAL, `the replies to ${eni.PrivateIpAddress}`));
    if (inbound) return fail('nacl', inbound, 'nacl');
  }
  pass('nacl', 'The network ACLs on the way allow it both ways');

  // Beyond the VPC (internet, on-premises), nothing more to check here.
  if (!(vpcRoute.GatewayId === 'local' || vpcRoute.VpcPeeringConnectionId)) return done('allowed');

  // 8. The destination's security groups: from the interface address or the endpoint's groups.
  if (!target) return fail('destination', `Nothing in the VPC has the address ${destination}`, 'no-destination');
  const targetGroups = (await Promise.all(target.Groups.map((id) => ctx.tx.get<SecurityGroupRecord>(account, KIND.securityGroup, id)))).filter((g): g is SecurityGroupRecord => g !== undefined);
  const ingress = groupsAllow(targetGroups, false, eni.PrivateIpAddress, e.SecurityGroupIds, protocol, port);
  if (!ingress) {
    return fail('sg-ingress', `No ingress rule of ${target.NetworkInterfaceId}'s security groups (${target.Groups.join(', ')}) allows ${input.Protocol ?? 'tcp'}/${port} from ${eni.PrivateIpAddress} or the endpoint's groups (a rule for the client CIDR does not match: the source is translated)`, 'sg-ingress');
  }
  pass('sg-ingress', `Ingress rule ${ingress.SecurityGroupRuleId} of ${target.NetworkInterfaceId} allows it`);
  return done('allowed');
}

export const reachabilityGatehouseOperations: Record<string, Handler> = {
  async AnalyzeClientVpnReachability(input: AnalyzeInput, ctx: ServiceContext): Promise<AnalyzeOutput> {
    // What a person needs to read to work it out by hand.
    for (const action of ['DescribeClientVpnEndpoints', 'DescribeClientVpnRoutes', 'DescribeClientVpnAuthorizationRules', 'DescribeRouteTables', 'DescribeSecurityGroups', 'DescribeNetworkAcls', 'DescribeNetworkInterfaces']) {
      await ctx.authorize(`ec2:${action}`, '*');
    }
    return analyze(ctx, input);
  },
};
