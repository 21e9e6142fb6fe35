/**
 * Security groups and their rules. A group belongs to one VPC; its rules reference CIDRs,
 * prefix lists or other groups (by id, in this or another account). Every VPC has a
 * `default` group that cannot be deleted. Rules are stored one peer each, as
 * DescribeSecurityGroupRules shows them, and grouped by protocol and ports into
 * IpPermissions for DescribeSecurityGroups, as AWS does.
 */
import type {
  AuthorizeSecurityGroupEgressCommandInput,
  AuthorizeSecurityGroupIngressCommandInput,
  AuthorizeSecurityGroupIngressCommandOutput,
  CreateSecurityGroupCommandInput,
  CreateSecurityGroupCommandOutput,
  DeleteSecurityGroupCommandInput,
  DeleteSecurityGroupCommandOutput,
  DescribeSecurityGroupRulesCommandInput,
  DescribeSecurityGroupRulesCommandOutput,
  DescribeSecurityGroupsCommandInput,
  DescribeSecurityGroupsCommandOutput,
  IpPermission,
  RevokeSecurityGroupIngressCommandInput,
  RevokeSecurityGroupIngressCommandOutput,
  SecurityGroup,
  SecurityGroupRule,
} from '@aws-sdk/client-ec2';
import ipaddr from 'ipaddr.js';
import { AwsError } from '../../models/errors.js';
import { KIND, dryRun, ec2Arn, ec2Id, filterPredicate, invalidParameterValue, pageOf, requestTagContext, tagsFrom, type Tag } from './common.js';
import { defaultVpcOf, getSecurityGroup, getVpc, inRegion, type GroupReference, type NetworkInterfaceRecord, type SecurityGroupRecord, type SecurityGroupRuleRecord } from './records.js';
import type { Handler, ServiceContext } from '../types.js';

type Out<T> = Omit<T, '$metadata'>;

/** EC2 quotas (page "Amazon VPC quotas"): defaults. */
const GROUPS_PER_VPC = 2500;
const RULES_PER_DIRECTION = 60;

const PROTOCOL_NAMES: Readonly<Record<string, string>> = { '6': 'tcp', '17': 'udp', '1': 'icmp', '58': 'icmpv6', all: '-1' };

/** `6` → `tcp`, as EC2 stores it; an unknown name is refused. */
function protocolOf(text: string | undefined): string {
  const p = (text ?? '').toLowerCase();
  const named = PROTOCOL_NAMES[p] ?? p;
  if (['tcp', 'udp', 'icmp', 'icmpv6', '-1'].includes(named)) return named;
  const n = Number(named);
  if (named !== '' && Number.isInteger(n) && n >= 0 && n <= 255) return String(n);
  throw new AwsError('InvalidPermission.Malformed', `Unsupported IP protocol "${text ?? ''}"  - supported: [all, tcp, udp, icmp, icmpv6, <number>]`);
}

/** Ports as stored: -1/-1 when the protocol has no ports or all of them are meant. */
function portsOf(protocol: string, from: number | undefined, to: number | undefined): { FromPort: number; ToPort: number } {
  if (protocol === 'tcp' || protocol === 'udp') {
    if (from === undefined || to === undefined) throw new AwsError('InvalidParameterValue', `Invalid value 'Must specify both from and to ports with TCP/UDP.' for portRange`);
    if (from < 0 || to > 65535 || from > to) throw new AwsError('InvalidParameterValue', `Invalid TCP/UDP port range (${from}, ${to}).`);
    return { FromPort: from, ToPort: to };
  }
  if (protocol === 'icmp' || protocol === 'icmpv6') return { FromPort: from ?? -1, ToPort: to ?? -1 };
  return { FromPort: -1, ToPort: -1 };
}

function peerText(r: SecurityGroupRuleRecord): string {
  return r.CidrIpv4 ?? r.CidrIpv6 ?? r.PrefixListId ?? r.ReferencedGroup?.GroupId ?? '';
}

const sameRule = (a: SecurityGroupRuleRecord, b: SecurityGroupRuleRecord): boolean =>
  a.IsEgress === b.IsEgress && a.IpProtocol === b.IpProtocol && a.FromPort === b.FromPort && a.ToPort === b.ToPort && peerText(a) === peerText(b);

