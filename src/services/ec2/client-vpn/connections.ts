/**
 * Client connections: a VPN client connecting to an endpoint, what the service does then,
 * and the connection list. AWS has no API for connecting (clients speak OpenVPN to the
 * endpoint); Gatehouse offers it as a Gatehouse operation, `ConnectClientVpnClient`
 * (`POST /_gatehouse/ec2/ConnectClientVpnClient`), so that what follows a connection
 * attempt happens for real (clientvpn.md §10, §11, §18 step 0):
 * - mutual authentication: the client certificate must chain to the endpoint's client
 *   root certificate (read from ACM as AWSServiceRoleForClientVPN), be valid now, carry a
 *   CN, and not be in the imported revocation list;
 * - the client connect handler, when enabled, is invoked as
 *   AWSServiceRoleForClientVPNConnections, and its answer decides;
 * - the client gets an address from the client CIDR, and the connection is listed by
 *   DescribeClientVpnConnections until terminated (and for 60 minutes after);
 * - with connection logging on, each attempt and each termination is written to the log
 *   stream as the service's role, in AWS's format.
 * - Active Directory authentication: the user name and password are checked by the
 *   directory (its sign-in, called as the service's role); the user's group SIDs come with
 *   the connection (authorization rules and the connect handler see them).
 * SAML federated sign-in needs a browser and an IdP: not simulated (refused, saying so).
 */
import { X509Certificate, randomBytes } from 'node:crypto';
import type {
  ClientVpnConnection,
  DescribeClientVpnConnectionsCommandInput,
  DescribeClientVpnConnectionsCommandOutput,
  TerminateClientVpnConnectionsCommandInput,
  TerminateClientVpnConnectionsCommandOutput,
} from '@aws-sdk/client-ec2';
import { AwsError } from '../../../models/errors.js';
import { children, readTlv } from '../../acm/der.js';
import { cidrSize, dryRun, filterPredicate, invalidParameterValue, pageOf, parseCidr, type Tag } from '../common.js';
import type { Handler, ServiceContext } from '../../types.js';
import { associationState, endpointArn, endpointStatus, getEndpoint, type EndpointRecord } from './records.js';
import { asClientVpn, asClientVpnConnections } from './service-steps.js';

type Out<T> = Omit<T, '$metadata'>;

export const CONNECTION_KIND = 'ec2:client-vpn-connection';

/** Terminated connections stay listed for 60 minutes (DescribeClientVpnConnections). */
const TERMINATED_VISIBLE_MS = 60 * 60_000;
/** At most 5 connections are terminated by user name in one call. */
const TERMINATE_BY_USER_MAX = 5;

export interface ConnectionRecord {
  readonly ConnectionId: string;
  readonly ClientVpnEndpointId: string;
  readonly Region: string;
  readonly CommonName: string;
  readonly Username?: string;
  /** The user's group SIDs (Active Directory); none with certificate authentication. */
  readonly Groups?: readonly string[];
  readonly ClientIp: string;
  /** The associated subnet the client landed on (DNS round robin in AWS). */
  readonly SubnetId: string;
  readonly PublicIp: string;
  readonly DeviceType: string;
  readonly EstablishedAt: string;
  readonly EndedAt?: string;
  readonly PostureComplianceStatuses: readonly string[];
}

export interface ConnectInput {
  readonly ClientVpnEndpointId?: string;
  /** The client's certificate (PEM), for mutual authentication. */
  readonly ClientCertificate?: string;
  /** Active Directory sign-in. */
  readonly Username?: string;
  readonly Password?: string;
  /** The client's public address (defaults to the caller's). */
  readonly PublicIp?: string;
  readonly Platform?: string;
  readonly PlatformVersion?: string;
  readonly ClientOpenVpnVersion?: string;
  /** Which associated subnet the client lands on (AWS's DNS picks one); default the first. */
  readonly SubnetId?: string;
}

export interface ConnectOutput {
  readonly Status: 'active' | 'failed';
  readonly ConnectionId?: string;
  readonly ClientIp?: string;
  /** `connection-attempt-failure-reason` values (clientvpn.md §10), or `authentication-failed` / `endpoint-unavailable`. */
  readonly FailureReason?: string;
  /** What the client is shown. */
  readonly Message?: string;
  readonly PostureComplianceStatuses?: readonly string[];
}

const DEFAULT_DENIED = 'Error establishing connection. Please contact your administrator.';

// -------------------------------------------------------------------------------------------
// Certificates.

/**
 * One form for a serial number from either side: upper-case hex without leading zeros (DER
 * pads with a zero byte, X509Certificate prints whole bytes; neither matters for equality).
 */
