/**
 * IAM's policy simulator: SimulatePrincipalPolicy, SimulateCustomPolicy,
 * GetContextKeysForPrincipalPolicy, GetContextKeysForCustomPolicy. Decisions come from
 * the same engine as live requests; the simulator only differs in what goes in (the
 * policies and context keys the caller names) and what comes out (AWS's EvaluationResult).
 *
 * Observed AWS behaviour this follows (iam.md §13 and public captures of real responses):
 * - `SourcePolicyType` is `IAM Policy` for identity policies (PolicyInputList included)
 *   and `Resource Policy` for the ResourcePolicy input, not the model's enum values;
 *   the SDK and boto3 pass any string through.
 * - `SourcePolicyId`: `user_<user>_<policy>`, `group_<group>_<policy>`,
 *   `role_<role>_<policy>` for inline policies, the policy name for managed policies,
 *   `PolicyInputList.N`, `PermissionsBoundaryPolicyInputList.1`, `ResourcePolicy`.
 * - `EvalDecisionDetails` is `{}` for a same-account simulation of a resource ARN and
 *   absent for `*`; cross-account it maps `IAM Policy` and `Resource Policy` to their
 *   decisions (key names not documented: Gatehouse's choice).
 * - `OrganizationsDecisionDetail` "only applies if the simulated user's account is part of
 *   an organization" (API reference): then `AllowedByOrganizations` says whether the SCPs
 *   on the account's path allow the action (true for the management account, a
 *   service-linked role, or SCPs not enabled), and SCPs take part in `EvalDecision` as
 *   they do in a live request (explicitDeny for an SCP Deny, implicitDeny when no SCP
 *   allows). SCPs are evaluated with their conditions and resources against the
 *   simulation's context (the CLI reference: the simulator "evaluates statements in
 *   identity-based policies, service control policies (SCPs) including their condition
 *   keys and resource scoping"); their keys missing from ContextEntries are reported.
 *   "If an Organizations SCP included in the evaluation denies access, the simulation
 *   ends": `EvalDecisionDetails` is then absent, and Gatehouse reports no
 *   `MatchedStatements` (the SCP is not one of the input policies; what AWS lists is not
 *   documented). Allowed results list only the input policies' statements. RCPs are not
 *   simulated (the API documents none).
 * - The simulator fills in no context key: what ContextEntries do not give is missing.
 * One EvaluationResult per action and resource, as the API model Gatehouse serves
 * (botocore 1.43) documents it.
 */
import type {
  EvaluationResult,
  GetContextKeysForCustomPolicyCommandInput,
  GetContextKeysForPolicyResponse,
  GetContextKeysForPrincipalPolicyCommandInput,
  PolicyEvaluationDecisionType,
  PolicySourceType,
  ResourceSpecificResult,
  SimulateCustomPolicyCommandInput,
  SimulatePolicyResponse,
  SimulatePrincipalPolicyCommandInput,
  Statement,
} from '@aws-sdk/client-iam';
import { evaluate, RequestContext, type CompiledPolicy, type Evaluation, type MatchedStatement, type PrincipalOrganization, type RequestPrincipal } from '../../policy/index.js';
import { invalidInput, page } from './records.js';
import {
  IAM_POLICY,
  RESOURCE_POLICY_ID,
  RESOURCE_POLICY_TYPE,
  compileBoundaryInput,
  compileInput,
  compileInputList,
  contextFromEntries,
  contextKeysOf,
  entityNotFound,
  findEntity,
  invalidCaller,
  invalidEntityArn,
  parseCallerArn,
  parseResourceOwner,
  principalPolicies,
  sourceOf,
} from './simulate-inputs.js';
import type { Handler, ServiceContext } from '../types.js';
import type { RoleRecord } from './records.js';

type Out<T> = Omit<T, '$metadata'>;

/** ResourceHandlingOption values the API reference documents (EC2 scenarios). */
const RESOURCE_HANDLING_OPTIONS = new Set(['EC2-VPC-InstanceStore', 'EC2-VPC-InstanceStore-Subnet', 'EC2-VPC-EBS', 'EC2-VPC-EBS-Subnet']);