function checkCidr(text: string, v6: boolean): string {
  const ok = v6 ? ipaddr.IPv6.isValidCIDR(text) : ipaddr.IPv4.isValidCIDR(text);
  if (!ok) throw new AwsError('InvalidParameterValue', `CIDR block ${text} is malformed`);
  return text;
}

/** The rules an Authorize or Revoke call names: IpPermissions, or the older flat members. */
async function rulesFrom(
  ctx: ServiceContext,
  group: SecurityGroupRecord,
  isEgress: boolean,
  input: AuthorizeSecurityGroupIngressCommandInput & { IpPermissions?: IpPermission[] },
): Promise<{ rule: SecurityGroupRuleRecord; permission: IpPermission }[]> {
  const permissions: IpPermission[] = [...(input.IpPermissions ?? [])];
  if (input.IpProtocol !== undefined || input.CidrIp !== undefined || input.SourceSecurityGroupName !== undefined) {
    if (input.IpPermissions?.length) throw new AwsError('InvalidParameterCombination', 'The parameter \'ipPermissions\' may not be used in combination with \'ipProtocol\'');
    const source = input.SourceSecurityGroupName
      ? [{ GroupName: input.SourceSecurityGroupName, ...(input.SourceSecurityGroupOwnerId ? { UserId: input.SourceSecurityGroupOwnerId } : {}) }]
      : undefined;
    permissions.push({
      IpProtocol: input.IpProtocol ?? '-1',
      ...(input.FromPort !== undefined ? { FromPort: input.FromPort } : {}),
      ...(input.ToPort !== undefined ? { ToPort: input.ToPort } : {}),
      ...(input.CidrIp ? { IpRanges: [{ CidrIp: input.CidrIp }] } : {}),
      ...(source ? { UserIdGroupPairs: source } : {}),
    });
  }
  if (permissions.length === 0) throw new AwsError('MissingParameter', 'No rules specified.');
  const account = ctx.caller.account;
  const out: { rule: SecurityGroupRuleRecord; permission: IpPermission }[] = [];
  for (const p of permissions) {
    const IpProtocol = protocolOf(p.IpProtocol);
    const ports = portsOf(IpProtocol, p.FromPort, p.ToPort);
    const base = { IsEgress: isEgress, IpProtocol, ...ports, Tags: [] as Tag[] };
    const peers: Omit<SecurityGroupRuleRecord, 'SecurityGroupRuleId' | 'IsEgress' | 'IpProtocol' | 'FromPort' | 'ToPort' | 'Tags'>[] = [];
    for (const r of p.IpRanges ?? []) peers.push({ CidrIpv4: checkCidr(r.CidrIp ?? '', false), ...(r.Description ? { Description: r.Description } : {}) });
    for (const r of p.Ipv6Ranges ?? []) peers.push({ CidrIpv6: checkCidr(r.CidrIpv6 ?? '', true), ...(r.Description ? { Description: r.Description } : {}) });
    for (const r of p.PrefixListIds ?? []) {
      if (!/^pl-[0-9a-f]{8,17}$/.test(r.PrefixListId ?? '')) throw new AwsError('InvalidPrefixListId.Malformed', `Invalid id: "${r.PrefixListId ?? ''}"`);
      peers.push({ PrefixListId: r.PrefixListId!, ...(r.Description ? { Description: r.Description } : {}) });
    }
    for (const pair of p.UserIdGroupPairs ?? []) {
      const owner = pair.UserId ?? account;
      let ref: GroupReference;
      if (owner !== account) {
        // A group in another account (across a peering connection): AWS checks it through
        // the peering; Gatehouse records it as named.
        if (!pair.GroupId) throw new AwsError('InvalidParameterValue', 'You must specify a group id for a security group in another account');
        ref = { GroupId: pair.GroupId, UserId: owner, ...(pair.VpcId ? { VpcId: pair.VpcId } : {}), ...(pair.VpcPeeringConnectionId ? { VpcPeeringConnectionId: pair.VpcPeeringConnectionId } : {}) };
      } else {
        const target = pair.GroupId ? await getSecurityGroup(ctx, pair.GroupId) : await groupByName(ctx, pair.GroupName ?? '', group.VpcId);
        ref = { GroupId: target.GroupId, UserId: account, ...(target.VpcId !== group.VpcId ? { VpcId: target.VpcId } : {}) };
      }
      peers.push({ ReferencedGroup: ref, ...(pair.Description ? { Description: pair.Description } : {}) });
    }
    if (peers.length === 0) {
      // A permission with no peer: AWS applies it to all addresses for egress? No: it is refused.
      throw new AwsError('InvalidParameterValue', 'The request must contain either a CIDR block, a prefix list or a security group as the source or destination.');
    }
    for (const peer of peers) out.push({ rule: { SecurityGroupRuleId: ec2Id('sgr'), ...base, ...peer }, permission: p });
  }
  return out;
}

