/**
 * What a registry may make one listing read. A registry is untrusted: without these, a `Link`
 * that points back at its own page makes the listing endless, and a 600 MB tag list is read
 * whole into memory. Each is a rule key (section.ts); the README documents the defaults.
 */
export interface RegistryLimits {
  /** Pages of one catalog or tag-list listing. */
  maxPages: number;
  /** Bytes of one catalog or tag-list page. */
  maxPageBytes: number;
  /** Bytes of one manifest, index or image config (containerd's limit for manifests). */
  maxManifestBytes: number;
}

const MiB = 1024 * 1024;

export const DEFAULT_REGISTRY_LIMITS: RegistryLimits = {
  // 1000 pages of the default pageSize 100: 100 000 tags in one repository
  maxPages: 1000,
  // a page of 10 000 (the largest pageSize) names of 255 characters is about 2.6 MiB
  maxPageBytes: 8 * MiB,
  maxManifestBytes: 4 * MiB,
};

/** A token server's answer is a small JSON document; a bigger one is not a token. */
export const MAX_TOKEN_BYTES = 1 * MiB;
