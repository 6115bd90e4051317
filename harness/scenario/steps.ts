/**
 * What each step does to the world. Chain steps may prove CHAIN-* requirements themselves (they
 * return checks); waits and expectations are the runner's. Every step returns facts for the report.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  concatHex,
  decodeEventLog,
  encodeFunctionData,
  toEventSelector,
  type Address,
  type Hex,
  type TransactionReceipt,
} from 'viem';
import { simulateContract } from 'viem/actions';
import { ethProviderAbi } from '../../contracts/index.js';
import {
  anchor,
  cancel,
  confirm,
  createdOrg,
  expiryOf,
  packageBlocks,
  packagePrice,
  registerOrgThenTopUp,
  suspend,
  topUp,
} from '../chain/actions.js';
import { anchorIdOf } from '../chain/anchors.js';
import { sendMany } from '../chain/bulk.js';
import { DEFAULT_TERMS, deployEthProvider, sender } from '../chain/deploy.js';
import { mine, reorg, useAutomine, useManualMining } from '../chain/mining.js';
import { dockerEngine } from '../docker/engine.js';
import { capBandwidth, healAll, injectLatency, injectLoss, partition } from '../faults/index.js';
import { commit, connect, createRepo, nid as peerNid, push } from '../peers/index.js';
import type { ScenarioContext } from './context.js';
import type { Step, Target } from './model.js';
import { derivedOrgAddress } from './seed.js';
import { fqdnOf, lookup, nodeInfo, ORG_LABEL, orgContainers, servesRepo } from './observe.js';

/** A check a step made of the chain: becomes evidence for each requirement the step proves. */
export interface StepCheck {
  holds: boolean;
  expected: string;
  observed: Record<string, unknown>;
}

export interface StepOutcome {
  summary: string;
  facts?: Record<string, unknown>;
  check?: StepCheck;
}

type Runner<K extends Step['kind']> = (
  ctx: ScenarioContext,
  step: Extract<Step, { kind: K }>,
) => Promise<StepOutcome>;

const provider = (ctx: ScenarioContext): Address => ctx.world.booted.world.contracts.provider;

async function head(ctx: ScenarioContext): Promise<bigint> {
  return ctx.world.test.getBlockNumber({ cacheTime: 0 });
}

function newTopUpOf(receipt: TransactionReceipt, org: Address): bigint | undefined {
  for (const log of receipt.logs) {
    try {
      const e = decodeEventLog({ abi: ethProviderAbi, data: log.data, topics: log.topics, strict: true });
      if (e.eventName === 'NewTopUp' && e.args.org.toLowerCase() === org.toLowerCase()) return e.args.expiry;
    } catch {
      // another contract's event
    }
  }
  return undefined;
}

/** The contract arithmetic of a top-up: new deployments start at the block, live ones extend. */
async function topUpCheck(
  ctx: ScenarioContext,
  org: Address,
  packages: number,
  before: bigint,
  receipt: TransactionReceipt,
): Promise<StepCheck> {
  const p = provider(ctx);
  const blocks = await packageBlocks(ctx.world.test, p);
  const block = receipt.blockNumber;
  const live = before > block - 1n;
  const expected = (live ? before : block) + BigInt(packages) * blocks;
  const after = await expiryOf(ctx.world.test, p, org);
  const event = newTopUpOf(receipt, org);
  return {
    holds: after === expected && event === expected,
    expected: live
      ? `expiry ${before} + ${packages} × ${blocks} = ${expected}, and NewTopUp(org, ${expected})`
      : `block ${block} + ${packages} × ${blocks} = ${expected}, and NewTopUp(org, ${expected})`,
    observed: {
      block: Number(block),
      expiryBefore: before.toString(),
      expiryAfter: after.toString(),
      event: event?.toString() ?? 'none',
      extension: live,
    },
  };
}

const topUpStep: Runner<'top-up'> = async (ctx, s) => {
  const org = ctx.org(s.org);
  const before = await expiryOf(ctx.world.test, provider(ctx), org);
  const receipt = await confirm(
    ctx.world.test,
    await topUp(ctx.world.wallets.user, provider(ctx), org, s.packages),
  );
  ctx.lastTxBlock = receipt.blockNumber;
  const check = await topUpCheck(ctx, org, s.packages, before, receipt);
  return {
    summary: `top-up ${s.org} (${s.packages} package${s.packages === 1 ? '' : 's'}) in block ${receipt.blockNumber}`,
    facts: {
      org,
      tx: receipt.transactionHash,
      block: Number(receipt.blockNumber),
      expiry: check.observed.expiryAfter,
    },
    check,
  };
};

