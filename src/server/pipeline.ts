/**
 * One request, start to finish:
 *   route (SigV4 credential scope → service; the protocol's own signal → operation) →
 *   authenticate (resolve the access key, verify the signature) → decode and validate →
 *   run the handler (in one transaction when it writes), which must obtain a policy
 *   decision → encode → record the CloudTrail event.
 */
import { randomUUID } from 'node:crypto';
import { AwsError, COMMON_ERRORS } from '../models/errors.js';
import { loadModel, type ServiceModel } from '../models/index.js';
import { signatureParts, verifySignature, type SignatureParts, type SignedRequest } from '../auth/sigv4.js';
import { denialMessage, type Evaluation } from '../policy/index.js';
import { requestPrincipal, type Caller } from '../auth/caller.js';
import { CODECS } from '../protocols/index.js';
import { paramsOf } from '../protocols/query.js';
import type { Authorizer, AuthorizeOptions, RequestFacts } from '../auth/authorizer.js';
import type { Credentials } from '../auth/credentials.js';
import type { Codec, WireRequest, WireResponse } from '../protocols/types.js';
import type { ServiceCaller, ServiceContext, ServiceDefinition, ServiceHost } from '../services/types.js';
import { AWS_SERVICE_ADDRESS, forwardAccess, serviceRoleSession, type Acting } from '../auth/service-calls.js';
import { validateInput } from '../protocols/validate.js';
import type { Store, Tx } from '../store/index.js';
import type { Trail } from './trail.js';

export interface IncomingCall extends WireRequest {
  readonly rawPath: string;
  readonly rawQuery: string;
  readonly sourceIp: string;
  readonly secure: boolean;
}

const READ_ONLY = /^(Get|List|Describe|Simulate|Lookup|Decode|Search|Export|Filter)/;

export interface PipelineDeps {
  readonly store: Store;
  readonly credentials: Credentials;
  readonly authorizer: Authorizer;
  readonly trail: Trail;
  readonly services: readonly ServiceDefinition[];
  readonly host: ServiceHost;
  readonly log: (msg: string, extra?: object) => void;
  readonly now?: () => Date;
}

interface Routed {
  readonly service: ServiceDefinition;
  readonly model: ServiceModel;
  readonly codec: Codec;
}

export class Pipeline {
  private readonly bySigningName = new Map<string, ServiceDefinition>();

  constructor(private readonly deps: PipelineDeps) {
    for (const s of deps.services) for (const n of s.signingNames) this.bySigningName.set(n, s);
  }

  private route(service: ServiceDefinition): Routed {
    const model = loadModel(service.model);
    return { service, model, codec: CODECS[model.metadata.protocol] };
  }

  /** The JSON-protocol service an X-Amz-Target names, if any. */
  private jsonServiceFor(call: IncomingCall): ServiceDefinition | undefined {
    if (!call.headers['x-amz-target']) return undefined;
    return this.deps.services.find((s) => {
      const r = this.route(s);
      return r.model.metadata.protocol === 'json' && r.codec.operationName(call, r.model) !== undefined;
    }) ?? this.deps.services.find((s) => loadModel(s.model).metadata.protocol === 'json');
  }

  /** Unsigned requests: only the STS operations AWS serves without credentials (form-encoded). */
  private routeUnsigned(call: IncomingCall): Routed | undefined {
    const type = call.headers['content-type'];
    if (call.headers['x-amz-target'] || (call.method === 'POST' && type && !type.startsWith('application/x-www-form-urlencoded'))) return undefined;
    for (const s of this.deps.services) {
      if (!s.unsigned?.length) continue;
      const r = this.route(s);
      const op = r.codec.operationName(call, r.model);
      if (op && s.unsigned.includes(op)) return r;
    }
    return undefined;
  }

