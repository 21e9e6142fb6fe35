/** The codec for each wire protocol a service model names. */
import { queryCodec } from './query.js';
import { ec2Codec } from './ec2.js';
import { jsonCodec } from './json.js';
import { restJsonCodec } from './rest-json.js';
import type { Codec } from './types.js';
import type { Protocol } from '../models/index.js';

export const CODECS: Readonly<Record<Protocol, Codec>> = {
  query: queryCodec,
  ec2: ec2Codec,
  json: jsonCodec,
  'rest-json': restJsonCodec,
};

export type { Codec, WireRequest, WireResponse } from './types.js';