const serialKey = (hex: string): string => hex.toUpperCase().replace(/^0+(?=.)/, '');

/** Serial numbers a DER CRL revokes (as `serialKey`s). */
function revokedSerials(pem: string): Set<string> {
  const der = Buffer.from(pem.replace(/-----[A-Z0-9 ]+-----|\s+/g, ''), 'base64');
  const out = new Set<string>();
  const list = readTlv(der, 0);
  const [tbs] = children(der, list);
  if (!tbs) return out;
  // TBSCertList: [version] signature issuer thisUpdate [nextUpdate] [revokedCertificates] [extensions]
  for (const field of children(der, tbs)) {
    if (field.tag !== 0x30) continue;
    const entries = children(der, field);
    // revokedCertificates is a SEQUENCE OF SEQUENCE { serial INTEGER, date, ... }
    if (entries.length === 0 || entries.some((e) => e.tag !== 0x30)) continue;
    for (const entry of entries) {
      const [serial] = children(der, entry);
      if (serial?.tag !== 0x02) break;
      out.add(serialKey(der.subarray(serial.start, serial.end).toString('hex')));
    }
  }
  return out;
}

const splitPem = (text: string): string[] => text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];

/** Why a client certificate is refused, or undefined when it is accepted (pure: exported for its tests). */
export function certificateProblem(clientPem: string, anchors: readonly X509Certificate[], crl: string | undefined, now: Date): string | undefined {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(clientPem);
  } catch {
    return 'the client certificate is not a PEM X.509 certificate';
  }
  if (!/(?:^|\n)CN=/.test(cert.subject)) return 'the client certificate has no common name';
  if (now < new Date(cert.validFrom) || now > new Date(cert.validTo)) return 'the client certificate is not valid now';
  if (!anchors.some((ca) => cert.checkIssued(ca) && cert.verify(ca.publicKey))) return 'the client certificate is not issued by the client root certificate authority';
  if (crl && revokedSerials(crl).has(serialKey(cert.serialNumber))) return 'the client certificate is revoked';
  return undefined;
}

const commonNameOf = (pem: string): string => /(?:^|\n)CN=([^\n]+)/.exec(new X509Certificate(pem).subject)?.[1] ?? '';

// -------------------------------------------------------------------------------------------
// Connection logs.

const logTime = (d: Date): string => d.toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, '');

/** One connection log event, in AWS's format: every key present, `NA` where unknown. */
function logEvent(e: EndpointRecord, c: Partial<ConnectionRecord> & { ConnectionId: string }, now: Date, status: string, failure: string, end?: Date): string {
  const start = c.EstablishedAt ? new Date(c.EstablishedAt) : now;
  return JSON.stringify({
    'connection-log-type': 'connection-attempt',
    'connection-attempt-status': status,
    'connection-reset-status': 'NA',
    'connection-attempt-failure-reason': failure,
    'connection-id': c.ConnectionId,
    'client-vpn-endpoint-id': e.ClientVpnEndpointId,
    'transport-protocol': e.TransportProtocol,
    'connection-start-time': logTime(start),
    'connection-last-update-time': logTime(end ?? now),
    'client-ip': c.ClientIp ?? 'NA',
    'common-name': c.CommonName || 'NA',
    'device-type': c.DeviceType ?? 'NA',
    'device-ip': c.PublicIp ?? 'NA',
    'port': String(e.VpnPort),
    'ingress-bytes': '0',
    'egress-bytes': '0',
    'ingress-packets': '0',
    'egress-packets': '0',
    'connection-end-time': end ? logTime(end) : 'NA',
    'connection-duration-seconds': end ? String(Math.round((end.getTime() - start.getTime()) / 1000)) : '0',
    'posture-compliance-statuses': c.PostureComplianceStatuses?.length ? [...c.PostureComplianceStatuses] : 'NA',
    'username': c.Username ?? 'NA',
  });
}

async function writeLog(ctx: ServiceContext, e: EndpointRecord, message: string): Promise<void> {
  const { Enabled, CloudwatchLogGroup, CloudwatchLogStream } = e.ConnectionLog;
  if (!Enabled || !CloudwatchLogGroup || !CloudwatchLogStream) return;
  await (await asClientVpn(ctx)).call('logs', 'PutLogEvents', { logGroupName: CloudwatchLogGroup, logStreamName: CloudwatchLogStream, logEvents: [{ timestamp: ctx.now.getTime(), message }] });
}

// -------------------------------------------------------------------------------------------
// The connect handler.

