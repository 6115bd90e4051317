/**
 * The provider manifest (`provider.yaml`, SPEC.md §2): JSON Schema validation with ajv, errors that
 * name the file, line, column, field and what was expected, every problem at once.
 */
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import {
  compileSchema,
  didYouMean,
  display,
  explainSchemaErrors,
  fieldName,
  formatProblem,
  isObject,
  readYaml,
  show,
  sortProblems,
  type CompiledSchema,
  type Explain,
  type PathSegment,
  type Problem,
  type SourceMap,
} from '../yaml/index.js';
import { CURRENCIES, type Currency } from '../spec/requirements.js';
import schema from './manifest.schema.json' with { type: 'json' };

export const MANIFEST_FILE = 'provider.yaml';
export const API_VERSION = 'oneclick/v2';
/** The JSON Schema every manifest is validated against (publishable as is). */
export const MANIFEST_SCHEMA_PATH = join(dirname(fileURLToPath(import.meta.url)), 'manifest.schema.json');
export const DEFAULT_READINESS_TIMEOUT_SECONDS = 60;
/** Build-arg the harness sets on every provider build: the Debian base image (as for its own recipes). */
export const BASE_BUILD_ARG = 'BASE';

export type Readiness =
  | { http: { port: number; path: string }; timeoutSeconds?: number }
  | { exec: string[]; timeoutSeconds?: number };

export interface BuildSpec {
  /** A folder inside the provider package, or another provider package's folder; relative to it. */
  context: string;
  /** Relative to the context; default `Dockerfile`. */
  dockerfile?: string;
  args?: Record<string, string>;
}

/** `contracts`: a folder of Solidity sources and, per served currency, the contract to deploy. */
export interface ContractsSpec {
  /** Relative to the package; default `contracts`. */
  sources?: string;
  eth?: string;
  token?: string;
}

/** The folder `contracts.sources` defaults to. */
export const DEFAULT_CONTRACT_SOURCES = 'contracts';

/** provider.yaml as validated against manifest.schema.json. */
export interface ProviderManifest {
  apiVersion: typeof API_VERSION;
  name: string;
  version: string;
  description?: string;
  image?: string;
  build?: BuildSpec;
  runtime: 'docker';
  env?: Record<string, string>;
  readiness: Readiness;
  /** The provider contracts it serves (default: both). */
  currencies?: Currency[];
  /** Its own provider contracts, deployed in place of oneclick's (default: oneclick's). */
  contracts?: ContractsSpec;
  requirements?: string[];
  mustFail?: string[];
}

/** A manifest plus what the harness resolved from it. */
export interface LoadedProvider {
  manifest: ProviderManifest;
  /** The provider folder, absolute. */
  dir: string;
  /** Its provider.yaml, absolute. */
  file: string;
  /** provider.yaml as errors show it: relative to the working directory when inside it. */
  displayFile: string;
  /** With `build`: absolute context folder and Dockerfile, and the Dockerfile relative to the context. */
  build?: {
    context: string;
    dockerfile: string;
    dockerfileInContext: string;
    args: Record<string, string>;
    /**
     * The package whose image this is: the provider itself, or the other provider package whose
     * folder is the context (its name: the image is shared with it). Symbolic links in the context
     * must stay inside `packageDir`.
     */
    imageName: string;
    packageDir: string;
  };
  readinessTimeoutSeconds: number;
  /** With `contracts`: the absolute sources folder and the contract named per currency. */
  contracts?: { sources: string; names: Partial<Record<Currency, string>> };
  /** `file:line:column` of a field of the manifest (for errors found after loading, e.g. a missing image). */
  locate(path: readonly PathSegment[]): string;
}

/** One problem of a manifest (see formatProblem). */
export type ManifestProblem = Problem;
export { didYouMean, formatProblem };

/** Every problem of one manifest; `message` lists them one per line. */
export class ManifestError extends Error {
  override name = 'ManifestError';
  constructor(readonly problems: readonly ManifestProblem[]) {
    super(problems.map(formatProblem).join('\n'));
  }
}

/**
 * Reads and validates `<dir>/provider.yaml`, then checks what the schema cannot (the build context
 * and Dockerfile exist inside the folder). Throws a ManifestError listing every problem.
 */
