import { spawn } from 'node:child_process';
import { createConnection } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createPublicClient, http, type Address } from 'viem';
import { CLI } from '../helpers/cli.js';

interface ChainUpOutput {
  rpcUrl: string;
  chainId: number;
  contracts: Record<string, string>;
  accounts: Record<string, string>;
}

const portOpen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });

describe('oneclick chain up', () => {
  it('prints the RPC URL and deployed contract addresses as JSON, serves them, and stops cleanly on Ctrl-C', async () => {
    const child = spawn(process.execPath, [CLI, 'chain', 'up', '--seed', '7'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const output = await new Promise<ChainUpOutput>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        try {
          resolve(JSON.parse(stdout) as ChainUpOutput);
        } catch {
          // not a whole JSON document yet
        }
      });
      child.once('exit', (code) => reject(new Error(`chain up exited ${code}: ${stderr}`)));
    });

    const client = createPublicClient({ transport: http(output.rpcUrl) });
    expect(await client.getChainId()).toBe(output.chainId);
    for (const name of [
      'entrance',
      'orgFactory',
      'ethProvider',
      'tokenProvider',
      'stablecoin',
      'uniswapRouter',
    ]) {
      const code = await client.getCode({ address: output.contracts[name] as Address });
      expect(code?.length ?? 0, `${name} has code`).toBeGreaterThan(2);
    }
    expect(stdout).not.toMatch(/private|mnemonic|0x[0-9a-f]{64}/i);

    const port = Number(new URL(output.rpcUrl).port);
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(await portOpen(port)).toBe(false);
  });
});