interface HandlerVerdict {
  readonly allow: boolean;
  readonly reason?: string;
  readonly message?: string;
  readonly posture: readonly string[];
}

/** Invoke the handler as AWSServiceRoleForClientVPNConnections; anything but a well-formed allow denies. */
async function askConnectHandler(ctx: ServiceContext, e: EndpointRecord, request: object): Promise<HandlerVerdict> {
  const service = await asClientVpnConnections(ctx);
  let out: { FunctionError?: string; Payload?: Uint8Array };
  try {
    out = await service.call('lambda', 'Invoke', { FunctionName: e.ClientConnect.LambdaFunctionArn, Payload: new TextEncoder().encode(JSON.stringify(request)) });
  } catch (err) {
    if (err instanceof AwsError && /TooManyRequests/.test(err.code)) return { allow: false, reason: 'client-connect-handler-throttled', posture: [] };
    if (err instanceof AwsError) return { allow: false, reason: 'client-connect-handler-service-error', posture: [] };
    throw err;
  }
  const text = Buffer.from(out.Payload ?? new Uint8Array()).toString('utf8');
  if (out.FunctionError) return { allow: false, reason: /Sandbox\.Timedout|timed out/.test(text) ? 'client-connect-handler-timed-out' : 'client-connect-handler-other-execution-error', posture: [] };
  let answer: Record<string, unknown>;
  try {
    answer = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return { allow: false, reason: 'client-connect-handler-invalid-response', posture: [] };
  }
  const posture = answer['posture-compliance-statuses'];
  const message = answer['error-msg-on-denied-connection'];
  const wellFormed =
    typeof answer.allow === 'boolean' &&
    typeof message === 'string' &&
    message.length <= 255 &&
    Array.isArray(posture) &&
    posture.length <= 10 &&
    posture.every((p) => typeof p === 'string' && p.length <= 255) &&
    typeof answer['schema-version'] === 'string';
  if (!wellFormed) return { allow: false, reason: 'client-connect-handler-invalid-response', posture: [] };
  if (!answer.allow) return { allow: false, reason: 'client-connect-failed', message: (message) || DEFAULT_DENIED, posture: posture as string[] };
  return { allow: true, posture: posture as string[] };
}

// -------------------------------------------------------------------------------------------
// Addresses.

const numberToIp = (n: number): string => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');

/** The lowest free client address (the first two of the CIDR are the endpoint's own: a choice). */
function assignAddress(e: EndpointRecord, active: readonly ConnectionRecord[]): string {
  const c = parseCidr(e.ClientCidrBlock)!;
  const used = new Set(active.map((x) => x.ClientIp));
  for (let n = c.base + 2; n < c.base + cidrSize(c) - 1; n++) {
    const ip = numberToIp(n);
    if (!used.has(ip)) return ip;
  }
  throw new AwsError('ClientVpnConnectionLimitExceeded', `The client CIDR ${e.ClientCidrBlock} has no free address.`);
}

export async function connectionsOf(ctx: ServiceContext, endpointId: string): Promise<ConnectionRecord[]> {
  return ctx.tx.list<ConnectionRecord>(ctx.caller.account, CONNECTION_KIND, { parent: endpointId });
}

/** End connections (termination, or the endpoint losing its last target network). */
export async function endConnections(ctx: ServiceContext, e: EndpointRecord, which: readonly ConnectionRecord[]): Promise<void> {
  for (const c of which) {
    await ctx.tx.update<ConnectionRecord>(ctx.caller.account, CONNECTION_KIND, c.ConnectionId, { ...c, EndedAt: ctx.now.toISOString() });
    await writeLog(ctx, e, logEvent(e, c, ctx.now, 'successful', 'NA', ctx.now));
  }
}

// -------------------------------------------------------------------------------------------
// Operations.

function connectionOutput(c: ConnectionRecord, now: Date): ClientVpnConnection {
  const ended = c.EndedAt !== undefined;
  return {
    ClientVpnEndpointId: c.ClientVpnEndpointId,
    Timestamp: logTime(now),
    ConnectionId: c.ConnectionId,
    ...(c.Username ? { Username: c.Username } : {}),
    ConnectionEstablishedTime: logTime(new Date(c.EstablishedAt)),
    IngressBytes: '0',
    EgressBytes: '0',
    IngressPackets: '0',
    EgressPackets: '0',
    ClientIp: c.ClientIp,
    CommonName: c.CommonName,
    Status: { Code: ended ? 'terminated' : 'active' },
    ...(ended ? { ConnectionEndTime: logTime(new Date(c.EndedAt)) } : {}),
    PostureComplianceStatuses: [...c.PostureComplianceStatuses],
  };
}