  /** The key's credentials, once the request's signature is verified with its secret (AWS's errors otherwise). */
  async authenticate(request: SignedRequest, parts: SignatureParts, now: Date): ReturnType<Credentials['resolve']> {
    const resolved = await this.deps.credentials.resolve(this.deps.store, parts.credential.accessKeyId, parts.sessionToken, now);
    verifySignature(request, parts, resolved.secret, now.getTime());
    return resolved;
  }

  async handle(call: IncomingCall): Promise<WireResponse> {
    const requestId = randomUUID();
    const now = this.deps.now?.() ?? new Date();
    let routed: Routed | undefined;
    let operation: string | undefined;
    let caller: Caller | undefined;
    let input: Record<string, unknown> = {};
    let region = 'us-east-1';
    const resources: { type: string; name: string }[] = [];
    let evaluations = 0;
    try {
      const parts = signatureParts(call, call.query);
      if (parts) {
        const s = this.bySigningName.get(parts.credential.service);
        if (!s) throw new AwsError('UnrecognizedClientException', `No service is signed as ${parts.credential.service}`, { status: 400 });
        routed = this.route(s);
        region = parts.credential.region;
      } else {
        routed = this.routeUnsigned(call);
        if (!routed) {
          // Answer in the protocol the request speaks: JSON for an X-Amz-Target call.
          routed = this.route(this.jsonServiceFor(call) ?? this.deps.services[0]!);
          throw COMMON_ERRORS.missingAuthenticationToken();
        }
      }
      const { service, model, codec } = routed;
      operation = codec.operationName(call, model);
      if (!operation || !model.operations[operation] || !service.handlers[operation]) {
        const name = operation ?? '';
        operation = undefined;
        if (model.metadata.protocol === 'json' || model.metadata.protocol === 'rest-json') {
          const target = call.headers['x-amz-target'];
          throw new AwsError('UnknownOperationException', name ? `Unknown operation ${name}` : target ? `Unknown operation ${target}` : 'Missing X-Amz-Target', { status: 400 });
        }
        throw COMMON_ERRORS.invalidAction(name, paramsOf(call).get('Version') ?? model.metadata.apiVersion);
      }
      if (parts) {
        const resolved = await this.authenticate(call, parts, now);
        caller = resolved.caller;
        // GetAccessKeyLastUsed: recorded outside the request's transaction, never failing it.
        await this.deps.credentials.touch(this.deps.store, resolved.record, { date: now, region: service.globalRegion ?? region, service: parts.credential.service }).catch((e: unknown) => this.deps.log('recording key use failed', { error: String(e) }));
      } else {
        caller = anonymousCaller();
      }
      input = decodeInput(codec, call, model, operation, service);
      const facts: RequestFacts = { sourceIp: call.sourceIp, secureTransport: call.secure, region: service.globalRegion ?? region, now, userAgent: call.headers['user-agent'] ?? '' };
      const handler = service.handlers[operation]!;
      const acting: Acting = { caller: caller, sourceIp: call.sourceIp, invokedBy: '' };
      const run = async (tx: Tx): Promise<object | void> => {
        const ctx = this.context({ requestId, region: service.globalRegion ?? region, acting, tx, now, call, facts, service, resources, onDecision: () => evaluations++ });
        return handler(input, ctx);
      };
      const readOnly = READ_ONLY.test(operation);
      const transactional = service.alwaysTransactional || (!readOnly && !service.nonTransactional?.includes(operation));
      const output = (transactional ? await this.deps.store.transaction(run) : await run(this.deps.store)) ?? {};
      if (evaluations === 0) {
        // Every request needs a policy decision; an operation without one is a bug, never a grant.
        this.deps.log('operation answered without an authorization decision', { service: service.model, operation });
        throw COMMON_ERRORS.internal();
      }
      const response = codec.encodeOutput(model, operation, output as Record<string, unknown>, requestId);
      this.deps.trail.record({ routed, operation, caller, input, output: output as Record<string, unknown>, call, requestId, now, region, resources, readOnly });
      return response;
    } catch (e) {
      const error = e instanceof AwsError ? e : unexpected(e, this.deps.log);
      const { model, codec } = routed ?? this.route(this.deps.services[0]!);
      if (routed && operation && caller) {
        this.deps.trail.record({ routed, operation, caller, input, call, requestId, now, region, resources, readOnly: READ_ONLY.test(operation), error });
      }
      return codec.encodeError(model, error, requestId);
    }
  }

