/**
 * The five source documents (shared/seeds, summarised in its README) as policy-engine
 * decisions, with the real AWS managed policies where they exist.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compilePolicy, denialMessage, evaluate, RequestContext, type AuthorizationRequest, type CompiledPolicy, type RequestPrincipal } from '../../src/policy/index.js';
import { managedPolicyDocument } from '../../src/catalog/managed-policies.js';
import { ACCOUNT, doc, policy, session, user } from './helpers.js';

const managed = (name: string): CompiledPolicy => compilePolicy(managedPolicyDocument(name)!, { id: `arn:aws:iam::aws:policy/${name}`, kind: 'identity', sourceType: 'aws-managed' });

const CLIENT_IP = '198.51.100.10'; // the administrator's office
const SERVICE_IP = '203.0.113.200'; // where Client VPN's forward-access calls come from

describe('Seed 001: an aws:SourceIp deny breaks CreateClientVpnEndpoint; aws:ViaAWSService fixes it', () => {
  const admin = managed('AdministratorAccess');
  const sourceIpDeny = (withFix: boolean): CompiledPolicy =>
    policy(
      doc({
        Effect: 'Deny',
        Action: '*',
        Resource: '*',
        Condition: { NotIpAddress: { 'aws:SourceIp': [`${CLIENT_IP}/32`] }, ...(withFix ? { Bool: { 'aws:ViaAWSService': 'false' } } : {}) },
      }),
    );
  const alice = user('admin');
  const direct = (action: string, resource: string, ip = CLIENT_IP): AuthorizationRequest => ({
    principal: alice,
    action,
    resource,
    context: new RequestContext({ 'aws:SourceIp': ip, 'aws:ViaAWSService': 'false', 'aws:PrincipalArn': alice.arn }),
  });
  // The calls Client VPN makes with the caller's identity (forward access sessions):
  // from the service's address, with aws:ViaAWSService true and aws:CalledVia set.
  const forward = (action: string, resource: string, calledVia: string[]): AuthorizationRequest => ({
    principal: alice,
    action,
    resource,
    context: new RequestContext({ 'aws:SourceIp': SERVICE_IP, 'aws:ViaAWSService': 'true', 'aws:CalledVia': calledVia, 'aws:CalledViaFirst': calledVia[0]!, 'aws:CalledViaLast': calledVia.at(-1)! }),
  });
  const slr = forward('iam:CreateServiceLinkedRole', `arn:aws:iam::${ACCOUNT}:role/aws-service-role/clientvpn.amazonaws.com/AWSServiceRoleForClientVPN`, ['ec2.amazonaws.com']);
  const describeKey = forward('kms:DescribeKey', `arn:aws:kms:us-east-1:${ACCOUNT}:key/aws-acm`, ['ec2.amazonaws.com', 'acm.amazonaws.com']);
  const create = direct('ec2:CreateClientVpnEndpoint', `arn:aws:ec2:us-east-1:${ACCOUNT}:client-vpn-endpoint/*`);

  it('the direct call from the allowed address is allowed by AdministratorAccess', () => {
    assert.equal(evaluate(create, { identity: [admin, sourceIpDeny(false)] }).decision, 'allowed');
  });
  it('the forward-access iam:CreateServiceLinkedRole comes from the service address and is explicitly denied', () => {
    const ev = evaluate(slr, { identity: [admin, sourceIpDeny(false)] });
    assert.equal(ev.decision, 'explicitDeny');
    assert.match(denialMessage(slr, ev), /iam:CreateServiceLinkedRole .* with an explicit deny in an identity-based policy$/);
    assert.deepEqual(ev.contextKeysRead.sort(), ['aws:SourceIp']);
  });
  it('the forward-access kms:DescribeKey on the aws/acm key is denied the same way', () => {
    assert.equal(evaluate(describeKey, { identity: [admin, sourceIpDeny(false)] }).decision, 'explicitDeny');
  });
  it('with "Bool": {"aws:ViaAWSService": "false"} added, the forward-access calls are allowed', () => {
    const set = { identity: [admin, sourceIpDeny(true)] };
    assert.equal(evaluate(slr, set).decision, 'allowed');
    assert.equal(evaluate(describeKey, set).decision, 'allowed');
    assert.equal(evaluate(create, set).decision, 'allowed');
  });
  it('the fix still denies direct calls from anywhere else', () => {
    const ev = evaluate(direct('ec2:CreateClientVpnEndpoint', '*', '192.0.2.1'), { identity: [admin, sourceIpDeny(true)] });
    assert.equal(ev.decision, 'explicitDeny');
  });
});

describe('Seed 003: iam:PassRole', () => {
  const passTo = (role: string, passedTo: string, principal: RequestPrincipal = user()): AuthorizationRequest => ({
    principal,
    action: 'iam:PassRole',
    resource: `arn:aws:iam::${ACCOUNT}:role/${role}`,
    context: new RequestContext({ 'iam:PassedToService': passedTo, 'iam:AssociatedResourceArn': `arn:aws:ec2:us-east-1:${ACCOUNT}:instance/i-1` }),
  });
  const byName = policy(doc({ Effect: 'Allow', Action: ['iam:GetRole', 'iam:PassRole'], Resource: `arn:aws:iam::${ACCOUNT}:role/EC2-roles-for-XYZ-*` }));
  it('a role-name wildcard limits which roles may be passed', () => {
    assert.equal(evaluate(passTo('EC2-roles-for-XYZ-app', 'ec2.amazonaws.com'), { identity: [byName] }).decision, 'allowed');
    assert.equal(evaluate(passTo('Admin', 'ec2.amazonaws.com'), { identity: [byName] }).decision, 'implicitDeny');
  });
  it('role names are case-sensitive in policies and ARNs', () => {
    assert.equal(evaluate(passTo('ec2-roles-for-xyz-app', 'ec2.amazonaws.com'), { identity: [byName] }).decision, 'implicitDeny');
  });
  it('iam:PassedToService limits the service the role may be passed to', () => {
    const toEc2 = policy(doc({ Effect: 'Allow', Action: 'iam:PassRole', Resource: '*', Condition: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } } }));
    assert.equal(evaluate(passTo('any', 'ec2.amazonaws.com'), { identity: [toEc2] }).decision, 'allowed');
    const ev = evaluate(passTo('any', 'lambda.amazonaws.com'), { identity: [toEc2] });
    assert.equal(ev.decision, 'implicitDeny');
    assert.match(denialMessage(passTo('any', 'lambda.amazonaws.com'), ev), /because no identity-based policy allows the iam:PassRole action$/);
  });
  it('the RDS Enhanced Monitoring example: pass only the monitoring role, only to monitoring.rds.amazonaws.com', () => {
    const p = policy(doc({ Effect: 'Allow', Action: 'iam:PassRole', Resource: `arn:aws:iam::${ACCOUNT}:role/RDS-Monitoring-*`, Condition: { StringLike: { 'iam:PassedToService': 'monitoring.rds.amazonaws.com' } } }));
    assert.equal(evaluate(passTo('RDS-Monitoring-Role', 'monitoring.rds.amazonaws.com'), { identity: [p] }).decision, 'allowed');
    assert.equal(evaluate(passTo('RDS-Monitoring-Role', 'ec2.amazonaws.com'), { identity: [p] }).decision, 'implicitDeny');
  });
});

describe('Seeds 000/001: iam:CreateServiceLinkedRole limited by iam:AWSServiceName', () => {
  const slrGrant = policy(
    doc({
      Effect: 'Allow',
      Action: 'iam:CreateServiceLinkedRole',
      Resource: 'arn:aws:iam::*:role/aws-service-role/clientvpn*.amazonaws.com/*',
      Condition: { StringLike: { 'iam:AWSServiceName': ['clientvpn.amazonaws.com', 'clientvpn-connections.amazonaws.com'] } },
    }),
  );
  const createSlr = (servicePrincipal: string, roleName: string): AuthorizationRequest => ({
    principal: user(),
    action: 'iam:CreateServiceLinkedRole',
    resource: `arn:aws:iam::${ACCOUNT}:role/aws-service-role/${servicePrincipal}/${roleName}`,
    context: new RequestContext({ 'iam:AWSServiceName': servicePrincipal }),
  });
  it('both Client VPN roles may be created', () => {
    assert.equal(evaluate(createSlr('clientvpn.amazonaws.com', 'AWSServiceRoleForClientVPN'), { identity: [slrGrant] }).decision, 'allowed');
    assert.equal(evaluate(createSlr('clientvpn-connections.amazonaws.com', 'AWSServiceRoleForClientVPNConnections'), { identity: [slrGrant] }).decision, 'allowed');
  });
  it('another service\'s role may not', () => {
    assert.equal(evaluate(createSlr('autoscaling.amazonaws.com', 'AWSServiceRoleForAutoScaling'), { identity: [slrGrant] }).decision, 'implicitDeny');
  });
});

describe("Seed 000: Client VPN's service-linked role policies", () => {
  const vpnRole = { ...session('AWSServiceRoleForClientVPN', 'ClientVPN', ACCOUNT, '/aws-service-role/clientvpn.amazonaws.com/'), serviceLinkedRole: true };
  const connRole = { ...session('AWSServiceRoleForClientVPNConnections', 'ClientVPN', ACCOUNT, '/aws-service-role/clientvpn-connections.amazonaws.com/'), serviceLinkedRole: true };
  const asRole = (principal: RequestPrincipal, action: string, resource: string, policyName: string): string =>
    evaluate({ principal, action, resource, context: new RequestContext({ 'aws:ViaAWSService': 'false' }) }, { identity: [managed(policyName)] }).decision;
  it('AWSServiceRoleForClientVPN manages network interfaces and reads VPC, ACM, Logs and Directory data', () => {
    for (const action of ['ec2:CreateNetworkInterface', 'ec2:DescribeSubnets', 'ec2:DescribeVpcs', 'acm:GetCertificate', 'logs:DescribeLogGroups', 'ds:AuthorizeApplication']) {
      assert.equal(asRole(vpnRole, action, '*', 'ClientVPNServiceRolePolicy'), 'allowed', action);
    }
    assert.equal(asRole(vpnRole, 'iam:CreateUser', '*', 'ClientVPNServiceRolePolicy'), 'implicitDeny');
  });
  it('AWSServiceRoleForClientVPNConnections may invoke only AWSClientVPN-* functions', () => {
    const fn = (name: string): string => `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${name}`;
    assert.equal(asRole(connRole, 'lambda:InvokeFunction', fn('AWSClientVPN-connect-handler'), 'ClientVPNServiceConnectionsRolePolicy'), 'allowed');
    assert.equal(asRole(connRole, 'lambda:InvokeFunction', fn('my-function'), 'ClientVPNServiceConnectionsRolePolicy'), 'implicitDeny');
  });
});

describe("Seed 004: IAM Identity Center's service-linked role (AWSSSOServiceRolePolicy)", () => {
  const MEMBER = ACCOUNT;
  const MANAGEMENT = '999999999999';
  const sso = (account: string): RequestPrincipal => ({
    ...session('AWSServiceRoleForSSO', 'AWS-SSO', account, '/aws-service-role/sso.amazonaws.com/'),
    serviceLinkedRole: true,
  });
  const asSso = (account: string, action: string, resource: string): AuthorizationRequest => ({
    principal: sso(account),
    action,
    resource,
    context: new RequestContext({ 'aws:PrincipalAccount': account, 'aws:PrincipalOrgMasterAccountId': MANAGEMENT, 'aws:PrincipalOrgID': 'o-example' }),
  });
  const slrPolicy = managed('AWSSSOServiceRolePolicy');
  const denyAll = compilePolicy(doc({ Effect: 'Deny', Action: '*', Resource: '*' }), { id: 'DenyAll', kind: 'scp' });
  const org = { principalOrg: { managementAccountId: MANAGEMENT, scpLevels: [{ target: 'r-root', policies: [denyAll] }] } };
  const reserved = (account: string): string => `arn:aws:iam::${account}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123456789abcdef`;

  it('in a member account the role may create permission-set roles under /aws-reserved/sso.amazonaws.com/', () => {
    const ev = evaluate(asSso(MEMBER, 'iam:CreateRole', reserved(MEMBER)), { identity: [slrPolicy] });
    assert.equal(ev.decision, 'allowed');
    assert.equal(ev.matchedStatements[0]!.sid, 'IAMRoleProvisioningActions');
    assert.deepEqual(ev.contextKeysRead.sort(), ['aws:PrincipalAccount', 'aws:PrincipalOrgMasterAccountId']);
  });
  it('in the management account the same call is refused: aws:PrincipalOrgMasterAccountId equals ${aws:PrincipalAccount}', () => {
    assert.equal(evaluate(asSso(MANAGEMENT, 'iam:CreateRole', reserved(MANAGEMENT)), { identity: [slrPolicy] }).decision, 'implicitDeny');
  });
  it('it may not create roles outside /aws-reserved/sso.amazonaws.com/', () => {
    assert.equal(evaluate(asSso(MEMBER, 'iam:CreateRole', `arn:aws:iam::${MEMBER}:role/Admin`), { identity: [slrPolicy] }).decision, 'implicitDeny');
  });
  it('it may create AWSSSO_ SAML providers (member accounts only) and delete its own service-linked role', () => {
    assert.equal(evaluate(asSso(MEMBER, 'iam:CreateSAMLProvider', `arn:aws:iam::${MEMBER}:saml-provider/AWSSSO_abc_DO_NOT_DELETE`), { identity: [slrPolicy] }).decision, 'allowed');
    assert.equal(evaluate(asSso(MEMBER, 'iam:CreateSAMLProvider', `arn:aws:iam::${MEMBER}:saml-provider/Other`), { identity: [slrPolicy] }).decision, 'implicitDeny');
    const own = `arn:aws:iam::${MEMBER}:role/aws-service-role/sso.amazonaws.com/AWSServiceRoleForSSO`;
    assert.equal(evaluate(asSso(MEMBER, 'iam:DeleteServiceLinkedRole', own), { identity: [slrPolicy] }).decision, 'allowed');
  });
  it('a deny-all SCP does not restrict the service-linked role', () => {
    assert.equal(evaluate(asSso(MEMBER, 'iam:CreateRole', reserved(MEMBER)), { identity: [slrPolicy], ...org }).decision, 'allowed');
    // ...while it does stop an ordinary administrator of the same member account.
    const adminReq = { ...asSso(MEMBER, 'iam:CreateRole', reserved(MEMBER)), principal: user('admin', MEMBER) };
    assert.equal(evaluate(adminReq, { identity: [managed('AdministratorAccess')], ...org }).decision, 'explicitDeny');
  });
});
