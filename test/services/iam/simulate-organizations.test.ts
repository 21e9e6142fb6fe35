/**
 * The policy simulator in an organization: SCPs on the simulated principal's account take
 * part in EvalDecision and are reported in OrganizationsDecisionDetail, as the API reference
 * describes (the field only for an account in an organization; the simulation ending at an
 * SCP's denial, without EvalDecisionDetails). An SCP denying EC2 outside us-east-1 on the
 * root; an allow-list SCP on a member account; the management account and a service-linked
 * role unrestricted. Through the SDK and boto3.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  AcceptHandshakeCommand,
  AttachPolicyCommand,
  CreateOrganizationCommand,
  CreatePolicyCommand,
  DetachPolicyCommand,
  EnablePolicyTypeCommand,
  InviteAccountToOrganizationCommand,
  ListRootsCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import {
  AttachUserPolicyCommand,
  CreateServiceLinkedRoleCommand,
  CreateUserCommand,
  IAMClient,
  SimulateCustomPolicyCommand,
  SimulatePrincipalPolicyCommand,
  type ContextEntry,
  type EvaluationResult,
} from '@aws-sdk/client-iam';
import { boto3, clientConfig, startServer, type Keys, type Running } from '../../helpers/server.js';

const MGMT = '000000000000';
const A = '111111111111';
const OUTSIDE = '444444444444';
const KEYS: Record<string, Keys> = {
  [MGMT]: { accessKeyId: 'test', secretAccessKey: 'test' },
  [A]: { accessKeyId: 'AKIASIMULATEA0000001', secretAccessKey: 'simulateA' },
  [OUTSIDE]: { accessKeyId: 'AKIASIMULATEO0000001', secretAccessKey: 'simulateO' },
};
const REGION_SCP = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Sid: 'OnlyUsEast1', Effect: 'Deny', Action: 'ec2:*', Resource: '*', Condition: { StringNotEquals: { 'aws:RequestedRegion': 'us-east-1' } } }],
});
const ALLOW_EC2 = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ec2:*', Resource: '*' }] });
/** An allow-list SCP: EC2 and IAM only (IAM, so that the account can still call the simulator). */
const ALLOW_EC2_IAM = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['ec2:*', 'iam:*'], Resource: '*' }] });
const region = (r: string): ContextEntry[] => [{ ContextKeyName: 'aws:RequestedRegion', ContextKeyValues: [r], ContextKeyType: 'string' }];