async function groupByName(ctx: ServiceContext, name: string, vpcId?: string): Promise<SecurityGroupRecord> {
  const groups = await inRegion<SecurityGroupRecord>(ctx, KIND.securityGroup);
  const vpc = vpcId ?? (await defaultVpcOf(ctx))?.VpcId;
  const found = groups.find((g) => g.GroupName === name && g.VpcId === vpc);
  if (!found) throw new AwsError('InvalidGroup.NotFound', `The security group '${name}' does not exist in default VPC '${vpc ?? 'none'}'`);
  return found;
}

/** GroupId, or GroupName in the default VPC (EC2's older addressing). */
async function targetGroup(ctx: ServiceContext, input: { GroupId?: string; GroupName?: string }): Promise<SecurityGroupRecord> {
  if (input.GroupId) return getSecurityGroup(ctx, input.GroupId);
  if (input.GroupName) return groupByName(ctx, input.GroupName);
  throw new AwsError('MissingParameter', 'The request must contain the parameter groupName or groupId');
}

// -------------------------------------------------------------------------------------------
// Output.

function describeRule(r: SecurityGroupRuleRecord): string {
  const proto = r.IpProtocol === '-1' ? 'ALL' : r.IpProtocol.toUpperCase();
  return `peer: ${peerText(r)}, ${proto}, from port: ${r.FromPort}, to port: ${r.ToPort}, ALLOW`;
}

/** Rules grouped by protocol and ports, in first-seen order: DescribeSecurityGroups' IpPermissions. */
export function permissionsOf(rules: readonly SecurityGroupRuleRecord[]): IpPermission[] {
  const groups = new Map<string, IpPermission & { UserIdGroupPairs: NonNullable<IpPermission['UserIdGroupPairs']>; IpRanges: NonNullable<IpPermission['IpRanges']>; Ipv6Ranges: NonNullable<IpPermission['Ipv6Ranges']>; PrefixListIds: NonNullable<IpPermission['PrefixListIds']> }>();
  for (const r of rules) {
    const key = `${r.IpProtocol}|${r.FromPort}|${r.ToPort}`;
    let p = groups.get(key);
    if (!p) {
      const ports = r.IpProtocol === '-1' ? {} : { FromPort: r.FromPort, ToPort: r.ToPort };
      groups.set(key, (p = { IpProtocol: r.IpProtocol, ...ports, UserIdGroupPairs: [], IpRanges: [], Ipv6Ranges: [], PrefixListIds: [] }));
    }
    const description = r.Description ? { Description: r.Description } : {};
    if (r.CidrIpv4) p.IpRanges.push({ CidrIp: r.CidrIpv4, ...description });
    if (r.CidrIpv6) p.Ipv6Ranges.push({ CidrIpv6: r.CidrIpv6, ...description });
    if (r.PrefixListId) p.PrefixListIds.push({ PrefixListId: r.PrefixListId, ...description });
    if (r.ReferencedGroup) p.UserIdGroupPairs.push({ GroupId: r.ReferencedGroup.GroupId, UserId: r.ReferencedGroup.UserId, ...(r.ReferencedGroup.VpcId ? { VpcId: r.ReferencedGroup.VpcId } : {}), ...(r.ReferencedGroup.VpcPeeringConnectionId ? { VpcPeeringConnectionId: r.ReferencedGroup.VpcPeeringConnectionId } : {}), ...description });
  }
  return [...groups.values()];
}

