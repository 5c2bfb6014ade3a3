// The kind image pipeline (kind/images/build.ts), step by step with sizes and seconds:
//   npx tsx bench/kind-images.ts [--kubernetes v1.34.4] [--json]
import { sourceSettings } from '../cli/run-settings.ts';
import { buildKindImages, debianMirrorOf, summary } from '../kind/images/build.ts';
import { EnvironmentError } from '../lib/errors.ts';

const args = process.argv.slice(2);
const at = args.indexOf('--kubernetes');
const kubernetesVersion = at >= 0 ? args[at + 1] : undefined;
const { source, debianMirror } = sourceSettings();
buildKindImages({ kubernetesVersion, sources: { policy: source }, ...debianMirrorOf({ debianMirror }) })
  .then((r) => {
    if (args.includes('--json')) console.log(JSON.stringify(r, null, 2));
    else console.log(summary(r).join('\n'));
  })
  .catch((err) => {
    console.error(err instanceof EnvironmentError ? err.format() : err);
    process.exit(1);
  });
