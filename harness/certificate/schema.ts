/** The JSON Schema of certificate.json: what `oneclick verify` accepts as a bundle at all (else exit 2). */
import _Ajv2020 from 'ajv/dist/2020.js';
import type { ErrorObject } from 'ajv';
import { CERTIFICATE_SCHEMA, PREDICATE_TYPE, STATEMENT_TYPE } from './model.js';

const hex = (bytes: number) => ({ type: 'string', pattern: `^0x[0-9a-fA-F]{${bytes * 2}}$` });
const sha256 = { type: 'string', pattern: '^[0-9a-f]{64}$' };
const decimal = { type: 'string', pattern: '^[0-9]+$' };
const str = { type: 'string' };
const fileDigest = {
  type: 'object',
  required: ['file', 'digest'],
  properties: {
    file: {
      type: 'string',
      pattern: '^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$',
      not: { pattern: '(^|/)\\.\\.(/|$)' },
    },
    digest: { type: 'object', required: ['sha256'], properties: { sha256 } },
  },
};

const schema = {
  type: 'object',
  required: ['schema', 'statement', 'signature'],
  properties: {
    schema: { const: CERTIFICATE_SCHEMA },
    statement: {
      type: 'object',
      required: ['_type', 'subject', 'predicateType', 'predicate'],
      properties: {
        _type: { const: STATEMENT_TYPE },
        predicateType: { const: PREDICATE_TYPE },
        subject: {
          type: 'array',
          minItems: 1,
          maxItems: 1,
          items: {
            type: 'object',
            required: ['name', 'digest'],
            properties: {
              name: str,
              digest: { type: 'object', required: ['sha256'], properties: { sha256 } },
            },
          },
        },
        predicate: {
          type: 'object',
          required: [
            'provider',
            'spec',
            'harness',
            'seed',
            'profile',
            'scenarios',
            'results',
            'requirements',
            'outcome',
            'issued',
            'validUntil',
          ],
          properties: {
            provider: { type: 'object', required: ['name', 'version', 'image'] },
            providerContract: {
              type: 'object',
              required: ['address', 'chainId'],
              properties: { address: hex(20), chainId: { type: 'integer', minimum: 1 } },
            },
            spec: str,
            seed: { type: 'integer' },
            profile: { ...fileDigest, required: ['name', 'file', 'digest'] },
            scenarios: {
              type: 'array',
              minItems: 1,
              items: { ...fileDigest, required: ['id', 'file', 'digest'] },
            },
            results: fileDigest,
            requirements: {
              type: 'array',
              items: { type: 'object', required: ['id', 'level', 'verdict'] },
            },
            outcome: str,
            issued: { type: 'object', required: ['at'], properties: { at: str, block: { type: 'integer' } } },
            validUntil: str,
          },
        },
      },
    },
    signature: {
      type: 'object',
      required: [
        'scheme',
        'statementDigest',
        'primaryType',
        'domain',
        'message',
        'digest',
        'signer',
        'value',
      ],
      properties: {
        scheme: { const: 'eip712-secp256k1' },
        statementDigest: { type: 'string', pattern: '^sha256:[0-9a-f]{64}$' },
        primaryType: { const: 'Certificate' },
        domain: {
          type: 'object',
          required: ['name', 'version', 'chainId'],
          properties: { name: str, version: str, chainId: decimal },
        },
        message: {
          type: 'object',
          required: ['provider', 'chainId', 'subject', 'statement', 'spec', 'issuedAt', 'validUntil'],
          properties: {
            provider: hex(20),
            chainId: decimal,
            subject: hex(32),
            statement: hex(32),
            spec: str,
            issuedAt: decimal,
            validUntil: decimal,
          },
        },
        digest: hex(32),
        signer: hex(20),
        value: { type: 'string', pattern: '^0x([0-9a-fA-F]{2})*$' },
      },
    },
  },
} as const;

type Ajv2020Class = typeof _Ajv2020.default;
const Ajv2020 = _Ajv2020 as unknown as Ajv2020Class;
const validate = new Ajv2020({ allErrors: true, strict: false }).compile(schema);

/** Problems with the shape of a parsed certificate.json, each naming the field; empty when it is one. */
export function certificateShapeProblems(value: unknown): string[] {
  if (validate(value)) return [];
  return (validate.errors ?? []).map((e: ErrorObject) => {
    const at = e.instancePath || '/';
    if (e.keyword === 'const') return `${at}: expected ${JSON.stringify(e.params.allowedValue)}`;
    if (e.keyword === 'required') return `${at}: missing field "${String(e.params.missingProperty)}"`;
    return `${at}: ${e.message ?? 'is not valid'}`;
  });
}
