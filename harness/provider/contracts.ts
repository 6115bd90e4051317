/**
 * A provider's own provider contracts (manifest `contracts`, SPEC.md §2): the Solidity sources of
 * its package compiled offline with the harness's solc, each contract checked to keep the ABI of
 * oneclick's contract for its currency, so the world deploys it in place of oneclick's and the
 * CHAIN-* requirements judge it.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Abi, AbiParameter, Hex } from 'viem';
import { ethProviderAbi, tokenProviderAbi } from '../../contracts/index.js';
import type { Artifact } from '../../contracts/build.js';
import { cacheRoot } from '../images/paths.js';
import type { Currency } from '../spec/requirements.js';
import { ManifestError, type LoadedProvider } from './manifest.js';

/** A contract to deploy in place of oneclick's, with the constructor arguments oneclick's takes. */
export interface ProviderArtifact {
  name: string;
  abi: Abi;
  bytecode: Hex;
}

export type ProviderContracts = Partial<Record<Currency, ProviderArtifact>>;

/** The ABI a provider's own contract must keep, per currency (oneclick's ProviderBase and its payments). */
export const REQUIRED_ABI: Record<Currency, Abi> = { eth: ethProviderAbi, token: tokenProviderAbi };
/** Of the errors, only the one a requirement names (CHAIN-INVALID-AMOUNT). */
const REQUIRED_ERRORS = new Set(['InvalidAmount']);
/** Sources importing `oneclick/<path>` get oneclick's own contracts/src/<path> (interfaces, ProviderBase). */
const ONECLICK_IMPORT = 'oneclick/';
const ONECLICK_SOURCES = fileURLToPath(new URL('../../contracts/src/', import.meta.url));
const require = createRequire(import.meta.url);

const compiled = new WeakMap<LoadedProvider, Promise<ProviderContracts | undefined>>();

/**
 * The provider's own contracts, compiled and checked (once per loaded provider); undefined when it
 * ships none (oneclick's are deployed). Throws a ManifestError naming the field and what is missing.
 */
export function providerContracts(provider: LoadedProvider): Promise<ProviderContracts | undefined> {
  let pending = compiled.get(provider);
  if (!pending) {
    pending = build(provider);
    compiled.set(provider, pending);
  }
  return pending;
}

async function build(provider: LoadedProvider): Promise<ProviderContracts | undefined> {
  const spec = provider.contracts;
  if (!spec) return undefined;
  const { ContractBuildError } = await import('../../contracts/build.js');
  const sourcesAt =
    provider.manifest.contracts?.sources !== undefined ? ['contracts', 'sources'] : ['contracts'];
  // `locate` gives file:line:column, shown as a problem's place.
  const fail = (path: readonly string[], message: string): never => {
    throw new ManifestError([{ file: provider.locate(path), field: path.join('.'), message }]);
  };
  const shown = relative(provider.dir, spec.sources) || '.';
  let artifacts: Artifact[];
  try {
    artifacts = await compileCached(spec.sources);
  } catch (error) {
    if (!(error instanceof ContractBuildError)) throw error;
    return fail(sourcesAt, `${shown} does not compile: ${error.message}`);
  }
  const out: ProviderContracts = {};
  for (const [currency, name] of Object.entries(spec.names) as Array<[Currency, string]>) {
    const artifact = artifacts.find((a) => a.name === name);
    if (!artifact)
      fail(
        ['contracts', currency],
        `no deployable contract ${name} in ${shown} (compiled: ${artifacts.map((a) => a.name).join(', ') || 'none'})`,
      );
    // solc's ABI JSON is a viem Abi; contracts/build.ts types it loosely.
    const abi = artifact!.abi as unknown as Abi;
    const missing = missingAbi(REQUIRED_ABI[currency], abi);
    if (missing.length)
      fail(
        ['contracts', currency],
        `${name} does not keep the ABI of oneclick's ${currency === 'eth' ? 'EthProvider' : 'TokenProvider'} ` +
          `(ProviderBase, SPEC.md §1): missing ${missing.join('; ')}`,
      );
    out[currency] = { name, abi, bytecode: artifact!.bytecode };
  }
  return out;
}

