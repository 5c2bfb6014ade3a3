import { describe, expect, it } from 'vitest';
import { serviceAccountDefaultRights } from './service-account-defaults.ts';

describe('default ServiceAccount rights per Kubernetes release', () => {
  it('none up to 1.36 (ClusterTrustBundle off by default); clustertrustbundles read from 1.37, with its source', () => {
    for (const v of ['v1.34.4', 'v1.35.4', 'v1.36.5']) expect(serviceAccountDefaultRights(v)).toEqual({ rights: [] });
    const v137 = serviceAccountDefaultRights('v1.37.2');
    expect(v137.rights).toEqual(['get,list,watch clustertrustbundles.certificates.k8s.io']);
    expect(v137.source).toMatch(/^kubernetes\/kubernetes@v1\.37\.2 plugin\/pkg\/auth\/authorizer\/rbac\/bootstrappolicy\/policy\.go#ClusterRoleBindings/);
  });

  it('refuses a version that is not a Kubernetes tag', () => {
    expect(() => serviceAccountDefaultRights('latest')).toThrow(/not of the form v1\.<minor>\.<patch>/);
  });
});