/** Everything one simulation needs, whichever operation assembled it. */
interface Simulation {
  readonly identity: readonly CompiledPolicy[];
  readonly boundary?: CompiledPolicy;
  readonly resourcePolicy?: CompiledPolicy;
  readonly principal: RequestPrincipal;
  /** Owner of resources whose ARN names no account (S3), and of the resource policy. */
  readonly resourceOwner: string;
  readonly context: RequestContext;
  /** The simulated principal's account is in an organization (OrganizationsDecisionDetail). */
  readonly inOrganization: boolean;
  /** The SCPs that restrict the simulated principal, when any do. */
  readonly scp?: PrincipalOrganization<CompiledPolicy>;
}

type SimulateInput = SimulateCustomPolicyCommandInput | SimulatePrincipalPolicyCommandInput;

function checkCommon(input: SimulateInput): void {
  if (input.ResourceHandlingOption !== undefined && !RESOURCE_HANDLING_OPTIONS.has(input.ResourceHandlingOption)) {
    throw invalidInput(`Invalid ResourceHandlingOption: ${input.ResourceHandlingOption}. Valid values: ${[...RESOURCE_HANDLING_OPTIONS].join(', ')}.`);
  }
}

/** The simulated caller: CallerArn (an IAM user) if given, else `fallback`. */
function simulatedPrincipal(input: SimulateInput, fallbackArn: string, fallbackAccount: string): RequestPrincipal {
  if (input.CallerArn !== undefined) {
    const c = parseCallerArn(input.CallerArn);
    return { type: 'User', arn: c.arn, account: c.account };
  }
  return { type: 'User', arn: fallbackArn, account: fallbackAccount };
}

const accountOf = (resourceArn: string): string | undefined => {
  if (resourceArn === '*') return undefined;
  const account = resourceArn.split(':')[4];
  return account ? account : undefined;
};

const position = (p: { line: number; column: number }): { Line: number; Column: number } => ({ Line: p.line, Column: p.column });

function statementOut(s: MatchedStatement): Statement {
  return {
    SourcePolicyId: s.policyId,
    // AWS's own value (`IAM Policy`, `Resource Policy`) is outside the SDK's enum type.
    SourcePolicyType: s.sourceType as PolicySourceType,
    StartPosition: position(s.start),
    EndPosition: position(s.end),
  };
}

interface ResourceOutcome {
  readonly resource: string;
  readonly ev: Evaluation;
  readonly crossAccount: boolean;
}

function evaluateOne(sim: Simulation, action: string, resource: string): ResourceOutcome {
  // Cross-account only with a resource policy to stand for the other account's side.
  const owner = accountOf(resource) ?? sim.resourceOwner;
  const resourceAccount = sim.resourcePolicy ? owner : sim.principal.account;
  const ev = evaluate(
    { principal: sim.principal, action, resource, resourceAccount, context: sim.context },
    {
      identity: sim.identity,
      ...(sim.boundary ? { boundary: sim.boundary } : {}),
      ...(sim.resourcePolicy ? { resource: sim.resourcePolicy } : {}),
      ...(sim.scp ? { principalOrg: sim.scp } : {}),
    },
  );
  return { resource, ev, crossAccount: resourceAccount !== sim.principal.account };
}

/** Did the SCPs allow (or not apply)? */
const allowedByOrganizations = (ev: Evaluation): boolean => ev.details.scp === 'allowed' || ev.details.scp === 'notApplicable';

/**
 * Deny statements for an explicit deny, the Allow statements for allowed, none for an
 * implicit deny; only the input policies' (the simulation ends at an SCP's denial).
 */
const matched = (ev: Evaluation): Statement[] =>
  ev.decision === 'implicitDeny' || !allowedByOrganizations(ev) ? [] : ev.matchedStatements.filter((m) => m.policyType !== 'scp' && m.policyType !== 'rcp').map(statementOut);

function decisionDetails(o: ResourceOutcome): Record<string, PolicyEvaluationDecisionType> {
  if (!o.crossAccount) return {};
  const d = o.ev.details;
  const out: Record<string, PolicyEvaluationDecisionType> = {};
  if (d.identity !== 'notApplicable') out[IAM_POLICY] = d.identity;
  if (d.resource !== 'notApplicable') out[RESOURCE_POLICY_TYPE] = d.resource;
  return out;
}