export async function loadProvider(dir: string): Promise<LoadedProvider> {
  const absDir = resolve(dir);
  const file = join(absDir, MANIFEST_FILE);
  const displayFile = display(file);
  const fail = (message: string): never => {
    throw new ManifestError([{ file: displayFile, message }]);
  };
  const dirStat = await stat(absDir).catch(() => undefined);
  if (!dirStat)
    fail(`no such provider folder ${display(absDir)} (a provider is a folder with a ${MANIFEST_FILE})`);
  if (!dirStat!.isDirectory())
    fail(`${display(absDir)} is not a folder (a provider is a folder with a ${MANIFEST_FILE})`);
  let source: string;
  try {
    source = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return fail(
      code === 'ENOENT'
        ? `missing: a provider folder must contain ${MANIFEST_FILE} (SPEC.md §2)`
        : `cannot be read (${code ?? (error as Error).message})`,
    );
  }
  return fromSource(source, absDir, file, displayFile);
}

/**
 * A manifest written in code (a generated faulty provider, say), validated like a file; `dir` is
 * where a `build.context` is looked up. Positions in its errors refer to the manifest as YAML.
 */
export async function providerFromManifest(
  manifest: ProviderManifest,
  dir = process.cwd(),
): Promise<LoadedProvider> {
  const absDir = resolve(dir);
  const label = `<manifest ${typeof manifest.name === 'string' ? manifest.name : 'in code'}>`;
  return fromSource(stringify(manifest), absDir, join(absDir, MANIFEST_FILE), label);
}

async function fromSource(
  source: string,
  absDir: string,
  file: string,
  displayFile: string,
): Promise<LoadedProvider> {
  const parsed = parseManifest(source, displayFile);
  const problems = [...parsed.problems];
  let build: LoadedProvider['build'];
  if (parsed.manifest?.build && parsed.map) {
    const checked = await checkBuild(
      absDir,
      parsed.manifest.name,
      parsed.manifest.build,
      parsed.map,
      displayFile,
    );
    problems.push(...checked.problems);
    build = checked.build;
  }
  let contracts: LoadedProvider['contracts'];
  if (parsed.manifest?.contracts && parsed.map) {
    const checked = await checkContracts(absDir, parsed.manifest, parsed.map, displayFile);
    problems.push(...checked.problems);
    contracts = checked.contracts;
  }
  const map = parsed.map;
  if (problems.length || !parsed.manifest || !map) throw new ManifestError(sortProblems(problems));
  return {
    manifest: parsed.manifest,
    dir: absDir,
    file,
    displayFile,
    ...(build ? { build } : {}),
    ...(contracts ? { contracts } : {}),
    readinessTimeoutSeconds: parsed.manifest.readiness.timeoutSeconds ?? DEFAULT_READINESS_TIMEOUT_SECONDS,
    locate: (path) => {
      const pos = map.position(path);
      return `${displayFile}:${pos.line}:${pos.column}`;
    },
  };
}

export interface ParsedManifest {
  /** Present when the text is valid YAML that passes the schema. */
  manifest?: ProviderManifest;
  problems: ManifestProblem[];
  /** Positions of the parsed document (absent after a syntax error). */
  map?: SourceMap;
}

/** Parses and schema-checks manifest text; `file` is only used in the problems. Never throws. */
export function parseManifest(source: string, file: string): ParsedManifest {
  const { data, map, problems, syntaxOk } = readYaml(source, file, {
    empty: `expected a mapping with apiVersion: ${API_VERSION}, ...`,
    oneDocument: 'a manifest is a single YAML document (remove the "---" separator)',
  });
  if (!syntaxOk) return { problems: problems.sorted() };
  if (data === undefined) return { map, problems: problems.sorted() };
  compiled ??= compileSchema(schema);
  const errors = compiled.errors(data);
  if (!errors.length) return { manifest: data as ProviderManifest, problems: [], map };
  explainSchemaErrors(errors, data, compiled, problems, explain);
  return { problems: problems.sorted(), map };
}

// --- schema errors in words ----------------------------------------------------------------------

let compiled: CompiledSchema | undefined;

/** What a pattern means, by the schema path of the `pattern` keyword. */
const PATTERN_MEANING: Record<string, string> = {
  '#/properties/name/pattern': 'lower-case letters, digits and dashes, starting with a letter or digit',
  '#/properties/version/pattern': 'a semver-like version such as 1.2.3 or 0.1.0-rc.1',
  '#/properties/image/pattern': 'a local image reference such as oneclick/provider-x:latest',
  '#/properties/readiness/properties/http/properties/path/pattern': 'an absolute path starting with /',
  '#/properties/requirements/items/pattern': 'a requirement ID (a letter, then letters, digits, . _ -)',
  '#/properties/mustFail/items/pattern': 'a requirement ID (a letter, then letters, digits, . _ -)',
  '#/properties/contracts/properties/eth/pattern': 'a Solidity contract name',
  '#/properties/contracts/properties/token/pattern': 'a Solidity contract name',
};