  /**
   * A Gatehouse operation: something AWS does that has no public API of its own (a VPN
   * client connecting to an endpoint; the console's "Enable" button for IAM Identity
   * Center). `POST /_gatehouse/<signing name>/<Operation>` with a JSON body, SigV4-signed
   * for that signing name by a principal of a configured account. The handler runs with a
   * full ServiceContext (its own policy decision, one transaction, downstream calls recorded
   * in CloudTrail); the call itself is not an AWS API call and leaves no event of its own.
   * Answers are JSON; errors `{"__type", "message"}` with their HTTP status.
   */
  async handleGatehouse(call: IncomingCall, signingName: string, operation: string): Promise<WireResponse> {
    const requestId = randomUUID();
    const now = this.deps.now?.() ?? new Date();
    const json = (status: number, body: object): WireResponse => ({ status, headers: { 'content-type': 'application/json', 'x-amzn-requestid': requestId }, body: Buffer.from(JSON.stringify(body)) });
    try {
      const service = this.bySigningName.get(signingName);
      const handler = service?.gatehouseOperations?.[operation];
      if (!service || !handler) return json(404, { __type: 'UnknownOperationException', message: `Unknown Gatehouse operation ${signingName}/${operation}` });
      const parts = signatureParts(call, call.query);
      if (!parts) throw COMMON_ERRORS.missingAuthenticationToken();
      if (parts.credential.service !== signingName) throw new AwsError('InvalidSignatureException', `Credential should be scoped to correct service: '${signingName}'.`, { status: 403 });
      const resolved = await this.authenticate(call, parts, now);
      let input: Record<string, unknown>;
      try {
        input = call.body.length ? (JSON.parse(call.body.toString('utf8')) as Record<string, unknown>) : {};
      } catch {
        throw new AwsError('SerializationException', 'The request body is not valid JSON');
      }
      const region = parts.credential.region;
      const facts: RequestFacts = { sourceIp: call.sourceIp, secureTransport: call.secure, region, now, userAgent: call.headers['user-agent'] ?? '' };
      let decisions = 0;
      const output = await this.deps.store.transaction(async (tx) => {
        const ctx = this.context({ requestId, region, acting: { caller: resolved.caller, sourceIp: call.sourceIp, invokedBy: '' }, tx, now, call, facts, service, resources: [], onDecision: () => decisions++ });
        return (await handler(input, ctx)) ?? {};
      });
      if (decisions === 0) throw COMMON_ERRORS.internal();
      return json(200, output);
    } catch (e) {
      const error = e instanceof AwsError ? e : unexpected(e, this.deps.log);
      return json(error.options.status ?? 400, { __type: error.code, message: error.message });
    }
  }

