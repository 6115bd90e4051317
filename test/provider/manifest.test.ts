import { readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  didYouMean,
  formatProblem,
  loadProvider,
  ManifestError,
  MANIFEST_SCHEMA_PATH,
  parseManifest,
  providerFromManifest,
  type ProviderManifest,
} from '../../harness/provider/index.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/providers/', import.meta.url));
/** How errors show the fixture: relative to the working directory (vitest runs from the repo root). */
const shown = (name: string) => relative(process.cwd(), join(FIXTURES, name, 'provider.yaml'));

async function problemsOf(name: string): Promise<string[]> {
  const error = await loadProvider(join(FIXTURES, name)).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, `${name} must be rejected`).toBeInstanceOf(ManifestError);
  return (error as ManifestError).problems.map(formatProblem);
}

describe('provider.yaml: valid manifests', () => {
  it('loads a manifest with a local image, defaults the readiness timeout to 60 s', async () => {
    const loaded = await loadProvider(join(FIXTURES, 'valid-image'));
    expect(loaded.manifest).toMatchObject({
      apiVersion: 'oneclick/v2',
      name: 'valid-image',
      version: '1.0.0',
      image: 'oneclick/provider-valid:latest',
      runtime: 'docker',
      env: { LOG_LEVEL: 'info' },
      readiness: { http: { port: 9100, path: '/healthz' } },
    });
    expect(loaded.readinessTimeoutSeconds).toBe(60);
    expect(loaded.build).toBeUndefined();
    expect(loaded.displayFile).toBe(shown('valid-image'));
    expect(loaded.locate(['readiness', 'http', 'port'])).toBe(`${shown('valid-image')}:11:17`);
  });

  it('loads a build manifest and resolves its context and Dockerfile inside the folder', async () => {
    const loaded = await loadProvider(join(FIXTURES, 'valid-build'));
    expect(loaded.manifest.readiness).toEqual({ exec: ['test', '-e', '/tmp/ready'], timeoutSeconds: 30 });
    expect(loaded.manifest.requirements).toEqual(['DNS-1', 'NODE-2']);
    expect(loaded.manifest.mustFail).toEqual(['EXPIRY-1']);
    expect(loaded.build).toEqual({
      context: join(FIXTURES, 'valid-build', 'docker'),
      dockerfile: join(FIXTURES, 'valid-build', 'docker', 'Containerfile'),
      dockerfileInContext: 'Containerfile',
      args: { GREETING: 'hello' },
      imageName: 'valid-build',
      packageDir: join(FIXTURES, 'valid-build'),
    });
    expect(loaded.readinessTimeoutSeconds).toBe(30);
  });

  it("a build context may be another provider package's folder: that package's image, shared", async () => {
    const loaded = await loadProvider(join(FIXTURES, 'build-borrow'));
    expect(loaded.build).toEqual({
      context: join(FIXTURES, 'valid-build'),
      dockerfile: join(FIXTURES, 'valid-build', 'docker', 'Containerfile'),
      dockerfileInContext: 'docker/Containerfile',
      args: {},
      imageName: 'valid-build',
      packageDir: join(FIXTURES, 'valid-build'),
    });
  });

  it('validates a manifest written in code the same way', async () => {
    const good: ProviderManifest = {
      apiVersion: 'oneclick/v2',
      name: 'inline',
      version: '1.0.0',
      image: 'oneclick/provider-inline:latest',
      runtime: 'docker',
      readiness: { exec: ['true'] },
    };
    expect((await providerFromManifest(good)).manifest).toEqual(good);
    const bad = { ...good, readiness: { http: { port: 0, path: '/' } } };
    await expect(providerFromManifest(bad)).rejects.toThrow(
      '<manifest inline>:8:11: readiness.http.port: must be ≥ 1, got 0',
    );
  });

  it('ships a schema that is itself a draft 2020-12 JSON Schema', async () => {
    const schema = JSON.parse(await readFile(MANIFEST_SCHEMA_PATH, 'utf8')) as Record<string, unknown>;
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.required).toEqual(['apiVersion', 'name', 'version', 'runtime', 'readiness']);
  });
});

