/**
 * Offline contract build: compiles contracts/src with the npm `solc` (bundled soljson, no network),
 * adds the published Uniswap V2 artifacts, and writes contracts/out/<Name>.json plus a typed
 * contracts/out/abis.ts. Skips all work when sources, compiler and this script are unchanged.
 *
 *   npm run build:contracts            (also run by `npm ci` through `prepare`)
 *   npm run build:contracts -- --force
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Hex } from 'viem';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

export const SRC_DIR = join(here, 'src');
export const OUT_DIR = join(here, 'out');
const STAMP_FILE = '.build-stamp.json';
/** The npm solc package bundles exactly one compiler; its version names it (loading soljson takes seconds). */
const SOLC_PACKAGE_VERSION = (require('solc/package.json') as { version: string }).version;

/** Compiler settings; part of the build hash, so changing them forces a rebuild. */
const SETTINGS = {
  optimizer: { enabled: true, runs: 200 },
  evmVersion: 'cancun',
  outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } },
} as const;

/** Published Uniswap V2 builds shipped with the npm packages (solc 0.5.16 / 0.6.6). */
const UNISWAP_ARTIFACTS = [
  ['UniswapV2Factory', '@uniswap/v2-core/build/UniswapV2Factory.json'],
  ['UniswapV2Pair', '@uniswap/v2-core/build/UniswapV2Pair.json'],
  ['UniswapV2Router02', '@uniswap/v2-periphery/build/UniswapV2Router02.json'],
  ['WETH9', '@uniswap/v2-periphery/build/WETH9.json'],
] as const;

type AbiItem = Record<string, unknown>;

export interface Artifact {
  name: string;
  abi: AbiItem[];
  bytecode: Hex;
}

export interface BuildResult {
  skipped: boolean;
  artifacts: string[];
  outDir: string;
}

interface SolcMessage {
  severity: 'error' | 'warning' | 'info';
  formattedMessage?: string;
  message: string;
}

interface SolcOutput {
  errors?: SolcMessage[];
  contracts?: Record<string, Record<string, { abi: AbiItem[]; evm: { bytecode: { object: string } } }>>;
}

export class ContractBuildError extends Error {
  override name = 'ContractBuildError';
}

/** Every .sol file under `dir`, as [path relative to `dir` with '/', content], sorted. */
export function readSources(dir = SRC_DIR): Array<[string, string]> {
  const walk = (d: string): string[] =>
    readdirSync(d, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? walk(join(d, e.name)) : e.name.endsWith('.sol') ? [join(d, e.name)] : [],
    );
  return walk(dir)
    .map((file): [string, string] => [relative(dir, file).split(sep).join('/'), readFileSync(file, 'utf8')])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function uniswapArtifacts(): Artifact[] {
  return UNISWAP_ARTIFACTS.map(([name, path]) => {
    const json = require(path) as { abi: AbiItem[]; bytecode: string };
    return { name, abi: json.abi, bytecode: hexOf(json.bytecode) };
  });
}

/** The factory deploys pairs by CREATE2 and the router recomputes their addresses from a hardcoded hash. */
export async function checkUniswapInitCodeHash(artifacts: Artifact[]): Promise<Hex> {
  const { keccak256 } = await import('viem');
  const pair = artifacts.find((a) => a.name === 'UniswapV2Pair');
  const router = artifacts.find((a) => a.name === 'UniswapV2Router02');
  const factory = artifacts.find((a) => a.name === 'UniswapV2Factory');
  if (!pair || !router || !factory) throw new ContractBuildError('Uniswap V2 artifacts are incomplete');
  const hash = keccak256(pair.bytecode);
  if (!router.bytecode.includes(hash.slice(2))) {
    throw new ContractBuildError(
      `UniswapV2Router02 does not embed the init code hash ${hash} of the UniswapV2Pair artifact: swaps would fail`,
    );
  }
  if (!factory.bytecode.includes(pair.bytecode.slice(2))) {
    throw new ContractBuildError(
      'UniswapV2Factory does not embed the UniswapV2Pair creation code of the artifact',
    );
  }
  return hash;
}

function hexOf(code: string): Hex {
  const hex = code.startsWith('0x') ? code : `0x${code}`;
  if (!/^0x[0-9a-fA-F]*$/.test(hex)) throw new ContractBuildError(`not hex bytecode: ${hex.slice(0, 40)}...`);
  return hex as Hex;
}

const ABI_KEYS = new Set([
  'type',
  'name',
  'inputs',
  'outputs',
  'stateMutability',
  'anonymous',
  'indexed',
  'components',
  'internalType',
]);

/** Keeps only the standard ABI keys (old builds carry `constant`, `payable`, `signature`, ...). */
function normalizeAbi(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalizeAbi);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([key]) => ABI_KEYS.has(key))
        .map(([key, v]) => [key, normalizeAbi(v)]),
    );
  }
  return value;
}

