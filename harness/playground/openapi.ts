/** The world API's OpenAPI document: every action's body is its scenario step's mapping form. */
import { scenarioSchema } from '../scenario/schema.js';
import { stepDefinition } from '../scenario/steps/index.js';

type Json = Record<string, unknown>;

/** `#/$defs/x` → `#/components/schemas/x`, everywhere in `value`. */
function rehome(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value).replaceAll('"#/$defs/', '"#/components/schemas/')) as unknown;
}

const CURRENCY = {
  enum: ['eth', 'token'],
  description:
    "what it pays with (default: the world's currency); ether to a TokenProvider is swapped for its token",
};

/** The object form of a step's schema (a scalar form's `else`, a bare step's empty mapping). */
function objectForm(kind: string): Json {
  const s = stepDefinition(kind)!.schema as Json;
  const form = (s.type === 'object' ? s : ((s.else as Json | undefined) ?? { type: 'object' })) as Json;
  const { proves: _proves, ...properties } = (form.properties ?? {}) as Json;
  const body: Json = {
    ...form,
    description: s.description,
    additionalProperties: false,
    properties: {
      ...properties,
      ...((kind === 'top-up' || kind === 'register-then-top-up') && { currency: CURRENCY }),
      ...(kind === 'top-up' && {
        create: { type: 'boolean', description: 'create the org (OrgFactory) under this name first' },
      }),
    },
  };
  delete body.if;
  delete body.then;
  delete body.else;
  return rehome(body) as Json;
}

const ok = (description: string, schema: Json = { type: 'object' }) => ({
  description,
  content: { 'application/json': { schema } },
});
const errors = {
  '400': ok('bad input: nothing was done', { $ref: '#/components/schemas/Error' }),
  '401': ok('no or a wrong token', { $ref: '#/components/schemas/Error' }),
  '500': ok('the action failed in the world', { $ref: '#/components/schemas/Error' }),
};
const jsonBody = (schema: Json) => ({ required: true, content: { 'application/json': { schema } } });
const peerParam = { name: 'peer', in: 'path', required: true, schema: { type: 'string' } };
const timed = {
  type: 'object',
  required: ['ms'],
  properties: {
    ms: { type: 'number', description: 'milliseconds' },
    summary: { type: 'string', description: 'what was timed, as the event log shows it' },
  },
};

export function openApiDocument(actions: readonly string[]): Json {
  const defs = (scenarioSchema().$defs ?? {}) as Json;
  const paths: Json = {
    '/api/world': {
      get: {
        summary: 'The latest observation of the world',
        responses: { '200': ok('a snapshot'), ...errors },
      },
    },
    '/api/events': {
      get: {
        summary: 'Server-sent events: `snapshot` (the world) and `event` (the event log)',
        responses: { '200': { description: 'text/event-stream', content: { 'text/event-stream': {} } } },
      },
    },
    '/api/log': {
      get: {
        summary: 'The event log after a sequence number',
        parameters: [{ name: 'since', in: 'query', schema: { type: 'integer' } }],
        responses: { '200': ok('events'), ...errors },
      },
    },
    '/api/actions': {
      get: { summary: 'The actions this world offers', responses: { '200': ok('names'), ...errors } },
    },
    '/api/tickets': {
      post: {
        summary: 'A dashboard URL with a fresh one-time ticket',
        responses: { '200': ok('url'), ...errors },
      },
    },
    '/api/peers/{peer}/dial': {
      post: {
        summary: 'The peer dials the org (a fresh session); ms to the session',
        parameters: [peerParam],
        requestBody: jsonBody({ type: 'object', required: ['org'], properties: { org: { type: 'string' } } }),
        responses: { '200': ok('timed', timed), ...errors },
      },
    },
    '/api/peers/{peer}/push': {
      post: {
        summary:
          'The peer pushes a commit to repo (its first push creates it and anchors it on org); ms to push',
        parameters: [peerParam],
        requestBody: jsonBody({
          type: 'object',
          required: ['repo'],
          properties: { repo: { type: 'string' }, org: { type: 'string' } },
        }),
        responses: { '200': ok('timed', timed), ...errors },
      },
    },
    '/api/peers/{peer}/wait-ref': {
      post: {
        summary: "Waits until the peer fetched repo's last pushed ref from org's node; ms to that",
        parameters: [peerParam],
        requestBody: jsonBody({
          type: 'object',
          required: ['org', 'repo'],
          properties: { org: { type: 'string' }, repo: { type: 'string' }, seconds: { type: 'number' } },
        }),
        responses: { '200': ok('timed, with holds', timed), ...errors },
      },
    },
  };
  for (const kind of actions) {
    paths[`/api/actions/${kind}`] = {
      post: {
        summary: `The scenario step \`${kind}\`, run on this world`,
        operationId: kind.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase()),
        requestBody: jsonBody(objectForm(kind)),
        responses: { '200': ok('what the step did (summary, facts, check, ms, block)'), ...errors },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'oneclick world API',
      version: '1',
      description:
        'A running `oneclick up` world. 127.0.0.1 only; every /api route wants the token in the world file (oneclick-worlds/<run>.json under the temp dir).',
    },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }, { cookie: [] }],
    paths,
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer' },
        cookie: { type: 'apiKey', in: 'cookie', name: 'oneclick_session' },
      },
      schemas: {
        ...(rehome(defs) as Json),
        Error: {
          type: 'object',
          required: ['error'],
          properties: { error: { type: 'string' }, problems: { type: 'array', items: { type: 'string' } } },
        },
      },
    },
  };
}
