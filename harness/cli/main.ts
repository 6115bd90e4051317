import { Command, CommanderError } from 'commander';
import { certifyCommand, scenarioCommand } from './commands/certify.js';
import { chainCommand } from './commands/chain.js';
import { doctorCommand } from './commands/doctor.js';
import { cleanCommand } from './commands/clean.js';
import { imagesCommand } from './commands/images.js';
import { loadCommand } from './commands/load.js';
import { providerCommand } from './commands/provider.js';
import { specCommand } from './commands/spec.js';
import { upCommand } from './commands/up.js';
import { verifyCommand } from './commands/verify.js';
import { worldCommand } from './commands/world.js';
import { UsageError } from './errors.js';
import pkg from '../../package.json' with { type: 'json' };

export function buildProgram(): Command {
  const program = new Command('oneclick')
    .description(
      'Certifies 1-click deploy providers of Radicle org-nodes against a real chain, containers and radicle.',
    )
    .version(pkg.version)
    .showHelpAfterError('(run with --help for usage)')
    // Options after a subcommand are that subcommand's (`load check <file> --threshold x`).
    .enablePositionalOptions()
    .exitOverride();
  program.addCommand(doctorCommand());
  program.addCommand(chainCommand());
  program.addCommand(cleanCommand());
  program.addCommand(imagesCommand());
  program.addCommand(providerCommand());
  program.addCommand(certifyCommand());
  program.addCommand(scenarioCommand());
  program.addCommand(loadCommand());
  program.addCommand(upCommand());
  program.addCommand(worldCommand());
  program.addCommand(verifyCommand());
  program.addCommand(specCommand());
  return program;
}

/** Exit codes: 0 ok, 1 a check failed, 2 bad usage, 3 harness error. */
export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (error instanceof UsageError) {
      console.error(`error: ${error.message}`);
      return 2;
    }
    console.error(`oneclick: ${(error as Error).message}`);
    return 3;
  }
}
