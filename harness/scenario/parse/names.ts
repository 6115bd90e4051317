/**
 * What a schema cannot say about a step's names: orgs and peers the scenario declares, repos and
 * memories an earlier step makes, requirement IDs that exist. Each problem says what is declared.
 */
import { isRequirementId, REQUIREMENT_IDS } from '../../spec/requirements.js';
import { didYouMean, hint, type Problems } from '../../yaml/index.js';
import { zeroDuration } from '../problems.js';
import { NAME, REPO } from '../steps/support/forms.js';
import type { Declarations, Field, RawStep, StepChecks } from '../steps/index.js';
import type { World } from './world.js';
import { show } from '../../yaml/index.js';

const isName = (f: Field | undefined): f is Field & { value: string } =>
  typeof f?.value === 'string' && NAME.test(f.value);

/** The checks of one step, against the world and what the steps declare. */
export function stepChecks(
  step: RawStep,
  world: World,
  declarations: Declarations,
  problems: Problems,
): StepChecks {
  const checks: StepChecks = {
    problems,
    declarations,
    orgKind: (name) => world.orgByName.get(name)?.kind,
    org(f, target = false) {
      if (!isName(f) || world.orgByName.has(f.value)) return;
      const declared = [...world.orgByName.keys()];
      const what = target ? `node:${f.value} names an unknown org "${f.value}"` : `unknown org "${f.value}"`;
      const guess = didYouMean(f.value, declared);
      const shownGuess = guess && target ? `node:${guess}` : guess;
      problems.add(
        f.path,
        declared.length
          ? `${what} (declared: ${declared.join(', ')}${shownGuess ? `; did you mean "${shownGuess}"?` : ''})`
          : `${what} (no orgs are declared: add orgs: { ${f.value}: contract })`,
      );
    },
    peer(f) {
      if (!isName(f) || world.peerNames.has(f.value)) return;
      const declared = [...world.peerNames];
      problems.add(
        f.path,
        declared.length
          ? `unknown peer "${f.value}" (declared: ${declared.join(', ')}${hint(f.value, declared)})`
          : `unknown peer "${f.value}" (no peers are declared: add peers: { ${f.value}: {} })`,
      );
    },
    repo(f) {
      if (typeof f?.value !== 'string' || !REPO.test(f.value)) return;
      const created = declarations.repos.get(f.value);
      if (created && created.index < step.index) return;
      if (created) {
        problems.add(
          f.path,
          `repo "${f.value}" is used before create-repo makes it (at line ${created.line}): create it first`,
        );
        return;
      }
      const known = [...declarations.repos.keys()];
      problems.add(
        f.path,
        `no create-repo makes repo "${f.value}"${known.length ? ` (created: ${known.join(', ')}${hint(f.value, known)})` : ''}: add - create-repo: { peer: …, repo: ${f.value} } before this step`,
      );
    },
    since(f, forOrg) {
      if (!isName(f)) return;
      const all = declarations.memories.get(f.value) ?? [];
      const last = all.filter((s) => s.index < step.index).at(-1);
      if (!last) {
        const known = [...declarations.memories.keys()];
        problems.add(
          f.path,
          all.length
            ? `"${f.value}" is used before remember defines it (at line ${all[0]!.line}): remember it first`
            : `nothing is remembered as "${f.value}"${known.length ? ` (remembered: ${known.join(', ')}${hint(f.value, known)})` : ''}: add - remember: { org: …, as: ${f.value} } before this step`,
        );
        return;
      }
      const remembered = last.fields.get('org')?.value;
      if (typeof forOrg === 'string' && typeof remembered === 'string' && remembered !== forOrg) {
        problems.add(
          f.path,
          `"${f.value}" remembers org ${remembered} (line ${last.line}), not ${forOrg}: compare an org with its own past`,
        );
      }
    },
    positive(f) {
      if (f && zeroDuration(f.value)) problems.add(f.path, `must be longer than 0, got ${show(f.value)}`);
    },
    byName(s, fields) {
      const takes = fields.map((f) => f.replace('?', ''));
      if (takes.includes('org')) checks.org(s.fields.get('org'));
      if (takes.includes('peer')) checks.peer(s.fields.get('peer'));
      if (takes.includes('repo')) checks.repo(s.fields.get('repo'));
      const t = takes.includes('target') ? s.fields.get('target') : undefined;
      const m = typeof t?.value === 'string' ? /^node:(.+)$/.exec(t.value) : null;
      if (t && m) checks.org({ value: m[1], path: t.path }, true);
    },
  };
  return checks;
}

/** Requirement IDs a step proves: known ones, each once. */
export function checkProves(step: RawStep, problems: Problems): void {
  const proves = step.proves;
  if (!proves) return;
  const list: Field[] =
    typeof proves.value === 'string'
      ? [proves]
      : Array.isArray(proves.value)
        ? proves.value.map((v, i) => ({ value: v, path: [...proves.path, i] }))
        : [];
  const seen = new Set<string>();
  for (const f of list) {
    if (typeof f.value !== 'string' || !f.value) continue;
    if (!isRequirementId(f.value)) {
      const guess = didYouMean(f.value, REQUIREMENT_IDS);
      problems.add(
        f.path,
        `unknown requirement "${f.value}" (${guess ? `did you mean "${guess}"?` : `expected one of ${REQUIREMENT_IDS.join(', ')}`})`,
      );
    } else if (seen.has(f.value)) {
      problems.add(f.path, `"${f.value}" is listed twice`);
    }
    seen.add(f.value);
  }
}
