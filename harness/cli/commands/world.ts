import { Command } from 'commander';
import { UsageError } from '../errors.js';

interface WorldFlags {
  run?: string;
}

/** An action's positional arguments, as its step's fields (numbers stay numbers for the schema to judge). */
const ACTIONS: Record<string, { args: string[]; describe: string }> = {
  'top-up': { args: ['org'], describe: 'top up an org (--new: create it first; --currency eth|token)' },
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

/** Peer operations that time themselves: positional fields, and their API path under the peer. */
const PEER_OPS: Record<string, string[]> = {
  dial: ['peer', 'org'],
  push: ['peer', 'repo'],
  'wait-ref': ['peer', 'org', 'repo'],
};

interface ActionFlags extends WorldFlags {
  packages?: string;
  new?: boolean;
  currency?: string;
  offset?: string;
  org?: string;
}

function usage(): string {
  const lines = Object.entries(ACTIONS).map(
    ([a, { args, describe }]) => `  ${`${a} ${args.map((x) => `<${x}>`).join(' ')}`.padEnd(36)} ${describe}`,
  );
  return [
    'actions (each the scenario step of the same name):',
    ...lines,
    'timed peer operations:',
    '  dial <peer> <org>                    the peer dials the org afresh; ms to the session',
    '  push <peer> <repo> [--org o]         a commit pushed (the first push creates repo, anchored on --org); ms',
    "  wait-ref <peer> <org> <repo>         until the peer fetched repo's last pushed ref from the org's node; ms",
    'and: status (the latest observation), events (the event log), url (a fresh dashboard link)',
  ].join('\n');
}

async function act(name: string, given: string[], flags: ActionFlags): Promise<void> {
  if (name === 'status') return print(await call(flags, 'GET', '/api/world'));
  if (name === 'url')
    return console.log(((await call(flags, 'POST', '/api/tickets')) as { url: string }).url);
  if (name === 'events') {
    const { events } = (await call(flags, 'GET', '/api/log')) as {
      events: Array<{ at: string; kind: string; text: string }>;
    };
    for (const e of events) console.log(`${e.at} ${e.kind.padEnd(8)} ${e.text}`);
    return;
  }
  const { path, body } = actionRequest(name, given, flags);
  const result = (await call(flags, 'POST', path, body)) as { check?: { holds: boolean } };
  print(result);
  if (result.check && !result.check.holds) process.exitCode = 1;
}

/** The API call of action (or peer operation) `name` with its positional arguments and flags. */
export function actionRequest(
  name: string,
  given: string[],
  flags: Omit<ActionFlags, 'run'>,
): { path: string; body: Record<string, unknown> } {
  const fields = ACTIONS[name]?.args ?? PEER_OPS[name];
  if (!fields) throw new UsageError(`unknown action "${name}"\n${usage()}`);
  if (given.length !== fields.length)
    throw new UsageError(
      `${name} takes ${fields.map((f) => `<${f}>`).join(' ') || 'no arguments'}, got ${given.length}`,
    );
  const body: Record<string, unknown> = {};
  fields.forEach((f, i) => (body[f] = valueOf(given[i]!)));
  if (PEER_OPS[name]) {
    const { peer, ...rest } = body;
    if (flags.org) rest.org = flags.org;
    return { path: `/api/peers/${encodeURIComponent(String(peer))}/${name}`, body: rest };
  }
  if (flags.packages !== undefined) body.packages = valueOf(flags.packages);
  if (flags.offset !== undefined) body.offset = valueOf(flags.offset);
  if (flags.new) body.create = true;
  if (flags.currency !== undefined) body.currency = flags.currency;
  return { path: `/api/actions/${name}`, body };
}

export function worldCommand(): Command {
  return new Command('world')
    .description(
      'Act on a running `oneclick up` world through its API (found by --run <id>, or the only one up). ' +
        'Every action is the scenario step of the same name.',
    )
    .argument('<action>', 'what to do (below)')
    .argument('[args...]', "the action's arguments")
    .option('--run <id>', 'the run id of the world (default: the only one up)')
    .option('--packages <k>', 'top-up, register-then-top-up: packages')
    .option('--new', 'top-up: create the org under this name first')
    .option(
      '--currency <eth|token>',
      "top-up: what it pays with (default: the world's; ether to a TokenProvider is swapped)",
    )
    .option('--offset <n>', 'mine-to: blocks after the point')
    .option('--org <org>', 'push: anchor a new repo on this org (its node seeds it)')
    .addHelpText('after', `\n${usage()}`)
    .action((name: string, given: string[], flags: ActionFlags) => act(name, given, flags));
}
