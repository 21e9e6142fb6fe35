/**
 * Authorization rules: which destination networks which users may reach. Rules only
 * allow; the most specific matching CIDR decides (longest prefix, with shadowing), see
 * `authorizes`. A rule names one Active Directory / SAML group, or all groups.
 */
import type {
  AuthorizationRule,
  AuthorizeClientVpnIngressCommandInput,
  AuthorizeClientVpnIngressCommandOutput,
  DescribeClientVpnAuthorizationRulesCommandInput,
  DescribeClientVpnAuthorizationRulesCommandOutput,
  RevokeClientVpnIngressCommandInput,
  RevokeClientVpnIngressCommandOutput,
} from '@aws-sdk/client-ec2';
import { AwsError } from '../../../models/errors.js';
import { cidrSize, dryRun, filterPredicate, invalidParameterValue, pageOf, parseCidr, type Tag } from '../common.js';
import type { Handler, ServiceContext } from '../../types.js';
import { idempotent } from './idempotency.js';
import { endpointArn, getEndpoint, ruleState, saveEndpoint, type EndpointRecord, type RuleRecord } from './records.js';

type Out<T> = Omit<T, '$metadata'>;

/** Quota: authorization rules per endpoint (AWS Client VPN quotas, default). */
export const RULES_PER_ENDPOINT = 200;

function cidrOf(text: string | undefined): string {
  if (!text) throw new AwsError('MissingParameter', 'The request must contain the parameter TargetNetworkCidr');
  if (!parseCidr(text)) throw invalidParameterValue(`Invalid value '${text}' for parameter TargetNetworkCidr. The value must be a valid IPv4 CIDR block.`);
  return text;
}

const ruleOutput = (e: EndpointRecord, r: RuleRecord, now: Date): AuthorizationRule => ({
  ClientVpnEndpointId: e.ClientVpnEndpointId,
  ...(r.Description ? { Description: r.Description } : {}),
  GroupId: r.GroupId,
  AccessAll: r.AccessAll,
  DestinationCidr: r.DestinationCidr,
  Status: { Code: ruleState(r, now) as 'active' },
});

/**
 * Whether a user in `groups` may reach `destination` (an IPv4 address) under these rules
 * (clientvpn.md §6.1): among active rules whose CIDR contains it, only those with the
 * longest prefix count; one of them must be for all groups or for one of the user's.
 */
export function authorizes(rules: readonly RuleRecord[], now: Date, groups: readonly string[], destination: string): boolean {
  const ip = parseCidr(`${destination}/32`);
  if (!ip) return false;
  const matching = rules.filter((r) => {
    if (ruleState(r, now) !== 'active') return false;
    const c = parseCidr(r.DestinationCidr)!;
    return ip.base >= c.base && ip.base < c.base + cidrSize(c);
  });
  if (matching.length === 0) return false;
  const longest = Math.max(...matching.map((r) => parseCidr(r.DestinationCidr)!.prefix));
  return matching.filter((r) => parseCidr(r.DestinationCidr)!.prefix === longest).some((r) => r.AccessAll || groups.includes(r.GroupId));
}

