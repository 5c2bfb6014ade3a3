/**
 * Which cluster a `helm` of this suite acts on: the one its `--kubeconfig` and `--kube-context` name, and nothing
 * the caller's shell exported. Helm reads its target from the environment too (HELM_KUBECONTEXT picks a context,
 * HELM_KUBEAPISERVER and HELM_KUBETOKEN replace the kubeconfig's server and credentials, HELM_DRIVER moves the
 * release records out of the cluster), so an install and the uninstall at the end of a long run could otherwise
 * land on another cluster than the one this process reads and writes.
 */

/** Where helm goes: a kubeconfig file and, where it may hold more than one, the context to use in it. */
export interface HelmTarget {
  kubeconfigPath: string;
  /** The context this run resolved when it started; without it helm takes the file's current context. */
  kubeContext?: string;
}

/** The environment variables Helm (3 and 4) and client-go read to choose a cluster, a namespace or a release store. */
export const HELM_TARGET_ENV = [
  'KUBECONFIG',
  'HELM_KUBECONTEXT',
  'HELM_KUBEAPISERVER',
  'HELM_KUBETOKEN',
  'HELM_KUBEASUSER',
  'HELM_KUBEASGROUPS',
  'HELM_KUBECAFILE',
  'HELM_KUBEINSECURE_SKIP_TLS_VERIFY',
  'HELM_KUBETLS_SERVER_NAME',
  'HELM_NAMESPACE',
  'HELM_DRIVER',
  'HELM_DRIVER_SQL_CONNECTION_STRING',
] as const;

export function helmTargetArgs(t: HelmTarget): string[] {
  return ['--kubeconfig', t.kubeconfigPath, ...(t.kubeContext ? ['--kube-context', t.kubeContext] : [])];
}

/**
 * The `env` option for execa when it runs helm: HELM_TARGET_ENV unset (execa merges this over the parent's
 * environment, and Node leaves out variables whose value is undefined), plus `extra` (HELM_PLUGINS).
 */
export function helmEnv(extra: Record<string, string> = {}): Record<string, string | undefined> {
  return { ...Object.fromEntries(HELM_TARGET_ENV.map((k) => [k, undefined])), ...extra };
}