function groupOutput(g: SecurityGroupRecord, ctx: ServiceContext): SecurityGroup {
  return {
    GroupId: g.GroupId,
    GroupName: g.GroupName,
    Description: g.Description,
    OwnerId: ctx.caller.account,
    VpcId: g.VpcId,
    SecurityGroupArn: ec2Arn(ctx, 'security-group', g.GroupId),
    IpPermissions: permissionsOf(g.Rules.filter((r) => !r.IsEgress)),
    IpPermissionsEgress: permissionsOf(g.Rules.filter((r) => r.IsEgress)),
    ...(g.Tags.length ? { Tags: [...g.Tags] } : {}),
  };
}

/** A rule's address peer (CIDR or prefix list), as both rule outputs show it. */
const addressPeer = (r: SecurityGroupRuleRecord): { CidrIpv4?: string; CidrIpv6?: string; PrefixListId?: string } => ({
  ...(r.CidrIpv4 ? { CidrIpv4: r.CidrIpv4 } : {}),
  ...(r.CidrIpv6 ? { CidrIpv6: r.CidrIpv6 } : {}),
  ...(r.PrefixListId ? { PrefixListId: r.PrefixListId } : {}),
});

function ruleOutput(g: SecurityGroupRecord, r: SecurityGroupRuleRecord, account: string): SecurityGroupRule {
  return {
    SecurityGroupRuleId: r.SecurityGroupRuleId,
    GroupId: g.GroupId,
    GroupOwnerId: account,
    IsEgress: r.IsEgress,
    IpProtocol: r.IpProtocol,
    FromPort: r.FromPort,
    ToPort: r.ToPort,
    ...addressPeer(r),
    ...(r.ReferencedGroup ? { ReferencedGroupInfo: { ...r.ReferencedGroup } } : {}),
    ...(r.Description ? { Description: r.Description } : {}),
    Tags: [...r.Tags],
    SecurityGroupRuleArn: `arn:aws:ec2:${g.Region}:${account}:security-group-rule/${r.SecurityGroupRuleId}`,
  };
}

// -------------------------------------------------------------------------------------------
// Authorize and revoke, both directions.

async function authorize(ctx: ServiceContext, input: AuthorizeSecurityGroupIngressCommandInput, isEgress: boolean): Promise<Out<AuthorizeSecurityGroupIngressCommandOutput>> {
  const action = isEgress ? 'ec2:AuthorizeSecurityGroupEgress' : 'ec2:AuthorizeSecurityGroupIngress';
  const group = await targetGroup(ctx, input);
  const arn = ec2Arn(ctx, 'security-group', group.GroupId);
  const context = requestTagContext(input.TagSpecifications);
  await dryRun(ctx, input, action, arn, context);
  await ctx.authorize(action, arn, { context });
  const added = await rulesFrom(ctx, group, isEgress, input);
  const ruleTags = await tagsFrom(ctx, input.TagSpecifications, 'security-group-rule', ec2Arn(ctx, 'security-group-rule', '*'), isEgress ? 'AuthorizeSecurityGroupEgress' : 'AuthorizeSecurityGroupIngress');
  const rules = [...group.Rules];
  for (const { rule } of added) {
    const existing = rules.find((r) => sameRule(r, rule));
    if (existing) throw new AwsError('InvalidPermission.Duplicate', `the specified rule "${describeRule(rule)}" already exists`);
    rules.push({ ...rule, Tags: ruleTags });
  }
  if (rules.filter((r) => r.IsEgress === isEgress).length > RULES_PER_DIRECTION) {
    throw new AwsError('RulesPerSecurityGroupLimitExceeded', 'The maximum number of rules per security group has been reached.');
  }
  await ctx.tx.update<SecurityGroupRecord>(ctx.caller.account, KIND.securityGroup, group.GroupId, { ...group, Rules: rules });
  ctx.recordResource('AWS::EC2::SecurityGroup', arn);
  const ids = new Set(added.map((a) => a.rule.SecurityGroupRuleId));
  return { Return: true, SecurityGroupRules: rules.filter((r) => ids.has(r.SecurityGroupRuleId)).map((r) => ruleOutput(group, r, ctx.caller.account)) };
}

