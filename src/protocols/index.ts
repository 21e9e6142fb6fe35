/** The codec for each wire protocol a service model names. */
import { queryCodec } from './query.js';
import { ec2Codec } from './ec2.js';
import { jsonCodec } from './json.js';
import type { Codec } from './types.js';
import type { Protocol } from '../models/index.js';
import { AwsError } from '../models/errors.js';

/** rest-json (Lambda) arrives with the Client VPN issue; until then its calls are refused plainly. */
const restJsonPending: Codec = {
  operationName: () => undefined,
  decode: () => {
    throw new AwsError('UnknownOperationException', 'rest-json services are not served yet');
  },
  encodeOutput: (...args) => jsonCodec.encodeOutput(...args),
  encodeError: (...args) => jsonCodec.encodeError(...args),
};

export const CODECS: Readonly<Record<Protocol, Codec>> = {
  query: queryCodec,
  ec2: ec2Codec,
  json: jsonCodec,
  'rest-json': restJsonPending,
};

export type { Codec, WireRequest, WireResponse } from './types.js';
