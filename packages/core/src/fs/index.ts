export { atomicSymlink } from './atomicSymlink.js';
export { type AtomicWriteOptions, atomicWriteFile, atomicWriteJson } from './atomicWriteFile.js';
export { DurableAppendFile, type DurableAppendFileOptions } from './DurableAppendFile.js';
export { describeFsError } from './describeFsError.js';
export { PathEscapeError } from './errors.js';
export { fsyncDir } from './fsyncDir.js';
export {
  BoundedReadError,
  type BoundedReadOptions,
  readBoundedFile,
  readBoundedFileSync,
} from './readBoundedFile.js';
export {
  isInside,
  type ResolveSafePathOptions,
  realpathDeepest,
  resolveSafePath,
} from './resolveSafePath.js';
export { type ExclusiveWriteOptions, writeFileExclusive } from './writeFileExclusive.js';
