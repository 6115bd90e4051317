import { dockerEngine } from '../docker/engine.js';
import { IMAGE_LABEL, HASH_LABEL, localImageId } from './base.js';
import { ensureImageDetailed, recipeNames, type EnsureImageOptions } from './build.js';

export { ensureImageDetailed, recipeNames, type EnsureImageOptions, type EnsuredImage } from './build.js';
export { ensureBase, LOCAL_DEBIAN, IMAGE_LABEL, HASH_LABEL, type BaseImage } from './base.js';

/** Every recipe under harness/images/recipes/ (a directory with a Dockerfile), sorted. */
export const IMAGE_NAMES: readonly string[] = Object.freeze(recipeNames());

/** Set to a local image to certify it instead of oneclick's own org-node image. */
export const ORGNODE_IMAGE_ENV = 'ONECLICK_ORGNODE_IMAGE';

/** The tag of an up-to-date `oneclick/<name>` image, building it only when its inputs changed. */
export async function ensureImage(name: string, options: EnsureImageOptions = {}): Promise<string> {
  return (await ensureImageDetailed(name, options)).tag;
}

/**
 * The org-node image under test: $ONECLICK_ORGNODE_IMAGE when set (it must exist locally), else
 * oneclick's own `org-node` image, built if needed.
 */
export async function orgNodeImage(options: EnsureImageOptions = {}): Promise<string> {
  const supplied = process.env[ORGNODE_IMAGE_ENV]?.trim();
  if (supplied) {
    if (!(await localImageId(supplied))) {
      throw new Error(`${ORGNODE_IMAGE_ENV}=${supplied}: no such local image (nothing can be pulled here)`);
    }
    return supplied;
  }
  return ensureImage('org-node', options);
}

export interface LocalImage {
  name: string;
  tags: string[];
  id: string;
  hash?: string;
  sizeBytes: number;
  created: Date;
}

/** Images built by oneclick (label oneclick.image), newest first. */
export async function listImages(): Promise<LocalImage[]> {
  const images = await dockerEngine().listImages({ filters: { label: [IMAGE_LABEL] } });
  return images
    .map((i) => ({
      name: i.Labels?.[IMAGE_LABEL] ?? '?',
      tags: (i.RepoTags ?? []).filter((t) => t !== '<none>:<none>'),
      id: i.Id,
      hash: i.Labels?.[HASH_LABEL],
      sizeBytes: i.Size,
      created: new Date(i.Created * 1000),
    }))
    .sort((a, b) => b.created.getTime() - a.created.getTime());
}