  private context(a: {
    requestId: string;
    region: string;
    acting: Acting;
    tx: Tx;
    now: Date;
    call: IncomingCall;
    facts: RequestFacts;
    service: ServiceDefinition;
    resources: { type: string; name: string }[];
    onDecision: () => void;
  }): ServiceContext {
    const { authorizer } = this.deps;
    const { caller, via } = a.acting;
    // A downstream call is evaluated from the calling service's address.
    const facts: RequestFacts = a.acting.invokedBy ? { ...a.facts, sourceIp: a.acting.sourceIp } : a.facts;
    const ctx: ServiceContext = {
      requestId: a.requestId,
      region: a.region,
      caller,
      tx: a.tx,
      now: a.now,
      sourceIp: facts.sourceIp,
      userAgent: a.acting.invokedBy || (a.call.headers['user-agent'] ?? ''),
      services: this.deps.host,
      ...(via ? { via } : {}),
      recordResource: (type, name) => void a.resources.push({ type, name }),
      noPermissionRequired: () => a.onDecision(),
      organizationOf: (account) => authorizer.organizationOf(account, a.tx),
      authorize: async (action: string, resource: string, options?: AuthorizeOptions): Promise<Evaluation> => {
        a.onDecision();
        const { evaluation, context } = await authorizer.decide(a.tx, caller, action, resource, facts, options, via);
        if (evaluation.decision !== 'allowed') {
          const message = denialMessage({ principal: requestPrincipal(caller), action, resource, context }, evaluation);
          throw a.service.accessDenied ? a.service.accessDenied(message, evaluation, { caller, action, resource, context: context.entries() }) : COMMON_ERRORS.accessDenied(message);
        }
        return evaluation;
      },
      onBehalfOf: (service) => this.caller(a, forwardAccess(caller, service, via)),
      asServiceRole: (role, service, sessionName) => this.caller(a, serviceRoleSession(role, service, sessionName, a.now)),
      asCaller: () => this.caller(a, a.acting),
      asAccount: (account, service) => this.caller(a, { caller: { account, type: 'Account', arn: `arn:aws:iam::${account}:root`, userId: account, accessKeyId: '' }, sourceIp: AWS_SERVICE_ADDRESS, invokedBy: service }),
    };
    return ctx;
  }

  /**
   * A downstream call: another service's handler, run in the same transaction (so a
   * denied step undoes the whole request), authorized as `acting`, recorded as its own
   * CloudTrail event with `invokedBy`.
   */
  private caller(parent: Parameters<Pipeline['context']>[0], acting: Acting): ServiceCaller {
    return {
      call: async <O extends object>(serviceModel: string, operation: string, input: object): Promise<O> => {
        const service = this.deps.services.find((s) => s.model === serviceModel);
        const handler = service?.handlers[operation];
        if (!service || !handler) throw new Error(`no handler for ${serviceModel}.${operation}`);
        const model = loadModel(service.model);
        const violations = validateInput(model, model.operations[operation]?.input, input as Record<string, unknown>);
        if (violations.length > 0) throw new Error(`${serviceModel}.${operation} called with invalid input: ${violations.map((v) => v.path).join(', ')}`);
        const requestId = randomUUID();
        const region = service.globalRegion ?? parent.region;
        const resources: { type: string; name: string }[] = [];
        let decisions = 0;
        const ctx = this.context({ ...parent, requestId, region, acting, service, resources, facts: { ...parent.facts, region }, onDecision: () => decisions++ });
        const record = { routed: { service, model }, operation, caller: acting.caller, input: input as Record<string, unknown>, call: parent.call, requestId, now: parent.now, region, resources, readOnly: READ_ONLY.test(operation), invokedBy: acting.invokedBy };
        try {
          const output = ((await handler(input, ctx)) ?? {}) as O;
          if (decisions === 0) throw COMMON_ERRORS.internal();
          this.deps.trail.record({ ...record, output: output as Record<string, unknown> });
          return output;
        } catch (e) {
          if (e instanceof AwsError) this.deps.trail.record({ ...record, error: e });
          throw e;
        }
      },
    };
  }
}

/** The codec's decoding, with the service's own code for a validation failure. */
function decodeInput(codec: Codec, call: IncomingCall, model: ServiceModel, operation: string, service: ServiceDefinition): Record<string, unknown> {
  try {
    return codec.decode(call, model, operation);
  } catch (e) {
    if (service.validationErrorCode && e instanceof AwsError && e.code === 'ValidationException') throw new AwsError(service.validationErrorCode, e.message);
    throw e;
  }
}

function anonymousCaller(): Caller {
  return { account: 'anonymous', type: 'Anonymous', arn: 'anonymous', userId: 'anonymous', accessKeyId: '' };
}

function unexpected(e: unknown, log: PipelineDeps['log']): AwsError {
  log('unexpected error', { error: e instanceof Error ? e.stack : String(e) });
  return COMMON_ERRORS.internal();
}
