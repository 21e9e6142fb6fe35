/**
 * SAML and OpenID Connect identity providers against the real server.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  AddClientIDToOpenIDConnectProviderCommand,
  CreateOpenIDConnectProviderCommand,
  CreateSAMLProviderCommand,
  DeleteOpenIDConnectProviderCommand,
  DeleteSAMLProviderCommand,
  GetOpenIDConnectProviderCommand,
  GetSAMLProviderCommand,
  ListOpenIDConnectProvidersCommand,
  ListSAMLProvidersCommand,
  RemoveClientIDFromOpenIDConnectProviderCommand,
  UpdateOpenIDConnectProviderThumbprintCommand,
  UpdateSAMLProviderCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { ACCOUNT, awsCli, boto3, startServer, type Running } from '../../helpers/server.js';
import { iamClient, rejects } from './helpers.js';

/** IdP metadata as an IdP publishes it (IAM requires at least 1,000 characters). */
function metadata(entityId: string, validUntil?: string): string {
  const cert = 'MIIC'.padEnd(900, 'A');
  return `<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="${entityId}"${validUntil ? ` validUntil="${validUntil}"` : ''}>
  <md:IDPSSODescriptor WantAuthnRequestsSigned="false" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing">
      <ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>${cert}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>
    </md:KeyDescriptor>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.com/sso"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>`;
}

