/** What an archive (or directory) entry is, as far as safety is concerned. */
export type EntryKind = 'file' | 'directory' | 'symlink' | 'hardlink' | 'other';
