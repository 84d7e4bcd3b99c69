export {
  type ArtifactEntry,
  checkEntry,
  EntryChecker,
  type EntryKind,
  normalizeEntryPath,
} from './checkEntry.js';
export { copyDirectory, type DirectoryScan, scanDirectory } from './directory.js';
export type { SpaceNeed } from './freeSpace.js';
export {
  type ArtifactInfo,
  inspectArtifact,
  shortDigest,
  type UnpackOptions,
  unpackArtifact,
} from './inspectArtifact.js';
export { type ArtifactLimits, DEFAULT_ARTIFACT_LIMITS } from './limits.js';
export { extractTarball, scanTarball, sha256File, type TarballScan, toArtifactEntry } from './tarball.js';
