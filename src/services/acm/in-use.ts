/**
 * Which resources use a certificate (DescribeCertificate's `InUseBy`, ListCertificates'
 * `InUse`), and so keep DeleteCertificate from deleting it.
 *
 * In AWS the integrated services (Client VPN, ELB, CloudFront...) tell ACM when they
 * associate a certificate. Here each such service registers a check that answers from its
 * own records, so ACM never reads another service's store and the answer can never drift
 * from the resources that actually exist:
 *
 *   registerCertificateUser(async (tx, account, region, arn) =>
 *     (await endpointsUsing(tx, account, region, arn)).map((e) => e.arn));
 *
 * The registry is module-level (services are wired once per process); `register...`
 * returns a function that removes the check again, for tests.
 */
import type { Tx } from '../../store/index.js';

/** The ARNs of the resources in `account`/`region` that use `certificateArn`. */
export type CertificateUserCheck = (tx: Tx, account: string, region: string, certificateArn: string) => Promise<readonly string[]>;

const checks = new Set<CertificateUserCheck>();

/** Register a service's check; returns its unregistration. */
export function registerCertificateUser(check: CertificateUserCheck): () => void {
  checks.add(check);
  return () => void checks.delete(check);
}

/** The union of what every registered check reports, sorted, without duplicates. */
export async function certificateUsers(tx: Tx, account: string, region: string, certificateArn: string): Promise<string[]> {
  const users = new Set<string>();
  for (const check of checks) for (const arn of await check(tx, account, region, certificateArn)) users.add(arn);
  return [...users].sort();
}