const registerStep: Runner<'register-then-top-up'> = async (ctx, s) => {
  const w = ctx.world;
  const receipt = await confirm(
    w.test,
    await registerOrgThenTopUp(w.wallets.orgOwner, w.booted.deployment.entrance, provider(ctx), s.packages),
  );
  const org = createdOrg(receipt);
  w.orgs.set(s.org, org);
  ctx.lastTxBlock = receipt.blockNumber;
  const check = await topUpCheck(ctx, org, s.packages, 0n, receipt);
  return {
    summary: `register ${s.org} and top it up through the Entrance`,
    facts: { org, block: Number(receipt.blockNumber) },
    check,
  };
};

const invalidTopUpStep: Runner<'invalid-top-up'> = async (ctx, s) => {
  const org = ctx.org(s.org);
  const w = ctx.world;
  const price = await packagePrice(w.test, provider(ctx));
  const tries = [price + 1n, price / 2n, 0n];
  const errors: string[] = [];
  for (const value of tries) {
    try {
      await simulateContract(w.wallets.user, {
        address: provider(ctx),
        abi: ethProviderAbi,
        functionName: 'topUp',
        args: [org],
        value,
        account: w.wallets.user.account,
      });
      errors.push(`${value}: accepted`);
    } catch (error) {
      const name = (error as { cause?: { data?: { errorName?: string } } }).cause?.data?.errorName;
      errors.push(`${value}: ${name ?? (error as Error).message.split('\n')[0]}`);
    }
  }
  const holds = errors.every((e) => e.endsWith(': InvalidAmount'));
  return {
    summary: `top-up ${s.org} with amounts that are not whole packages`,
    check: {
      holds,
      expected: `each of ${tries.join(', ')} wei reverts with InvalidAmount`,
      observed: { results: errors },
    },
  };
};

const stopStep =
  <K extends 'cancel' | 'suspend'>(how: K): Runner<K> =>
  async (ctx, s: { org: string }) => {
    const org = ctx.org(s.org);
    const w = ctx.world;
    const wallet = how === 'cancel' ? w.wallets.user : w.wallets.providerOwner;
    const receipt = await confirm(
      w.test,
      await (how === 'cancel' ? cancel : suspend)(wallet, provider(ctx), org),
    );
    ctx.lastTxBlock = receipt.blockNumber;
    const after = await expiryOf(w.test, provider(ctx), org);
    let stoppedAt: bigint | undefined;
    for (const log of receipt.logs) {
      try {
        const e = decodeEventLog({ abi: ethProviderAbi, data: log.data, topics: log.topics, strict: true });
        if (e.eventName === 'DeploymentStopped') stoppedAt = BigInt(e.args.atBlock);
      } catch {
        // not ours
      }
    }
    return {
      summary: `${how} ${s.org} in block ${receipt.blockNumber}`,
      facts: { org, block: Number(receipt.blockNumber) },
      check: {
        holds: after <= receipt.blockNumber && stoppedAt === receipt.blockNumber,
        expected: `the deployment ends at block ${receipt.blockNumber} and DeploymentStopped(org, ${receipt.blockNumber}) is emitted`,
        observed: { expiryAfter: after.toString(), stoppedAt: stoppedAt?.toString() ?? 'none' },
      },
    };
  };

const anchorStep: Runner<'anchor'> = async (ctx, s) => {
  const repo = ctx.repos.get(s.repo);
  if (!repo) throw new Error(`repository "${s.repo}" was never created`);
  const w = ctx.world;
  const receipt = await confirm(
    w.test,
    await anchor(w.wallets.orgOwner, ctx.org(s.org), anchorIdOf(repo.rid), 0, '0x1220aa'),
  );
  ctx.lastTxBlock = receipt.blockNumber;
  return {
    summary: `anchor ${s.repo} (${repo.rid}) on ${s.org}`,
    facts: { rid: repo.rid, block: Number(receipt.blockNumber) },
  };
};

