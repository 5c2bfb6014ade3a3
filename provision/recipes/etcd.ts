import { etcdOfficial } from '../official/sources.ts';
import { goInstallRecipe } from './go-install.ts';

// etcd's server module replaces its siblings with ../ paths; as a dependency those lines are ignored and its
// requirements name the siblings at the same tag, which the proxy serves.
export const etcdRecipe = (version: string) =>
  goInstallRecipe({
    name: 'etcd',
    module: 'go.etcd.io/etcd/server/v3',
    version,
    sets: ['local', 'kind'],
    official: etcdOfficial(version),
    binaries: [{ name: 'etcd', pkg: 'go.etcd.io/etcd/server/v3', versionArgs: ['--version'], versionContains: version.replace(/^v/, '') }],
  });
