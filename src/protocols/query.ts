/**
 * awsQuery (IAM, STS): form-encoded input named by `Action`, XML output in
 * `<OpResponse xmlns=...><OpResult>...</OpResult><ResponseMetadata><RequestId>`,
 * errors in `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/>`.
 */
import { escapeXml, XmlWriter } from './xml.js';
import { decodeForm, formParams } from './form.js';
import { decodeViolations, validateInput, validationError } from './validate.js';
import { errorFault, errorStatus } from './errors.js';
import type { Codec, WireRequest, WireResponse } from './types.js';
import type { ServiceModel } from '../models/index.js';
import type { AwsError } from '../models/errors.js';

const XML = { 'content-type': 'text/xml' };
const writers = new WeakMap<ServiceModel, XmlWriter>();
const writer = (m: ServiceModel): XmlWriter => writers.get(m) ?? (writers.set(m, new XmlWriter(m)), writers.get(m)!);

/** Form parameters are parsed once per request and shared between naming and decoding. */
const paramCache = new WeakMap<WireRequest, URLSearchParams>();
export function paramsOf(req: WireRequest): URLSearchParams {
  let p = paramCache.get(req);
  if (!p) paramCache.set(req, (p = formParams(req.method, req.query, req.body, req.headers['content-type'])));
  return p;
}

export const queryCodec: Codec = {
  operationName(req) {
    return paramsOf(req).get('Action') ?? undefined;
  },

  decode(req, model, operation) {
    const op = model.operations[operation]!;
    const params = [...paramsOf(req)].filter(([k]) => k !== 'Action' && k !== 'Version');
    const { input, problems } = decodeForm(model, op.input, params, 'query');
    const violations = [...decodeViolations(problems), ...validateInput(model, op.input, input)];
    if (violations.length > 0) throw validationError('query', violations);
    return input;
  },

  encodeOutput(model, operation, output, requestId): WireResponse {
    const op = model.operations[operation]!;
    const ns = model.metadata.xmlNamespace ?? '';
    const result = op.output ? `<${op.resultWrapper ?? `${operation}Result`}>${writer(model).members(op.output, output)}</${op.resultWrapper ?? `${operation}Result`}>` : '';
    const body = `<${operation}Response xmlns="${ns}">${result}<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${operation}Response>`;
    return { status: 200, headers: { ...XML, 'x-amzn-requestid': requestId }, body };
  },

  encodeError(model, e: AwsError, requestId): WireResponse {
    const ns = model.metadata.xmlNamespace ?? '';
    const body =
      `<ErrorResponse xmlns="${ns}"><Error><Type>${errorFault(model, e)}</Type><Code>${escapeXml(e.code)}</Code>` +
      `<Message>${escapeXml(e.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
    return { status: errorStatus(model, e), headers: { ...XML, 'x-amzn-requestid': requestId }, body };
  },
};
