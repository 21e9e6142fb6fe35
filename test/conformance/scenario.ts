/**
 * The runner of the output-conformance scenarios (iam-, sts-, cloudtrail-outputs.test.ts):
 * an ordered table of steps, each one SDK v3 call with valid input built from what earlier
 * steps returned, run as its own subtest named after the operation. Every answer is
 * checked against the service model (`checkOutput`: required members present, types,
 * enums), then by the step's own `check` (the values that matter: names, ARNs and ids
 * echo what was created, lists hold it, counts are right).
 *
 * The runner records which operations the scenario sent, per service, so each file can
 * assert that every operation the server implements was exercised (`assertCoverage`).
 */
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import type { CommandIO, MetadataBearer } from '@smithy/types';
import { IAMClient } from '@aws-sdk/client-iam';
import { STSClient } from '@aws-sdk/client-sts';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { clientConfig, ROOT, type Keys } from '../helpers/server.js';
import { checkOutput } from './model-check.js';

export type Service = 'iam' | 'sts' | 'cloudtrail';

/** A model-check problem the scenario accepts, and why (AWS itself answers that way). */
export interface Tolerance {
  readonly problem: RegExp;
  readonly reason: string;
}

export interface StepOptions<S> {
  /** The subtest's name when an operation appears more than once: `Operation (label)`. */
  readonly label?: string;
  /** Whose credentials sign the call (default: the account's root keys). */
  readonly as?: (s: S) => Keys;
  /** Wait this long before sending (asynchronous work on the server's side). */
  readonly delayMs?: number;
  readonly tolerate?: readonly Tolerance[];
}

export interface Step<S> {
  readonly service: Service;
  readonly operation: string;
  readonly name: string;
  readonly options: StepOptions<S>;
  /** Build the command from the state so far. */
  readonly build: (s: S) => unknown;
  readonly check?: (out: never, s: S) => void | Promise<void>;
}

type CommandClass<I extends object, O extends MetadataBearer> = (new (input: I) => CommandIO<I, O>) & { readonly name: string };

/**
 * Steps for one service: `iam(CreateUserCommand, input, check?, options?)`. The operation
 * is the command's own (class `CreateUserCommand` → `CreateUser`), so the table cannot name
 * one operation and send another.
 */
export function stepsFor<S>(service: Service) {
  return function step<I extends object, O extends MetadataBearer>(
    Command: CommandClass<I, O>,
    input: I | ((s: S) => I),
    check?: (out: O, s: S) => void | Promise<void>,
    options: StepOptions<S> = {},
  ): Step<S> {
    const operation = Command.name.replace(/Command$/, '');
    return {
      service,
      operation,
      name: options.label ? `${operation} (${options.label})` : operation,
      options,
      build: (s) => new Command(typeof input === 'function' ? input(s) : input),
      ...(check ? { check } : {}),
    };
  };
}

interface Sender {
  send(command: unknown): Promise<unknown>;
}

/** Runs steps against one server; remembers the operations it sent. */
export class Scenario<S> {
  /** Operations sent, per service (whatever the answer). */
  readonly called = new Map<Service, Set<string>>();
  private readonly clients = new Map<string, Sender>();

  constructor(
    private readonly endpoint: string,
    readonly state: S,
  ) {}

  client(service: Service, keys: Keys = ROOT): Sender {
    const id = `${service}|${keys.accessKeyId}|${keys.sessionToken ?? ''}`;
    let c = this.clients.get(id);
    if (!c) {
      const config = clientConfig(this.endpoint, keys);
      c = service === 'iam' ? new IAMClient(config) : service === 'sts' ? new STSClient(config) : new CloudTrailClient(config);
      this.clients.set(id, c);
    }
    return c;
  }

  /** Each step as a subtest of `t`, in order. A failed step does not stop the ones after it. */
  async run(t: TestContext, steps: readonly Step<S>[]): Promise<void> {
    for (const step of steps) {
      await t.test(step.name, async () => {
        if (step.options.delayMs) await new Promise((r) => setTimeout(r, step.options.delayMs));
        const command = step.build(this.state);
        const sent = this.called.get(step.service) ?? new Set<string>();
        sent.add(step.operation);
        this.called.set(step.service, sent);
        const out = (await this.client(step.service, step.options.as?.(this.state)).send(command)) as Record<string, unknown>;
        const tolerated = step.options.tolerate ?? [];
        const problems = checkOutput(step.service, step.operation, out).filter((p) => !tolerated.some((x) => x.problem.test(p)));
        // The step's own check runs (and records what later steps need) even when the
        // answer breaks the model; the model's verdict is reported first.
        let failed: Error | undefined;
        try {
          await step.check?.(out as never, this.state);
        } catch (e) {
          failed = e instanceof Error ? e : new Error(String(e));
        }
        assert.deepEqual(problems, [], `${step.service}.${step.operation}: the answer does not match the model`);
        if (failed) throw failed;
      });
    }
  }

  /**
   * Every operation the server implements for `service` was sent by the scenario, but for
   * the listed exclusions (each with its reason, printed in the test output). An exclusion
   * the scenario does call, or that the server does not implement, is stale and fails too.
   */
  assertCoverage(t: TestContext, service: Service, implemented: readonly string[], exclusions: Readonly<Record<string, string>>): void {
    const called = this.called.get(service) ?? new Set<string>();
    for (const [operation, reason] of Object.entries(exclusions)) t.diagnostic(`${service}.${operation} not covered: ${reason}`);
    const missing = implemented.filter((op) => !called.has(op) && !(op in exclusions)).sort();
    assert.deepEqual(missing, [], `${service}: implemented operations the scenario never calls`);
    const stale = Object.keys(exclusions).filter((op) => called.has(op) || !implemented.includes(op));
    assert.deepEqual(stale, [], `${service}: exclusions that are called anyway or not implemented`);
    t.diagnostic(`${service}: ${implemented.length - Object.keys(exclusions).length} of ${implemented.length} implemented operations covered`);
  }
}

// ---------------------------------------------------------------------------------
// Value checks shared by the scenarios.

/** A date within `withinMs` of now (creation dates, last-used dates). */
export function recent(d: Date | undefined, what: string, withinMs = 120_000): void {
  assert.ok(d instanceof Date, `${what}: a Date`);
  assert.ok(Math.abs(d.getTime() - Date.now()) < withinMs, `${what}: ${d.toISOString()} is not recent`);
}

/** IAM returns policy documents URL-encoded: the JSON the caller wrote. */
export const decodeDoc = (doc: string | undefined): unknown => JSON.parse(decodeURIComponent(doc ?? 'null'));

/** Tags as a sorted list of `key=value`, order-independent. */
export const tagList = (tags: readonly { Key?: string; Value?: string }[] | undefined): string[] => (tags ?? []).map((t) => `${t.Key}=${t.Value}`).sort();