describe('provider.yaml: every problem with file:line:column, field and what was expected', () => {
  it('a runtime other than docker', async () => {
    expect(await problemsOf('wrong-runtime')).toEqual([
      `${shown('wrong-runtime')}:4:10: runtime: must be "docker", got "k8s"`,
    ]);
  });

  it('wrong field types and values, all of them at once', async () => {
    const f = shown('wrong-types');
    expect(await problemsOf('wrong-types')).toEqual([
      `${f}:2:7: name: must be lower-case letters, digits and dashes, starting with a letter or digit, got "Wrong_Types"`,
      `${f}:3:10: version: must be a string, got 0.1 (YAML reads it as a number: quote it, "0.1")`,
      `${f}:7:14: env.LOG_LEVEL: must be a string, got 3 (YAML reads it as a number: quote it, "3")`,
      `${f}:9:17: readiness.http.port: must be a whole number, got "9100"`,
      `${f}:9:31: readiness.http.path: must be an absolute path starting with /, got "healthz"`,
      `${f}:10:19: readiness.timeoutSeconds: must be ≥ 1, got 0`,
    ]);
  });

  it('unknown fields, with "did you mean" when close (and no second error for the misspelt one)', async () => {
    const f = shown('unknown-field');
    expect(await problemsOf('unknown-field')).toEqual([
      `${f}:5:1: runtme: unknown field (did you mean "runtime"?)`,
      `${f}:8:3: readiness.timeout: unknown field (did you mean "timeoutSeconds"?)`,
      `${f}:9:1: colour: unknown field (known: apiVersion, name, version, description, image, build, runtime, env, readiness, currencies, contracts, requirements, mustFail)`,
    ]);
  });

  it('both image and build', async () => {
    expect(await problemsOf('image-and-build')).toEqual([
      `${shown('image-and-build')}:5:1: build: give only one of "image" or "build", not both`,
    ]);
  });

  it('neither image nor build, and a readiness with neither probe', async () => {
    const f = shown('readiness-neither');
    expect(await problemsOf('readiness-neither')).toEqual([
      `${f}:1:1: needs exactly one of "image" or "build"`,
      `${f}:5:1: readiness: needs exactly one of "http" or "exec"`,
    ]);
  });

  it('an ONECLICK_ variable in env (they belong to the harness)', async () => {
    expect(await problemsOf('oneclick-env')).toEqual([
      `${shown('oneclick-env')}:8:3: env.ONECLICK_RPC_URL: ONECLICK_* variables belong to the harness (SPEC.md §3): use another name`,
    ]);
  });

  it('a v1 manifest, told what moved in v2; any other version, told which one is expected', () => {
    const lines = (v: string) =>
      parseManifest(
        `apiVersion: ${v}\nname: x\nversion: 1.0.0\nimage: x\nruntime: docker\nreadiness: {exec: [x]}\n`,
        'm.yaml',
      ).problems.map(formatProblem);
    expect(lines('oneclick/v1')).toEqual([
      expect.stringMatching(
        /^m\.yaml:1:13: apiVersion: must be "oneclick\/v2", got "oneclick\/v1": v2 publishes discovery under Radicle's DNS-SD names .*_radicle-node\._tcp.*SPEC\.md §4/,
      ),
    ]);
    expect(lines('oneclick/v9')).toEqual([
      'm.yaml:1:13: apiVersion: must be "oneclick/v2", got "oneclick/v9"',
    ]);
  });

  it('a missing apiVersion', async () => {
    expect(await problemsOf('missing-apiversion')).toEqual([
      `${shown('missing-apiversion')}:1:1: apiVersion: is required (expected "oneclick/v2")`,
    ]);
  });

  it('a YAML syntax error, with its position', async () => {
    expect(await problemsOf('bad-yaml')).toEqual([
      `${shown('bad-yaml')}:4:1: YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ]`,
    ]);
  });

  it('a folder without provider.yaml, and a folder that does not exist', async () => {
    expect(await problemsOf('no-manifest')).toEqual([
      `${shown('no-manifest')}: missing: a provider folder must contain provider.yaml (SPEC.md §2)`,
    ]);
    expect(await problemsOf('does-not-exist')).toEqual([
      `${shown('does-not-exist')}: no such provider folder ${relative(process.cwd(), join(FIXTURES, 'does-not-exist'))} (a provider is a folder with a provider.yaml)`,
    ]);
  });

  it("a build context outside the provider folder that is not another package's folder", async () => {
    expect(await problemsOf('build-escape')).toEqual([
      `${shown('build-escape')}:5:12: build.context: must stay inside the provider folder or be another provider package's folder, got "../valid-build/docker"`,
    ]);
  });

  it('other mistakes in text: duplicate keys, several documents, a list, an empty file, bad names', () => {
    const lines = (src: string) => parseManifest(src, 'm.yaml').problems.map(formatProblem);
    expect(lines('apiVersion: oneclick/v2\napiVersion: oneclick/v2\n')).toEqual([
      'm.yaml:2:1: YAML syntax error: Map keys must be unique',
    ]);
    expect(lines('a: b\n---\nc: d\n')).toEqual([
      'm.yaml:2:1: YAML syntax error: a manifest is a single YAML document (remove the "---" separator)',
    ]);
    expect(lines('- a\n- b\n')).toEqual(['m.yaml:1:1: must be a mapping, got a list']);
    expect(lines('# nothing\n')).toEqual([
      'm.yaml:1:1: is empty: expected a mapping with apiVersion: oneclick/v2, ...',
    ]);
    expect(
      lines(
        [
          'apiVersion: oneclick/v2',
          'name: x',
          'version: "1"',
          'image: "Bad Image"',
          'runtime: docker',
          'readiness: {exec: []}',
          'requirements: [A-1, A-1]',
        ].join('\n'),
      ),
    ).toEqual([
      'm.yaml:4:8: image: must be a local image reference such as oneclick/provider-x:latest, got "Bad Image"',
      'm.yaml:6:19: readiness.exec: must have at least 1 item(s)',
      'm.yaml:7:15: requirements: must not repeat items (item 1 repeats item 0)',
    ]);
    expect(
      lines(
        'apiVersion: oneclick/v2\nname: x\nversion: 1.0.0\nruntime: docker\nreadiness: {exec: [x]}\nbuild: {context: ., args: {BASE: x, "1x": y}}\n',
      ),
    ).toEqual([
      'm.yaml:6:28: build.args.BASE: BASE is set by the harness (the Debian base image): use another name',
      'm.yaml:6:37: build.args.1x: must be a variable name ([A-Za-z_][A-Za-z0-9_]*)',
    ]);
  });

  it('suggests names for typos, not for unrelated words', () => {
    const fields = ['apiVersion', 'image', 'readiness', 'timeoutSeconds'];
    expect(didYouMean('imgae', fields)).toBe('image');
    expect(didYouMean('ApiVersion', fields)).toBe('apiVersion');
    expect(didYouMean('readyness', fields)).toBe('readiness');
    expect(didYouMean('timeout', fields)).toBe('timeoutSeconds');
    expect(didYouMean('colour', fields)).toBeUndefined();
  });
});