/** What solc asks for an import it was not given: the file's content, or why there is none. */
export type ImportResolver = (path: string) => { contents: string } | { error: string };

const onlyGivenSources: ImportResolver = (path) => ({
  error: `import not found: ${path} (only contracts/src is compiled)`,
});

export async function compileSources(
  sources: Array<[string, string]>,
  findImports: ImportResolver = onlyGivenSources,
): Promise<{ artifacts: Artifact[]; warnings: string[]; compiler: string }> {
  const { default: solc } = await import('solc');
  const input = {
    language: 'Solidity',
    sources: Object.fromEntries(sources.map(([path, content]) => [path, { content }])),
    settings: SETTINGS,
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImports })) as SolcOutput;
  const messages = output.errors ?? [];
  const format = (m: SolcMessage) => (m.formattedMessage ?? m.message).trimEnd();
  const errors = messages.filter((m) => m.severity === 'error').map(format);
  if (errors.length > 0) {
    throw new ContractBuildError(`solc ${solc.version()} failed:\n${errors.join('\n\n')}`);
  }
  const artifacts: Artifact[] = [];
  for (const [file, contracts] of Object.entries(output.contracts ?? {})) {
    for (const [name, contract] of Object.entries(contracts)) {
      const object = contract.evm.bytecode.object;
      if (object.length === 0) continue; // interfaces and abstract contracts
      if (artifacts.some((a) => a.name === name)) {
        throw new ContractBuildError(
          `two contracts are named ${name} (second in ${file}); names must be unique`,
        );
      }
      artifacts.push({ name, abi: contract.abi, bytecode: hexOf(object) });
    }
  }
  const warnings = messages.filter((m) => m.severity === 'warning').map(format);
  return { artifacts, warnings, compiler: solc.version() as string };
}

/** `EthProvider` -> `ethProvider`, `WETH9` -> `weth9`, `UniswapV2Router02` -> `uniswapV2Router02`. */
export function identifierFor(name: string): string {
  const lead = /^[A-Z]+(?![a-z])|^[A-Z]/.exec(name)?.[0] ?? '';
  return lead.toLowerCase() + name.slice(lead.length);
}

export function renderAbisModule(artifacts: Artifact[], pairInitCodeHash: Hex): string {
  const lines = [
    '// Generated by contracts/build.ts from contracts/src and the Uniswap V2 npm builds. Do not edit.',
    '',
    `export const contractNames = ${JSON.stringify(artifacts.map((a) => a.name))} as const;`,
    '',
    '/** keccak256 of the UniswapV2Pair creation code, as hardcoded in UniswapV2Router02. */',
    `export const uniswapV2PairInitCodeHash = '${pairInitCodeHash}' as const;`,
  ];
  for (const artifact of artifacts) {
    const id = identifierFor(artifact.name);
    const abi = artifact.abi.map((item) => `  ${JSON.stringify(item)},`).join('\n');
    lines.push('', `export const ${id}Abi = [\n${abi}\n] as const;`);
    lines.push(`export const ${id}Bytecode = '${artifact.bytecode}' as const;`);
  }
  return `${lines.join('\n')}\n`;
}

