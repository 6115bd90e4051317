import { Command } from 'commander';
import { UsageError } from '../errors.js';

interface WorldFlags {
  run?: string;
}

/** An action's positional arguments, as its step's fields (numbers stay numbers for the schema to judge). */
const ACTIONS: Record<string, { args: string[]; describe: string }> = {
  'top-up': { args: ['org'], describe: 'top up an org (--new: create it first)' },
  'register-then-top-up': { args: ['org'], describe: 'create an org through the Entrance and top it up' },
  cancel: { args: ['org'], describe: 'the org owner cancels its deployment' },
  suspend: { args: ['org'], describe: 'the provider owner suspends a deployment' },
  mine: { args: ['blocks'], describe: 'mine blocks' },
  'mine-to': { args: ['org', 'at'], describe: "mine to the org's expiry or grace-end (--offset n)" },
  reorg: { args: ['depth'], describe: 'reorg the last blocks away' },
  kill: { args: ['target'], describe: 'SIGKILL controller or node:<org>' },
  start: { args: ['target'], describe: 'start controller or node:<org> after a kill' },
  restart: { args: ['target'], describe: 'restart controller or node:<org>' },
  pause: { args: ['target'], describe: 'pause controller or node:<org>' },
  unpause: { args: ['target'], describe: 'unpause controller or node:<org>' },
  partition: { args: ['peer', 'org'], describe: "cut a peer's LAN off from an org's edge" },
  heal: { args: [], describe: 'remove every network fault' },
  latency: { args: ['peer', 'ms'], describe: "delay a peer's LAN" },
  loss: { args: ['peer', 'percent'], describe: "drop a share of a peer's packets" },
  bandwidth: { args: ['peer', 'kbit'], describe: "cap a peer's LAN" },
};

const valueOf = (text: string): unknown => (/^-?\d+(\.\d+)?$/.test(text) ? Number(text) : text);

async function call(flags: WorldFlags, method: string, path: string, body?: unknown): Promise<unknown> {
  const { findWorld } = await import('../../playground/state.js');
  let world;
  try {
    world = await findWorld(flags.run);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const res = await fetch(`http://127.0.0.1:${world.port}${path}`, {
    method,
    headers: { authorization: `Bearer ${world.token}`, 'content-type': 'application/json' },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const answer = (await res.json()) as { error?: string; problems?: string[] };
  if (res.status === 400) throw new UsageError(answer.problems?.join('\n') ?? answer.error ?? 'bad input');
  if (!res.ok) throw new Error(answer.error ?? `HTTP ${res.status}`);
  return answer;
}

const print = (value: unknown) => console.log(JSON.stringify(value, null, 2));

export function worldCommand(): Command {
  const world = new Command('world')
    .description(
      'Act on a running `oneclick up` world through its API (found by --run <id>, or the only one up). ' +
        'Every action is the scenario step of the same name.',
    )
    .option('--run <id>', 'the run id of the world (default: the only one up)');
  const flagsOf = (cmd: Command) => cmd.optsWithGlobals() as WorldFlags;

  world
    .command('status')
    .description('the latest observation: head, orgs, peers')
    .action(async (_o, cmd: Command) => print(await call(flagsOf(cmd), 'GET', '/api/world')));
  world
    .command('url')
    .description('a dashboard URL with a fresh one-time ticket')
    .action(async (_o, cmd: Command) =>
      console.log(((await call(flagsOf(cmd), 'POST', '/api/tickets')) as { url: string }).url),
    );
  world
    .command('events')
    .description('the event log')
    .action(async (_o, cmd: Command) => {
      const { events } = (await call(flagsOf(cmd), 'GET', '/api/log')) as {
        events: Array<{ at: string; kind: string; text: string }>;
      };
      for (const e of events) console.log(`${e.at} ${e.kind.padEnd(8)} ${e.text}`);
    });

  for (const [action, { args, describe }] of Object.entries(ACTIONS)) {
    const c = world.command(action).description(describe);
    for (const a of args) c.argument(`<${a}>`);
    if (action === 'top-up' || action === 'register-then-top-up') c.option('--packages <k>', 'packages', '1');
    if (action === 'top-up') {
      c.option('--new', 'create the org under this name first');
      c.option('--currency <eth|token>', 'what it pays with', 'eth');
    }
    if (action === 'mine-to') c.option('--offset <n>', 'blocks after the point');
    c.action(async (...given: unknown[]) => {
      const cmd = given.at(-1) as Command;
      const opts = cmd.opts() as { packages?: string; new?: boolean; currency?: string; offset?: string };
      const body: Record<string, unknown> = {};
      args.forEach((a, i) => (body[a] = valueOf(String(given[i]))));
      if (opts.packages !== undefined) body.packages = valueOf(opts.packages);
      if (opts.offset !== undefined) body.offset = valueOf(opts.offset);
      if (opts.new) body.create = true;
      if (opts.currency !== undefined && opts.currency !== 'eth')
        throw new UsageError(
          `--currency ${opts.currency}: this world's provider contract takes eth (token top-ups are a step of their own)`,
        );
      const result = (await call(flagsOf(cmd), 'POST', `/api/actions/${action}`, body)) as {
        check?: { holds: boolean };
      };
      print(result);
      if (result.check && !result.check.holds) process.exitCode = 1;
    });
  }

  world
    .command('dial')
    .description('the peer dials the org afresh; prints ms to the session')
    .argument('<peer>')
    .argument('<org>')
    .action(async (peer: string, org: string, _o, cmd: Command) =>
      print(await call(flagsOf(cmd), 'POST', `/api/peers/${encodeURIComponent(peer)}/dial`, { org })),
    );
  world
    .command('push')
    .description('the peer pushes a commit to repo (the first push creates it, anchored on --org); prints ms')
    .argument('<peer>')
    .argument('<repo>')
    .option('--org <org>', 'anchor a new repo on this org (its node seeds it)')
    .action(async (peer: string, repo: string, o: { org?: string }, cmd: Command) =>
      print(
        await call(flagsOf(cmd), 'POST', `/api/peers/${encodeURIComponent(peer)}/push`, {
          repo,
          ...(o.org && { org: o.org }),
        }),
      ),
    );
  world
    .command('wait-ref')
    .description("waits until the peer fetched repo's last pushed ref from the org's node; prints ms")
    .argument('<peer>')
    .argument('<org>')
    .argument('<repo>')
    .action(async (peer: string, org: string, repo: string, _o, cmd: Command) =>
      print(
        await call(flagsOf(cmd), 'POST', `/api/peers/${encodeURIComponent(peer)}/wait-ref`, { org, repo }),
      ),
    );
  return world;
}