export const authorizationRuleHandlers: Record<string, Handler> = {
  async AuthorizeClientVpnIngress(input: AuthorizeClientVpnIngressCommandInput, ctx: ServiceContext): Promise<Out<AuthorizeClientVpnIngressCommandOutput>> {
    const arn = endpointArn(ctx, input.ClientVpnEndpointId!);
    await dryRun(ctx, input, 'ec2:AuthorizeClientVpnIngress', arn);
    await ctx.authorize('ec2:AuthorizeClientVpnIngress', arn);
    const cidr = cidrOf(input.TargetNetworkCidr);
    // Exactly one of AccessGroupId and AuthorizeAllGroups (clientvpn.md §6.3, a choice of code).
    if (Boolean(input.AccessGroupId) === Boolean(input.AuthorizeAllGroups)) {
      throw invalidParameterValue('You must specify either an access group ID or AuthorizeAllGroups, but not both.');
    }
    if (input.AccessGroupId && input.AccessGroupId.length > 255) throw invalidParameterValue('The access group ID must be at most 255 characters.');
    return idempotent(ctx, 'AuthorizeClientVpnIngress', input, async () => {
      const e = await getEndpoint(ctx, input.ClientVpnEndpointId!);
      const groupId = input.AccessGroupId ?? '';
      const live = e.Rules.filter((r) => ruleState(r, ctx.now) !== 'gone');
      if (live.some((r) => r.DestinationCidr === cidr && r.GroupId === groupId && r.Phase === 'authorizing')) {
        throw new AwsError('InvalidClientVpnDuplicateAuthorizationRule', `An authorization rule for ${cidr} and ${groupId ? `group ${groupId}` : 'all groups'} already exists.`);
      }
      if (live.filter((r) => r.Phase === 'authorizing').length >= RULES_PER_ENDPOINT) {
        throw new AwsError('ClientVpnAuthorizationRuleLimitExceeded', `You have reached the maximum number of authorization rules (${RULES_PER_ENDPOINT}) for this endpoint.`);
      }
      const rule: RuleRecord = {
        DestinationCidr: cidr,
        GroupId: groupId,
        AccessAll: input.AuthorizeAllGroups === true,
        ...(input.Description ? { Description: input.Description } : {}),
        Phase: 'authorizing',
        Since: ctx.now.toISOString(),
      };
      await saveEndpoint(ctx, { ...e, Rules: [...live, rule] });
      return { Status: { Code: 'authorizing' } };
    });
  },

  async RevokeClientVpnIngress(input: RevokeClientVpnIngressCommandInput, ctx: ServiceContext): Promise<Out<RevokeClientVpnIngressCommandOutput>> {
    const arn = endpointArn(ctx, input.ClientVpnEndpointId!);
    await dryRun(ctx, input, 'ec2:RevokeClientVpnIngress', arn);
    await ctx.authorize('ec2:RevokeClientVpnIngress', arn);
    const cidr = cidrOf(input.TargetNetworkCidr);
    if (Boolean(input.AccessGroupId) === Boolean(input.RevokeAllGroups)) throw invalidParameterValue('You must specify either an access group ID or RevokeAllGroups, but not both.');
    const e = await getEndpoint(ctx, input.ClientVpnEndpointId!);
    // RevokeAllGroups removes the all-groups rule only; group rules on the CIDR stay.
    const groupId = input.RevokeAllGroups ? '' : input.AccessGroupId!;
    const rule = e.Rules.find((r) => r.DestinationCidr === cidr && r.GroupId === groupId && r.Phase === 'authorizing');
    if (!rule) throw new AwsError('InvalidClientVpnEndpointAuthorizationRuleNotFound', `No authorization rule for ${cidr} and ${groupId ? `group ${groupId}` : 'all groups'} exists.`);
    await saveEndpoint(ctx, { ...e, Rules: e.Rules.map((r) => (r === rule ? { ...r, Phase: 'revoking' as const, Since: ctx.now.toISOString() } : r)) });
    return { Status: { Code: 'revoking' } };
  },

  async DescribeClientVpnAuthorizationRules(input: DescribeClientVpnAuthorizationRulesCommandInput, ctx: ServiceContext): Promise<Out<DescribeClientVpnAuthorizationRulesCommandOutput>> {
    const arn = endpointArn(ctx, input.ClientVpnEndpointId!);
    await dryRun(ctx, input, 'ec2:DescribeClientVpnAuthorizationRules', arn);
    await ctx.authorize('ec2:DescribeClientVpnAuthorizationRules', arn);
    const e = await getEndpoint(ctx, input.ClientVpnEndpointId!, { allowDeleting: true });
    const keep = filterPredicate<RuleRecord & { Tags: readonly Tag[] }>(input.Filters, {
      'description': (r) => [r.Description],
      'destination-cidr': (r) => [r.DestinationCidr],
      'group-id': (r) => [r.GroupId],
    });
    const live = e.Rules.filter((r) => ruleState(r, ctx.now) !== 'gone').map((r) => ({ ...r, Tags: [] as Tag[] }));
    const page = pageOf(live.filter(keep), input);
    return { AuthorizationRules: page.items.map((r) => ruleOutput(e, r, ctx.now)), ...(page.NextToken ? { NextToken: page.NextToken } : {}) };
  },
};
