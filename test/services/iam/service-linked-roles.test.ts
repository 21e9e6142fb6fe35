/**
 * Service-linked roles through the real server and @aws-sdk/client-iam: the catalog, the
 * Client VPN roles field by field, the errors AWS answers, protection against edits, and
 * the asynchronous deletion (SUCCEEDED, and FAILED with the owning service's usage list).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateAccessKeyCommand,
  CreateRoleCommand,
  CreateServiceLinkedRoleCommand,
  CreateUserCommand,
  DeleteRoleCommand,
  DeleteServiceLinkedRoleCommand,
  GetPolicyCommand,
  GetRoleCommand,
  GetServiceLinkedRoleDeletionStatusCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  UpdateAssumeRolePolicyCommand,
  UpdateRoleDescriptionCommand,
  type Role,
} from '@aws-sdk/client-iam';
import { ACCOUNT, clientConfig, startServer, type Keys, type Running } from '../../helpers/server.js';
import { allServiceLinkedRoles, serviceLinkedRoleFor } from '../../../src/catalog/service-linked-roles.js';
import { managedPolicyByArn } from '../../../src/catalog/managed-policies.js';
import { registerRoleUsageCheck, setSlrDeletionTiming, slrTrustPolicy } from '../../../src/services/iam/service-linked-roles.js';
import { iamService } from '../../../src/services/iam/index.js';
import { iamChanged } from '../../../src/services/iam/policy-source.js';
import { KIND, type RoleRecord } from '../../../src/services/iam/records.js';
import { awsId, newSecret } from '../../../src/auth/credentials.js';

const CVPN = 'clientvpn.amazonaws.com';
const CVPN_CONN = 'clientvpn-connections.amazonaws.com';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The error an SDK call fails with: its wire code, message and HTTP status. */
async function failure(p: Promise<unknown>): Promise<{ name: string; message: string; status: number | undefined }> {
  try {
    await p;
  } catch (e) {
    const err = e as { name: string; Code?: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: err.Code ?? err.name, message: err.message, status: err.$metadata?.httpStatusCode };
  }
  assert.fail('the call succeeded');
}

/** Does the server have this IAM operation yet (families are written by several people)? */
const has = (server: Running, op: string): boolean => op in iamService(server.gatehouse.credentials).handlers;

/**
 * A user with one inline policy and an access key: through the API where the operations
 * exist, else written to the store the way the IAM families store them.
 */
async function userWithPolicy(server: Running, iam: IAMClient, name: string, policy: object): Promise<Keys> {
  const document = JSON.stringify(policy);
  const store = server.gatehouse.store;
  if (has(server, 'CreateUser') && has(server, 'PutUserPolicy')) {
    await iam.send(new CreateUserCommand({ UserName: name }));
    await iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: 'inline', PolicyDocument: document }));
  } else {
    await store.transaction(async (tx) => {
      const userId = awsId('AIDA', 17);
      await tx.insert(ACCOUNT, KIND.user, userId, { UserName: name, UserId: userId, Arn: `arn:aws:iam::${ACCOUNT}:user/${name}`, Path: '/', CreateDate: new Date().toISOString(), Tags: [], AttachedPolicies: [], Groups: [] }, { name });
      await tx.insert(ACCOUNT, KIND.userPolicy, `${userId}#inline`, { PolicyName: 'inline', PolicyDocument: document }, { parent: userId });
    });
    iamChanged();
  }
  if (has(server, 'CreateAccessKey')) {
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: name }));
    return { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! };
  }
  const user = await store.getByName<{ UserId: string; Arn: string }>(ACCOUNT, KIND.user, name);
  const keys = { accessKeyId: awsId('AKIA'), secretAccessKey: newSecret() };
  await store.transaction((tx) =>
    server.gatehouse.credentials.put(tx, {
      accessKeyId: keys.accessKeyId,
      account: ACCOUNT,
      kind: 'user',
      status: 'Active',
      secret: keys.secretAccessKey,
      userId: user!.UserId,
      caller: { account: ACCOUNT, type: 'User', arn: user!.Arn, userId: user!.UserId, userName: name },
    }),
  );
  return keys;
}