describe('IAM identity providers', () => {
  let server: Running;
  let iam: IAMClient;
  before(async () => {
    server = await startServer();
    iam = iamClient(server.endpoint);
  });
  after(async () => server.close());

  it('SAML providers: create, read, list, update, delete', async () => {
    const doc = metadata('https://idp.example.com/metadata');
    const created = await iam.send(new CreateSAMLProviderCommand({ Name: 'Corp-IdP', SAMLMetadataDocument: doc, Tags: [{ Key: 'env', Value: 'prod' }] }));
    const arn = `arn:aws:iam::${ACCOUNT}:saml-provider/Corp-IdP`;
    assert.equal(created.SAMLProviderArn, arn);
    assert.deepEqual(created.Tags, [{ Key: 'env', Value: 'prod' }]);

    const got = await iam.send(new GetSAMLProviderCommand({ SAMLProviderArn: arn }));
    assert.equal(got.SAMLMetadataDocument, doc);
    assert.equal(got.AssertionEncryptionMode, 'Allowed');
    assert.deepEqual([got.Tags, got.PrivateKeyList], [[{ Key: 'env', Value: 'prod' }], []]);
    assert.match(got.SAMLProviderUUID!, /^[A-Z0-9]{22,64}$/);
    assert.ok(got.ValidUntil!.getTime() > got.CreateDate!.getTime());

    await rejects(iam.send(new CreateSAMLProviderCommand({ Name: 'corp-idp', SAMLMetadataDocument: doc })), 'EntityAlreadyExists', /corp-idp/, 409);
    await rejects(iam.send(new CreateSAMLProviderCommand({ Name: 'broken', SAMLMetadataDocument: `<md:EntityDescriptor>${'x'.repeat(1000)}` })), 'InvalidInput', 'Could not parse metadata', 400);
    await rejects(iam.send(new CreateSAMLProviderCommand({ Name: 'not-saml', SAMLMetadataDocument: `<root>${'x'.repeat(1000)}</root>` })), 'InvalidInput', 'Could not parse metadata');

    // validUntil in the metadata becomes the provider's ValidUntil.
    await iam.send(new UpdateSAMLProviderCommand({ SAMLProviderArn: arn, SAMLMetadataDocument: metadata('https://idp.example.com/metadata', '2031-01-02T03:04:05Z') }));
    const updated = await iam.send(new GetSAMLProviderCommand({ SAMLProviderArn: arn }));
    assert.equal(updated.ValidUntil!.toISOString(), '2031-01-02T03:04:05.000Z');
    const list = (await iam.send(new ListSAMLProvidersCommand({}))).SAMLProviderList!;
    assert.deepEqual(list.map((p) => [p.Arn, p.ValidUntil!.toISOString()]), [[arn, '2031-01-02T03:04:05.000Z']]);

    // boto3 parses the same answer.
    const py = await boto3(server.endpoint, `r = client('iam').get_saml_provider(SAMLProviderArn='${arn}')\nprint(json.dumps([r['ValidUntil'].isoformat(), len(r['SAMLMetadataDocument'])]))`);
    assert.deepEqual(JSON.parse(py), ['2031-01-02T03:04:05+00:00', updated.SAMLMetadataDocument!.length]);

    await iam.send(new DeleteSAMLProviderCommand({ SAMLProviderArn: arn }));
    await rejects(iam.send(new GetSAMLProviderCommand({ SAMLProviderArn: arn })), 'NoSuchEntity', `Manifest not found for arn ${arn}`, 404);
    await rejects(iam.send(new DeleteSAMLProviderCommand({ SAMLProviderArn: arn })), 'NoSuchEntity', `Manifest not found for arn ${arn}`);
  });

  it('OpenID Connect providers: create, read, list, change, delete', async () => {
    const thumb = 'a'.repeat(40);
    const created = await iam.send(new CreateOpenIDConnectProviderCommand({ Url: 'https://token.example.com/tenant/', ClientIDList: ['sts.amazonaws.com'], ThumbprintList: [thumb] }));
    const arn = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.example.com/tenant`;
    assert.equal(created.OpenIDConnectProviderArn, arn);
    const got = await iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn }));
    assert.deepEqual([got.Url, got.ClientIDList, got.ThumbprintList, got.Tags], ['token.example.com/tenant', ['sts.amazonaws.com'], [thumb], []]);

    await rejects(
      iam.send(new CreateOpenIDConnectProviderCommand({ Url: 'https://token.example.com/tenant', ThumbprintList: [thumb] })),
      'EntityAlreadyExists',
      'Provider with url https://token.example.com/tenant already exists.',
      409,
    );
    await rejects(iam.send(new CreateOpenIDConnectProviderCommand({ Url: 'http://insecure.example.com' })), 'ValidationError', 'Invalid Open ID Connect Provider URL', 400);
    await rejects(
      iam.send(new CreateOpenIDConnectProviderCommand({ Url: 'https://many.example.com', ThumbprintList: Array.from({ length: 6 }, (_, i) => String(i).repeat(40)) })),
      'InvalidInput',
      'Thumbprint list must contain fewer than 5 entries.',
    );

    await iam.send(new AddClientIDToOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn, ClientID: 'my-app' }));
    await iam.send(new AddClientIDToOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn, ClientID: 'my-app' }));
    await iam.send(new RemoveClientIDFromOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn, ClientID: 'sts.amazonaws.com' }));
    await iam.send(new UpdateOpenIDConnectProviderThumbprintCommand({ OpenIDConnectProviderArn: arn, ThumbprintList: ['c'.repeat(40), 'd'.repeat(40)] }));
    const changed = await iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn }));
    assert.deepEqual([changed.ClientIDList, changed.ThumbprintList], [['my-app'], ['c'.repeat(40), 'd'.repeat(40)]]);

    const cli = await awsCli(server.endpoint, ['iam', 'list-open-id-connect-providers']);
    assert.equal(cli.code, 0, cli.stderr);
    assert.deepEqual(JSON.parse(cli.stdout), { OpenIDConnectProviderList: [{ Arn: arn }] });
    assert.deepEqual((await iam.send(new ListOpenIDConnectProvidersCommand({}))).OpenIDConnectProviderList, [{ Arn: arn }]);

    await iam.send(new DeleteOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn }));
    await rejects(iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn })), 'NoSuchEntity', `OpenIDConnect Provider not found for arn ${arn}`, 404);
    await rejects(iam.send(new DeleteOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn })), 'NoSuchEntity', `OpenId connect Provider ${arn} cannot be found.`);
  });
});