/** A v1 manifest is told what moved, not only that the string differs. */
const V1_REFUSED =
  `must be "${API_VERSION}", got "oneclick/v1": v2 publishes discovery under Radicle's DNS-SD names ` +
  '(SRV and TXT nid=/expiry= at <label>._radicle-node._tcp.<zone>, a browse PTR at _radicle-node._tcp.<zone>; ' +
  `SPEC.md §4): publish those, then set apiVersion: ${API_VERSION}`;

const REQUIRED_HINT: Record<string, string> = {
  apiVersion: `expected "${API_VERSION}"`,
  runtime: 'expected "docker"',
  readiness: 'e.g. readiness: { http: { port: 9100, path: /healthz }, timeoutSeconds: 60 }',
  context: 'a folder inside the provider package, e.g. "."',
};

/** The manifest's own wording, where the generic one would say less. */
const explain: Explain = ({ error: e, path }) => {
  const params = e.params as Record<string, unknown>;
  if (e.propertyName !== undefined) {
    // A bad key of a map (env, build.args): point at the key itself.
    const keyPath = [...path, e.propertyName];
    if (e.keyword === 'not') {
      const owned = e.schemaPath.includes('/env/')
        ? 'ONECLICK_* variables belong to the harness (SPEC.md §3): use another name'
        : `${BASE_BUILD_ARG} is set by the harness (the Debian base image): use another name`;
      return { path: keyPath, at: 'key', message: owned };
    }
    if (e.keyword === 'pattern')
      return { path: keyPath, at: 'key', message: 'must be a variable name ([A-Za-z_][A-Za-z0-9_]*)' };
    return undefined;
  }
  switch (e.keyword) {
    case 'required': {
      // anyOf branches ({ required: [x] }) are explained by their anyOf.
      if (/\/anyOf\/\d+\//.test(e.schemaPath)) return null;
      const missing = String(params.missingProperty);
      const hint = REQUIRED_HINT[missing];
      return {
        at: 'key',
        field: fieldName([...path, missing]),
        message: `is required${hint ? ` (${hint})` : ''}`,
      };
    }
    case 'anyOf':
      return {
        at: 'key',
        field: fieldName(path),
        message:
          'needs eth or token: the name of the contract deployed for that currency (e.g. contracts: { eth: MyEthProvider })',
      };
    case 'oneOf': {
      const branches = (e.schema as Array<{ required?: string[] }>) ?? [];
      const keys = branches.map((b) => b.required?.[0]).filter((k): k is string => !!k);
      const present = keys.filter((k) => isObject(e.data) && k in e.data);
      const choices = keys.map((k) => `"${k}"`).join(' or ');
      // Two given: point at the second one, the first is fine on its own.
      if (present.length > 1)
        return { path: [...path, present[1]!], at: 'key', message: `give only one of ${choices}, not both` };
      return { at: 'key', field: fieldName(path), message: `needs exactly one of ${choices}` };
    }
    case 'const':
      if (e.data === 'oneclick/v1') return { message: V1_REFUSED };
      return undefined;
    case 'enum':
      return {
        message: `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}, got ${show(e.data)}`,
      };
    case 'pattern': {
      const meaning = PATTERN_MEANING[e.schemaPath] ?? `text matching /${String(params.pattern)}/`;
      return { message: `must be ${meaning}, got ${show(e.data)}` };
    }
    default:
      return undefined;
  }
};

// --- what the schema cannot check ----------------------------------------------------------------

async function checkBuild(
  dir: string,
  name: string,
  build: BuildSpec,
  map: SourceMap,
  file: string,
): Promise<{ problems: ManifestProblem[]; build?: LoadedProvider['build'] }> {
  const problems: ManifestProblem[] = [];
  const problem = (path: PathSegment[], message: string) => {
    const pos = map.position(path);
    problems.push({ file, line: pos.line, column: pos.column, field: fieldName(path), message });
  };
  const realDir = await realpath(dir);
  if (isAbsolute(build.context)) {
    problem(
      ['build', 'context'],
      `must be a folder relative to the provider folder, got ${show(build.context)}`,
    );
    return { problems };
  }
  const context = resolve(dir, build.context);
  const realContext = await realpath(context).catch(() => undefined);
  if (!realContext) {
    problem(['build', 'context'], `no such folder ${show(build.context)} in ${display(dir)}`);
    return { problems };
  }
  if (!(await stat(realContext)).isDirectory()) {
    problem(['build', 'context'], `must be a folder, got the file ${show(build.context)}`);
    return { problems };
  }
  let owner = { imageName: name, packageDir: realDir };
  if (!inside(realDir, realContext)) {
    // Another provider package's folder: build that package's image (shared, named after it).
    const other = await packageAt(realContext);
    if (other === 'none') {
      problem(
        ['build', 'context'],
        `must stay inside the provider folder or be another provider package's folder, got ${show(build.context)}`,
      );
      return { problems };
    }
    if (other === 'invalid') {
      problem(
        ['build', 'context'],
        `${show(build.context)} is a provider package whose ${MANIFEST_FILE} is not valid (check it with oneclick provider check)`,
      );
      return { problems };
    }
    owner = { imageName: other, packageDir: realContext };
  }
  const dockerfileRel = build.dockerfile ?? 'Dockerfile';
  const dockerfilePath: PathSegment[] = build.dockerfile ? ['build', 'dockerfile'] : ['build', 'context'];
  if (isAbsolute(dockerfileRel)) {
    problem(dockerfilePath, `must be relative to the build context, got ${show(dockerfileRel)}`);
    return { problems };
  }
  const dockerfile = resolve(realContext, dockerfileRel);
  const realDockerfile = await realpath(dockerfile).catch(() => undefined);
  const what = build.dockerfile ? show(dockerfileRel) : 'Dockerfile (the default)';
  if (!realDockerfile || !(await stat(realDockerfile)).isFile()) {
    problem(dockerfilePath, `no ${what} in the build context ${show(build.context)}`);
    return { problems };
  }
  if (!inside(realContext, realDockerfile)) {
    problem(dockerfilePath, `must stay inside the build context, got ${show(dockerfileRel)}`);
    return { problems };
  }
  return {
    problems,
    build: {
      context: realContext,
      dockerfile: realDockerfile,
      dockerfileInContext: relative(realContext, realDockerfile).split(sep).join('/'),
      args: build.args ?? {},
      ...owner,
    },
  };
}

/** The sources folder of `contracts` and its contracts: one per served currency, none for another. */
async function checkContracts(
  dir: string,
  manifest: ProviderManifest,
  map: SourceMap,
  file: string,
): Promise<{ problems: ManifestProblem[]; contracts?: LoadedProvider['contracts'] }> {
  const spec = manifest.contracts!;
  const problems: ManifestProblem[] = [];
  const problem = (path: PathSegment[], message: string) => {
    const pos = map.position(path);
    problems.push({ file, line: pos.line, column: pos.column, field: fieldName(path), message });
  };
  const served = manifest.currencies ?? CURRENCIES;
  for (const currency of CURRENCIES) {
    if (spec[currency] !== undefined && !served.includes(currency))
      problem(
        ['contracts', currency],
        `the provider does not serve ${currency} (currencies: [${served.join(', ')}]): drop it or add ${currency} to currencies`,
      );
    if (spec[currency] === undefined && served.includes(currency))
      problem(
        ['contracts'],
        `names no ${currency} contract, but the provider serves ${currency} (${manifest.currencies ? 'currencies' : 'currencies default to eth and token'}): add contracts.${currency}, or set currencies to what the contracts serve`,
      );
  }
  const rel = spec.sources ?? DEFAULT_CONTRACT_SOURCES;
  const at: PathSegment[] = spec.sources !== undefined ? ['contracts', 'sources'] : ['contracts'];
  const realDir = await realpath(dir);
  const sources = isAbsolute(rel) ? undefined : await realpath(resolve(dir, rel)).catch(() => undefined);
  if (!sources || !(await stat(sources)).isDirectory() || !inside(realDir, sources)) {
    const what = spec.sources !== undefined ? show(rel) : `${show(rel)} (the default of contracts.sources)`;
    problem(at, `must be a folder of Solidity sources inside the provider folder, got ${what}`);
    return { problems };
  }
  if (!(await hasSolidity(sources))) {
    problem(at, `no .sol file in ${show(rel)}`);
    return { problems };
  }
  const names = Object.fromEntries(
    CURRENCIES.flatMap((c) => (spec[c] !== undefined && served.includes(c) ? [[c, spec[c]]] : [])),
  );
  return { problems, contracts: { sources, names } };
}

async function hasSolidity(dir: string): Promise<boolean> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.some((e) => e.isFile() && e.name.endsWith('.sol'));
}

/** The name of the provider package whose folder `dir` is; 'none' when it has no provider.yaml. */
async function packageAt(dir: string): Promise<string | 'none' | 'invalid'> {
  const source = await readFile(join(dir, MANIFEST_FILE), 'utf8').catch(() => undefined);
  if (source === undefined) return 'none';
  return parseManifest(source, join(dir, MANIFEST_FILE)).manifest?.name ?? 'invalid';
}

function inside(parent: string, child: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}
