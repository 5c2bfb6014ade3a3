/**
 * The run's own copy of the user's kubeconfig, holding only the context that was current when the run started
 * (its cluster and user, paths made absolute), written 0600 into a temp dir of the run (in its ledger). Everything
 * the run does on the cluster reads it — this process's client and every `helm` — so `kubectl config use-context`
 * or `az aks get-credentials` in another terminal during a long run cannot move half of the run to another
 * cluster. The user's file and the context name stay in the ledger: a later process reaps through them, and only
 * while that context still names the same API server (existing/reap.ts).
 */
import { KubeConfig } from '@kubernetes/client-node';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parse, stringify } from 'yaml';
import type { HelmTarget } from '../certmanager/helm-target.ts';
import { InputError } from '../lib/errors.ts';
import { KUBECONFIG_FLAG } from './kubeconfig.ts';

/** The run's copy (`kubeconfigPath`) and its one context (`kubeContext`), as helm is pointed at them. */
export interface PinnedKubeconfig extends Required<HelmTarget> {
  /** The API server that context named when the run started. */
  server: string;
  /** The user's `--kubeconfig`, as an absolute path. */
  source: string;
}

interface Named {
  name?: unknown;
  [section: string]: unknown;
}

/** Fields holding a file path, which kubectl resolves against the kubeconfig's own directory. */
const CLUSTER_PATHS = ['certificate-authority'];
const USER_PATHS = ['client-certificate', 'client-key', 'token-file'];

/**
 * The kubeconfig `text` (read from `file`) reduced to its current context, that context's cluster and user, as
 * YAML; the entries otherwise as written (exec plugins, auth providers, extensions). Relative paths are resolved
 * against `file`'s directory as kubectl does (an exec command only when it holds a slash: a bare name is looked up
 * on PATH).
 */
export function pinnedKubeconfigText(text: string, file: string): { text: string; context: string; server: string } {
  const where = { file, field: KUBECONFIG_FLAG };
  let doc: Record<string, unknown>;
  try {
    doc = (parse(text) ?? {}) as Record<string, unknown>;
  } catch (err) {
    throw new InputError(where, `not a kubeconfig: ${(err as Error).message}`, 'give a kubeconfig as `kubectl config view --raw` prints it');
  }
  const context = doc['current-context'];
  if (typeof context !== 'string' || !context) throw new InputError(where, 'has no current context', `\`kubectl --kubeconfig ${file} config use-context NAME\``);
  const find = (list: string, name: unknown) => (Array.isArray(doc[list]) ? (doc[list] as Named[]) : []).find((e) => e?.name === name);
  const ctx = find('contexts', context);
  const ctxBody = (ctx?.context ?? {}) as Record<string, unknown>;
  const cluster = find('clusters', ctxBody.cluster);
  const clusterBody = { ...((cluster?.cluster ?? {}) as Record<string, unknown>) };
  const server = clusterBody.server;
  if (!ctx || !cluster || typeof server !== 'string') throw new InputError(where, `its current context ${context} names no cluster with a server`, `\`kubectl --kubeconfig ${file} config get-contexts\`, then \`config use-context NAME\``);
  const user = ctxBody.user === undefined ? undefined : find('users', ctxBody.user);
  if (ctxBody.user !== undefined && !user) throw new InputError(where, `its current context ${context} names user ${String(ctxBody.user)}, which it does not define`, `\`kubectl --kubeconfig ${file} config view\``);
  const base = dirname(resolve(file));
  const absolute = (body: Record<string, unknown>, fields: string[]) => {
    for (const f of fields) if (typeof body[f] === 'string' && body[f] && !isAbsolute(body[f] as string)) body[f] = join(base, body[f] as string);
    return body;
  };
  absolute(clusterBody, CLUSTER_PATHS);
  const out: Record<string, unknown> = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ ...cluster, cluster: clusterBody }],
    contexts: [ctx],
    'current-context': context,
  };
  if (user) {
    const userBody = absolute({ ...((user.user ?? {}) as Record<string, unknown>) }, USER_PATHS);
    const exec = userBody.exec as Record<string, unknown> | undefined;
    if (exec && typeof exec.command === 'string' && exec.command.includes('/') && !isAbsolute(exec.command)) userBody.exec = { ...exec, command: join(base, exec.command) };
    out.users = [{ ...user, user: userBody }];
  }
  return { text: stringify(out), context, server: server.replace(/\/$/, '') };
}

/**
 * Reads `file` once, writes the run's copy into `dir` (0600) and loads the client from that copy: the client and
 * every tool of the run see one and the same context.
 */
export async function pinKubeconfig(file: string, dir: string): Promise<{ kc: KubeConfig; pinned: PinnedKubeconfig }> {
  const source = resolve(file);
  const { text, context, server } = pinnedKubeconfigText(readFileSync(source, 'utf8'), source);
  const path = join(dir, 'kubeconfig');
  await writeFile(path, text, { mode: 0o600 });
  const kc = new KubeConfig();
  kc.loadFromString(text);
  return { kc, pinned: { kubeconfigPath: path, kubeContext: context, server, source } };
}
