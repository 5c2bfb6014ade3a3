import type { Recipe, VersionedComponent } from '../recipe.ts';
import { certManagerRecipes } from './certmanager.ts';
import { etcdRecipe } from './etcd.ts';
import { kubeControlPlane, kubeNode } from './kubernetes.ts';
import { corednsRecipe, crictlRecipe, helmRecipe, kindRecipe } from './tools.ts';
import { openbaoRecipe, vaultRecipe } from './vault.ts';

/** What provisioning needs from versions.yaml. */
export interface Pins {
  kubernetes: string[];
  etcd: string;
  coredns: string;
  kind: string;
  helm: string;
  /** The second installer's Helm (versions.yaml helm4), when pinned. */
  helm4?: string;
  crictl: string;
  certManager: Array<{ version: string; commit: string }>;
  vault: Array<{ version: string; replace?: Record<string, string> }>;
  openbao: string[];
}

/** Every artifact the pins call for (provision orders them longest first). */
export function allRecipes(pins: Pins): Recipe[] {
  const of = (component: VersionedComponent, recipes: Recipe[]) => recipes.map((r) => ({ ...r, component }));
  return [
    etcdRecipe(pins.etcd),
    ...of('kubernetes', pins.kubernetes.map(kubeControlPlane)),
    ...of('certManager', pins.certManager.flatMap((cm) => certManagerRecipes(cm.version, cm.commit))),
    ...of('vault', pins.vault.map((v) => vaultRecipe(v.version, v.replace))),
    ...of('openbao', pins.openbao.map(openbaoRecipe)),
    ...of('kubernetes', pins.kubernetes.map(kubeNode)),
    helmRecipe(pins.helm),
    ...(pins.helm4 ? [helmRecipe(pins.helm4)] : []),
    kindRecipe(pins.kind),
    corednsRecipe(pins.coredns),
    crictlRecipe(pins.crictl),
  ];
}
