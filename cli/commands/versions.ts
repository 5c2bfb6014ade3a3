import type { Command } from 'commander';
import { formatRadarMarkdown, formatRadarText } from '../../provision/radar/format.ts';
import { buildRadar, radarExitCode } from '../../provision/radar/radar.ts';
import { registryFetcher, registryProber } from '../../provision/radar/registries.ts';
import { radarComponents, sourceText } from '../../provision/radar/sources.ts';
import { loadVersions } from '../../scenarios/versions.ts';

export function registerVersions(program: Command): void {
  program
    .command('versions')
    .description('the pinned versions beside the newest the package registries serve, and which pins are past end of life')
    .option('--check', 'exit 1 when a newer patch of a pinned line is published')
    .option('--json', 'machine-readable')
    .option('--markdown', 'a Markdown table (for a CI job summary)')
    .action(async (opts: { check?: boolean; json?: boolean; markdown?: boolean }, cmd: Command) => {
      const globals = cmd.optsWithGlobals() as { versions?: string };
      const components = radarComponents(loadVersions(globals.versions));
      const today = new Date().toISOString().slice(0, 10);
      const radar = await buildRadar(components, registryFetcher(), { today, sourceName: (c) => sourceText(c.source), probe: registryProber() });
      process.stdout.write(opts.json ? JSON.stringify(radar, null, 2) + '\n' : opts.markdown ? formatRadarMarkdown(radar) : formatRadarText(radar));
      for (const c of radar.components.filter((x) => x.failure)) {
        process.stderr.write(`error: ${c.failure!.registry} did not answer for ${c.name} (${c.source}): ${c.failure!.problem}\n  do: check the network and the registry client's settings (GOPROXY for go, pip's index-url), then run again\n`);
      }
      const code = radarExitCode(radar);
      if (code === 3 || (opts.check && code === 1)) process.exitCode = code;
    });
}