function organizationsDetail(sim: Simulation, ev: Evaluation): { OrganizationsDecisionDetail?: { AllowedByOrganizations: boolean } } {
  return sim.inOrganization ? { OrganizationsDecisionDetail: { AllowedByOrganizations: allowedByOrganizations(ev) } } : {};
}

function boundaryDetail(sim: Simulation, ev: Evaluation): { PermissionsBoundaryDecisionDetail?: { AllowedByPermissionsBoundary: boolean } } {
  return sim.boundary ? { PermissionsBoundaryDecisionDetail: { AllowedByPermissionsBoundary: ev.details.boundary === 'allowed' } } : {};
}

/**
 * One EvaluationResult. With ResourceArns, missing context values are reported per
 * resource (ResourceSpecificResults) and the top-level list is empty, as the API
 * reference says; EvalDecisionDetails is present (empty unless cross-account) for a
 * resource ARN and absent for `*`.
 */
function evaluationResult(sim: Simulation, action: string, resource: string, resourcesGiven: boolean): EvaluationResult {
  const o = evaluateOne(sim, action, resource);
  const { ev } = o;
  const statements = matched(ev);
  const missing = ev.missingContextKeys;
  const perResource = resourcesGiven && resource !== '*';
  const scpDenied = !allowedByOrganizations(ev);
  const result: EvaluationResult = {
    EvalActionName: action,
    EvalResourceName: resource,
    EvalDecision: ev.decision,
    MatchedStatements: statements,
    MissingContextValues: perResource ? [] : missing,
    ...organizationsDetail(sim, ev),
    ...boundaryDetail(sim, ev),
    ...(resource === '*' || scpDenied ? {} : { EvalDecisionDetails: decisionDetails(o) }),
  };
  if (resourcesGiven) {
    const specific: ResourceSpecificResult = {
      EvalResourceName: resource,
      EvalResourceDecision: ev.decision,
      MatchedStatements: statements,
      MissingContextValues: missing,
      ...(o.crossAccount && !scpDenied ? { EvalDecisionDetails: decisionDetails(o) } : {}),
      ...boundaryDetail(sim, ev),
    };
    result.ResourceSpecificResults = [specific];
  }
  return result;
}

/**
 * What both Simulate operations evaluate: their policies, the simulated caller, the owner,
 * the context, and the SCPs of the simulated caller's account (asked of Organizations
 * through the authorizer; not for the management account or a service-linked role, which
 * SCPs do not restrict, so that their keys are not reported missing either).
 */
async function simulation(
  ctx: ServiceContext,
  input: SimulateInput,
  principal: RequestPrincipal,
  identity: readonly CompiledPolicy[],
  boundary: CompiledPolicy | undefined,
  resourcePolicy: CompiledPolicy | undefined,
): Promise<Simulation> {
  const org = await ctx.organizationOf(principal.account);
  const scp = org?.scp && principal.account !== org.scp.managementAccountId && !principal.serviceLinkedRole ? org.scp : undefined;
  return {
    identity,
    ...(boundary ? { boundary } : {}),
    ...(resourcePolicy ? { resourcePolicy } : {}),
    principal,
    resourceOwner: input.ResourceOwner !== undefined ? parseResourceOwner(input.ResourceOwner) : principal.account,
    context: new RequestContext(contextFromEntries(input.ContextEntries)),
    inOrganization: org !== undefined,
    ...(scp ? { scp } : {}),
  };
}

/** Evaluate one page of action × resource pairs (only the page is evaluated). */
function simulate(sim: Simulation, input: SimulateInput): Out<SimulatePolicyResponse> {
  const actions = input.ActionNames ?? [];
  const resourcesGiven = input.ResourceArns !== undefined && input.ResourceArns.length > 0;
  const resources = resourcesGiven ? input.ResourceArns! : ['*'];
  const pairs: [string, string][] = [];
  for (const a of actions) for (const r of resources) pairs.push([a, r]);
  const p = page(pairs, input.Marker, input.MaxItems);
  return {
    EvaluationResults: p.items.map(([a, r]) => evaluationResult(sim, a, r, resourcesGiven)),
    IsTruncated: p.IsTruncated,
    ...(p.Marker ? { Marker: p.Marker } : {}),
  };
}

