/**
 * What clients need: the `.ovpn` configuration export and the client certificate
 * revocation list (connections are in connections.ts).
 */
import type {
  ExportClientVpnClientCertificateRevocationListCommandInput,
  ExportClientVpnClientCertificateRevocationListCommandOutput,
  ExportClientVpnClientConfigurationCommandInput,
  ExportClientVpnClientConfigurationCommandOutput,
  ImportClientVpnClientCertificateRevocationListCommandInput,
  ImportClientVpnClientCertificateRevocationListCommandOutput,
} from '@aws-sdk/client-ec2';
import { X509Certificate } from 'node:crypto';
import { AwsError } from '../../../models/errors.js';
import { dryRun, invalidParameterValue } from '../common.js';
import type { Handler, ServiceContext } from '../../types.js';
import { dnsNameOf, endpointArn, getEndpoint, saveEndpoint, type EndpointRecord } from './records.js';
import { asClientVpn } from './service-steps.js';
import { settled } from './timing.js';

type Out<T> = Omit<T, '$metadata'>;

/** AWS's limit on CRL entries per endpoint. */
export const CRL_MAX_BYTES = 5 * 1024 * 1024;

/**
 * The `.ovpn` text AWS produces (clientvpn.md §12): the base template with the server
 * certificate's issuing chain as `<ca>`, the endpoint's DNS name without the wildcard
 * label, and the lines each user-based method needs. Mutual authentication adds nothing:
 * the administrator appends the client's `<cert>` and `<key>`.
 */
export function ovpnText(e: EndpointRecord, caChain: string, serverCn: string | undefined): string {
  const lines = [
    'client',
    'dev tun',
    `proto ${e.TransportProtocol}`,
    `remote ${dnsNameOf(e.ClientVpnEndpointId, e.Region)} ${e.VpnPort}`,
    'remote-random-hostname',
    'resolv-retry infinite',
    'nobind',
    'remote-cert-tls server',
    'cipher AES-256-GCM',
    'verb 3',
    '<ca>',
    caChain.trim(),
    '</ca>',
  ];
  const types = e.Authentication.map((a) => a.Type);
  if (types.includes('directory-service-authentication') || types.includes('federated-authentication')) lines.push('auth-user-pass');
  if (types.includes('federated-authentication')) lines.push('auth-federate');
  lines.push('', 'reneg-sec 0');
  if (serverCn) lines.push('', `verify-x509-name ${serverCn} name`);
  return `${lines.join('\n')}\n`;
}

function commonName(pem: string): string | undefined {
  try {
    return /(?:^|\n)CN=([^\n]+)/.exec(new X509Certificate(pem).subject)?.[1];
  } catch {
    return undefined;
  }
}

const PEM_CRL = /^-----BEGIN X509 CRL-----\r?\n([A-Za-z0-9+/=\r\n]+)-----END X509 CRL-----\s*$/;

export const clientConfigurationHandlers: Record<string, Handler> = {
  async ExportClientVpnClientConfiguration(input: ExportClientVpnClientConfigurationCommandInput, ctx: ServiceContext): Promise<Out<ExportClientVpnClientConfigurationCommandOutput>> {
    const arn = endpointArn(ctx, input.ClientVpnEndpointId!);
    await dryRun(ctx, input, 'ec2:ExportClientVpnClientConfiguration', arn);
    await ctx.authorize('ec2:ExportClientVpnClientConfiguration', arn);
    const e = await getEndpoint(ctx, input.ClientVpnEndpointId!);
    // The server certificate and its chain, read from ACM as the service's role.
    const cert = await (await asClientVpn(ctx)).call<{ Certificate?: string; CertificateChain?: string }>('acm', 'GetCertificate', { CertificateArn: e.ServerCertificateArn });
    const chain = cert.CertificateChain ?? cert.Certificate ?? '';
    return { ClientConfiguration: ovpnText(e, chain, cert.Certificate ? commonName(cert.Certificate) : undefined) };
  },

  async ImportClientVpnClientCertificateRevocationList(input: ImportClientVpnClientCertificateRevocationListCommandInput, ctx: ServiceContext): Promise<Out<ImportClientVpnClientCertificateRevocationListCommandOutput>> {
    const arn = endpointArn(ctx, input.ClientVpnEndpointId!);
    await dryRun(ctx, input, 'ec2:ImportClientVpnClientCertificateRevocationList', arn);
    await ctx.authorize('ec2:ImportClientVpnClientCertificateRevocationList', arn);
    const e = await getEndpoint(ctx, input.ClientVpnEndpointId!);
    const pem = input.CertificateRevocationList ?? '';
    const m = PEM_CRL.exec(pem.trim() + '\n');
    const der = m ? Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64') : Buffer.alloc(0);
    // A DER CRL is an ASN.1 SEQUENCE (0x30); anything else is not a CRL.
    if (!m || der.length < 2 || der[0] !== 0x30) throw invalidParameterValue('The certificate revocation list is not a valid PEM-encoded X.509 CRL.');
    if (pem.length > CRL_MAX_BYTES) throw new AwsError('ClientVpnCertificateRevocationListLimitExceeded', 'The certificate revocation list is too large.');
    // An import replaces the previous list (and resets connections in AWS).
    await saveEndpoint(ctx, { ...e, CertificateRevocationList: { Pem: pem, Since: ctx.now.toISOString() } });
    return { Return: true };
  },

  async ExportClientVpnClientCertificateRevocationList(input: ExportClientVpnClientCertificateRevocationListCommandInput, ctx: ServiceContext): Promise<Out<ExportClientVpnClientCertificateRevocationListCommandOutput>> {
    const arn = endpointArn(ctx, input.ClientVpnEndpointId!);
    await dryRun(ctx, input, 'ec2:ExportClientVpnClientCertificateRevocationList', arn);
    await ctx.authorize('ec2:ExportClientVpnClientCertificateRevocationList', arn);
    const e = await getEndpoint(ctx, input.ClientVpnEndpointId!);
    const crl = e.CertificateRevocationList;
    if (!crl) return {};
    return { CertificateRevocationList: crl.Pem, Status: { Code: settled('crl', crl.Since, ctx.now) ? 'active' : 'pending' } };
  },
};