/**
 * Revoke by rule ids or by the rules' description. AWS refuses a call none of whose rules
 * exist (InvalidPermission.NotFound); when only some exist it revokes those and lists the
 * others in UnknownIpPermissions.
 */
async function revoke(ctx: ServiceContext, input: RevokeSecurityGroupIngressCommandInput, isEgress: boolean): Promise<Out<RevokeSecurityGroupIngressCommandOutput>> {
  const action = isEgress ? 'ec2:RevokeSecurityGroupEgress' : 'ec2:RevokeSecurityGroupIngress';
  const group = await targetGroup(ctx, input);
  const arn = ec2Arn(ctx, 'security-group', group.GroupId);
  await dryRun(ctx, input, action, arn);
  await ctx.authorize(action, arn);
  const removed: SecurityGroupRuleRecord[] = [];
  const unknown: IpPermission[] = [];
  if (input.SecurityGroupRuleIds?.length) {
    for (const id of input.SecurityGroupRuleIds) {
      const r = group.Rules.find((x) => x.SecurityGroupRuleId === id && x.IsEgress === isEgress);
      if (!r) throw new AwsError('InvalidSecurityGroupRuleId.NotFound', `The security group rule ID '${id}' does not exist`);
      removed.push(r);
    }
  } else {
    for (const { rule, permission } of await rulesFrom(ctx, group, isEgress, input)) {
      const r = group.Rules.find((x) => sameRule(x, rule));
      if (r) removed.push(r);
      else if (!unknown.includes(permission)) unknown.push(permission);
    }
    if (removed.length === 0) throw new AwsError('InvalidPermission.NotFound', 'The specified rule does not exist in this security group.');
  }
  const gone = new Set(removed.map((r) => r.SecurityGroupRuleId));
  await ctx.tx.update<SecurityGroupRecord>(ctx.caller.account, KIND.securityGroup, group.GroupId, { ...group, Rules: group.Rules.filter((r) => !gone.has(r.SecurityGroupRuleId)) });
  ctx.recordResource('AWS::EC2::SecurityGroup', arn);
  return {
    Return: true,
    ...(unknown.length ? { UnknownIpPermissions: unknown } : {}),
    RevokedSecurityGroupRules: removed.map((r) => ({
      SecurityGroupRuleId: r.SecurityGroupRuleId,
      GroupId: group.GroupId,
      IsEgress: r.IsEgress,
      IpProtocol: r.IpProtocol,
      FromPort: r.FromPort,
      ToPort: r.ToPort,
      ...addressPeer(r),
      ...(r.ReferencedGroup ? { ReferencedSecurityGroupId: r.ReferencedGroup.GroupId } : {}),
      ...(r.Description ? { Description: r.Description } : {}),
    })),
  };
}

