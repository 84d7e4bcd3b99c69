/**
 * What one artifact may unpack to. A .tar.gz of a few MB can hold GBs of zeros (gzip reaches
 * about 1000:1), and a directory artifact can be as large as the disk it sits on: without caps
 * a deploy fills the target's filesystem. Config: `deploy.artifactLimits`.
 */
export interface ArtifactLimits {
  /** Largest unpacked size: a tarball's tar stream (contents and headers), a directory's files. */
  maxBytes: number;
  /** Most members (files, directories and links). */
  maxEntries: number;
  /** Largest unpacked size / archive size, once past RATIO_GRACE_BYTES unpacked. */
  maxRatio: number;
  /** Free space the target's filesystem keeps: refused before, and stopped during, unpacking below it. */
  minFreeSpace: number;
}

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;

export const DEFAULT_ARTIFACT_LIMITS: ArtifactLimits = {
  maxBytes: 4 * GiB,
  maxEntries: 500_000,
  maxRatio: 100,
  minFreeSpace: 64 * MiB,
};

/**
 * The ratio is judged only past this much unpacked: a small artifact whose first file is a
 * block of zeros (a preallocated database) has a huge ratio for a moment, and is no threat.
 */
export const RATIO_GRACE_BYTES = 64 * MiB;
