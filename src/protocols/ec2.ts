/**
 * ec2 (EC2, API version 2016-11-15): form-encoded input with EC2's naming, XML output
 * `<OpResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId/>members`
 * (no Result wrapper), errors `<Response><Errors><Error><Code/><Message/></Error></Errors><RequestID/>`.
 * The model's namespace lacks the trailing slash AWS's responses carry; it is fixed here.
 */
import { escapeXml, XmlWriter } from './xml.js';
import { decodeForm } from './form.js';
import { paramsOf } from './query.js';
import { decodeViolations, validateInput, validationError } from './validate.js';
import { errorStatus } from './errors.js';
import type { Codec, WireResponse } from './types.js';
import type { ServiceModel } from '../models/index.js';
import type { AwsError } from '../models/errors.js';

const NAMESPACE = 'http://ec2.amazonaws.com/doc/2016-11-15/';
const writers = new WeakMap<ServiceModel, XmlWriter>();
const writer = (m: ServiceModel): XmlWriter => writers.get(m) ?? (writers.set(m, new XmlWriter(m)), writers.get(m)!);

export const ec2Codec: Codec = {
  operationName(req) {
    return paramsOf(req).get('Action') ?? undefined;
  },

  decode(req, model, operation) {
    const op = model.operations[operation]!;
    const params = [...paramsOf(req)].filter(([k]) => k !== 'Action' && k !== 'Version');
    const { input, problems } = decodeForm(model, op.input, params, 'ec2');
    // EC2 enforces presence and types, not the other modelled constraints.
    const violations = [...decodeViolations(problems), ...validateInput(model, op.input, input, false)];
    if (violations.length > 0) throw validationError('ec2', violations);
    return input;
  },

  encodeOutput(model, operation, output, requestId): WireResponse {
    const op = model.operations[operation]!;
    const members = op.output ? writer(model).members(op.output, output) : '<return>true</return>';
    const body = `<?xml version="1.0" encoding="UTF-8"?>\n<${operation}Response xmlns="${NAMESPACE}"><requestId>${requestId}</requestId>${members}</${operation}Response>`;
    return { status: 200, headers: { 'content-type': 'text/xml;charset=UTF-8', 'x-amzn-requestid': requestId }, body };
  },

  encodeError(model, e: AwsError, requestId): WireResponse {
    const body =
      `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${escapeXml(e.code)}</Code><Message>${escapeXml(e.message)}</Message></Error></Errors>` +
      `<RequestID>${requestId}</RequestID></Response>`;
    return { status: errorStatus(model, e), headers: { 'content-type': 'text/xml;charset=UTF-8', 'x-amzn-requestid': requestId }, body };
  },
};