describe('the service-linked role catalog', () => {
  it('has every Client VPN, Identity Center and Organizations row with its real names', () => {
    const expect: [string, string, string][] = [
      [CVPN, 'AWSServiceRoleForClientVPN', 'ClientVPNServiceRolePolicy'],
      [CVPN_CONN, 'AWSServiceRoleForClientVPNConnections', 'ClientVPNServiceConnectionsRolePolicy'],
      ['sso.amazonaws.com', 'AWSServiceRoleForSSO', 'AWSSSOServiceRolePolicy'],
      ['autoscaling.amazonaws.com', 'AWSServiceRoleForAutoScaling', 'AutoScalingServiceRolePolicy'],
      ['elasticloadbalancing.amazonaws.com', 'AWSServiceRoleForElasticLoadBalancing', 'AWSElasticLoadBalancingServiceRolePolicy'],
      ['rds.amazonaws.com', 'AWSServiceRoleForRDS', 'AmazonRDSServiceRolePolicy'],
      ['organizations.amazonaws.com', 'AWSServiceRoleForOrganizations', 'AWSOrganizationsServiceTrustPolicy'],
      ['dms.amazonaws.com', 'AWSServiceRoleForDMSServerless', 'AWSDMSServerlessServiceRolePolicy'],
    ];
    for (const [service, roleName, policy] of expect) {
      const spec = serviceLinkedRoleFor(service);
      assert.ok(spec, service);
      assert.equal(spec.roleName, roleName);
      assert.equal(spec.policyArn, `arn:aws:iam::aws:policy/aws-service-role/${policy}`);
    }
    assert.equal(serviceLinkedRoleFor('sso.amazonaws.com')!.description, 'Service-linked role used by AWS SSO to manage AWS resources, including IAM roles, policies and SAML IdP on your behalf.');
    assert.equal(serviceLinkedRoleFor(CVPN)!.description, undefined);
    const suffixed = [...allServiceLinkedRoles()].filter((s) => s.customSuffix).map((s) => s.service).sort();
    assert.deepEqual(suffixed, ['autoscaling.amazonaws.com', 'connect.amazonaws.com', 'lexv2.amazonaws.com']);
    assert.ok([...allServiceLinkedRoles()].length >= 75);
  });

  it('names, for every service, an AWS managed policy the managed-policy catalog has, under /aws-service-role/', () => {
    for (const spec of allServiceLinkedRoles()) {
      const p = managedPolicyByArn(spec.policyArn);
      assert.ok(p, `${spec.service}: ${spec.policyArn} is not in the managed-policy catalog`);
      assert.equal(p.path, '/aws-service-role/', spec.policyArn);
      assert.match(spec.roleName, /^[\w+=,.@-]{1,64}$/);
    }
  });
});

