/**
 * `gatehouse identity-center ...`: the console steps of IAM Identity Center that AWS has no
 * API for, against a running Gatehouse. Requests are SigV4-signed with the credentials in
 * the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN; `test`/`test`
 * when unset), as the AWS CLI would sign them.
 *
 * - `enable`: the management account's Enable button (POST /_gatehouse/identity-center/enable).
 * - `sign-in`: a user of the identity store signs in to an account with a permission set:
 *   Gatehouse's IdP signs the assertion (POST /_gatehouse/identity-center/sign-in) and STS
 *   AssumeRoleWithSAML exchanges it; prints the credentials (credential_process JSON, or
 *   `--format env` for shell exports).
 */
import type { Command } from 'commander';
import { signRequest } from '../auth/sigv4.js';

interface Common {
  endpointUrl: string;
  region: string;
}

function environmentCredentials(): { accessKeyId: string; secretAccessKey: string; sessionToken?: string } {
  const token = process.env.AWS_SESSION_TOKEN;
  return { accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? 'test', secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? 'test', ...(token ? { sessionToken: token } : {}) };
}

/** POST a Gatehouse operation, signed for `sso`; its JSON answer, or exit with its error. */
async function gatehouseOperation<T>(o: Common, path: string, input: object): Promise<T> {
  const url = new URL(path, o.endpointUrl);
  const body = Buffer.from(JSON.stringify(input));
  const headers = signRequest({ method: 'POST', url, headers: { 'content-type': 'application/json' }, body }, { ...environmentCredentials(), region: o.region, service: 'sso' });
  const { host: _host, ...sent } = headers;
  const res = await fetch(url, { method: 'POST', headers: sent, body });
  const out = (await res.json()) as T & { __type?: string; message?: string };
  if (!res.ok) fail(`${out.__type ?? res.status}: ${out.message ?? ''}`);
  return out;
}

function fail(message: string): never {
  console.error(`gatehouse: ${message}`);
  process.exit(1);
}

const xmlValue = (xml: string, name: string): string | undefined => new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];

export function identityCenterCommands(program: Command): void {
  const ic = program.command('identity-center').description('IAM Identity Center steps that have no AWS API (console only)');
  const common = (c: Command): Command =>
    c.option('--endpoint-url <url>', 'Gatehouse endpoint', 'http://localhost:4566').option('--region <region>', 'region of the instance', process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1');

  common(ic.command('enable').description("enable IAM Identity Center for the organization (the management account's console button)"))
    .option('--name <name>', 'instance name')
    .action(async (opts: Common & { name?: string }) => {
      console.log(JSON.stringify(await gatehouseOperation(opts, '/_gatehouse/identity-center/enable', opts.name ? { Name: opts.name } : {}), null, 2));
    });

  common(ic.command('sign-in').description("sign a user of the identity store in to an account with a permission set; prints the role session's credentials"))
    .requiredOption('--user <name>', 'UserName in the identity store')
    .requiredOption('--account <id>', 'AWS account id')
    .requiredOption('--permission-set <name>', 'permission set name or ARN')
    .option('--instance-arn <arn>', 'the instance (when the account has more than one)')
    .option('--format <format>', 'json (credential_process) or env', 'json')
    .action(async (opts: Common & { user: string; account: string; permissionSet: string; instanceArn?: string; format: string }) => {
      const assertion = await gatehouseOperation<{ SAMLAssertion: string; RoleArn: string; PrincipalArn: string; DurationSeconds: number }>(opts, '/_gatehouse/identity-center/sign-in', {
        UserName: opts.user,
        AccountId: opts.account,
        PermissionSet: opts.permissionSet,
        ...(opts.instanceArn ? { InstanceArn: opts.instanceArn } : {}),
      });
      const form = new URLSearchParams({
        Action: 'AssumeRoleWithSAML',
        Version: '2011-06-15',
        RoleArn: assertion.RoleArn,
        PrincipalArn: assertion.PrincipalArn,
        SAMLAssertion: assertion.SAMLAssertion,
        DurationSeconds: String(assertion.DurationSeconds),
      });
      const res = await fetch(new URL('/', opts.endpointUrl), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString() });
      const xml = await res.text();
      if (!res.ok) fail(`${xmlValue(xml, 'Code') ?? res.status}: ${xmlValue(xml, 'Message') ?? ''}`);
      const creds = { AccessKeyId: xmlValue(xml, 'AccessKeyId')!, SecretAccessKey: xmlValue(xml, 'SecretAccessKey')!, SessionToken: xmlValue(xml, 'SessionToken')!, Expiration: xmlValue(xml, 'Expiration')! };
      if (opts.format === 'env') {
        console.log(`export AWS_ACCESS_KEY_ID=${creds.AccessKeyId}\nexport AWS_SECRET_ACCESS_KEY=${creds.SecretAccessKey}\nexport AWS_SESSION_TOKEN=${creds.SessionToken}`);
      } else {
        console.log(JSON.stringify({ Version: 1, ...creds }, null, 2));
      }
    });
}
