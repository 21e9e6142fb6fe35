/** IAM: role policies (operations are added here by the family's owner). */
import type { Handler } from '../types.js';

export const rolePoliciesHandlers: Record<string, Handler> = {};
