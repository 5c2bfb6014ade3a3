import { describe, expect, it } from 'vitest';
import { InputError } from '../lib/errors.ts';
import { chartArgs, imageValues } from '../certmanager/chart.ts';
import { candidateOf, runSettings } from '../cli/run-settings.ts';
import { parseImageFlags } from './candidate.ts';

describe('release-gating candidates on kind', () => {
  it('parses component=image flags; archives become absolute paths', () => {
    expect(parseImageFlags(['controller=quay.io/me/cm-controller:dev', 'webhook=./wh.tar'])).toEqual({
      controller: 'quay.io/me/cm-controller:dev',
      webhook: `${process.cwd()}/wh.tar`,
    });
  });

  it('names the flag and the fix on bad input', () => {
    expect(() => parseImageFlags(['scheduler=x:1'])).toThrow(InputError);
    expect(() => parseImageFlags(['controller'])).toThrow(/component=image/);
    expect(() => parseImageFlags(['controller=a:1', 'controller=b:2'])).toThrow(/twice/);
  });

  it('travels in the run settings as a value, not through the process environment', () => {
    const chart = 'oci://ghcr.example/cm/cert-manager:v1.22.0';
    const candidate = candidateOf({ backend: 'kind', certManagerImage: ['controller=r/c:1', 'cainjector=r/i:1'], certManagerChart: chart });
    expect(candidate).toEqual({ images: { controller: 'r/c:1', cainjector: 'r/i:1' }, chart });
    expect(runSettings({ candidate: candidate! }, {}).candidate).toEqual(candidate);
    expect(candidateOf({ backend: 'kind' })).toBeUndefined();
    expect(() => candidateOf({ backend: 'local', certManagerChart: chart })).toThrow(/run in kind clusters/);
    expect(() => candidateOf({ backend: 'local', certManagerController: '/nonexistent/controller' })).toThrow(/does not exist/);
  });

  it('points Helm at the image by tag or digest, per component', () => {
    expect(imageValues('controller', 'registry.example:5000/cm/controller:dev')).toEqual(['--set', 'image.repository=registry.example:5000/cm/controller', '--set', 'image.tag=dev']);
    expect(imageValues('webhook', 'cm/webhook@sha256:abc')).toEqual(['--set', 'webhook.image.repository=cm/webhook', '--set', 'webhook.image.digest=sha256:abc']);
    expect(imageValues('cainjector', 'cm/cainjector')).toEqual(['--set', 'cainjector.image.repository=cm/cainjector', '--set', 'cainjector.image.tag=latest']);
  });

  it('splits an oci:// chart reference into chart and --version', () => {
    expect(chartArgs('oci://quay.example/jetstack/charts/cert-manager:v1.22.0')).toEqual(['oci://quay.example/jetstack/charts/cert-manager', '--version', '1.22.0']);
    expect(chartArgs('/charts/cert-manager')).toEqual(['/charts/cert-manager']);
  });
});