export const connectionHandlers: Record<string, Handler> = {
  async DescribeClientVpnConnections(input: DescribeClientVpnConnectionsCommandInput, ctx: ServiceContext): Promise<Out<DescribeClientVpnConnectionsCommandOutput>> {
    const arn = endpointArn(ctx, input.ClientVpnEndpointId!);
    await dryRun(ctx, input, 'ec2:DescribeClientVpnConnections', arn);
    await ctx.authorize('ec2:DescribeClientVpnConnections', arn);
    const e = await getEndpoint(ctx, input.ClientVpnEndpointId!);
    const visible = (await connectionsOf(ctx, e.ClientVpnEndpointId)).filter((c) => !c.EndedAt || ctx.now.getTime() - Date.parse(c.EndedAt) < TERMINATED_VISIBLE_MS);
    const keep = filterPredicate<ConnectionRecord & { Tags: readonly Tag[] }>(input.Filters, {
      'connection-id': (c) => [c.ConnectionId],
      'username': (c) => [c.Username],
    });
    const page = pageOf(visible.map((c) => ({ ...c, Tags: [] as Tag[] })).filter(keep), input);
    return { Connections: page.items.map((c) => connectionOutput(c, ctx.now)), ...(page.NextToken ? { NextToken: page.NextToken } : {}) };
  },

  async TerminateClientVpnConnections(input: TerminateClientVpnConnectionsCommandInput, ctx: ServiceContext): Promise<Out<TerminateClientVpnConnectionsCommandOutput>> {
    const arn = endpointArn(ctx, input.ClientVpnEndpointId!);
    await dryRun(ctx, input, 'ec2:TerminateClientVpnConnections', arn);
    await ctx.authorize('ec2:TerminateClientVpnConnections', arn);
    const e = await getEndpoint(ctx, input.ClientVpnEndpointId!);
    if (Boolean(input.ConnectionId) === Boolean(input.Username)) throw invalidParameterValue('You must specify either a connection ID or a user name.');
    const all = await connectionsOf(ctx, e.ClientVpnEndpointId);
    let chosen: ConnectionRecord[];
    if (input.ConnectionId) {
      const c = all.find((x) => x.ConnectionId === input.ConnectionId);
      if (!c) throw new AwsError('InvalidClientVpnConnection.IdNotFound', `Connection ${input.ConnectionId} does not exist`);
      chosen = [c];
    } else {
      chosen = all.filter((x) => x.Username === input.Username && !x.EndedAt);
      if (chosen.length === 0) throw new AwsError('InvalidClientVpnConnection.UserNotFound', `User ${input.Username ?? ''} has no connections`);
      if (chosen.length > TERMINATE_BY_USER_MAX) throw new AwsError('ClientVpnTerminateConnectionsLimitExceeded', `User ${input.Username ?? ''} has more than ${TERMINATE_BY_USER_MAX} connections; terminate them by connection ID.`);
    }
    const statuses = chosen.map((c) => ({
      ConnectionId: c.ConnectionId,
      PreviousStatus: { Code: c.EndedAt ? ('terminated' as const) : ('active' as const) },
      CurrentStatus: { Code: c.EndedAt ? ('terminated' as const) : ('terminating' as const) },
    }));
    await endConnections(ctx, e, chosen.filter((c) => !c.EndedAt));
    return { ClientVpnEndpointId: e.ClientVpnEndpointId, ...(input.Username ? { Username: input.Username } : {}), ConnectionStatuses: statuses };
  },
};

