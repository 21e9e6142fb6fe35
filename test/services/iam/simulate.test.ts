/**
 * The policy simulator through the real server: SimulatePrincipalPolicy (a role's inline
 * and managed policies, a user's groups', an input boundary, a resource policy with
 * CallerArn, cross-account), SimulateCustomPolicy (the AWS CLI documentation's own
 * example, through the CLI and boto3), missing context values, paging, the
 * GetContextKeys operations, errors, and who may call them.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  AddUserToGroupCommand,
  AttachRolePolicyCommand,
  CreateAccessKeyCommand,
  CreateGroupCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  GetContextKeysForCustomPolicyCommand,
  GetContextKeysForPrincipalPolicyCommand,
  IAMClient,
  PutGroupPolicyCommand,
  PutRolePermissionsBoundaryCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  SimulateCustomPolicyCommand,
  SimulatePrincipalPolicyCommand,
  type EvaluationResult,
} from '@aws-sdk/client-iam';
import { ACCOUNT, awsCli, boto3, clientConfig, startServer, type Keys, type Running } from '../../helpers/server.js';

/** The AWS CLI reference's simulate-custom-policy example, verbatim. */
const CLI_POLICY = '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2018-08-16T12:00:00Z"}}}}';
const OTHER_ACCOUNT = '111122223333';
const TRUST = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] });

const json = (doc: object): string => JSON.stringify(doc);

async function failure(p: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected the call to fail');
}

/** A statement's Position as AWS reports it: the column after the character at `offset` (0-based). */
function after1(text: string, offset: number): { Line: number; Column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { Line: line, Column: offset - (before.lastIndexOf('\n') + 1) + 2 };
}

describe('SimulateCustomPolicy: the AWS CLI documentation example', () => {
  let server: Running;
  before(async () => {
    server = await startServer();
  });
  after(() => server.close());

  it('allows dynamodb:CreateBackup after the date, and reports the statement where AWS does (CLI v2)', async () => {
    const r = await awsCli(server.endpoint, [
      'iam',
      'simulate-custom-policy',
      '--policy-input-list',
      CLI_POLICY,
      '--action-names',
      'dynamodb:CreateBackup',
      '--context-entries',
      "ContextKeyName='aws:CurrentTime',ContextKeyValues='2019-04-25T11:00:00Z',ContextKeyType=date",
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), {
      EvaluationResults: [
        {
          EvalActionName: 'dynamodb:CreateBackup',
          EvalResourceName: '*',
          EvalDecision: 'allowed',
          MatchedStatements: [{ SourcePolicyId: 'PolicyInputList.1', SourcePolicyType: 'IAM Policy', StartPosition: { Line: 1, Column: 38 }, EndPosition: { Line: 1, Column: 167 } }],
          MissingContextValues: [],
        },
      ],
    });
  });

  it('denies implicitly before the date, with no matched statement (CLI v2)', async () => {
    const r = await awsCli(server.endpoint, [
      'iam',
      'simulate-custom-policy',
      '--policy-input-list',
      CLI_POLICY,
      '--action-names',
      'dynamodb:CreateBackup',
      '--context-entries',
      "ContextKeyName='aws:CurrentTime',ContextKeyValues='2014-04-25T11:00:00Z',ContextKeyType=date",
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout).EvaluationResults, [
      { EvalActionName: 'dynamodb:CreateBackup', EvalResourceName: '*', EvalDecision: 'implicitDeny', MatchedStatements: [], MissingContextValues: [] },
    ]);
  });

  it('parses the same in boto3', async () => {
    const out = await boto3(
      server.endpoint,
      `iam = client('iam')
res = []
for when in ['2019-04-25T11:00:00Z', '2014-04-25T11:00:00Z']:
    r = iam.simulate_custom_policy(PolicyInputList=[${JSON.stringify(CLI_POLICY)}], ActionNames=['dynamodb:CreateBackup'],
        ContextEntries=[{'ContextKeyName': 'aws:CurrentTime', 'ContextKeyValues': [when], 'ContextKeyType': 'date'}])
    res.append({'IsTruncated': r['IsTruncated'], 'EvaluationResults': r['EvaluationResults']})
print(json.dumps(res))`,
    );
    const [allowed, denied] = JSON.parse(out);
    assert.deepEqual(allowed.EvaluationResults[0].MatchedStatements, [
      { SourcePolicyId: 'PolicyInputList.1', SourcePolicyType: 'IAM Policy', StartPosition: { Line: 1, Column: 38 }, EndPosition: { Line: 1, Column: 167 } },
    ]);
    assert.equal(allowed.EvaluationResults[0].EvalDecision, 'allowed');
    assert.deepEqual(allowed.EvaluationResults[0].MissingContextValues, []);
    assert.equal(allowed.IsTruncated, false);
    assert.equal(denied.EvaluationResults[0].EvalDecision, 'implicitDeny');
    assert.deepEqual(denied.EvaluationResults[0].MatchedStatements, []);
  });
});

