/**
 * Gatehouse's IAM policy engine: parse, validate, compile, evaluate, explain.
 * Pure: no I/O, no store, no HTTP. See docs/policy-engine-api.md.
 */
export * from './types.js';
export { parsePolicy, PolicyDocumentError, MESSAGES, type ParseOptions } from './parse.js';
export { compilePolicy, compileDocument, CompiledPolicy, CompiledStatement, PolicyGroup, type CompileOptions } from './compile.js';
export { evaluate, Evaluation, type PolicySet } from './evaluate.js';
export { RequestContext, type ContextInput } from './context.js';
export { denialMessage, explain } from './explain.js';
export { POLICY_SIZE_LIMITS, policySize, checkPolicySize, limitFor, type SizeLimit } from './limits.js';
export { parseOperator, OPERATORS, type BaseOperator, type ParsedOperator } from './operators.js';
