/**
 * What a wire protocol does, and nothing else: find the operation a request names,
 * decode its input against the model, and write an output or an error in the
 * protocol's exact envelope. Codecs never see IAM, EC2 or any service's logic.
 */
import type { AwsError } from '../models/errors.js';
import type { ServiceModel } from '../models/index.js';

export interface WireRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: Buffer;
}

export interface WireResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string | Buffer;
}

export interface Decoded {
  readonly operation: string;
  readonly input: Record<string, unknown>;
}

export interface Codec {
  /** The operation the request names, or undefined (then the codec's InvalidAction). */
  operationName(req: WireRequest, model: ServiceModel): string | undefined;
  /** Decode and validate the input; throws the protocol's validation AwsError. */
  decode(req: WireRequest, model: ServiceModel, operation: string): Record<string, unknown>;
  encodeOutput(model: ServiceModel, operation: string, output: Record<string, unknown>, requestId: string): WireResponse;
  encodeError(model: ServiceModel, error: AwsError, requestId: string): WireResponse;
}
