/**
 * Identity Store tests: IAM Identity Center (sso-admin) creates identity stores; until it
 * is here, a stand-in service does, through `createIdentityStore` as sso-admin will. Its
 * Gatehouse operation `POST /_gatehouse/idstore-standin/CreateIdentityStore` answers
 * `{ IdentityStoreId }` (root-signed, for the request's region).
 */
import assert from 'node:assert/strict';
import { createIdentityStore } from '../../../src/services/identitystore/index.js';
import type { ServiceContext, ServiceDefinition } from '../../../src/services/types.js';
import { signedRequest } from '../../helpers/sign.js';
import { startServer, type Running } from '../../helpers/server.js';

export function identityStoreStandIn(): ServiceDefinition {
  return {
    // Any model: the stand-in answers only its Gatehouse operation (not sso-admin's, so
    // that the identitystore entry of implementedOperations stays the real service's).
    model: 'sso-admin',
    signingNames: ['idstore-standin'],
    eventSource: 'sso.amazonaws.com',
    handlers: {},
    gatehouseOperations: {
      async CreateIdentityStore(_input: object, ctx: ServiceContext) {
        ctx.noPermissionRequired('test stand-in for IAM Identity Center CreateInstance');
        return { IdentityStoreId: await createIdentityStore(ctx.tx, ctx.caller.account, ctx.region, ctx.now) };
      },
    },
  };
}

export const startWithStandIn = (): Promise<Running> => startServer({ extraServices: [identityStoreStandIn()] });

/** A new identity store in the default account (us-east-1 unless told). */
export async function newIdentityStore(endpoint: string, region?: string): Promise<string> {
  const res = await signedRequest(endpoint, { service: 'idstore-standin', path: '/_gatehouse/idstore-standin/CreateIdentityStore', body: '{}', headers: { 'content-type': 'application/json' }, ...(region ? { region } : {}) });
  assert.equal(res.status, 200, res.body);
  return (JSON.parse(res.body) as { IdentityStoreId: string }).IdentityStoreId;
}
