import { Agent } from 'node:https';
import {
  AuthorizationV1Api,
  CoreV1Api,
  createConfiguration,
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  ServerConfiguration,
  type Configuration,
  type KubernetesObject,
  type SecurityAuthentication,
} from '@kubernetes/client-node';

const FIELD_MANAGER = 'cm-vault-e2e';

export interface ClusterAccess {
  server: string;
  caPem: string;
  /** Either a client certificate or a bearer token. */
  client?: { certPem: string; keyPem: string };
  token?: string;
  user?: string;
}

export function kubeConfigFor(access: ClusterAccess): KubeConfig {
  const kc = new KubeConfig();
  const user = access.user ?? 'cm-vault-e2e';
  kc.loadFromOptions({
    clusters: [{ name: 'cluster', server: access.server, caData: Buffer.from(access.caPem).toString('base64'), skipTLSVerify: false }],
    users: [{
      name: user,
      ...(access.client ? { certData: Buffer.from(access.client.certPem).toString('base64'), keyData: Buffer.from(access.client.keyPem).toString('base64') } : {}),
      ...(access.token ? { token: access.token } : {}),
    }],
    contexts: [{ name: 'default', cluster: 'cluster', user }],
    currentContext: 'default',
  });
  return kc;
}

/** Thin layer over @kubernetes/client-node: server-side apply, reads, token requests. */
export class Kube {
  readonly objects: KubernetesObjectApi;
  readonly core: CoreV1Api;
  readonly authz: AuthorizationV1Api;
  private readonly strict: KubernetesObjectApi;

  constructor(readonly kc: KubeConfig) {
    const cluster = kc.getCurrentCluster()!;
    const auth = { default: keptAlive(kc) };
    const config: Configuration = createConfiguration({ baseServer: new ServerConfiguration(cluster.server, {}), authMethods: auth });
    this.objects = new KubernetesObjectApi(config);
    this.core = new CoreV1Api(config);
    this.authz = new AuthorizationV1Api(config);
    // Strict field validation, as kubectl sends it: unknown fields are an error, not silently dropped.
    this.strict = new KubernetesObjectApi(
      createConfiguration({
        baseServer: new ServerConfiguration(cluster.server, {}),
        authMethods: auth,
        promiseMiddleware: [{ pre: async (ctx) => (ctx.setQueryParam('fieldValidation', 'Strict'), ctx), post: async (r) => r }],
      }),
    );
  }

  /** Server-side apply. `strict` makes unknown fields an error (otherwise the API server drops them with a warning). */
  async apply<T extends KubernetesObject>(obj: T, opts: { strict?: boolean } = {}): Promise<T> {
    const api = opts.strict ? this.strict : this.objects;
    return whenNotBusy(() => api.patch(obj, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply));
  }

  /** Create, as `kubectl create` does; `strict` rejects unknown fields (`strict decoding error: unknown field …`). */
  async create<T extends KubernetesObject>(obj: T, opts: { strict?: boolean } = {}): Promise<T> {
    const api = opts.strict ? this.strict : this.objects;
    return whenNotBusy(() => api.create(obj, undefined, undefined, FIELD_MANAGER));
  }

  async applyAll(objs: KubernetesObject[]): Promise<void> {
    for (const o of objs) await this.apply(o);
  }

  async read<T extends KubernetesObject>(apiVersion: string, kind: string, name: string, namespace?: string): Promise<T | undefined> {
    try {
      return (await whenNotBusy(() => this.objects.read({ apiVersion, kind, metadata: { name, ...(namespace ? { namespace } : {}) } }))) as T;
    } catch (err) {
      if (statusCode(err) === 404) return undefined;
      throw err;
    }
  }

  async delete(obj: KubernetesObject): Promise<void> {
    try {
      await whenNotBusy(() => this.objects.delete(obj, undefined, undefined, 0));
    } catch (err) {
      if (statusCode(err) !== 404) throw err;
    }
  }

  /** Merge-patches annotations onto an object (metadata only, so it also applies to one being deleted). */
  async annotate(obj: KubernetesObject, annotations: Record<string, string>): Promise<void> {
    const { name, namespace } = obj.metadata ?? {};
    const patch = { apiVersion: obj.apiVersion, kind: obj.kind, metadata: { name, ...(namespace ? { namespace } : {}), annotations } };
    await whenNotBusy(() => this.objects.patch(patch, undefined, undefined, FIELD_MANAGER, undefined, PatchStrategy.MergePatch));
  }

  /** The objects of one kind in a namespace (every namespace when undefined), or those `labelSelector` selects. */
  async list<T extends KubernetesObject>(apiVersion: string, kind: string, namespace: string | undefined, labelSelector?: string): Promise<T[]> {
    return (await whenNotBusy(() => this.objects.list<T>(apiVersion, kind, namespace, undefined, undefined, undefined, undefined, labelSelector))).items;
  }

  /** A ServiceAccount token from the TokenRequest API; empty audiences = the API server's own. */
  async tokenRequest(namespace: string, serviceAccount: string, opts: { audiences?: string[]; expirationSeconds?: number } = {}): Promise<string> {
    const tr = await this.core.createNamespacedServiceAccountToken({
      name: serviceAccount,
      namespace,
      body: { spec: { audiences: opts.audiences ?? [], expirationSeconds: opts.expirationSeconds ?? 3600 } },
    });
    return tr.status!.token;
  }
}

/**
 * The KubeConfig's authentication with one kept-alive agent. client-node gives every request a new https.Agent,
 * so every request paid a new TLS context and handshake, on this side and the API server's: with scenarios
 * polling side by side that was most of the runner's CPU. The first request's agent options (CA, client
 * certificate) make the one agent; headers (a bearer token) are still applied per request.
 */
function keptAlive(kc: KubeConfig): SecurityAuthentication {
  let agent: Agent | undefined;
  return {
    getName: () => 'kept-alive',
    async applySecurityAuthentication(context) {
      await kc.applySecurityAuthentication(context);
      const fresh = context.getAgent() as Agent | undefined;
      if (!fresh) return;
      // Idle connections close well before the API server's own idle timeout could race a new request.
      agent ??= new Agent({ ...fresh.options, keepAlive: true, timeout: 15_000 });
      context.setAgent(agent);
    },
  };
}

/**
 * Retries what the API server refused with 429 Too Many Requests, which it answers before doing anything: right
 * after a CRD is replaced (a cert-manager upgrade) requests for its resources get `storage is (re)initializing`
 * until the new storage is ready, and priority-and-fairness may shed load the same way. Bounded.
 */
async function whenNotBusy<T>(call: () => Promise<T>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await call();
    } catch (err) {
      if (statusCode(err) !== 429 || Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

export function statusCode(err: unknown): number | undefined {
  const e = err as { code?: number; statusCode?: number };
  return e?.code ?? e?.statusCode;
}

/** The API server's own message from a client-node error (e.g. a Forbidden or a strict-validation failure). */
export function apiMessage(err: unknown): string {
  const body = (err as { body?: unknown })?.body;
  if (typeof body === 'string') {
    try {
      return (JSON.parse(body) as { message?: string }).message ?? body;
    } catch {
      return body;
    }
  }
  if (body && typeof body === 'object' && 'message' in body) return String((body as { message: unknown }).message);
  return (err as Error)?.message ?? String(err);
}

