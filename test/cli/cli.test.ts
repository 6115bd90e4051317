import { Command, CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../harness/cli/main.js';
import { runCli } from '../helpers/cli.js';

function commandPaths(): string[][] {
  const paths: string[][] = [];
  const walk = (cmd: ReturnType<typeof buildProgram>, prefix: string[]) => {
    for (const sub of cmd.commands) {
      const path = [...prefix, sub.name()];
      paths.push(path);
      walk(sub, path);
    }
  };
  walk(buildProgram(), []);
  return paths;
}

/** `oneclick <path> --help` run in this process: the help text and how commander ended. */
async function helpOf(path: string[]): Promise<{ code: number; text: string }> {
  let text = '';
  const program = buildProgram();
  const quiet = (cmd: Command) => {
    cmd.exitOverride().configureOutput({ writeOut: (s) => (text += s), writeErr: (s) => (text += s) });
    for (const sub of cmd.commands) quiet(sub);
  };
  quiet(program);
  try {
    await program.parseAsync([...path, '--help'], { from: 'user' });
    return { code: 0, text };
  } catch (error) {
    if (error instanceof CommanderError) return { code: error.exitCode, text };
    throw error;
  }
}

describe('oneclick CLI', () => {
  it('prints --help for the program and every command, exiting 0', async () => {
    const paths = [[], ...commandPaths()];
    expect(paths.length).toBeGreaterThan(3);
    for (const path of paths) {
      const result = await helpOf(path);
      expect(result.code, `oneclick ${path.join(' ')} --help`).toBe(0);
      expect(result.text, `oneclick ${path.join(' ')} --help`).toContain('Usage: oneclick');
    }
    // And through the real entry point, once for the program and once for a nested command.
    for (const path of [[], ['chain', 'up']]) {
      const result = await runCli([...path, '--help']);
      expect(result.code, `oneclick ${path.join(' ')} --help`).toBe(0);
      expect(result.stdout).toContain(`Usage: oneclick ${path.join(' ')}`.trimEnd());
    }
  }, 120_000);

  it('rejects an unknown command with exit code 2 and a hint', async () => {
    const result = await runCli(['no-such-command']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/unknown command 'no-such-command'/);
  });

  it('names the flag and what it expected when a number flag is not a number', async () => {
    const result = await runCli(['chain', 'up', '--port', 'eighty']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--port expects a whole number, got "eighty"');
  });
});
