/**
 * Condition operator names: the base operators AWS documents, and how a written operator
 * (`ForAnyValue:StringNotLikeIfExists`) breaks down into set qualifier, base and IfExists.
 * Page: "IAM JSON policy elements: Condition operators".
 */

export type BaseOperator =
  | 'StringEquals'
  | 'StringNotEquals'
  | 'StringEqualsIgnoreCase'
  | 'StringNotEqualsIgnoreCase'
  | 'StringLike'
  | 'StringNotLike'
  | 'NumericEquals'
  | 'NumericNotEquals'
  | 'NumericLessThan'
  | 'NumericLessThanEquals'
  | 'NumericGreaterThan'
  | 'NumericGreaterThanEquals'
  | 'DateEquals'
  | 'DateNotEquals'
  | 'DateLessThan'
  | 'DateLessThanEquals'
  | 'DateGreaterThan'
  | 'DateGreaterThanEquals'
  | 'Bool'
  | 'BinaryEquals'
  | 'IpAddress'
  | 'NotIpAddress'
  | 'ArnEquals'
  | 'ArnLike'
  | 'ArnNotEquals'
  | 'ArnNotLike'
  | 'Null';

export type OperatorFamily = 'string' | 'numeric' | 'date' | 'bool' | 'binary' | 'ip' | 'arn' | 'null';

interface OperatorInfo {
  readonly family: OperatorFamily;
  /** Negated operators: a missing key makes them true; several values act as NOR. */
  readonly negated: boolean;
  /** Do policy variables get substituted in this operator's values? */
  readonly variables: boolean;
}

const info = (family: OperatorFamily, negated: boolean, variables: boolean): OperatorInfo => ({
  family,
  negated,
  variables,
});

/**
 * Policy variables are substituted in String and Arn operators. For Bool the operators
 * page says yes and the variables page says no; Gatehouse substitutes (iam.md §7).
 */
export const OPERATORS: Readonly<Record<BaseOperator, OperatorInfo>> = {
  StringEquals: info('string', false, true),
  StringNotEquals: info('string', true, true),
  StringEqualsIgnoreCase: info('string', false, true),
  StringNotEqualsIgnoreCase: info('string', true, true),
  StringLike: info('string', false, true),
  StringNotLike: info('string', true, true),
  NumericEquals: info('numeric', false, false),
  NumericNotEquals: info('numeric', true, false),
  NumericLessThan: info('numeric', false, false),
  NumericLessThanEquals: info('numeric', false, false),
  NumericGreaterThan: info('numeric', false, false),
  NumericGreaterThanEquals: info('numeric', false, false),
  DateEquals: info('date', false, false),
  DateNotEquals: info('date', true, false),
  DateLessThan: info('date', false, false),
  DateLessThanEquals: info('date', false, false),
  DateGreaterThan: info('date', false, false),
  DateGreaterThanEquals: info('date', false, false),
  Bool: info('bool', false, true),
  BinaryEquals: info('binary', false, false),
  IpAddress: info('ip', false, false),
  NotIpAddress: info('ip', true, false),
  ArnEquals: info('arn', false, true),
  ArnLike: info('arn', false, true),
  ArnNotEquals: info('arn', true, true),
  ArnNotLike: info('arn', true, true),
  Null: info('null', false, false),
};

export type SetQualifier = 'ForAllValues' | 'ForAnyValue' | undefined;

export interface ParsedOperator {
  readonly base: BaseOperator;
  readonly set: SetQualifier;
  readonly ifExists: boolean;
  readonly family: OperatorFamily;
  readonly negated: boolean;
  readonly variables: boolean;
}

/**
 * Split a written operator into its parts, or undefined when it is not one AWS knows.
 * `Null` has no IfExists form (Access Analyzer: "Null with if exists"); Gatehouse
 * accepts it with a warning and treats it as plain Null, as IAM itself accepts it.
 */
export function parseOperator(written: string): ParsedOperator | undefined {
  let rest = written;
  let set: SetQualifier;
  if (rest.startsWith('ForAllValues:')) {
    set = 'ForAllValues';
    rest = rest.slice('ForAllValues:'.length);
  } else if (rest.startsWith('ForAnyValue:')) {
    set = 'ForAnyValue';
    rest = rest.slice('ForAnyValue:'.length);
  }
  let ifExists = false;
  if (rest.endsWith('IfExists')) {
    ifExists = true;
    rest = rest.slice(0, -'IfExists'.length);
  }
  if (!Object.hasOwn(OPERATORS, rest)) return undefined;
  const base = rest as BaseOperator;
  const op = OPERATORS[base];
  return { base, set, ifExists: ifExists && base !== 'Null', family: op.family, negated: op.negated, variables: op.variables };
}
