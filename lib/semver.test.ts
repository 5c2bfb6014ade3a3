import { describe, expect, it } from 'vitest';
import { compareVersions, kubernetesMinor, lineOf, newest, parseRelease, parseVersion, releaseText } from './semver.ts';

describe('compareVersions', () => {
  it('orders releases numerically, with or without the leading v', () => {
    expect(['v1.15.0', 'v1.9.0', '1.10.2', 'v1.10.10'].sort(compareVersions)).toEqual(['v1.9.0', '1.10.2', 'v1.10.10', 'v1.15.0']);
    expect(compareVersions('v1.16.5', '1.16.5')).toBe(0);
  });

  it('puts a pre-release before its release and orders pre-releases by their identifiers', () => {
    const sorted = ['v1.21.0', 'v1.21.0-rc.1', 'v1.21.0-alpha.10', 'v1.20.3', 'v1.21.0-beta.1', 'v1.21.0-alpha.2'].sort(compareVersions);
    expect(sorted).toEqual(['v1.20.3', 'v1.21.0-alpha.2', 'v1.21.0-alpha.10', 'v1.21.0-beta.1', 'v1.21.0-rc.1', 'v1.21.0']);
    expect(compareVersions('v1.22.0-alpha.0', 'v1.21.9')).toBeGreaterThan(0);
  });

  it('throws naming what is not a version', () => {
    expect(() => compareVersions('v1.21', 'v1.21.0')).toThrow(/"v1.21" is not a version/);
  });
});

describe('releases', () => {
  it('parses X.Y.Z and vX.Y.Z, not pre-releases or builds', () => {
    expect(releaseText(parseRelease(' 1.21.1 ')!)).toBe('v1.21.1');
    expect(parseRelease('v1.38.0-beta.0')).toBeUndefined();
    expect(parseRelease('v2.0.0+incompatible')).toBeUndefined();
    expect(parseVersion('v1.38.0-beta.0')?.prerelease).toEqual(['beta', 0]);
  });

  it('finds the newest, overall and in a line', () => {
    const list = ['v1.16.5', 'v1.16.12', 'v1.17.1'].map((v) => parseRelease(v)!);
    expect(releaseText(newest(list)!)).toBe('v1.17.1');
    expect(releaseText(newest(list, 'v1.16')!)).toBe('v1.16.12');
    expect(newest(list, 'v1.15')).toBeUndefined();
    expect(lineOf(list[0]!)).toBe('v1.16');
  });
});

describe('kubernetesMinor', () => {
  it('reads the minor of a 1.x tag, pre-releases included', () => {
    expect(kubernetesMinor('v1.37.2')).toBe(37);
    expect(kubernetesMinor('v1.38.0-rc.0')).toBe(38);
    expect(() => kubernetesMinor('v2.0.0')).toThrow(/not of the form v1/);
    expect(() => kubernetesMinor('1.37')).toThrow(/not of the form v1/);
  });
});
