/**
 * What Client VPN does beyond its own records, each step through src/auth as AWS does it
 * (clientvpn.md §15.2):
 * - on the first endpoint, its two service-linked roles are created through
 *   iam:CreateServiceLinkedRole **on the caller's behalf** (a forward access session: the
 *   caller's policies, aws:ViaAWSService true, the service's address);
 * - its own work (network interfaces, reading the SAML provider, certificates, log groups
 *   and the connect handler's configuration) is done **as AWSServiceRoleForClientVPN**.
 */
import { randomBytes } from 'node:crypto';
import { AwsError } from '../../../models/errors.js';
import { serviceLinkedRole, type ServiceRole } from '../../../auth/service-calls.js';
import type { ServiceCaller, ServiceContext } from '../../types.js';

export const CLIENT_VPN = 'clientvpn.amazonaws.com';
export const CLIENT_VPN_CONNECTIONS = 'clientvpn-connections.amazonaws.com';
const ROLES = [
  { principal: CLIENT_VPN, roleName: 'AWSServiceRoleForClientVPN' },
  { principal: CLIENT_VPN_CONNECTIONS, roleName: 'AWSServiceRoleForClientVPNConnections' },
] as const;

/** The session name Client VPN's role sessions carry in CloudTrail (a choice). */
const SESSION = 'ClientVPN';

const isDenied = (e: unknown): boolean => e instanceof AwsError && /^(AccessDenied|UnauthorizedOperation|AccessDeniedException)$/.test(e.code);

/**
 * Both roles exist afterwards: missing ones are created on the caller's behalf. A denial
 * fails the operation with the message AWS shows (the seed's field report; the error code
 * is not documented: EC2's UnauthorizedOperation, a choice).
 */
export async function ensureServiceLinkedRoles(ctx: ServiceContext): Promise<void> {
  for (const { principal, roleName } of ROLES) {
    if (await serviceLinkedRole(ctx.tx, ctx.caller.account, principal, roleName)) continue;
    try {
      await ctx.onBehalfOf(CLIENT_VPN).call('iam', 'CreateServiceLinkedRole', { AWSServiceName: principal });
    } catch (e) {
      if (isDenied(e)) throw new AwsError('UnauthorizedOperation', 'Please ensure that you have the iam:CreateServiceLinkedRole permission configure for your user/role', { status: 403 });
      throw e;
    }
  }
}

async function role(ctx: ServiceContext, principal: string, roleName: string): Promise<ServiceRole> {
  const r = await serviceLinkedRole(ctx.tx, ctx.caller.account, principal, roleName);
  // Deleted behind the endpoint's back (DeleteServiceLinkedRole refuses while endpoints
  // exist, so only a role removed before the first endpoint reaches here).
  if (!r) throw new AwsError('InvalidParameterValue', `The service-linked role ${roleName} does not exist. Create a Client VPN endpoint to create it again.`);
  return r;
}

/** Calls made as AWSServiceRoleForClientVPN. */
export async function asClientVpn(ctx: ServiceContext): Promise<ServiceCaller> {
  return ctx.asServiceRole(await role(ctx, CLIENT_VPN, 'AWSServiceRoleForClientVPN'), CLIENT_VPN, SESSION);
}

/** Calls made as AWSServiceRoleForClientVPNConnections (the client connect handler). */
export async function asClientVpnConnections(ctx: ServiceContext): Promise<ServiceCaller> {
  return ctx.asServiceRole(await role(ctx, CLIENT_VPN_CONNECTIONS, 'AWSServiceRoleForClientVPNConnections'), CLIENT_VPN_CONNECTIONS, SESSION);
}

/** The SAML provider must exist in the account: read as the service's role. */
export async function checkSamlProvider(ctx: ServiceContext, arn: string): Promise<void> {
  try {
    await (await asClientVpn(ctx)).call('iam', 'GetSAMLProvider', { SAMLProviderArn: arn });
  } catch (e) {
    if (e instanceof AwsError && (e.code === 'NoSuchEntity' || e.code === 'InvalidInput')) throw new AwsError('InvalidParameterValue', `SAML provider ${arn} does not exist`);
    throw e;
  }
}

/** An ACM certificate in this Region that is issued (or imported): read as the service's role. */
export async function checkCertificate(ctx: ServiceContext, arn: string): Promise<void> {
  let status: string | undefined;
  try {
    const d = await (await asClientVpn(ctx)).call<{ Certificate?: { Status?: string } }>('acm', 'DescribeCertificate', { CertificateArn: arn });
    status = d.Certificate?.Status;
  } catch (e) {
    if (e instanceof AwsError && /^(ResourceNotFoundException|InvalidArnException|ValidationException)$/.test(e.code)) {
      throw new AwsError('InvalidParameterValue', `Certificate ${arn} does not exist`);
    }
    throw e;
  }
  if (status !== 'ISSUED') throw new AwsError('InvalidParameterValue', `Certificate ${arn} is not issued (status ${status ?? 'unknown'})`);
}

/**
 * ACM's private keys are protected by the account's AWS managed key `aws/acm`; a service
 * that uses a certificate gets a grant on it. ACM makes those KMS calls on the caller's
 * behalf (forward access: the caller's policies decide, aws:ViaAWSService is true and
 * kms:ViaService is ACM), which is why a Deny on aws:SourceIp breaks endpoint creation
 * (the seed's field report: `kms:DescribeKey` denied, then `CreateGrant` in CloudTrail
 * once fixed). Not in the Client VPN guide: modelled from that report (clientvpn.md §15.2).
 */
