import { Command } from 'commander';
import { UsageError } from '../errors.js';

export function providerNewCommand(): Command {
  return new Command('new')
    .description(
      'Scaffold a provider package in <dir> (a new or empty folder): provider.yaml, Dockerfile, a skeleton ' +
        'that starts and answers readiness, a README. `provider check` accepts it; certification fails, ' +
        'naming each requirement, until it is filled in (docs/writing-a-provider.md).',
    )
    .argument('<dir>', 'the folder to create')
    .option('--lang <go|ts>', 'the skeleton language', 'go')
    .option('--name <name>', "the package name (default: from the folder's name)")
    .action(async (dir: string, opts: { lang: string; name?: string }) => {
      const { scaffoldProvider, ScaffoldError } = await import('../../provider/scaffold.js');
      try {
        const made = await scaffoldProvider(dir, { lang: opts.lang, ...(opts.name && { name: opts.name }) });
        for (const file of made.files) console.log(`${made.dir}/${file}`);
        console.error(
          `made provider "${made.name}" (${made.lang}) in ${made.dir}: next, ` +
            `npx oneclick provider check ${made.dir} && npx oneclick certify --provider ${made.dir}`,
        );
      } catch (error) {
        if (error instanceof ScaffoldError) throw new UsageError(error.message);
        throw error;
      }
    });
}