/**
 * Compiles a sources folder, or reads what an earlier run compiled from the same sources, oneclick
 * sources and compiler (loading solc alone takes seconds; a certification compiles once per run).
 */
async function compileCached(dir: string): Promise<Artifact[]> {
  const { compileSources, readSources, SRC_DIR } = await import('../../contracts/build.js');
  const sources = readSources(dir);
  const hash = createHash('sha256');
  hash.update(readFileSync(fileURLToPath(new URL('../../contracts/build.ts', import.meta.url))));
  hash.update(readFileSync(require.resolve('solc/package.json')));
  for (const [path, content] of [...sources, ...readSources(SRC_DIR).map(([p, c]) => [`oneclick/${p}`, c])])
    hash.update(`\0${path}\0${content}`);
  const file = join(cacheRoot(), 'provider-contracts', `${hash.digest('hex').slice(0, 32)}.json`);
  const cached = await readFile(file, 'utf8').catch(() => undefined);
  if (cached !== undefined) return JSON.parse(cached) as Artifact[];
  const { artifacts } = await compileSources(sources, oneclickImports);
  await mkdir(dirname(file), { recursive: true });
  // Written whole then renamed: a reader never sees half a file.
  await writeFile(`${file}.${process.pid}`, JSON.stringify(artifacts));
  await rename(`${file}.${process.pid}`, file);
  return artifacts;
}

function oneclickImports(path: string): { contents: string } | { error: string } {
  if (!path.startsWith(ONECLICK_IMPORT) || path.split('/').includes('..'))
    return { error: `import not found: ${path} (a provider's sources import each other or oneclick/<file>)` };
  try {
    return { contents: readFileSync(join(ONECLICK_SOURCES, path.slice(ONECLICK_IMPORT.length)), 'utf8') };
  } catch {
    return { error: `import not found: ${path} (no such file in oneclick's contracts/src)` };
  }
}

/**
 * What of `required` `actual` lacks, each as a signature: every function (same inputs, outputs and
 * whether it is payable or only reads), event (same indexed inputs), the constructor (the world
 * deploys with oneclick's arguments) and the errors a requirement names.
 */
export function missingAbi(required: Abi, actual: Abi): string[] {
  const have = new Set(actual.map(signature));
  return required
    .filter((item) => item.type !== 'error' || REQUIRED_ERRORS.has(item.name))
    .filter((item) => item.type !== 'receive' && item.type !== 'fallback')
    .map(signature)
    .filter((s) => !have.has(s));
}

type AbiItem = Abi[number];

/** `function topUp(address) payable`, `event NewTopUp(address indexed, uint64)`, `constructor(address, uint256, uint64)`. */
export function signature(item: AbiItem): string {
  const params = (ps: readonly AbiParameter[] | undefined) =>
    (ps ?? []).map((p) => `${typeOf(p)}${'indexed' in p && p.indexed ? ' indexed' : ''}`).join(', ');
  switch (item.type) {
    case 'function': {
      const mutability =
        item.stateMutability === 'payable'
          ? ' payable'
          : /view|pure/.test(item.stateMutability)
            ? ' view'
            : '';
      const returns = item.outputs.length ? ` returns (${params(item.outputs)})` : '';
      return `function ${item.name}(${params(item.inputs)})${mutability}${returns}`;
    }
    case 'event':
      return `event ${item.name}(${params(item.inputs)})`;
    case 'error':
      return `error ${item.name}(${params(item.inputs)})`;
    case 'constructor':
      return `constructor(${params(item.inputs)})`;
    default:
      return item.type;
  }
}

function typeOf(p: AbiParameter): string {
  if (!p.type.startsWith('tuple')) return p.type;
  const components = 'components' in p ? (p.components as readonly AbiParameter[]) : [];
  return `(${components.map(typeOf).join(',')})${p.type.slice('tuple'.length)}`;
}
