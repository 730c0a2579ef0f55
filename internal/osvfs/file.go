package osvfs

import (
	"github.com/ncruces/go-sqlite3"
	"github.com/ncruces/go-sqlite3/util/vfsutil"
	"github.com/ncruces/go-sqlite3/vfs"
)

// file wraps a file of the OS VFS: WriteAt maps a full disk to
// SQLITE_FULL; everything else is forwarded.
type file struct{ vfs.File }

func (f *file) WriteAt(p []byte, off int64) (int, error) {
	n, err := f.File.WriteAt(p, off)
	if err != nil && isFull(err) {
		return n, vfs.SystemError(err, sqlite3.FULL)
	}
	return n, err
}

// Optional interfaces, forwarded to the OS file.

var (
	_ vfs.FileUnwrap             = &file{}
	_ vfs.FileSharedMemory       = &file{}
	_ vfs.FileMemoryMapper       = &file{}
	_ vfs.FileLockState          = &file{}
	_ vfs.FilePersistWAL         = &file{}
	_ vfs.FilePowersafeOverwrite = &file{}
	_ vfs.FileHasMoved           = &file{}
	_ vfs.FileSizeHint           = &file{}
	_ vfs.FileChunkSize          = &file{}
	_ vfs.FileCheckpoint         = &file{}
	_ vfs.FileBusyHandler        = &file{}
	_ vfs.FileBatchAtomicWrite   = &file{}
	_ vfs.FileOverwrite          = &file{}
	_ vfs.FileSync               = &file{}
	_ vfs.FileCommitPhaseTwo     = &file{}
	_ vfs.FilePragma             = &file{}
)

func (f *file) Unwrap() vfs.File                { return f.File }
func (f *file) SharedMemory() vfs.SharedMemory  { return vfsutil.WrapSharedMemory(f.File) }
func (f *file) MemoryMapper() vfs.MemoryMapper  { return vfsutil.WrapMemoryMapper(f.File) }
func (f *file) LockState() vfs.LockLevel        { return vfsutil.WrapLockState(f.File) }
func (f *file) PersistWAL() bool                { return vfsutil.WrapPersistWAL(f.File) }
func (f *file) SetPersistWAL(keep bool)         { vfsutil.WrapSetPersistWAL(f.File, keep) }
func (f *file) PowersafeOverwrite() bool        { return vfsutil.WrapPowersafeOverwrite(f.File) }
func (f *file) SetPowersafeOverwrite(psow bool) { vfsutil.WrapSetPowersafeOverwrite(f.File, psow) }
func (f *file) HasMoved() (bool, error)         { return vfsutil.WrapHasMoved(f.File) }
func (f *file) ChunkSize(size int)              { vfsutil.WrapChunkSize(f.File, size) }
func (f *file) SizeHint(size int64) error       { return vfsutil.WrapSizeHint(f.File, size) }
func (f *file) CheckpointStart()                { vfsutil.WrapCheckpointStart(f.File) }
func (f *file) CheckpointDone()                 { vfsutil.WrapCheckpointDone(f.File) }
func (f *file) BusyHandler(handler func() bool) { vfsutil.WrapBusyHandler(f.File, handler) }
func (f *file) BeginAtomicWrite() error         { return vfsutil.WrapBeginAtomicWrite(f.File) }
func (f *file) CommitAtomicWrite() error        { return vfsutil.WrapCommitAtomicWrite(f.File) }
func (f *file) RollbackAtomicWrite() error      { return vfsutil.WrapRollbackAtomicWrite(f.File) }
func (f *file) Overwrite() error                { return vfsutil.WrapOverwrite(f.File) }
func (f *file) SyncSuper(super string) error    { return vfsutil.WrapSyncSuper(f.File, super) }
func (f *file) CommitPhaseTwo() error           { return vfsutil.WrapCommitPhaseTwo(f.File) }
func (f *file) Pragma(name, value string) (string, error) {
	return vfsutil.WrapPragma(f.File, name, value)
}