describe('CreateServiceLinkedRole, DeleteServiceLinkedRole, GetServiceLinkedRoleDeletionStatus', () => {
  let server: Running;
  let iam: IAMClient;
  let previousTiming: ReturnType<typeof setSlrDeletionTiming>;

  before(async () => {
    server = await startServer();
    iam = new IAMClient(clientConfig(server.endpoint));
    // Wide windows so that each phase is observable even on a loaded machine.
    previousTiming = setSlrDeletionTiming({ notStartedMs: 300, completeAfterMs: 700 });
  });
  after(async () => {
    setSlrDeletionTiming(previousTiming);
    iam.destroy();
    await server.close();
  });

  const checkRole = (role: Role | undefined, service: string, name: string): void => {
    assert.ok(role);
    assert.equal(role.RoleName, name);
    assert.equal(role.Path, `/aws-service-role/${service}/`);
    assert.equal(role.Arn, `arn:aws:iam::${ACCOUNT}:role/aws-service-role/${service}/${name}`);
    assert.match(role.RoleId!, /^AROA[A-Z2-7]{17}$/);
    assert.ok(role.CreateDate instanceof Date);
    assert.equal(decodeURIComponent(role.AssumeRolePolicyDocument!), `{"Version":"2012-10-17","Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"Service":"${service}"}}]}`);
    assert.equal(role.MaxSessionDuration, 3600);
    assert.equal(role.Description, undefined);
    assert.equal(role.PermissionsBoundary, undefined);
    assert.equal(role.Tags, undefined);
  };

  const checkAttached = async (name: string, policy: string): Promise<void> => {
    const arn = `arn:aws:iam::aws:policy/aws-service-role/${policy}`;
    if (has(server, 'ListAttachedRolePolicies')) {
      const out = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: name }));
      assert.deepEqual(out.AttachedPolicies, [{ PolicyName: policy, PolicyArn: arn }]);
    } else {
      const rec = await server.gatehouse.store.getByName<RoleRecord>(ACCOUNT, KIND.role, name);
      assert.deepEqual(rec?.AttachedPolicies, [{ PolicyName: policy, PolicyArn: arn }]);
    }
    if (has(server, 'ListRolePolicies')) assert.deepEqual((await iam.send(new ListRolePoliciesCommand({ RoleName: name }))).PolicyNames, []);
  };

  const attachmentCount = async (policy: string): Promise<number> => {
    const arn = `arn:aws:iam::aws:policy/aws-service-role/${policy}`;
    if (has(server, 'GetPolicy')) return (await iam.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy!.AttachmentCount!;
    return (await server.gatehouse.store.get<{ AttachmentCount: number }>(ACCOUNT, KIND.awsPolicyUsage, arn))?.AttachmentCount ?? 0;
  };

  it('creates both Client VPN roles as AWS does', async () => {
    const a = await iam.send(new CreateServiceLinkedRoleCommand({ AWSServiceName: CVPN }));
    checkRole(a.Role, CVPN, 'AWSServiceRoleForClientVPN');
    const b = await iam.send(new CreateServiceLinkedRoleCommand({ AWSServiceName: CVPN_CONN }));
    checkRole(b.Role, CVPN_CONN, 'AWSServiceRoleForClientVPNConnections');

    const got = (await iam.send(new GetRoleCommand({ RoleName: 'AWSServiceRoleForClientVPN' }))).Role;
    checkRole(got, CVPN, 'AWSServiceRoleForClientVPN');
    assert.equal(got!.RoleId, a.Role!.RoleId);
    assert.deepEqual(got!.RoleLastUsed, {});
    checkRole((await iam.send(new GetRoleCommand({ RoleName: 'AWSServiceRoleForClientVPNConnections' }))).Role, CVPN_CONN, 'AWSServiceRoleForClientVPNConnections');

    await checkAttached('AWSServiceRoleForClientVPN', 'ClientVPNServiceRolePolicy');
    await checkAttached('AWSServiceRoleForClientVPNConnections', 'ClientVPNServiceConnectionsRolePolicy');
    assert.equal(await attachmentCount('ClientVPNServiceRolePolicy'), 1);
    assert.equal(await attachmentCount('ClientVPNServiceConnectionsRolePolicy'), 1);
    // The record marks the role as the service's.
    const rec = await server.gatehouse.store.getByName<RoleRecord>(ACCOUNT, KIND.role, 'AWSServiceRoleForClientVPN');
    assert.equal(rec?.ServiceLinked, CVPN);
    assert.equal(rec?.AssumeRolePolicyDocument, slrTrustPolicy(CVPN));
  });

  it('refuses to create one that exists (InvalidInput, not EntityAlreadyExists)', async () => {
    const e = await failure(iam.send(new CreateServiceLinkedRoleCommand({ AWSServiceName: CVPN })));
    assert.deepEqual(e, { name: 'InvalidInput', message: 'Service role name AWSServiceRoleForClientVPN has been taken in this account, please try a different suffix.', status: 400 });
  });

  it('refuses an unknown service', async () => {
    const e = await failure(iam.send(new CreateServiceLinkedRoleCommand({ AWSServiceName: 'nosuch.amazonaws.com' })));
    assert.equal(e.name, 'InvalidInput');
    assert.equal(e.status, 400);
  });

  it('refuses a custom suffix where the service takes none, and takes one where it does', async () => {
    const e = await failure(iam.send(new CreateServiceLinkedRoleCommand({ AWSServiceName: CVPN_CONN, CustomSuffix: 'second' })));
    assert.deepEqual(e, { name: 'InvalidInput', message: 'Custom suffix is not allowed for clientvpn-connections.amazonaws.com', status: 400 });

    const one = await iam.send(new CreateServiceLinkedRoleCommand({ AWSServiceName: 'autoscaling.amazonaws.com', CustomSuffix: 'fleet-a', Description: 'fleet A' }));
    assert.equal(one.Role!.RoleName, 'AWSServiceRoleForAutoScaling_fleet-a');
    assert.equal(one.Role!.Path, '/aws-service-role/autoscaling.amazonaws.com/');
    assert.equal(one.Role!.Description, 'fleet A');
    const plain = await iam.send(new CreateServiceLinkedRoleCommand({ AWSServiceName: 'autoscaling.amazonaws.com' }));
    assert.equal(plain.Role!.RoleName, 'AWSServiceRoleForAutoScaling');
    await checkAttached('AWSServiceRoleForAutoScaling_fleet-a', 'AutoScalingServiceRolePolicy');
    assert.equal(await attachmentCount('AutoScalingServiceRolePolicy'), 2);
    const again = await failure(iam.send(new CreateServiceLinkedRoleCommand({ AWSServiceName: 'autoscaling.amazonaws.com', CustomSuffix: 'fleet-a' })));
    assert.equal(again.message, 'Service role name AWSServiceRoleForAutoScaling_fleet-a has been taken in this account, please try a different suffix.');
  });

  it('protects the role: only its description may change', async (t) => {
    const name = 'AWSServiceRoleForClientVPN';
    const protectedMessage = `Cannot perform the operation on the protected role '${name}' - this role is only modifiable by AWS`;
    const refused = async (p: Promise<unknown>): Promise<void> => {
      const e = await failure(p);
      assert.deepEqual(e, { name: 'UnmodifiableEntity', message: protectedMessage, status: 400 });
    };
    await refused(iam.send(new DeleteRoleCommand({ RoleName: name })));
    const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
    if (has(server, 'UpdateAssumeRolePolicy')) await refused(iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: name, PolicyDocument: trust })));
    else t.diagnostic('UpdateAssumeRolePolicy not implemented yet: not tested');
    const inline = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] });
    if (has(server, 'PutRolePolicy')) await refused(iam.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: 'extra', PolicyDocument: inline })));
    else t.diagnostic('PutRolePolicy not implemented yet: not tested');
    if (has(server, 'UpdateRoleDescription')) {
      const out = await iam.send(new UpdateRoleDescriptionCommand({ RoleName: name, Description: 'Client VPN, edited' }));
      assert.equal(out.Role!.Description, 'Client VPN, edited');
      assert.equal((await iam.send(new GetRoleCommand({ RoleName: name }))).Role!.Description, 'Client VPN, edited');
    } else t.diagnostic('UpdateRoleDescription not implemented yet: not tested');
    // Still intact.
    checkRole((await iam.send(new GetRoleCommand({ RoleName: 'AWSServiceRoleForClientVPNConnections' }))).Role, CVPN_CONN, 'AWSServiceRoleForClientVPNConnections');
  });

  it('deletes asynchronously: NOT_STARTED, IN_PROGRESS, SUCCEEDED; the role and its attachment count go', async () => {
    const name = 'AWSServiceRoleForClientVPNConnections';
    const t0 = Date.now();
    const { DeletionTaskId } = await iam.send(new DeleteServiceLinkedRoleCommand({ RoleName: name }));
    const tCreated = Date.now();
    assert.match(DeletionTaskId!, /^task\/aws-service-role\/clientvpn-connections\.amazonaws\.com\/AWSServiceRoleForClientVPNConnections\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);

    const first = await iam.send(new GetServiceLinkedRoleDeletionStatusCommand({ DeletionTaskId }));
    if (Date.now() - t0 < 300) assert.equal(first.Status, 'NOT_STARTED');
    assert.equal(first.Reason, undefined);
    // While unfinished, a second request answers the same task.
    const second = await iam.send(new DeleteServiceLinkedRoleCommand({ RoleName: name }));
    if (Date.now() - t0 < 700) assert.equal(second.DeletionTaskId, DeletionTaskId);
    // The role is still there meanwhile.
    assert.equal((await iam.send(new GetRoleCommand({ RoleName: name }))).Role!.RoleName, name);

    await sleep(Math.max(0, tCreated + 350 - Date.now()));
    const t1 = Date.now();
    const middle = await iam.send(new GetServiceLinkedRoleDeletionStatusCommand({ DeletionTaskId }));
    if (Date.now() - t0 < 700 && t1 - tCreated >= 300) assert.equal(middle.Status, 'IN_PROGRESS');

    await sleep(Math.max(0, tCreated + 750 - Date.now()));
    const done = await iam.send(new GetServiceLinkedRoleDeletionStatusCommand({ DeletionTaskId }));
    assert.equal(done.Status, 'SUCCEEDED');
    assert.equal(done.Reason, undefined);
    // And it stays SUCCEEDED.
    assert.equal((await iam.send(new GetServiceLinkedRoleDeletionStatusCommand({ DeletionTaskId }))).Status, 'SUCCEEDED');
    const gone = await failure(iam.send(new GetRoleCommand({ RoleName: name })));
    assert.deepEqual(gone, { name: 'NoSuchEntity', message: `The role with name ${name} cannot be found.`, status: 404 });
    assert.equal(await attachmentCount('ClientVPNServiceConnectionsRolePolicy'), 0);
    // It can be created again.
    checkRole((await iam.send(new CreateServiceLinkedRoleCommand({ AWSServiceName: CVPN_CONN }))).Role, CVPN_CONN, name);
  });

  it('fails while the service still uses the role, with its usage list; the role stays; a later attempt succeeds', async () => {
    const name = 'AWSServiceRoleForClientVPN';
    const endpoint = (region: string, id: string): string => `arn:aws:ec2:${region}:${ACCOUNT}:client-vpn-endpoint/${id}`;
    const seen: [string, string][] = [];
    const unregister = registerRoleUsageCheck(CVPN, (account, roleArn) => {
      seen.push([account, roleArn]);
      return Promise.resolve([
        { region: 'us-east-1', resources: [endpoint('us-east-1', 'cvpn-endpoint-0123456789abcdef0')] },
        { region: 'eu-west-1', resources: [endpoint('eu-west-1', 'cvpn-endpoint-0fedcba9876543210'), endpoint('eu-west-1', 'cvpn-endpoint-00000000000000001')] },
        { region: 'ap-south-1', resources: [] },
      ]);
    });
    // Another service's check is not asked.
    const other = registerRoleUsageCheck('autoscaling.amazonaws.com', () => Promise.reject(new Error('not asked')));
    let failedTask: string | undefined;
    try {
      setSlrDeletionTiming({ notStartedMs: 0, completeAfterMs: 0 });
      failedTask = (await iam.send(new DeleteServiceLinkedRoleCommand({ RoleName: name }))).DeletionTaskId;
      const status = await iam.send(new GetServiceLinkedRoleDeletionStatusCommand({ DeletionTaskId: failedTask }));
      assert.equal(status.Status, 'FAILED');
      assert.ok(status.Reason?.Reason);
      assert.deepEqual(status.Reason.RoleUsageList, [
        { Region: 'us-east-1', Resources: [endpoint('us-east-1', 'cvpn-endpoint-0123456789abcdef0')] },
        { Region: 'eu-west-1', Resources: [endpoint('eu-west-1', 'cvpn-endpoint-0fedcba9876543210'), endpoint('eu-west-1', 'cvpn-endpoint-00000000000000001')] },
      ]);
      assert.deepEqual(seen, [[ACCOUNT, `arn:aws:iam::${ACCOUNT}:role/aws-service-role/${CVPN}/${name}`]]);
      // A FAILED task keeps its answer, and the role is left in place.
      assert.equal((await iam.send(new GetServiceLinkedRoleDeletionStatusCommand({ DeletionTaskId: failedTask }))).Status, 'FAILED');
      assert.equal(seen.length, 1);
      assert.equal((await iam.send(new GetRoleCommand({ RoleName: name }))).Role!.RoleName, name);
      assert.equal(await attachmentCount('ClientVPNServiceRolePolicy'), 1);
    } finally {
      unregister();
      other();
    }
    // The resources are gone: a new task, which succeeds.
    const retry = (await iam.send(new DeleteServiceLinkedRoleCommand({ RoleName: name }))).DeletionTaskId;
    assert.notEqual(retry, failedTask);
    assert.equal((await iam.send(new GetServiceLinkedRoleDeletionStatusCommand({ DeletionTaskId: retry }))).Status, 'SUCCEEDED');
    assert.equal((await failure(iam.send(new GetRoleCommand({ RoleName: name })))).name, 'NoSuchEntity');
    assert.equal(await attachmentCount('ClientVPNServiceRolePolicy'), 0);
    setSlrDeletionTiming({ notStartedMs: 300, completeAfterMs: 700 });
  });

  it('answers AWS errors for roles and tasks that are not service-linked or do not exist', async () => {
    const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
    await iam.send(new CreateRoleCommand({ RoleName: 'plain', AssumeRolePolicyDocument: trust }));
    const notSlr = await failure(iam.send(new DeleteServiceLinkedRoleCommand({ RoleName: 'plain' })));
    assert.equal(notSlr.name, 'InvalidInput');
    assert.equal(notSlr.status, 400);
    assert.deepEqual(await failure(iam.send(new DeleteServiceLinkedRoleCommand({ RoleName: 'nosuch' }))), { name: 'NoSuchEntity', message: 'The role with name nosuch cannot be found.', status: 404 });

    const malformed = await failure(iam.send(new GetServiceLinkedRoleDeletionStatusCommand({ DeletionTaskId: 'not-a-task' })));
    assert.equal(malformed.name, 'InvalidInput');
    assert.equal(malformed.status, 400);
    const unknown = await failure(iam.send(new GetServiceLinkedRoleDeletionStatusCommand({ DeletionTaskId: `task/aws-service-role/${CVPN}/AWSServiceRoleForClientVPN/00000000-0000-4000-8000-000000000000` })));
    assert.equal(unknown.name, 'NoSuchEntity');
    assert.equal(unknown.status, 404);
  });
});