const burstStep: Runner<'burst'> = async (ctx, s) => {
  const w = ctx.world;
  const count = s.count ?? w.profile.burst;
  const orgs = Array.from({ length: count }, (_, i) =>
    derivedOrgAddress(w.seed, `burst-${s.index}`, String(i)),
  );
  const price = await packagePrice(w.test, provider(ctx));
  await useManualMining(w.test);
  let block: bigint;
  try {
    const hashes = await sendMany(
      w.wallets.user,
      orgs.map((org) => ({
        to: provider(ctx),
        data: encodeFunctionData({ abi: ethProviderAbi, functionName: 'topUp', args: [org] }),
        value: price,
      })),
    );
    await mine(w.test, 1);
    const receipts = await Promise.all(hashes.map((h) => confirm(w.test, h)));
    const blocks = new Set(receipts.map((r) => r.blockNumber));
    if (blocks.size !== 1) throw new Error(`the burst landed in ${blocks.size} blocks, not one`);
    block = receipts[0]!.blockNumber;
  } finally {
    await useAutomine(w.test);
  }
  ctx.burst = orgs;
  ctx.lastTxBlock = block;
  return { summary: `${count} top-ups in block ${block}`, facts: { count, block: Number(block) } };
};

const foreignStep: Runner<'foreign-top-up'> = async (ctx, s) => {
  const w = ctx.world;
  const foreign = await deployEthProvider(
    sender(w.test, false),
    w.wallets.providerOwner,
    w.wallets.providerOwner.account.address,
    DEFAULT_TERMS.eth,
  );
  const receipt = await confirm(w.test, await topUp(w.wallets.user, foreign, ctx.org(s.org), 1));
  ctx.lastTxBlock = receipt.blockNumber;
  return {
    summary: `a foreign provider contract (${foreign}) emits NewTopUp for ${s.org}`,
    facts: { foreign, block: Number(receipt.blockNumber) },
  };
};

/** NewTopUp-topic logs at the provider's own address that do not decode: no org topic, short data. */
const malformedStep: Runner<'malformed-log'> = async (ctx) => {
  const w = ctx.world;
  const p = provider(ctx);
  const code = await w.test.getCode({ address: p });
  if (!code) throw new Error('the provider contract has no code');
  const topic = toEventSelector('NewTopUp(address,uint64)');
  const push32 = (word: Hex) => concatHex(['0x7f', word]);
  const bytecode = concatHex([push32(topic), '0x60006000a1', '0x6001', push32(topic), '0x60056000a200']);
  await w.test.setCode({ address: p, bytecode });
  try {
    const receipt = await confirm(
      w.test,
      await w.wallets.user.sendTransaction({ to: p, data: '0x', gas: 100_000n }),
    );
    ctx.lastTxBlock = receipt.blockNumber;
    return {
      summary: `two malformed NewTopUp logs at the provider address in block ${receipt.blockNumber}`,
      facts: { block: Number(receipt.blockNumber) },
    };
  } finally {
    await w.test.setCode({ address: p, bytecode: code });
  }
};

async function nodeContainer(ctx: ScenarioContext, org: string) {
  const found = await orgContainers(ctx.world.run.id, ctx.org(org), { all: true });
  if (found.length !== 1) {
    throw new Error(
      `expected one container labelled ${ORG_LABEL}=${ctx.org(org).toLowerCase()} (SPEC.md §4), found ${found.length}`,
    );
  }
  return dockerEngine().getContainer(found[0]!.Id);
}

async function targetAction(
  ctx: ScenarioContext,
  action: 'kill' | 'start' | 'restart' | 'pause' | 'unpause',
  target: Target,
): Promise<StepOutcome> {
  if (target.kind === 'controller') {
    const p = ctx.world.provider;
    if (action === 'kill') await p.kill();
    else if (action === 'start') await p.start();
    else if (action === 'restart') await p.restart();
    else await (action === 'pause' ? p.container.pause() : p.container.unpause());
    return { summary: `${action} the provider (${p.name})` };
  }
  const c = await nodeContainer(ctx, target.org);
  if (action === 'kill') await c.kill({ signal: 'SIGKILL' });
  else if (action === 'start') await c.start();
  else if (action === 'restart') await c.restart({ t: 10 });
  else if (action === 'pause') await c.pause();
  else await c.unpause();
  return { summary: `${action} the org-node of ${target.org}`, facts: { container: c.id.slice(0, 12) } };
}