function resourcePolicyOf(input: SimulateInput): CompiledPolicy | undefined {
  return input.ResourcePolicy === undefined ? undefined : compileInput(input.ResourcePolicy, RESOURCE_POLICY_ID, 'resource', RESOURCE_POLICY_TYPE);
}

export const simulateHandlers: Record<string, Handler> = {
  async SimulatePrincipalPolicy(input: SimulatePrincipalPolicyCommandInput, ctx: ServiceContext): Promise<Out<SimulatePolicyResponse>> {
    const account = ctx.caller.account;
    const given = input.PolicySourceArn!;
    const source = sourceOf(given);
    const entity = source ? await findEntity(ctx.tx, account, source) : undefined;
    // Authorize first, on the entity's own ARN (with its path) when it exists.
    await ctx.authorize('iam:SimulatePrincipalPolicy', entity?.Arn ?? given);
    if (!source) throw invalidEntityArn(given);
    if (!entity) throw entityNotFound(source);
    checkCommon(input);
    const loaded = await principalPolicies(ctx.tx, account, source.type, entity);
    const resourcePolicy = resourcePolicyOf(input);
    // A resource policy's Principal needs an IAM user to match: CallerArn, else the source user.
    if (resourcePolicy && input.CallerArn === undefined && source.type !== 'user') throw invalidCaller();
    const simulated = simulatedPrincipal(input, entity.Arn, account);
    // A service-linked role simulated as itself is not restricted by SCPs, as in a live request.
    const principal = input.CallerArn === undefined && source.type === 'role' && (entity as RoleRecord).ServiceLinked ? { ...simulated, serviceLinkedRole: true } : simulated;
    const boundary = compileBoundaryInput(input.PermissionsBoundaryPolicyInputList) ?? loaded.boundary;
    return simulate(await simulation(ctx, input, principal, [...loaded.identity, ...compileInputList(input.PolicyInputList)], boundary, resourcePolicy), input);
  },

  async SimulateCustomPolicy(input: SimulateCustomPolicyCommandInput, ctx: ServiceContext): Promise<Out<SimulatePolicyResponse>> {
    const account = ctx.caller.account;
    await ctx.authorize('iam:SimulateCustomPolicy', '*');
    checkCommon(input);
    const identity = compileInputList(input.PolicyInputList);
    const boundary = compileBoundaryInput(input.PermissionsBoundaryPolicyInputList);
    const resourcePolicy = resourcePolicyOf(input);
    if (resourcePolicy && input.CallerArn === undefined) throw invalidCaller();
    // Without CallerArn nothing reads the caller's ARN (no resource policy): any user of the account will do.
    const principal = simulatedPrincipal(input, `arn:aws:iam::${account}:user/SimulatedCaller`, account);
    return simulate(await simulation(ctx, input, principal, identity, boundary, resourcePolicy), input);
  },

  async GetContextKeysForPrincipalPolicy(input: GetContextKeysForPrincipalPolicyCommandInput, ctx: ServiceContext): Promise<Out<GetContextKeysForPolicyResponse>> {
    const account = ctx.caller.account;
    const given = input.PolicySourceArn!;
    const source = sourceOf(given);
    const entity = source ? await findEntity(ctx.tx, account, source) : undefined;
    await ctx.authorize('iam:GetContextKeysForPrincipalPolicy', entity?.Arn ?? given);
    if (!source) throw invalidEntityArn(given);
    if (!entity) throw entityNotFound(source);
    // The policies attached to the entity (and its groups'), then the extra inputs.
    const loaded = await principalPolicies(ctx.tx, account, source.type, entity);
    return { ContextKeyNames: contextKeysOf([...loaded.identity, ...compileInputList(input.PolicyInputList)]) };
  },

  async GetContextKeysForCustomPolicy(input: GetContextKeysForCustomPolicyCommandInput, ctx: ServiceContext): Promise<Out<GetContextKeysForPolicyResponse>> {
    await ctx.authorize('iam:GetContextKeysForCustomPolicy', '*');
    return { ContextKeyNames: contextKeysOf(compileInputList(input.PolicyInputList)) };
  },
};
