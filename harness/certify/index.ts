/**
 * `oneclick certify`: every scenario against one provider, each in a world of its own (side by side
 * up to `parallel`), `repeat` times; then verdicts per requirement and the three reports.
 */
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import pLimit from 'p-limit';
import { dockerEngine } from '../docker/engine.js';
import { loadProvider, providerImage, type LoadedProvider } from '../provider/index.js';
import type { CertificationResults, ScenarioResult } from '../report/model.js';
import {
  combineRepetitions,
  judgeRequirements,
  mutantMismatch,
  outcome,
  writeReports,
  type ReportPaths,
} from '../report/index.js';
import type { Profile, Scenario } from '../scenario/model.js';
import { runScenario } from '../scenario/run.js';
import { appliesTo, CURRENCIES, REQUIREMENTS, type Currency } from '../spec/requirements.js';

export interface CertifyOptions {
  providerDir: string;
  scenarios: Scenario[];
  profile: Profile;
  seed: number;
  out: string;
  repeat?: number;
  /** Scenarios side by side; default the profile's. */
  parallel?: number;
  providerEnv?: Record<string, string>;
  onProgress?: (line: string) => void;
}

export interface Certification {
  results: CertificationResults;
  paths: ReportPaths;
  /** For a provider that declares `mustFail`: whether it failed exactly those. */
  mismatch?: { unexpectedFailures: string[]; missingFailures: string[] };
}

/** Reports never carry a secret: scenario worlds redact their own TSIG keys; this is the last net. */
export const redactSecrets = (s: string): string =>
  s.replace(/(hmac-[a-z0-9]+:)[A-Za-z0-9+/=]{16,}/g, '$1[redacted]');

const pkg = createRequire(import.meta.url)('../../package.json') as { version: string };

/**
 * What a provider serving `currencies` (manifest; default both) is certified on: the scenarios of a
 * currency it serves, and the requirements that are not for another currency only.
 */
export function servedScope(currencies: readonly Currency[] = CURRENCIES, all: readonly Scenario[]) {
  const scenarios = all.filter((s) => currencies.includes(s.currency));
  return {
    scenarios,
    requirements: REQUIREMENTS.filter((r) => appliesTo(r, currencies)),
    leftOut: all.filter((s) => !scenarios.includes(s)),
  };
}

export async function certify(o: CertifyOptions): Promise<Certification> {
  const say = o.onProgress ?? (() => undefined);
  const started = Date.now();
  const provider: LoadedProvider = await loadProvider(o.providerDir);
  const repeat = o.repeat ?? 1;
  const parallel = o.parallel ?? o.profile.parallel;
  const { scenarios, requirements, leftOut } = servedScope(provider.manifest.currencies, o.scenarios);
  for (const s of leftOut) say(`${s.id}: left out (the provider does not serve ${s.currency})`);
  // Built (or found) once here, so scenarios starting side by side do not race to build it.
  const image = await providerImage(provider, { onProgress: say });
  const digest = (
    await dockerEngine()
      .getImage(image.id)
      .inspect()
      .catch(() => undefined)
  )?.Id;

  const perRun: CertificationResults['requirements'][] = [];
  const all: (ScenarioResult & { repetition: number })[] = [];
  for (let repetition = 1; repetition <= repeat; repetition++) {
    if (repeat > 1) say(`repetition ${repetition}/${repeat}`);
    const results = await pLimit(Math.max(1, parallel)).map(scenarios, (scenario) =>
      runScenario({
        scenario,
        provider,
        profile: o.profile,
        seed: o.seed,
        ...(o.providerEnv && { providerEnv: o.providerEnv }),
        onProgress: say,
      }),
    );
    perRun.push(
      judgeRequirements(
        results.flatMap((r) => r.evidence),
        { requirements, scenariosRun: scenarios.map((s) => ({ id: s.id, proves: s.proves })) },
      ),
    );
    all.push(...results.map((r) => ({ ...r, repetition })));
  }
  const verdicts = combineRepetitions(perRun);
  const mustFail = provider.manifest.mustFail;
  const harnessBroke = all.some((s) => s.status === 'error');
  const results: CertificationResults = {
    schema: 'oneclick/results/v1',
    provider: {
      name: provider.manifest.name,
      version: provider.manifest.version,
      image: image.tag,
      ...(digest && { imageDigest: digest }),
      dir: resolve(o.providerDir),
    },
    harness: { name: 'oneclick', version: pkg.version, node: process.version },
    seed: o.seed,
    profile: o.profile.name,
    repeat,
    startedAt: new Date(started).toISOString(),
    endedAt: new Date().toISOString(),
    durationMs: Date.now() - started,
    outcome: harnessBroke ? 'harness-error' : outcome(verdicts, mustFail),
    requirements: verdicts,
    scenarios: all,
    ...(mustFail && { mustFail }),
  };
  const paths = await writeReports(results, o.out, { redact: redactSecrets });
  return { results, paths, ...(mustFail && { mismatch: mutantMismatch(verdicts, mustFail) }) };
}
