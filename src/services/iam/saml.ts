/** IAM: saml (operations are added here by the family's owner). */
import type { Handler } from '../types.js';

export const samlHandlers: Record<string, Handler> = {};