describe('The policy simulator (SDK)', () => {
  let server: Running;
  let iam: IAMClient;
  const role = 'app-role';
  const roleArn = `arn:aws:iam::${ACCOUNT}:role/service/${role}`;
  // Statement objects (not arrays), so the positions are those AWS's CLI example pins down.
  const readDoc = json({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: 'arn:aws:s3:::data/*' } });
  const denyDoc = json({ Version: '2012-10-17', Statement: { Effect: 'Deny', Action: 's3:PutObject', Resource: 'arn:aws:s3:::data/locked/*' } });
  const managedDoc = json({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: '*' }] });
  const sim = (input: Omit<ConstructorParameters<typeof SimulatePrincipalPolicyCommand>[0], 'PolicySourceArn'>): Promise<EvaluationResult[]> =>
    iam.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: roleArn, ...input })).then((o) => o.EvaluationResults!);

  before(async () => {
    server = await startServer();
    iam = new IAMClient(clientConfig(server.endpoint));
    await iam.send(new CreateRoleCommand({ RoleName: role, Path: '/service/', AssumeRolePolicyDocument: TRUST }));
    await iam.send(new PutRolePolicyCommand({ RoleName: role, PolicyName: 'read', PolicyDocument: readDoc }));
    await iam.send(new PutRolePolicyCommand({ RoleName: role, PolicyName: 'deny-locked', PolicyDocument: denyDoc }));
    const p = await iam.send(new CreatePolicyCommand({ PolicyName: 'queue-writer', PolicyDocument: managedDoc }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: role, PolicyArn: p.Policy!.Arn! }));
  });
  after(async () => {
    iam.destroy();
    await server.close();
  });

  it("evaluates a role's inline policies, naming them role_<role>_<policy> with AWS's positions", async () => {
    const [r] = await sim({ ActionNames: ['s3:GetObject'], ResourceArns: ['arn:aws:s3:::data/report.csv'] });
    const statement = {
      SourcePolicyId: `role_${role}_read`,
      SourcePolicyType: 'IAM Policy',
      StartPosition: after1(readDoc, readDoc.indexOf('{"Effect"')),
      EndPosition: after1(readDoc, readDoc.length - 2),
    };
    assert.deepEqual(r, {
      EvalActionName: 's3:GetObject',
      EvalResourceName: 'arn:aws:s3:::data/report.csv',
      EvalDecision: 'allowed',
      MatchedStatements: [statement],
      MissingContextValues: [],
      EvalDecisionDetails: {},
      ResourceSpecificResults: [{ EvalResourceName: 'arn:aws:s3:::data/report.csv', EvalResourceDecision: 'allowed', MatchedStatements: [statement], MissingContextValues: [] }],
    });
  });

  it('reports an explicit deny with the deny statement only', async () => {
    const [r] = await sim({ ActionNames: ['s3:PutObject'], ResourceArns: ['arn:aws:s3:::data/locked/x'] });
    assert.equal(r!.EvalDecision, 'explicitDeny');
    assert.deepEqual(r!.MatchedStatements, [
      { SourcePolicyId: `role_${role}_deny-locked`, SourcePolicyType: 'IAM Policy', StartPosition: after1(denyDoc, denyDoc.indexOf('{"Effect"')), EndPosition: after1(denyDoc, denyDoc.length - 2) },
    ]);
  });

  it('names an attached managed policy by its name, and reports implicit denies with no statement', async () => {
    const rs = await sim({ ActionNames: ['sqs:SendMessage', 'ec2:RunInstances'] });
    assert.deepEqual(
      rs.map((r) => [r.EvalActionName, r.EvalResourceName, r.EvalDecision, r.MatchedStatements!.map((s) => s.SourcePolicyId)]),
      [
        ['sqs:SendMessage', '*', 'allowed', ['queue-writer']],
        ['ec2:RunInstances', '*', 'implicitDeny', []],
      ],
    );
    // For `*`, EvalDecisionDetails and ResourceSpecificResults are left out.
    assert.equal(rs[0]!.EvalDecisionDetails, undefined);
    assert.equal(rs[0]!.ResourceSpecificResults, undefined);
  });

  it('evaluates a resource policy against CallerArn, which a role source requires', async () => {
    const bucketPolicy = json({
      Version: '2012-10-17',
      Statement: { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/alice` }, Action: 's3:DeleteObject', Resource: 'arn:aws:s3:::data/*' },
    });
    const missing = await failure(sim({ ActionNames: ['s3:DeleteObject'], ResourceArns: ['arn:aws:s3:::data/x'], ResourcePolicy: bucketPolicy }));
    assert.equal(missing.name, 'InvalidInputException');
    assert.equal(missing.message, 'Invalid caller - Caller must be an IAM user in this context.');
    const notUser = await failure(sim({ ActionNames: ['s3:DeleteObject'], ResourcePolicy: bucketPolicy, CallerArn: roleArn }));
    assert.equal(notUser.name, 'InvalidInputException');

    // Same account: the bucket policy naming the user grants alone.
    const [r] = await sim({ ActionNames: ['s3:DeleteObject'], ResourceArns: ['arn:aws:s3:::data/x'], ResourcePolicy: bucketPolicy, CallerArn: `arn:aws:iam::${ACCOUNT}:user/alice` });
    assert.equal(r!.EvalDecision, 'allowed');
    assert.deepEqual(r!.MatchedStatements, [
      { SourcePolicyId: 'ResourcePolicy', SourcePolicyType: 'Resource Policy', StartPosition: after1(bucketPolicy, bucketPolicy.indexOf('{"Effect"')), EndPosition: after1(bucketPolicy, bucketPolicy.length - 2) },
    ]);
    assert.deepEqual(r!.EvalDecisionDetails, {});
    // Another user is not named: nothing allows.
    const [bob] = await sim({ ActionNames: ['s3:DeleteObject'], ResourceArns: ['arn:aws:s3:::data/x'], ResourcePolicy: bucketPolicy, CallerArn: `arn:aws:iam::${ACCOUNT}:user/bob` });
    assert.equal(bob!.EvalDecision, 'implicitDeny');
  });

  it('simulates cross-account access when ResourceOwner is another account: both sides must allow', async () => {
    const bucketPolicy = json({ Version: '2012-10-17', Statement: { Effect: 'Allow', Principal: { AWS: ACCOUNT }, Action: 's3:*', Resource: 'arn:aws:s3:::partner/*' } });
    const base = { ResourceArns: ['arn:aws:s3:::partner/file'], ResourcePolicy: bucketPolicy, ResourceOwner: `arn:aws:iam::${OTHER_ACCOUNT}:root`, CallerArn: `arn:aws:iam::${ACCOUNT}:user/alice` };
    const rs = await iam.send(
      new SimulateCustomPolicyCommand({
        PolicyInputList: [json({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 's3:GetObject', Resource: '*' } })],
        ActionNames: ['s3:GetObject', 's3:PutObject'],
        ...base,
      }),
    );
    assert.deepEqual(
      rs.EvaluationResults!.map((r) => [r.EvalDecision, r.EvalDecisionDetails, r.ResourceSpecificResults![0]!.EvalDecisionDetails]),
      [
        ['allowed', { 'IAM Policy': 'allowed', 'Resource Policy': 'allowed' }, { 'IAM Policy': 'allowed', 'Resource Policy': 'allowed' }],
        ['implicitDeny', { 'IAM Policy': 'implicitDeny', 'Resource Policy': 'allowed' }, { 'IAM Policy': 'implicitDeny', 'Resource Policy': 'allowed' }],
      ],
    );
    const bad = await failure(iam.send(new SimulateCustomPolicyCommand({ PolicyInputList: [CLI_POLICY], ActionNames: ['s3:GetObject'], ...base, ResourceOwner: 'someone' })));
    assert.equal(bad.name, 'InvalidInputException');
  });

  it('reports context keys the policies read but the request did not supply', async () => {
    const doc = json({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::home/${aws:username}/*', Condition: { StringEquals: { 'aws:PrincipalTag/team': 'data' } } },
        { Effect: 'Allow', Action: 's3:ListBucket', Resource: '*', Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } },
      ],
    });
    const star = await iam.send(new SimulateCustomPolicyCommand({ PolicyInputList: [doc], ActionNames: ['s3:GetObject', 's3:ListBucket'] }));
    assert.deepEqual(
      star.EvaluationResults!.map((r) => [r.EvalDecision, r.MissingContextValues]),
      [
        ['implicitDeny', ['aws:PrincipalTag/team', 'aws:username']],
        ['implicitDeny', ['aws:SourceIp']],
      ],
    );
    // With resources, missing values are reported per resource; a supplied key is not missing.
    const one = await iam.send(
      new SimulateCustomPolicyCommand({
        PolicyInputList: [doc],
        ActionNames: ['s3:GetObject'],
        ResourceArns: ['arn:aws:s3:::home/alice/notes'],
        ContextEntries: [{ ContextKeyName: 'aws:username', ContextKeyValues: ['alice'], ContextKeyType: 'string' }],
      }),
    );
    const [r] = one.EvaluationResults!;
    assert.deepEqual(r!.MissingContextValues, []);
    assert.deepEqual(r!.ResourceSpecificResults![0]!.MissingContextValues, ['aws:PrincipalTag/team']);
    const both = await iam.send(
      new SimulateCustomPolicyCommand({
        PolicyInputList: [doc],
        ActionNames: ['s3:GetObject'],
        ResourceArns: ['arn:aws:s3:::home/alice/notes'],
        ContextEntries: [
          { ContextKeyName: 'aws:username', ContextKeyValues: ['alice'], ContextKeyType: 'string' },
          { ContextKeyName: 'aws:PrincipalTag/team', ContextKeyValues: ['data'], ContextKeyType: 'string' },
        ],
      }),
    );
    assert.equal(both.EvaluationResults![0]!.EvalDecision, 'allowed');
    // List types give multivalued keys.
    const list = await iam.send(
      new SimulateCustomPolicyCommand({
        PolicyInputList: [json({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 'ec2:CreateTags', Resource: '*', Condition: { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['env', 'team'] } } } })],
        ActionNames: ['ec2:CreateTags'],
        ContextEntries: [{ ContextKeyName: 'aws:TagKeys', ContextKeyValues: ['env', 'team'], ContextKeyType: 'stringList' }],
      }),
    );
    assert.equal(list.EvaluationResults![0]!.EvalDecision, 'allowed');
  });

  it('pages through EvaluationResults with MaxItems and Marker', async () => {
    const actions = ['s3:GetObject', 's3:PutObject', 'sqs:SendMessage'];
    const first = await iam.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: roleArn, ActionNames: actions, ResourceArns: ['arn:aws:s3:::data/a', 'arn:aws:s3:::data/b'], MaxItems: 4 }));
    assert.equal(first.IsTruncated, true);
    assert.ok(first.Marker);
    assert.deepEqual(
      first.EvaluationResults!.map((r) => `${r.EvalActionName} ${r.EvalResourceName}`),
      ['s3:GetObject arn:aws:s3:::data/a', 's3:GetObject arn:aws:s3:::data/b', 's3:PutObject arn:aws:s3:::data/a', 's3:PutObject arn:aws:s3:::data/b'],
    );
    const rest = await iam.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: roleArn, ActionNames: actions, ResourceArns: ['arn:aws:s3:::data/a', 'arn:aws:s3:::data/b'], MaxItems: 4, Marker: first.Marker }));
    assert.equal(rest.IsTruncated, false);
    assert.equal(rest.Marker, undefined);
    assert.deepEqual(
      rest.EvaluationResults!.map((r) => `${r.EvalActionName} ${r.EvalResourceName}`),
      ['sqs:SendMessage arn:aws:s3:::data/a', 'sqs:SendMessage arn:aws:s3:::data/b'],
    );
  });

  it("includes a user's own and its groups' policies", async () => {
    await iam.send(new CreateUserCommand({ UserName: 'carol' }));
    await iam.send(new CreateGroupCommand({ GroupName: 'analysts' }));
    await iam.send(new AddUserToGroupCommand({ GroupName: 'analysts', UserName: 'carol' }));
    await iam.send(new PutUserPolicyCommand({ UserName: 'carol', PolicyName: 'own', PolicyDocument: json({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'athena:StartQueryExecution', Resource: '*' }] }) }));
    await iam.send(
      new PutGroupPolicyCommand({
        GroupName: 'analysts',
        PolicyName: 'glue',
        PolicyDocument: json({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'glue:GetTable', Resource: '*', Condition: { StringEquals: { 'aws:RequestedRegion': 'eu-west-1' } } }] }),
      }),
    );
    const out = await iam.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: `arn:aws:iam::${ACCOUNT}:user/carol`, ActionNames: ['athena:StartQueryExecution', 'glue:GetTable'] }));
    assert.deepEqual(
      out.EvaluationResults!.map((r) => [r.EvalDecision, r.MatchedStatements!.map((s) => s.SourcePolicyId), r.MissingContextValues]),
      [
        ['allowed', ['user_carol_own'], []],
        ['implicitDeny', [], ['aws:RequestedRegion']],
      ],
    );
    const group = await iam.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: `arn:aws:iam::${ACCOUNT}:group/analysts`, ActionNames: ['glue:GetTable'], ContextEntries: [{ ContextKeyName: 'aws:RequestedRegion', ContextKeyValues: ['eu-west-1'], ContextKeyType: 'string' }] }));
    assert.deepEqual(group.EvaluationResults![0]!.MatchedStatements!.map((s) => s.SourcePolicyId), ['group_analysts_glue']);
    const keys = await iam.send(new GetContextKeysForPrincipalPolicyCommand({ PolicySourceArn: `arn:aws:iam::${ACCOUNT}:user/carol` }));
    assert.deepEqual(keys.ContextKeyNames, ['aws:RequestedRegion']);
  });

  it('answers NoSuchEntity, InvalidInput and MalformedPolicyDocument as IAM does', async () => {
    const gone = await failure(iam.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: `arn:aws:iam::${ACCOUNT}:role/nobody`, ActionNames: ['s3:GetObject'] })));
    assert.equal(gone.name, 'NoSuchEntityException');
    assert.equal(gone.message, 'The role with name nobody cannot be found.');
    const session = `arn:aws:sts::${ACCOUNT}:assumed-role/${role}/s`;
    const notEntity = await failure(iam.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: session, ActionNames: ['s3:GetObject'] })));
    assert.equal(notEntity.name, 'InvalidInputException');
    assert.equal(notEntity.message, `Invalid Entity Arn: ${session}`);
    const malformed = await failure(iam.send(new SimulateCustomPolicyCommand({ PolicyInputList: ['{"Version":"2012-10-17","Statement":{"Effect":"Allow"'], ActionNames: ['s3:GetObject'] })));
    assert.equal(malformed.name, 'MalformedPolicyDocumentException');
    const keys = await failure(iam.send(new GetContextKeysForPrincipalPolicyCommand({ PolicySourceArn: `arn:aws:iam::${ACCOUNT}:user/nobody` })));
    assert.equal(keys.name, 'NoSuchEntityException');
  });

  it('applies PermissionsBoundaryPolicyInputList instead of the role’s own boundary', async () => {
    const own = await iam.send(new CreatePolicyCommand({ PolicyName: 'boundary-all-s3', PolicyDocument: json({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] }) }));
    await iam.send(new PutRolePermissionsBoundaryCommand({ RoleName: role, PermissionsBoundary: own.Policy!.Arn! }));
    const withOwn = await sim({ ActionNames: ['s3:PutObject', 'sqs:SendMessage'], ResourceArns: ['arn:aws:s3:::data/new'] });
    assert.deepEqual(
      withOwn.map((r) => [r.EvalDecision, r.PermissionsBoundaryDecisionDetail]),
      [
        ['allowed', { AllowedByPermissionsBoundary: true }],
        ['implicitDeny', { AllowedByPermissionsBoundary: false }],
      ],
    );
    const boundary = json({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 's3:GetObject', Resource: '*' } });
    const rs = await sim({ ActionNames: ['s3:GetObject', 's3:PutObject'], ResourceArns: ['arn:aws:s3:::data/new'], PermissionsBoundaryPolicyInputList: [boundary] });
    assert.deepEqual(
      rs.map((r) => [r.EvalActionName, r.EvalDecision, r.PermissionsBoundaryDecisionDetail, r.ResourceSpecificResults![0]!.PermissionsBoundaryDecisionDetail]),
      [
        ['s3:GetObject', 'allowed', { AllowedByPermissionsBoundary: true }, { AllowedByPermissionsBoundary: true }],
        ['s3:PutObject', 'implicitDeny', { AllowedByPermissionsBoundary: false }, { AllowedByPermissionsBoundary: false }],
      ],
    );
    assert.deepEqual(
      rs[0]!.MatchedStatements!.map((s) => s.SourcePolicyId),
      [`role_${role}_read`, 'PermissionsBoundaryPolicyInputList.1'],
    );
    const two = await failure(sim({ ActionNames: ['s3:GetObject'], PermissionsBoundaryPolicyInputList: [boundary, boundary] }));
    assert.equal(two.name, 'InvalidInputException');
  });
});

describe('GetContextKeysForCustomPolicy', () => {
  let server: Running;
  let iam: IAMClient;
  before(async () => {
    server = await startServer();
    iam = new IAMClient(clientConfig(server.endpoint));
  });
  after(async () => {
    iam.destroy();
    await server.close();
  });

  it("lists the AWS CLI example's keys: the resource's variable, then the condition key", async () => {
    const doc = '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"arn:aws:dynamodb:us-west-2:123456789012:table/${aws:username}","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2015-08-16T12:00:00Z"}}}}';
    const out = await iam.send(new GetContextKeysForCustomPolicyCommand({ PolicyInputList: [doc] }));
    assert.deepEqual(out.ContextKeyNames, ['aws:username', 'aws:CurrentTime']);
  });

  it('reads every statement of every policy, once per key, variables in values included (2012-10-17 only)', async () => {
    const a = json({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 's3:ListBucket', Resource: '*', Condition: { StringLike: { 's3:prefix': '${aws:username}/*' } } },
        { Effect: 'Deny', Action: 's3:*', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'false' }, StringEquals: { 'AWS:USERNAME': 'root' } } },
      ],
    });
    const old = json({ Version: '2008-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/${aws:userid}' }] });
    const out = await iam.send(new GetContextKeysForCustomPolicyCommand({ PolicyInputList: [a, old] }));
    assert.deepEqual(out.ContextKeyNames, ['s3:prefix', 'aws:username', 'aws:SecureTransport']);
  });
});

describe('Who may use the simulator', () => {
  let server: Running;
  let root: IAMClient;
  let limited: IAMClient;
  before(async () => {
    server = await startServer();
    root = new IAMClient(clientConfig(server.endpoint));
    await root.send(new CreateUserCommand({ UserName: 'auditor' }));
    await root.send(new CreateUserCommand({ UserName: 'target', Path: '/team/' }));
    await root.send(new CreateUserCommand({ UserName: 'other' }));
    await root.send(
      new PutUserPolicyCommand({
        UserName: 'auditor',
        PolicyName: 'simulate',
        PolicyDocument: json({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['iam:SimulatePrincipalPolicy', 'iam:GetContextKeysForPrincipalPolicy'], Resource: `arn:aws:iam::${ACCOUNT}:user/team/*` }] }),
      }),
    );
    const k = await root.send(new CreateAccessKeyCommand({ UserName: 'auditor' }));
    const keys: Keys = { accessKeyId: k.AccessKey!.AccessKeyId!, secretAccessKey: k.AccessKey!.SecretAccessKey! };
    limited = new IAMClient(clientConfig(server.endpoint, keys));
  });
  after(async () => {
    root.destroy();
    limited.destroy();
    await server.close();
  });

  it('authorizes SimulatePrincipalPolicy on the source ARN, with its path', async () => {
    const ok = await limited.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: `arn:aws:iam::${ACCOUNT}:user/team/target`, ActionNames: ['s3:GetObject'] }));
    assert.equal(ok.EvaluationResults![0]!.EvalDecision, 'implicitDeny');
    // The ARN given without the path still resolves to the user, and is authorized on its real ARN.
    await limited.send(new GetContextKeysForPrincipalPolicyCommand({ PolicySourceArn: `arn:aws:iam::${ACCOUNT}:user/target` }));
    const denied = await failure(limited.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: `arn:aws:iam::${ACCOUNT}:user/other`, ActionNames: ['s3:GetObject'] })));
    assert.equal(denied.name, 'AccessDenied');
    assert.equal(
      denied.message,
      `User: arn:aws:iam::${ACCOUNT}:user/auditor is not authorized to perform: iam:SimulatePrincipalPolicy on resource: arn:aws:iam::${ACCOUNT}:user/other because no identity-based policy allows the iam:SimulatePrincipalPolicy action`,
    );
  });

  it('authorizes the custom-policy operations on *', async () => {
    const e = await failure(limited.send(new SimulateCustomPolicyCommand({ PolicyInputList: [CLI_POLICY], ActionNames: ['dynamodb:CreateBackup'] })));
    assert.equal(e.name, 'AccessDenied');
    assert.match(e.message, /iam:SimulateCustomPolicy on resource: \*/);
    const k = await failure(limited.send(new GetContextKeysForCustomPolicyCommand({ PolicyInputList: [CLI_POLICY] })));
    assert.match(k.message, /iam:GetContextKeysForCustomPolicy on resource: \*/);
  });
});