describe('iam:AWSServiceName limits which service-linked roles a user may create', () => {
  let server: Running;
  let root: IAMClient;
  let limited: IAMClient;

  before(async () => {
    server = await startServer();
    root = new IAMClient(clientConfig(server.endpoint));
    const keys = await userWithPolicy(server, root, 'vpn-admin', {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: 'iam:CreateServiceLinkedRole',
          Resource: 'arn:aws:iam::*:role/aws-service-role/*',
          Condition: { StringLike: { 'iam:AWSServiceName': 'clientvpn.amazonaws.com' } },
        },
      ],
    });
    limited = new IAMClient(clientConfig(server.endpoint, keys));
  });
  after(async () => {
    root.destroy();
    limited.destroy();
    await server.close();
  });

  it("creates Client VPN's role", async () => {
    const out = await limited.send(new CreateServiceLinkedRoleCommand({ AWSServiceName: CVPN }));
    assert.equal(out.Role!.Arn, `arn:aws:iam::${ACCOUNT}:role/aws-service-role/${CVPN}/AWSServiceRoleForClientVPN`);
  });

  it('is refused any other, with AWS’s message naming the role ARN', async () => {
    const e = await failure(limited.send(new CreateServiceLinkedRoleCommand({ AWSServiceName: CVPN_CONN })));
    assert.equal(e.name, 'AccessDenied');
    assert.equal(e.status, 403);
    assert.equal(
      e.message,
      `User: arn:aws:iam::${ACCOUNT}:user/vpn-admin is not authorized to perform: iam:CreateServiceLinkedRole on resource: arn:aws:iam::${ACCOUNT}:role/aws-service-role/${CVPN_CONN}/AWSServiceRoleForClientVPNConnections because no identity-based policy allows the iam:CreateServiceLinkedRole action`,
    );
    // Nothing was created.
    assert.equal((await failure(root.send(new GetRoleCommand({ RoleName: 'AWSServiceRoleForClientVPNConnections' })))).name, 'NoSuchEntity');
  });

  it('may not delete it without iam:DeleteServiceLinkedRole', async () => {
    const e = await failure(limited.send(new DeleteServiceLinkedRoleCommand({ RoleName: 'AWSServiceRoleForClientVPN' })));
    assert.equal(e.name, 'AccessDenied');
    assert.match(e.message, /iam:DeleteServiceLinkedRole on resource: arn:aws:iam::000000000000:role\/aws-service-role\/clientvpn\.amazonaws\.com\/AWSServiceRoleForClientVPN /);
  });
});
