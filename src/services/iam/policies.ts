/** IAM: policies (operations are added here by the family's owner). */
import type { Handler } from '../types.js';

export const policiesHandlers: Record<string, Handler> = {};
