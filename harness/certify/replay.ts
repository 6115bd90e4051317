/**
 * `verify --replay`: the certification again, from the bundle's own inputs (its scenario files, its
 * profile, its seed), against the provider package, which must build to the very image the
 * certificate names; then every requirement's verdict next to the certified one. `only` replays some
 * of the scenarios and compares the verdicts they judge: a quick check that a bundle still replays.
 */
import { join } from 'node:path';
import type { Certificate } from '../certificate/index.js';
import { loadProfile } from '../scenario/profile.js';
import { loadScenarios } from '../scenario/parse.js';
import { certify } from './index.js';

export interface ReplayOptions {
  certificate: Certificate;
  /** The bundle folder (holding inputs/). */
  dir: string;
  providerDir: string;
  out: string;
  /** Scenario ids to replay (default all): only the verdicts these judge are compared. */
  only?: readonly string[];
  onProgress?: (line: string) => void;
}

/** `only` names a scenario the bundle does not hold. */
export class ReplayScopeError extends Error {}

export interface Replay {
  same: boolean;
  /** One line per difference: the image, or a requirement whose verdict changed. */
  differences: string[];
  out: string;
}

export async function replayCertification(o: ReplayOptions): Promise<Replay> {
  const p = o.certificate.statement.predicate;
  const unknown = (o.only ?? []).filter((id) => !p.scenarios.some((s) => s.id === id));
  if (unknown.length)
    throw new ReplayScopeError(
      `--only: the bundle holds no scenario ${unknown.map((id) => `"${id}"`).join(', ')}; it holds ${p.scenarios.map((s) => s.id).join(', ')}`,
    );
  const chosen = p.scenarios.filter((s) => !o.only || o.only.includes(s.id));
  const { results } = await certify({
    providerDir: o.providerDir,
    scenarios: loadScenarios(chosen.map((s) => join(o.dir, s.file))),
    profile: { ...loadProfile(join(o.dir, p.profile.file)), name: p.profile.name },
    seed: p.seed,
    out: o.out,
    ...(o.onProgress && { onProgress: o.onProgress }),
  });
  const differences: string[] = [];
  const certifiedImage = `sha256:${o.certificate.statement.subject[0]!.digest.sha256}`;
  if (results.provider.imageDigest !== certifiedImage) {
    differences.push(
      `image: certified ${certifiedImage}, ${o.providerDir} builds ${results.provider.imageDigest ?? 'no image'}`,
    );
  }
  // A partial replay judges only what its scenarios prove; the rest it did not look at.
  const judged = results.requirements.filter((r) => !o.only || r.scenarios.length > 0);
  const now = new Map(judged.map((r) => [r.id, r.verdict]));
  for (const r of p.requirements.filter((r) => !o.only || now.has(r.id))) {
    const verdict = now.get(r.id) ?? 'absent';
    if (verdict !== r.verdict) differences.push(`${r.id}: certified ${r.verdict}, replayed ${verdict}`);
  }
  return { same: differences.length === 0, differences, out: o.out };
}
