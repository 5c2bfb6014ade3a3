import type { Recipe } from '../recipe.ts';
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
  crictl: string;
  certManager: Array<{ version: string; commit: string }>;
  vault: Array<{ version: string; replace?: Record<string, string> }>;
  openbao: string[];
}

/** Every artifact the pins call for, cheapest and most needed first. */
export function allRecipes(pins: Pins): Recipe[] {
  return [
    etcdRecipe(pins.etcd),
    ...pins.kubernetes.map(kubeControlPlane),
    ...pins.certManager.flatMap((cm) => certManagerRecipes(cm.version, cm.commit)),
    ...pins.vault.map((v) => vaultRecipe(v.version, v.replace)),
    ...pins.openbao.map(openbaoRecipe),
    ...pins.kubernetes.map(kubeNode),
    helmRecipe(pins.helm),
    kindRecipe(pins.kind),
    corednsRecipe(pins.coredns),
    crictlRecipe(pins.crictl),
  ];
}
