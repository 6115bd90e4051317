import {
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
  mkdirSync,
  existsSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { keccak256 } from 'viem';
import * as contracts from '../../contracts/index.js';
import {
  ContractBuildError,
  OUT_DIR,
  buildContracts,
  checkUniswapInitCodeHash,
  identifierFor,
  isUpToDate,
  type Artifact,
} from '../../contracts/build.js';

const DEPLOYABLE = [
  'CertificateLib',
  'CertifierRegistry',
  'Entrance',
  'EthProvider',
  'Org',
  'OrgFactory',
  'TestStablecoin',
  'TokenProvider',
  'ReentrantOwner',
];
const UNISWAP = ['UniswapV2Factory', 'UniswapV2Pair', 'UniswapV2Router02', 'WETH9'];

const scratch = mkdtempSync(join(tmpdir(), 'oneclick-build-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function readArtifact(dir: string, name: string): Artifact {
  return { name, ...(JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')) as Omit<Artifact, 'name'>) };
}

describe('contract build', () => {
  it('contracts/out is the build of the current sources (else: npm run build:contracts)', () => {
    // Checked without building: rebuilding here would rewrite files other test workers are reading.
    expect(isUpToDate(), 'contracts/out is stale: run `npm run build:contracts`').toBe(true);
    const stamp = JSON.parse(readFileSync(join(OUT_DIR, '.build-stamp.json'), 'utf8')) as {
      artifacts: string[];
    };
    expect([...stamp.artifacts].sort()).toEqual([...DEPLOYABLE, ...UNISWAP].sort());
  });

  it('writes {abi, bytecode} for every deployable contract and the Uniswap V2 artifacts, nothing for interfaces', () => {
    const files = readdirSync(OUT_DIR).filter((f) => f.endsWith('.json') && !f.startsWith('.'));
    expect(files.sort()).toEqual([...DEPLOYABLE, ...UNISWAP].map((n) => `${n}.json`).sort());
    for (const name of [...DEPLOYABLE, ...UNISWAP]) {
      const artifact = readArtifact(OUT_DIR, name);
      expect(Object.keys(JSON.parse(readFileSync(join(OUT_DIR, `${name}.json`), 'utf8')))).toEqual([
        'abi',
        'bytecode',
      ]);
      expect(artifact.bytecode).toMatch(/^0x[0-9a-f]{100,}$/);
      expect(artifact.abi.length).toBeGreaterThan(0);
    }
  });

  it('abis.ts (through contracts/index.ts) exports the same ABIs and bytecode as the JSON artifacts', () => {
    const exported = contracts as unknown as Record<string, unknown>;
    for (const name of [...DEPLOYABLE, ...UNISWAP]) {
      const artifact = readArtifact(OUT_DIR, name);
      expect(exported[`${identifierFor(name)}Abi`], name).toEqual(artifact.abi);
      expect(exported[`${identifierFor(name)}Bytecode`], name).toBe(artifact.bytecode);
    }
    expect(contracts.contractNames).toHaveLength(DEPLOYABLE.length + UNISWAP.length);
  });

  it('derives export names from contract names', () => {
    expect(identifierFor('EthProvider')).toBe('ethProvider');
    expect(identifierFor('WETH9')).toBe('weth9');
    expect(identifierFor('UniswapV2Router02')).toBe('uniswapV2Router02');
    expect(identifierFor('ERC20')).toBe('erc20');
    expect(identifierFor('TestStablecoin')).toBe('testStablecoin');
  });

  it('the published router embeds the init code hash of the published pair bytecode', async () => {
    const artifacts = UNISWAP.map((name) => readArtifact(OUT_DIR, name));
    const hash = await checkUniswapInitCodeHash(artifacts);
    expect(hash).toBe(keccak256(contracts.uniswapV2PairBytecode));
    expect(hash).toBe(contracts.uniswapV2PairInitCodeHash);
    const tampered = artifacts.map((a) =>
      a.name === 'UniswapV2Router02'
        ? { ...a, bytecode: a.bytecode.replace(hash.slice(2), '00'.repeat(32)) as `0x${string}` }
        : a,
    );
    await expect(checkUniswapInitCodeHash(tampered)).rejects.toThrow(/init code hash/);
  });

  it('compiles a source tree into its own out dir, skips it when unchanged and rebuilds after an edit', async () => {
    const src = join(scratch, 'ok-src');
    const out = join(scratch, 'ok-out');
    mkdirSync(join(src, 'nested'), { recursive: true });
    writeFileSync(
      join(src, 'nested', 'A.sol'),
      'pragma solidity ^0.8.24; contract A { uint256 public x = 1; }\n',
    );
    const first = await buildContracts({ srcDir: src, outDir: out });
    expect(first).toMatchObject({ skipped: false, artifacts: ['A', ...UNISWAP] });
    expect(readFileSync(join(out, 'abis.ts'), 'utf8')).toMatch(/export const aAbi = \[/);
    expect((await buildContracts({ srcDir: src, outDir: out })).skipped).toBe(true);
    writeFileSync(
      join(src, 'nested', 'A.sol'),
      'pragma solidity ^0.8.24; contract A { uint256 public x = 2; }\n',
    );
    expect((await buildContracts({ srcDir: src, outDir: out })).skipped).toBe(false);
  });

  it('fails with the solc error messages and writes nothing when a source does not compile', async () => {
    const src = join(scratch, 'bad-src');
    const out = join(scratch, 'bad-out');
    mkdirSync(src, { recursive: true });
    writeFileSync(join(src, 'Broken.sol'), 'pragma solidity ^0.8.24;\ncontract Broken { function f( }\n');
    writeFileSync(
      join(src, 'Typo.sol'),
      'pragma solidity ^0.8.24;\ncontract Typo { function g() public { undefinedName(); } }\n',
    );
    const error = await buildContracts({ srcDir: src, outDir: out }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContractBuildError);
    expect((error as Error).message).toMatch(/ParserError/);
    expect((error as Error).message).toMatch(/Broken\.sol:2/);
    expect(existsSync(out)).toBe(false);
  });
});