function buildHash(sources: Array<[string, string]>): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ solc: SOLC_PACKAGE_VERSION, settings: SETTINGS }));
  for (const [path, content] of sources) hash.update(`\0${path}\0${content}`);
  for (const [name, path] of UNISWAP_ARTIFACTS)
    hash.update(`\0${name}\0${readFileSync(require.resolve(path))}`);
  hash.update(readFileSync(fileURLToPath(import.meta.url)));
  return hash.digest('hex');
}

function upToDate(outDir: string, hash: string): string[] | undefined {
  const stampPath = join(outDir, STAMP_FILE);
  if (!existsSync(stampPath)) return undefined;
  try {
    const stamp = JSON.parse(readFileSync(stampPath, 'utf8')) as { hash?: string; artifacts?: string[] };
    if (stamp.hash !== hash || !stamp.artifacts || !existsSync(join(outDir, 'abis.ts'))) return undefined;
    return stamp.artifacts.every((name) => existsSync(join(outDir, `${name}.json`)))
      ? stamp.artifacts
      : undefined;
  } catch {
    return undefined;
  }
}

export interface BuildOptions {
  force?: boolean;
  srcDir?: string;
  outDir?: string;
  log?: (line: string) => void;
}

/** Whether `outDir` holds the build of the current sources, compiler and build script (no compiling). */
export function isUpToDate({
  srcDir = SRC_DIR,
  outDir = OUT_DIR,
}: Pick<BuildOptions, 'srcDir' | 'outDir'> = {}): boolean {
  return upToDate(outDir, buildHash(readSources(srcDir))) !== undefined;
}

export async function buildContracts(options: BuildOptions = {}): Promise<BuildResult> {
  const { force = false, srcDir = SRC_DIR, outDir = OUT_DIR, log = () => {} } = options;
  const sources = readSources(srcDir);
  if (sources.length === 0) throw new ContractBuildError(`no .sol files under ${srcDir}`);
  const hash = buildHash(sources);
  const cached = force ? undefined : upToDate(outDir, hash);
  if (cached) {
    log(`contracts up to date (${cached.length} artifacts in ${outDir})`);
    return { skipped: true, artifacts: cached, outDir };
  }
  const started = Date.now();
  const { artifacts: compiled, warnings, compiler } = await compileSources(sources);
  for (const warning of warnings) log(`warning: ${warning}`);
  const artifacts = [...compiled, ...uniswapArtifacts()];
  const pairInitCodeHash = await checkUniswapInitCodeHash(artifacts);
  mkdirSync(outDir, { recursive: true });
  for (const artifact of artifacts) {
    artifact.abi = normalizeAbi(artifact.abi) as AbiItem[];
    const json = JSON.stringify({ abi: artifact.abi, bytecode: artifact.bytecode }, null, 2);
    writeFileSync(join(outDir, `${artifact.name}.json`), `${json}\n`);
  }
  writeFileSync(join(outDir, 'abis.ts'), renderAbisModule(artifacts, pairInitCodeHash));
  const names = artifacts.map((a) => a.name);
  // Written last: an interrupted build leaves no stamp and is redone.
  writeFileSync(join(outDir, STAMP_FILE), `${JSON.stringify({ hash, solc: compiler, artifacts: names })}\n`);
  log(
    `compiled ${sources.length} sources with solc ${compiler} in ${Date.now() - started} ms: ${names.join(', ')}`,
  );
  return { skipped: false, artifacts: names, outDir };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    await buildContracts({ force: process.argv.includes('--force'), log: (line) => console.log(line) });
  } catch (error) {
    console.error(error instanceof ContractBuildError ? error.message : error);
    process.exit(1);
  }
}