export const securityGroupHandlers: Record<string, Handler> = {
  async CreateSecurityGroup(input: CreateSecurityGroupCommandInput, ctx: ServiceContext): Promise<Out<CreateSecurityGroupCommandOutput>> {
    const context = requestTagContext(input.TagSpecifications);
    const resource = ec2Arn(ctx, 'security-group', '*');
    await dryRun(ctx, input, 'ec2:CreateSecurityGroup', resource, context);
    await ctx.authorize('ec2:CreateSecurityGroup', resource, { context });
    const vpc = input.VpcId ? await getVpc(ctx, input.VpcId) : await defaultVpcOf(ctx);
    if (!vpc) throw new AwsError('VPCIdNotSpecified', 'No default VPC for this user');
    await ctx.authorize('ec2:CreateSecurityGroup', ec2Arn(ctx, 'vpc', vpc.VpcId));
    const name = input.GroupName!;
    if (name.length > 255 || input.Description!.length > 255) throw invalidParameterValue('Value for parameter groupName or groupDescription is too long: the maximum is 255 characters');
    if (name.toLowerCase() === 'default') throw new AwsError('InvalidGroup.Reserved', 'The security group \'default\' is reserved');
    if (name.startsWith('sg-')) throw invalidParameterValue(`Group names may not be in the format sg-*.`);
    const siblings = await ctx.tx.list<SecurityGroupRecord>(ctx.caller.account, KIND.securityGroup, { parent: vpc.VpcId });
    if (siblings.some((g) => g.GroupName === name)) throw new AwsError('InvalidGroup.Duplicate', `The security group '${name}' already exists for VPC '${vpc.VpcId}'`);
    if (siblings.length >= GROUPS_PER_VPC) throw new AwsError('SecurityGroupLimitExceeded', 'The maximum number of security groups has been reached.');
    const GroupId = ec2Id('sg');
    const arn = ec2Arn(ctx, 'security-group', GroupId);
    const tags = await tagsFrom(ctx, input.TagSpecifications, 'security-group', arn, 'CreateSecurityGroup');
    const group: SecurityGroupRecord = {
      GroupId,
      GroupName: name,
      Description: input.Description!,
      VpcId: vpc.VpcId,
      Region: ctx.region,
      // A new group allows all outbound traffic and nothing inbound.
      Rules: [{ SecurityGroupRuleId: ec2Id('sgr'), IsEgress: true, IpProtocol: '-1', FromPort: -1, ToPort: -1, CidrIpv4: '0.0.0.0/0', Tags: [] }],
      Tags: tags,
    };
    await ctx.tx.insert(ctx.caller.account, KIND.securityGroup, GroupId, group, { parent: vpc.VpcId });
    ctx.recordResource('AWS::EC2::SecurityGroup', arn);
    return { GroupId, SecurityGroupArn: arn, ...(tags.length ? { Tags: tags } : {}) };
  },

  async DeleteSecurityGroup(input: DeleteSecurityGroupCommandInput, ctx: ServiceContext): Promise<Out<DeleteSecurityGroupCommandOutput>> {
    const group = await targetGroup(ctx, input);
    const arn = ec2Arn(ctx, 'security-group', group.GroupId);
    await dryRun(ctx, input, 'ec2:DeleteSecurityGroup', arn);
    await ctx.authorize('ec2:DeleteSecurityGroup', arn);
    if (group.GroupName === 'default') throw new AwsError('CannotDelete', `the specified group: "${group.GroupId}" name: "default" cannot be deleted by a user`);
    const account = ctx.caller.account;
    const interfaces = await inRegion<NetworkInterfaceRecord>(ctx, KIND.networkInterface);
    const groups = await inRegion<SecurityGroupRecord>(ctx, KIND.securityGroup);
    const usedBy = interfaces.some((n) => n.Groups.includes(group.GroupId)) || groups.some((g) => g.GroupId !== group.GroupId && g.Rules.some((r) => r.ReferencedGroup?.GroupId === group.GroupId));
    if (usedBy) throw new AwsError('DependencyViolation', `resource ${group.GroupId} has a dependent object`);
    await ctx.tx.delete(account, KIND.securityGroup, group.GroupId);
    ctx.recordResource('AWS::EC2::SecurityGroup', arn);
    return { Return: true, GroupId: group.GroupId };
  },

  async DescribeSecurityGroups(input: DescribeSecurityGroupsCommandInput, ctx: ServiceContext): Promise<Out<DescribeSecurityGroupsCommandOutput>> {
    await dryRun(ctx, input, 'ec2:DescribeSecurityGroups', '*');
    await ctx.authorize('ec2:DescribeSecurityGroups', '*');
    let groups = await inRegion<SecurityGroupRecord>(ctx, KIND.securityGroup);
    for (const id of input.GroupIds ?? []) if (!groups.some((g) => g.GroupId === id)) throw new AwsError('InvalidGroup.NotFound', `The security group '${id}' does not exist`);
    if (input.GroupIds?.length) groups = groups.filter((g) => input.GroupIds!.includes(g.GroupId));
    if (input.GroupNames?.length) {
      const vpc = (await defaultVpcOf(ctx))?.VpcId;
      for (const name of input.GroupNames) {
        if (!groups.some((g) => g.GroupName === name && g.VpcId === vpc)) throw new AwsError('InvalidGroup.NotFound', `The security group '${name}' does not exist in default VPC '${vpc ?? 'none'}'`);
      }
      groups = groups.filter((g) => g.VpcId === vpc && input.GroupNames!.includes(g.GroupName));
    }
    const rules = (g: SecurityGroupRecord, egress: boolean): SecurityGroupRuleRecord[] => g.Rules.filter((r) => r.IsEgress === egress);
    const keep = filterPredicate<SecurityGroupRecord>(input.Filters, {
      'group-id': (g) => [g.GroupId],
      'group-name': (g) => [g.GroupName],
      'description': (g) => [g.Description],
      'vpc-id': (g) => [g.VpcId],
      'owner-id': () => [ctx.caller.account],
      'ip-permission.cidr': (g) => rules(g, false).map((r) => r.CidrIpv4),
      'ip-permission.ipv6-cidr': (g) => rules(g, false).map((r) => r.CidrIpv6),
      'ip-permission.prefix-list-id': (g) => rules(g, false).map((r) => r.PrefixListId),
      'ip-permission.protocol': (g) => rules(g, false).map((r) => r.IpProtocol),
      'ip-permission.from-port': (g) => rules(g, false).map((r) => String(r.FromPort)),
      'ip-permission.to-port': (g) => rules(g, false).map((r) => String(r.ToPort)),
      'ip-permission.group-id': (g) => rules(g, false).map((r) => r.ReferencedGroup?.GroupId),
      'egress.ip-permission.cidr': (g) => rules(g, true).map((r) => r.CidrIpv4),
      'egress.ip-permission.protocol': (g) => rules(g, true).map((r) => r.IpProtocol),
      'egress.ip-permission.group-id': (g) => rules(g, true).map((r) => r.ReferencedGroup?.GroupId),
    });
    const page = pageOf(groups.filter(keep), input);
    return { SecurityGroups: page.items.map((g) => groupOutput(g, ctx)), ...(page.NextToken ? { NextToken: page.NextToken } : {}) };
  },

  async DescribeSecurityGroupRules(input: DescribeSecurityGroupRulesCommandInput, ctx: ServiceContext): Promise<Out<DescribeSecurityGroupRulesCommandOutput>> {
    await dryRun(ctx, input, 'ec2:DescribeSecurityGroupRules', '*');
    await ctx.authorize('ec2:DescribeSecurityGroupRules', '*');
    const groups = await inRegion<SecurityGroupRecord>(ctx, KIND.securityGroup);
    let rules = groups.flatMap((g) => g.Rules.map((r) => ({ g, r })));
    for (const id of input.SecurityGroupRuleIds ?? []) {
      if (!rules.some((x) => x.r.SecurityGroupRuleId === id)) throw new AwsError('InvalidSecurityGroupRuleId.NotFound', `The security group rule ID '${id}' does not exist`);
    }
    if (input.SecurityGroupRuleIds?.length) rules = rules.filter((x) => input.SecurityGroupRuleIds!.includes(x.r.SecurityGroupRuleId));
    const keep = filterPredicate<{ g: SecurityGroupRecord; r: SecurityGroupRuleRecord; Tags: readonly Tag[] }>(input.Filters, {
      'group-id': (x) => [x.g.GroupId],
      'security-group-rule-id': (x) => [x.r.SecurityGroupRuleId],
    });
    const page = pageOf(rules.map((x) => ({ ...x, Tags: x.r.Tags })).filter(keep), input);
    return { SecurityGroupRules: page.items.map((x) => ruleOutput(x.g, x.r, ctx.caller.account)), ...(page.NextToken ? { NextToken: page.NextToken } : {}) };
  },

  AuthorizeSecurityGroupIngress: (input: AuthorizeSecurityGroupIngressCommandInput, ctx: ServiceContext) => authorize(ctx, input, false),
  AuthorizeSecurityGroupEgress: (input: AuthorizeSecurityGroupEgressCommandInput, ctx: ServiceContext) => authorize(ctx, input, true),
  RevokeSecurityGroupIngress: (input: RevokeSecurityGroupIngressCommandInput, ctx: ServiceContext) => revoke(ctx, input, false),
  RevokeSecurityGroupEgress: (input: RevokeSecurityGroupIngressCommandInput, ctx: ServiceContext) => revoke(ctx, input, true),
};