export async function grantCertificateKey(ctx: ServiceContext, certificateArns: readonly string[]): Promise<void> {
  const acm = ctx.onBehalfOf('acm.amazonaws.com');
  const denied = (action: string, resource: string): AwsError =>
    new AwsError(
      'AccessDeniedException',
      `There was an error creating your client VPN endpoint User: ${ctx.caller.arn} is not authorized to perform ${action} on resource ${resource}. Grant ${ctx.caller.arn} permission to perform action ${action} by modifying the IAM policy and try again.`,
      { status: 400 },
    );
  let keyArn: string;
  try {
    keyArn = (await acm.call<{ KeyMetadata: { Arn: string } }>('kms', 'DescribeKey', { KeyId: 'alias/aws/acm' })).KeyMetadata.Arn;
  } catch (e) {
    if (isDenied(e)) throw denied('kms:DescribeKey', `arn:aws:kms:${ctx.region}:${ctx.caller.account}:alias/aws/acm`);
    throw e;
  }
  const principal = `acm.${ctx.region}.amazonaws.com`;
  for (const certificateArn of new Set(certificateArns)) {
    try {
      await acm.call('kms', 'CreateGrant', {
        KeyId: keyArn,
        GranteePrincipal: principal,
        RetiringPrincipal: principal,
        Operations: ['Decrypt'],
        Constraints: { EncryptionContextSubset: { 'aws:acm:arn': certificateArn } },
      });
    } catch (e) {
      if (isDenied(e)) throw denied('kms:CreateGrant', keyArn);
      throw e;
    }
  }
}

/**
 * Connection logging: the log group must exist; without a stream name the service creates
 * one named like AWS's (`cvpn-endpoint-<id>-<region>-YYYY/MM/DD-<12 random characters>`),
 * with a given name it must exist. Read and created as the service's role. Returns the
 * stream the endpoint logs to.
 */
export async function prepareConnectionLog(ctx: ServiceContext, endpointId: string, group: string, stream: string | undefined): Promise<string> {
  const service = await asClientVpn(ctx);
  const groups = await service.call<{ logGroups?: { logGroupName?: string }[] }>('logs', 'DescribeLogGroups', { logGroupNamePrefix: group });
  if (!groups.logGroups?.some((g) => g.logGroupName === group)) throw new AwsError('InvalidParameterValue', `The CloudWatch Logs log group ${group} does not exist`);
  if (stream) {
    const streams = await service.call<{ logStreams?: { logStreamName?: string }[] }>('logs', 'DescribeLogStreams', { logGroupName: group, logStreamNamePrefix: stream });
    if (!streams.logStreams?.some((s) => s.logStreamName === stream)) throw new AwsError('InvalidParameterValue', `The CloudWatch Logs log stream ${stream} does not exist in log group ${group}`);
    return stream;
  }
  const day = ctx.now.toISOString().slice(0, 10).replaceAll('-', '/');
  const suffix = randomBytes(9).toString('base64url').slice(0, 12);
  const name = `${endpointId}-${ctx.region}-${day}-${suffix}`;
  await service.call('logs', 'CreateLogStream', { logGroupName: group, logStreamName: name });
  return name;
}

/** The client connect handler must exist: its configuration is read as the service's role. */
export async function checkConnectHandler(ctx: ServiceContext, functionArn: string): Promise<void> {
  try {
    await (await asClientVpn(ctx)).call('lambda', 'GetFunctionConfiguration', { FunctionName: functionArn });
  } catch (e) {
    if (e instanceof AwsError && e.code === 'ResourceNotFoundException') throw new AwsError('InvalidParameterValue', `The Lambda function ${functionArn} does not exist`);
    throw e;
  }
}

/**
 * Active Directory authentication: the directory must exist in this account and Region
 * and be Active (read as the service's role); Client VPN then authorizes itself as an
 * application on it (ds:AuthorizeApplication, a non-public Directory Service API its role
 * may call), which is what keeps the directory from being deleted under the endpoint.
 */
export async function authorizeDirectory(ctx: ServiceContext, directoryId: string, endpointArn: string): Promise<void> {
  const service = await asClientVpn(ctx);
  let stage: string | undefined;
  try {
    const d = await service.call<{ DirectoryDescriptions?: { Stage?: string }[] }>('ds', 'DescribeDirectories', { DirectoryIds: [directoryId] });
    stage = d.DirectoryDescriptions?.[0]?.Stage;
  } catch (e) {
    if (e instanceof AwsError && e.code === 'EntityDoesNotExistException') throw new AwsError('InvalidParameterValue', `Directory ${directoryId} does not exist`);
    throw e;
  }
  if (stage !== 'Active') throw new AwsError('InvalidParameterValue', `Directory ${directoryId} is not active (stage ${stage ?? 'unknown'})`);
  await service.call('ds', 'AuthorizeApplication', { DirectoryId: directoryId, ApplicationType: 'ClientVPN', ResourceArn: endpointArn });
}

/** The endpoint lets go of its directory when it is deleted. */
export async function unauthorizeDirectory(ctx: ServiceContext, directoryId: string, endpointArn: string): Promise<void> {
  await (await asClientVpn(ctx)).call('ds', 'UnauthorizeApplication', { DirectoryId: directoryId, ApplicationType: 'ClientVPN', ResourceArn: endpointArn });
}
