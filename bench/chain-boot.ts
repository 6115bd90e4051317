// Anvil boot + deploy-all next to bare Anvil boot, interleaved in one run so machine noise hits both.
// Usage: npx tsx bench/chain-boot.ts [iterations=10]
import { startChain } from '../harness/chain/anvil.js';
import { deployAll } from '../harness/chain/deploy.js';
import { ms, summarize, timed } from './stats.js';

const iterations = Number(process.argv[2] ?? 10);
const bare: number[] = [];
const full: number[] = [];

for (let i = 0; i < iterations; i++) {
  const [bootMs, chain] = await timed(() => startChain());
  bare.push(bootMs);
  await chain.stop();

  const [fullMs, second] = await timed(async () => {
    const c = await startChain();
    await deployAll(c);
    return c;
  });
  full.push(fullMs);
  await second.stop();
  process.stderr.write(`\r[bench] iteration ${i + 1}/${iterations}`);
}
process.stderr.write('\n');

const b = summarize(bare);
const f = summarize(full);
console.log(`bare anvil boot        p50 ${ms(b.p50)}  p95 ${ms(b.p95)}  (n=${b.n})`);
console.log(`anvil boot + deployAll p50 ${ms(f.p50)}  p95 ${ms(f.p95)}  (n=${f.n})`);
console.log(`ratio (p50) boot+deploy / bare boot = ${(f.p50 / b.p50).toFixed(2)}x`);
