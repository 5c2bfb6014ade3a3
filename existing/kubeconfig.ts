/**
 * The user's kubeconfig (`--kubeconfig FILE`), loaded as kubectl would (its current context, exec plugins and
 * all), and raw GETs against that API server for the endpoints client-node has no typed call for.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { accessSync, constants, statSync } from 'node:fs';
import { request } from 'node:https';
import { EnvironmentError, InputError } from '../lib/errors.ts';

export const KUBECONFIG_FLAG = '--kubeconfig';

export function loadKubeconfig(file: string | undefined): KubeConfig {
  const where = { file: 'command line', field: KUBECONFIG_FLAG };
  if (!file) throw new InputError(where, '--backend existing needs the kubeconfig of the cluster to run on', 'add --kubeconfig FILE (e.g. --kubeconfig ~/.kube/config after `az aks get-credentials` or `aws eks update-kubeconfig`)');
  try {
    if (!statSync(file).isFile()) throw new Error('not a file');
    accessSync(file, constants.R_OK);
  } catch (err) {
    throw new InputError(where, `${file} is not a readable file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, 'give the path of a kubeconfig this user can read');
  }
  const kc = new KubeConfig();
  try {
    kc.loadFromFile(file);
  } catch (err) {
    throw new InputError({ file, field: KUBECONFIG_FLAG }, `not a kubeconfig: ${(err as Error).message}`, 'give a kubeconfig as `kubectl config view --raw` prints it');
  }
  const cluster = kc.getCurrentCluster();
  if (!kc.getCurrentContext() || !cluster) throw new InputError({ file, field: KUBECONFIG_FLAG }, 'has no current context with a cluster', `\`kubectl --kubeconfig ${file} config use-context NAME\``);
  return kc;
}

export interface RawAnswer {
  status: number;
  body: string;
}

/** GET `path` from the API server with the kubeconfig's credentials; network failures are EnvironmentErrors. */
export async function rawGet(kc: KubeConfig, path: string, o: { file: string; timeoutMs?: number }): Promise<RawAnswer> {
  const server = kc.getCurrentCluster()!.server;
  const url = new URL(path, server.endsWith('/') ? server : `${server}/`);
  const options: import('node:https').RequestOptions = { method: 'GET', headers: { Accept: 'application/json, */*' }, timeout: o.timeoutMs ?? 20_000 };
  await kc.applyToHTTPSOptions(options);
  return new Promise((resolve, reject) => {
    const req = request(url, options, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    const unreachable = (why: string) =>
      new EnvironmentError(
        `the API server ${server}`,
        `cannot be reached with ${KUBECONFIG_FLAG} ${o.file} (context ${kc.getCurrentContext()}): ${why}`,
        `check it answers: \`kubectl --kubeconfig ${o.file} get --raw /readyz\` (VPN, private endpoint, expired credentials?)`,
      );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${(o.timeoutMs ?? 20_000) / 1000}s`)));
    req.on('error', (err) => reject(unreachable(err.message)));
    req.end();
  });
}

/** A GET that must answer 200 with JSON. */
export async function getJson<T>(kc: KubeConfig, path: string, o: { file: string; what: string }): Promise<T> {
  const r = await rawGet(kc, path, o);
  if (r.status === 401) throw new EnvironmentError(`the API server ${kc.getCurrentCluster()!.server}`, `refused the credentials of ${KUBECONFIG_FLAG} ${o.file} (401)`, 'refresh them (e.g. `az aks get-credentials`, `aws eks update-kubeconfig`) and retry');
  if (r.status !== 200) throw new EnvironmentError(`the API server ${kc.getCurrentCluster()!.server}`, `GET ${path} (${o.what}) answered ${r.status}: ${r.body.slice(0, 300)}`, 'the kubeconfig user needs cluster-admin-like rights on this cluster');
  try {
    return JSON.parse(r.body) as T;
  } catch {
    throw new EnvironmentError(`the API server ${kc.getCurrentCluster()!.server}`, `GET ${path} (${o.what}) did not answer JSON`, 'is the kubeconfig pointing at a Kubernetes API server?');
  }
}