export const connectionGatehouseOperations: Record<string, Handler> = {
  async ConnectClientVpnClient(input: ConnectInput, ctx: ServiceContext): Promise<ConnectOutput> {
    // A client connecting is authenticated by its certificate, not by IAM: the caller (a
    // principal of the endpoint's account, driving the client) needs no permission.
    ctx.noPermissionRequired('A VPN client is authenticated by its certificate, not by an IAM policy.');
    if (!input.ClientVpnEndpointId) throw new AwsError('MissingParameter', 'The request must contain the parameter ClientVpnEndpointId');
    const e = await getEndpoint(ctx, input.ClientVpnEndpointId);
    if (endpointStatus(e, ctx.now) !== 'available') return { Status: 'failed', FailureReason: 'endpoint-unavailable', Message: `Endpoint ${e.ClientVpnEndpointId} has no associated target network.` };
    if (e.Authentication.some((a) => a.Type === 'federated-authentication')) {
      throw invalidParameterValue(`Gatehouse does not simulate SAML federated sign-in (a browser and an identity provider); endpoint ${e.ClientVpnEndpointId} requires it.`);
    }
    const mutual = e.Authentication.find((a) => a.ClientRootCertificateChainArn);
    const directory = e.Authentication.find((a) => a.DirectoryId);
    const pem = input.ClientCertificate ?? '';
    if (mutual) {
      const rootCert = await (await asClientVpn(ctx)).call<{ Certificate?: string; CertificateChain?: string }>('acm', 'GetCertificate', { CertificateArn: mutual.ClientRootCertificateChainArn });
      const anchors = splitPem(`${rootCert.Certificate ?? ''}\n${rootCert.CertificateChain ?? ''}`).map((p) => new X509Certificate(p));
      const problem = certificateProblem(pem, anchors, e.CertificateRevocationList?.Pem, ctx.now);
      // Failed mutual authentication is not logged (AWS Client VPN administrator guide, "Connection logging").
      if (problem) return { Status: 'failed', FailureReason: 'authentication-failed', Message: problem };
    }
    let user: { Username: string; Groups: readonly string[] } | undefined;
    if (directory) {
      if (!input.Username || input.Password === undefined) return { Status: 'failed', FailureReason: 'authentication-failed', Message: 'A user name and password are required' };
      const signIn = await (await asClientVpn(ctx)).call<{ Authenticated: boolean; GroupSids?: string[]; Reason?: string }>('ds', 'AuthenticateUser', { DirectoryId: directory.DirectoryId, UserName: input.Username, Password: input.Password });
      // A failed sign-in is not logged either (a choice, as for certificates).
      if (!signIn.Authenticated) return { Status: 'failed', FailureReason: 'authentication-failed', Message: `The directory refused the sign-in (${signIn.Reason ?? 'unknown'})` };
      user = { Username: input.Username, Groups: signIn.GroupSids ?? [] };
    }
    const id = `cvpn-connection-${randomBytes(9).toString('hex').slice(0, 17)}`;
    const active = (await connectionsOf(ctx, e.ClientVpnEndpointId)).filter((c) => !c.EndedAt);
    const base = {
      ConnectionId: id,
      CommonName: mutual ? commonNameOf(pem) : '',
      ...(user ? { Username: user.Username, Groups: user.Groups } : {}),
      PublicIp: input.PublicIp ?? ctx.sourceIp,
      DeviceType: input.Platform ?? 'NA',
    };
    let posture: readonly string[] = [];
    if (e.ClientConnect.Enabled && e.ClientConnect.LambdaFunctionArn) {
      const verdict = await askConnectHandler(ctx, e, {
        'connection-id': id,
        'endpoint-id': e.ClientVpnEndpointId,
        'common-name': base.CommonName,
        'username': user?.Username ?? '',
        'platform': input.Platform ?? '',
        'platform-version': input.PlatformVersion ?? '',
        'public-ip': base.PublicIp,
        'client-openvpn-version': input.ClientOpenVpnVersion ?? '',
        'groups': user ? user.Groups.join(',') : '',
        'schema-version': 'v2',
      });
      if (!verdict.allow) {
        await writeLog(ctx, e, logEvent(e, { ...base, PostureComplianceStatuses: verdict.posture }, ctx.now, 'failed', verdict.reason!));
        return { Status: 'failed', FailureReason: verdict.reason!, Message: verdict.message ?? DEFAULT_DENIED, PostureComplianceStatuses: verdict.posture };
      }
      posture = verdict.posture;
    }
    const associated = e.Associations.filter((a) => associationState(a, ctx.now) === 'associated');
    const landing = associated.find((a) => a.SubnetId === input.SubnetId) ?? associated[0]!;
    if (input.SubnetId && landing.SubnetId !== input.SubnetId) throw invalidParameterValue(`Subnet ${input.SubnetId} is not associated with endpoint ${e.ClientVpnEndpointId}`);
    const record: ConnectionRecord = {
      ...base,
      SubnetId: landing.SubnetId,
      ClientVpnEndpointId: e.ClientVpnEndpointId,
      Region: ctx.region,
      ClientIp: assignAddress(e, active),
      EstablishedAt: ctx.now.toISOString(),
      PostureComplianceStatuses: posture,
    };
    await ctx.tx.insert(ctx.caller.account, CONNECTION_KIND, id, record, { parent: e.ClientVpnEndpointId });
    await writeLog(ctx, e, logEvent(e, record, ctx.now, 'successful', 'NA'));
    return { Status: 'active', ConnectionId: id, ClientIp: record.ClientIp, PostureComplianceStatuses: posture };
  },
};
