/**
 * The mutant providers' entry: the reference deployer with the policy of mutant MUTANT=<name>
 * (index.ts); an unknown or missing name is a configuration error (exit 2).
 * Usage: MUTANT=<name> node --import tsx harness/mutants/main.ts
 */
import { createLogger, runDeployer } from '../deployer/index.js';
import { mutantOf, mutantPolicy } from './index.js';

const mutant = mutantOf(process.env);
if (typeof mutant !== 'string') {
  createLogger().error('invalid configuration', { problems: [mutant.problem] });
  process.exit(2);
}
// Exit explicitly: an RPC transport's timers must not keep a stopped deployer alive.
process.exit(await runDeployer(process.env, mutantPolicy(mutant)));