describe('SimulatePrincipalPolicy / SimulateCustomPolicy with Organizations SCPs', () => {
  let server: Running;
  const iam: Record<string, IAMClient> = {};
  let orgs: OrganizationsClient;
  let rootId = '';
  const devArn = `arn:aws:iam::${A}:user/dev`;
  const simulateDev = async (action: string, entries?: ContextEntry[], resources?: string[]): Promise<EvaluationResult> =>
    (await iam[A]!.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: devArn, ActionNames: [action], ...(entries ? { ContextEntries: entries } : {}), ...(resources ? { ResourceArns: resources } : {}) })))
      .EvaluationResults![0]!;

  before(async () => {
    server = await startServer({ accounts: [MGMT, A, OUTSIDE].map((id) => ({ id, ...KEYS[id]! })) });
    for (const id of [MGMT, A, OUTSIDE]) iam[id] = new IAMClient(clientConfig(server.endpoint, KEYS[id]));
    orgs = new OrganizationsClient(clientConfig(server.endpoint, KEYS[MGMT]));
    await orgs.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
    const hs = (await orgs.send(new InviteAccountToOrganizationCommand({ Target: { Id: A, Type: 'ACCOUNT' } }))).Handshake!;
    await new OrganizationsClient(clientConfig(server.endpoint, KEYS[A])).send(new AcceptHandshakeCommand({ HandshakeId: hs.Id! }));
    rootId = (await orgs.send(new ListRootsCommand({}))).Roots![0]!.Id!;
    await iam[A]!.send(new CreateUserCommand({ UserName: 'dev' }));
    await iam[A]!.send(new AttachUserPolicyCommand({ UserName: 'dev', PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' }));
  });
  after(() => server.close());

  it('in an organization without SCPs: OrganizationsDecisionDetail allowed; outside any organization: absent', async () => {
    const r = await simulateDev('ec2:RunInstances', region('eu-west-1'));
    assert.equal(r.EvalDecision, 'allowed');
    assert.deepEqual(r.OrganizationsDecisionDetail, { AllowedByOrganizations: true });
    const outside = (await iam[OUTSIDE]!.send(new SimulateCustomPolicyCommand({ PolicyInputList: [ALLOW_EC2], ActionNames: ['ec2:RunInstances'] }))).EvaluationResults![0]!;
    assert.equal(outside.EvalDecision, 'allowed');
    assert.equal(outside.OrganizationsDecisionDetail, undefined);
  });

  it('an SCP Deny decides: explicitDeny, AllowedByOrganizations false, no matched statements nor EvalDecisionDetails; in the allowed Region the input policy\'s statement', async () => {
    await orgs.send(new EnablePolicyTypeCommand({ RootId: rootId, PolicyType: 'SERVICE_CONTROL_POLICY' }));
    const scp = (await orgs.send(new CreatePolicyCommand({ Name: 'OnlyUsEast1', Description: '', Type: 'SERVICE_CONTROL_POLICY', Content: REGION_SCP }))).Policy!.PolicySummary!.Id!;
    await orgs.send(new AttachPolicyCommand({ PolicyId: scp, TargetId: rootId }));

    const denied = await simulateDev('ec2:RunInstances', region('eu-west-1'), [`arn:aws:ec2:eu-west-1:${A}:instance/*`]);
    assert.deepEqual(
      [denied.EvalDecision, denied.OrganizationsDecisionDetail, denied.MatchedStatements, denied.EvalDecisionDetails],
      ['explicitDeny', { AllowedByOrganizations: false }, [], undefined],
    );
    assert.deepEqual(denied.ResourceSpecificResults, [{ EvalResourceName: `arn:aws:ec2:eu-west-1:${A}:instance/*`, EvalResourceDecision: 'explicitDeny', MatchedStatements: [], MissingContextValues: [] }]);

    const allowed = await simulateDev('ec2:RunInstances', region('us-east-1'));
    assert.equal(allowed.EvalDecision, 'allowed');
    assert.deepEqual(allowed.OrganizationsDecisionDetail, { AllowedByOrganizations: true });
    assert.deepEqual(
      allowed.MatchedStatements!.map((m) => [m.SourcePolicyId, m.SourcePolicyType]),
      [['AdministratorAccess', 'IAM Policy']],
    );
    // Another service is not touched by the SCP.
    assert.deepEqual(
      [(await simulateDev('iam:CreateUser', region('eu-west-1'))).EvalDecision, (await simulateDev('iam:CreateUser', region('eu-west-1'))).OrganizationsDecisionDetail],
      ['allowed', { AllowedByOrganizations: true }],
    );
  });

  it('the SCP\'s condition key is read from the simulation: without aws:RequestedRegion it is reported missing (and the negated condition matches)', async () => {
    const r = await simulateDev('ec2:RunInstances');
    assert.equal(r.EvalDecision, 'explicitDeny');
    assert.deepEqual(r.MissingContextValues, ['aws:RequestedRegion']);
    assert.deepEqual(r.OrganizationsDecisionDetail, { AllowedByOrganizations: false });
  });

  it('no SCP allows: implicitDeny, AllowedByOrganizations false, even though the identity policy allows', async () => {
    const allowEc2 = (await orgs.send(new CreatePolicyCommand({ Name: 'Ec2AndIamOnly', Description: '', Type: 'SERVICE_CONTROL_POLICY', Content: ALLOW_EC2_IAM }))).Policy!.PolicySummary!.Id!;
    await orgs.send(new AttachPolicyCommand({ PolicyId: allowEc2, TargetId: A }));
    await orgs.send(new DetachPolicyCommand({ PolicyId: 'p-FullAWSAccess', TargetId: A }));
    const r = await simulateDev('s3:ListBucket', undefined, ['arn:aws:s3:::some-bucket']);
    assert.deepEqual([r.EvalDecision, r.OrganizationsDecisionDetail, r.MatchedStatements, r.EvalDecisionDetails], ['implicitDeny', { AllowedByOrganizations: false }, [], undefined]);
    assert.equal((await simulateDev('ec2:DescribeVpcs', region('us-east-1'))).EvalDecision, 'allowed');
    await orgs.send(new AttachPolicyCommand({ PolicyId: 'p-FullAWSAccess', TargetId: A }));
    await orgs.send(new DetachPolicyCommand({ PolicyId: allowEc2, TargetId: A }));
    assert.equal((await simulateDev('s3:ListBucket')).EvalDecision, 'allowed');
  });

  it('SimulateCustomPolicy in the member account (boto3) is denied by the SCP; in the management account it is not', async () => {
    const script = (account: string): string =>
      `r = client('iam').simulate_custom_policy(PolicyInputList=[${JSON.stringify(ALLOW_EC2)}], ActionNames=['ec2:CreateClientVpnEndpoint'], ContextEntries=[{'ContextKeyName': 'aws:RequestedRegion', 'ContextKeyValues': ['eu-west-1'], 'ContextKeyType': 'string'}])['EvaluationResults'][0]\nprint(json.dumps([r['EvalDecision'], r.get('OrganizationsDecisionDetail'), len(r['MatchedStatements']), '${account}']))`;
    assert.deepEqual(JSON.parse(await boto3(server.endpoint, script(A), KEYS[A])), ['explicitDeny', { AllowedByOrganizations: false }, 0, A]);
    assert.deepEqual(JSON.parse(await boto3(server.endpoint, script(MGMT), KEYS[MGMT])), ['allowed', { AllowedByOrganizations: true }, 1, MGMT]);
  });

  it('a service-linked role in the member account is not restricted by SCPs in the simulation either', async () => {
    const role = (await iam[A]!.send(new CreateServiceLinkedRoleCommand({ AWSServiceName: 'clientvpn.amazonaws.com' }))).Role!;
    const r = (await iam[A]!.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: role.Arn!, ActionNames: ['ec2:CreateNetworkInterface'], ContextEntries: region('eu-west-1') }))).EvaluationResults![0]!;
    assert.deepEqual([r.EvalDecision, r.OrganizationsDecisionDetail], ['allowed', { AllowedByOrganizations: true }]);
    assert.deepEqual(r.MissingContextValues, []);
    // The same permissions on an ordinary user are denied.
    const asUser = (await iam[A]!.send(new SimulateCustomPolicyCommand({ PolicyInputList: [ALLOW_EC2], ActionNames: ['ec2:CreateNetworkInterface'], ContextEntries: region('eu-west-1') }))).EvaluationResults![0]!;
    assert.equal(asUser.EvalDecision, 'explicitDeny');
  });
});