function routerOf(ctx: ScenarioContext, peerName: string) {
  const lan = ctx.peer(peerName).lan;
  if (!lan) throw new Error(`peer "${peerName}" is not in a LAN: network faults act on its LAN's router`);
  return lan;
}

async function edgeAddress(ctx: ScenarioContext, org: string): Promise<string> {
  const fqdn = fqdnOf(ctx.org(org), ctx.zone);
  const a = (await lookup(ctx.dnsServer, fqdn)).a[0] ?? ctx.seen.get(org)?.address;
  if (!a) throw new Error(`${org} has no A record to partition from`);
  return a;
}

const steps: { [K in Step['kind']]: Runner<K> } = {
  'top-up': topUpStep,
  'register-then-top-up': registerStep,
  'invalid-top-up': invalidTopUpStep,
  cancel: stopStep('cancel'),
  suspend: stopStep('suspend'),
  anchor: anchorStep,
  burst: burstStep,
  'foreign-top-up': foreignStep,
  'malformed-log': malformedStep,
  mine: async (ctx, s) => ({
    summary: `mine ${s.blocks} block(s) → ${await mine(ctx.world.test, s.blocks)}`,
  }),
  confirm: async (ctx) => {
    const needed =
      ctx.lastTxBlock === undefined
        ? 0n
        : ctx.lastTxBlock + BigInt(ctx.world.profile.confirmations) - (await head(ctx));
    if (needed > 0n) await mine(ctx.world.test, Number(needed));
    return {
      summary: `mine ${needed > 0n ? needed : 0n} block(s) so block ${ctx.lastTxBlock ?? '-'} is ${ctx.world.profile.confirmations} deep`,
    };
  },
  'mine-to': async (ctx, s) => {
    const expiry = await expiryOf(ctx.world.test, provider(ctx), ctx.org(s.org));
    const target =
      expiry + (s.at === 'grace-end' ? BigInt(ctx.world.profile.graceBlocks) : 0n) + BigInt(s.offset);
    const now = await head(ctx);
    if (target > now) await mine(ctx.world.test, Number(target - now));
    ctx.lastTxBlock = target; // what `confirm` makes deep next
    return {
      summary: `mine to block ${target} (${s.at} of ${s.org}${s.offset ? ` ${s.offset > 0 ? '+' : ''}${s.offset}` : ''})`,
      facts: { expiry: expiry.toString(), target: Number(target) },
    };
  },
  reorg: async (ctx, s) => {
    await reorg(ctx.world.test, s.depth);
    return { summary: `reorg the last ${s.depth} block(s) away` };
  },
  kill: (ctx, s) => targetAction(ctx, 'kill', s.target),
  start: (ctx, s) => targetAction(ctx, 'start', s.target),
  restart: (ctx, s) => targetAction(ctx, 'restart', s.target),
  pause: (ctx, s) => targetAction(ctx, 'pause', s.target),
  unpause: (ctx, s) => targetAction(ctx, 'unpause', s.target),
  partition: async (ctx, s) => {
    const lan = routerOf(ctx, s.peer);
    const fault = await partition(lan.router.container, {
      between: [ctx.peer(s.peer).address, await edgeAddress(ctx, s.org)],
    });
    ctx.faults.push(fault);
    return { summary: `partition ${s.peer} from ${s.org}'s edge` };
  },
  heal: async (ctx) => {
    const n = ctx.faults.length;
    await healAll(ctx.faults.splice(0));
    return { summary: `heal ${n} fault(s)` };
  },
  loss: async (ctx, s) => {
    const lan = routerOf(ctx, s.peer);
    ctx.faults.push(
      await injectLoss(lan.router.container, {
        probability: s.percent / 100,
        link: { network: lan.network.name },
        from: ctx.peer(s.peer).address,
      }),
    );
    return { summary: `${s.percent}% loss on ${s.peer}'s uplink` };
  },
  latency: async (ctx, s) => {
    const lan = routerOf(ctx, s.peer);
    ctx.faults.push(
      await injectLatency(lan.router.container, { delayMs: s.ms, link: { network: lan.network.name } }),
    );
    return { summary: `${s.ms} ms latency on ${s.peer}'s LAN` };
  },
  bandwidth: async (ctx, s) => {
    const lan = routerOf(ctx, s.peer);
    ctx.faults.push(
      await capBandwidth(lan.router.container, {
        rate: `${s.kbit}kbit`,
        link: { network: lan.network.name },
      }),
    );
    return { summary: `${s.kbit} kbit/s on ${s.peer}'s LAN` };
  },
  connect: async (ctx, s) => {
    const org = ctx.org(s.org);
    const fqdn = fqdnOf(org, ctx.zone);
    const records = await lookup(ctx.dnsServer, fqdn);
    const srv = records.srv[0];
    const address = records.a[0];
    const node = address ? await nodeInfo(address, fqdn) : undefined;
    if (!srv || !node?.nid)
      throw new Error(
        `${s.org} is not served (SRV ${srv ? 'found' : 'missing'}, NID ${node?.nid ?? 'missing'})`,
      );
    const session = await connect(ctx.peer(s.peer), `${node.nid}@${srv.target}:${srv.port}`, {
      timeoutMs: ctx.world.profile.deadlines.connect * 1000,
    });
    ctx.connections.set(`${s.peer} ${s.org}`, { peer: s.peer, org: s.org, session });
    return {
      summary: `${s.peer} connects to ${s.org} (${srv.target}:${srv.port})`,
      facts: { nid: node.nid, port: srv.port },
    };
  },
  'create-repo': async (ctx, s) => {
    const peer = ctx.peer(s.peer);
    const local = await createRepo(peer, s.repo, { description: `made by ${s.peer} in a oneclick scenario` });
    const head = await commit(
      peer,
      local,
      { 'content/first.txt': `first content of ${s.repo}\n` },
      'First content',
    );
    ctx.repos.set(s.repo, { rid: local.rid, peer: s.peer, local, head, pusherNid: await peerNid(peer) });
    return { summary: `${s.peer} creates repository ${s.repo}`, facts: { rid: local.rid } };
  },
  push: async (ctx, s) => {
    const repo = ctx.repos.get(s.repo);
    if (!repo) throw new Error(`repository "${s.repo}" was never created`);
    const peer = ctx.peer(s.peer);
    const n = (ctx.connections.size + ctx.repos.size + s.index).toString();
    await commit(peer, repo.local, { [`changes/${n}.txt`]: `change ${n}\n` }, `Change ${n}`);
    const pushed = await push(peer, repo.local);
    repo.head = pushed.head;
    return {
      summary: `${s.peer} pushes ${s.repo} (${pushed.head.slice(0, 8)})`,
      facts: { head: pushed.head },
    };
  },
  remember: async (ctx, s) => {
    const org = ctx.org(s.org);
    const fqdn = fqdnOf(org, ctx.zone);
    const address = (await lookup(ctx.dnsServer, fqdn)).a[0] ?? ctx.seen.get(s.org)?.address;
    const node = address ? await nodeInfo(address, fqdn) : { status: 0 };
    const sessions = Object.fromEntries(
      [...ctx.connections.values()].filter((c) => c.org === s.org).map((c) => [c.peer, c.session]),
    );
    const repos: string[] = [];
    for (const repo of ctx.repos.values()) {
      if (address && (await servesRepo(address, fqdn, repo.rid))) repos.push(repo.rid);
    }
    ctx.memory.set(s.as, {
      ...(node.nid && { nid: node.nid }),
      ...(node.startedAt && { startedAt: node.startedAt }),
      ...(node.restarts !== undefined && { restarts: node.restarts }),
      repos,
      sessions,
    });
    return {
      summary: `remember ${s.org} as "${s.as}"`,
      facts: { nid: node.nid, startedAt: node.startedAt, repos },
    };
  },
  sleep: async (_ctx, s) => {
    await sleep(s.seconds * 1000);
    return { summary: `sleep ${s.seconds} s` };
  },
  wait: () => Promise.reject(new Error('wait is run by the runner')),
  expect: () => Promise.reject(new Error('expect is run by the runner')),
  never: () => Promise.reject(new Error('never is run by the runner')),
};

export function runStep(ctx: ScenarioContext, step: Step): Promise<StepOutcome> {
  return (steps[step.kind] as Runner<typeof step.kind>)(ctx, step as never);
}
