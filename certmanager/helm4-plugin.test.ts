import { execFileSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { testTempDir } from '../lib/test-temp.ts';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { HELM4_POST_RENDERER_PLUGIN, helm4PostRendererPlugin } from './chart.ts';
import { helmArtifact, isHelm4 } from '../provision/helm-binary.ts';

describe('Helm 4 post-renderer plugin', () => {
  it('is a valid postrenderer/v1 subprocess plugin (Helm v4.3.2 MetadataV1.Validate) running the shipped script', () => {
    const files = helm4PostRendererPlugin();
    const meta = parse(files['plugin.yaml']!) as Record<string, unknown>;
    expect(meta).toMatchObject({ apiVersion: 'v1', name: HELM4_POST_RENDERER_PLUGIN, type: 'postrenderer/v1', runtime: 'subprocess', version: '0.1.0' });
    expect(HELM4_POST_RENDERER_PLUGIN).toMatch(/^[A-Za-z0-9_-]+$/);
    const command = (meta.runtimeConfig as { platformCommand: Array<{ command: string }> }).platformCommand[0]!.command;
    expect(command).toBe('${HELM_PLUGIN_DIR}/post-render-no-crds.mjs');
    expect(Object.keys(files)).toContain('post-render-no-crds.mjs');
  });

  it('its script drops CustomResourceDefinitions and keeps everything else', () => {
    const dir = testTempDir('helm4-plugin-');
    const script = join(dir, 'post-render-no-crds.mjs');
    writeFileSync(script, helm4PostRendererPlugin()['post-render-no-crds.mjs']!);
    chmodSync(script, 0o755);
    const rendered = ['kind: CustomResourceDefinition\nmetadata: {name: a}\n', 'kind: Deployment\nmetadata: {name: b}\n', 'kind: Service\nmetadata: {name: c}\n'].join('---\n');
    const out = execFileSync(process.execPath, [script], { input: rendered, encoding: 'utf8' });
    expect(out).not.toMatch(/CustomResourceDefinition/);
    expect(out).toMatch(/kind: Deployment/);
    expect(out).toMatch(/kind: Service/);
  });

  it('Helm 4 lives in its own artifact', () => {
    expect(helmArtifact('v3.19.0')).toBe('helm');
    expect(helmArtifact('v4.3.2')).toBe('helm4');
    expect(isHelm4('v4.0.0')).toBe(true);
    expect(isHelm4('v3.22.0')).toBe(false);
  });
});
