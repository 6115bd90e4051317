/**
 * The reference provider's entry: the deployer (run.ts) with the reference's policy.
 * Usage: node --import tsx harness/deployer/main.ts
 */
import { referencePolicy } from './policy.js';
import { runDeployer } from './run.js';

// Exit explicitly: an RPC transport's timers must not keep a stopped deployer alive.
process.exit(await runDeployer(process.env, referencePolicy));
