import { shortDigest } from '../util/format.js';
import type { Resource } from './types.js';

/**
 * One short line naming a resource in the plan (`build-1.tar.gz`, `tmp/`, `trash <batch>/<rule>`,
 * `app/web@sha256:0123… [ci-1]`). Pure: the plan is built from it without a provider.
 */
export function describeResource(resource: Resource): string {
  switch (resource.type) {
    case 'fs-entry':
      return resource.entry === 'dir' ? `${resource.path}/` : resource.path;
    case 'trash-batch':
      return `trash ${resource.path}`;
    case 'image':
      return `${resource.repository}@${shortDigest(resource.digest)} [${resource.tags.join(', ')}]`;
  }
}
