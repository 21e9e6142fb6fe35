/** Small builders for policy-engine tests: principals, policies, one-line decisions. */
import {
  compilePolicy,
  evaluate,
  RequestContext,
  type CompiledPolicy,
  type ContextInput,
  type Evaluation,
  type PolicyKind,
  type PolicySet,
  type RequestPrincipal,
} from '../../src/policy/index.js';

export const ACCOUNT = '111122223333';
export const OTHER = '444455556666';

export function user(name = 'alice', account = ACCOUNT): RequestPrincipal {
  return { type: 'User', arn: `arn:aws:iam::${account}:user/${name}`, account };
}

export function session(role = 'app', name = 's1', account = ACCOUNT, path = '/'): RequestPrincipal {
  return {
    type: 'AssumedRole',
    arn: `arn:aws:sts::${account}:assumed-role/${role}/${name}`,
    account,
    roleArn: `arn:aws:iam::${account}:role${path}${role}`,
  };
}

export function root(account = ACCOUNT): RequestPrincipal {
  return { type: 'Account', arn: `arn:aws:iam::${account}:root`, account };
}

export function service(name: string): RequestPrincipal {
  return { type: 'Service', arn: name, account: '' };
}

let n = 0;
/** Compile a document of a kind; ids are unique so tests never share a cache entry by accident. */
export function policy(doc: object, kind: PolicyKind = 'identity', id = `p${++n}`): CompiledPolicy {
  return compilePolicy(doc, { id, kind });
}

export const doc = (...Statement: object[]): object => ({ Version: '2012-10-17', Statement });
export const allowAll = (): CompiledPolicy => policy(doc({ Effect: 'Allow', Action: '*', Resource: '*' }));

export interface Decide {
  principal?: RequestPrincipal;
  action?: string;
  resource?: string;
  resourceAccount?: string;
  context?: ContextInput;
}

export function decide(set: PolicySet, r: Decide = {}): Evaluation {
  return evaluate(
    {
      principal: r.principal ?? user(),
      action: r.action ?? 's3:GetObject',
      resource: r.resource ?? 'arn:aws:s3:::bucket/key',
      ...(r.resourceAccount ? { resourceAccount: r.resourceAccount } : {}),
      context: new RequestContext(r.context ?? {}),
    },
    set,
  );
}

/**
 * Does a single Allow statement with this Condition block allow a request with this
 * context? The unit of the condition-operator tests.
 */
export function condition(block: object, context: ContextInput, version = '2012-10-17'): boolean {
  const p = policy({ Version: version, Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*', Condition: block }] });
  return decide({ identity: [p] }, { context }).decision === 'allowed';
}
