package faultvfs

import (
	"github.com/ncruces/go-sqlite3/util/vfsutil"
	"github.com/ncruces/go-sqlite3/vfs"
)

// file wraps a file of the base VFS: writes, syncs and truncates pass the
// fault check; every other method, including the optional interfaces the
// base file implements, is forwarded.
type file struct {
	vfs.File
	vfs  *VFS
	kind FileKind
	name string
}

func (f *file) WriteAt(p []byte, off int64) (int, error) {
	if err := f.vfs.check(OpWrite, f.kind, f.name); err != nil {
		return 0, err
	}
	return f.File.WriteAt(p, off)
}

func (f *file) Sync(flags vfs.SyncFlag) error {
	if err := f.vfs.check(OpSync, f.kind, f.name); err != nil {
		return err
	}
	return f.File.Sync(flags)
}

func (f *file) Truncate(size int64) error {
	if err := f.vfs.check(OpTruncate, f.kind, f.name); err != nil {
		return err
	}
	return f.File.Truncate(size)
}

// Optional interfaces, forwarded to the base file.

var (
	_ vfs.FileUnwrap             = &file{}
	_ vfs.FileSharedMemory       = &file{}
	_ vfs.FileLockState          = &file{}
	_ vfs.FilePersistWAL         = &file{}
	_ vfs.FilePowersafeOverwrite = &file{}
	_ vfs.FileHasMoved           = &file{}
	_ vfs.FileSizeHint           = &file{}
	_ vfs.FileChunkSize          = &file{}
	_ vfs.FileCheckpoint         = &file{}
	_ vfs.FileBusyHandler        = &file{}
)

func (f *file) Unwrap() vfs.File                { return f.File }
func (f *file) SharedMemory() vfs.SharedMemory  { return vfsutil.WrapSharedMemory(f.File) }
func (f *file) LockState() vfs.LockLevel        { return vfsutil.WrapLockState(f.File) }
func (f *file) PersistWAL() bool                { return vfsutil.WrapPersistWAL(f.File) }
func (f *file) SetPersistWAL(keep bool)         { vfsutil.WrapSetPersistWAL(f.File, keep) }
func (f *file) PowersafeOverwrite() bool        { return vfsutil.WrapPowersafeOverwrite(f.File) }
func (f *file) SetPowersafeOverwrite(psow bool) { vfsutil.WrapSetPowersafeOverwrite(f.File, psow) }
func (f *file) HasMoved() (bool, error)         { return vfsutil.WrapHasMoved(f.File) }
func (f *file) ChunkSize(size int)              { vfsutil.WrapChunkSize(f.File, size) }
func (f *file) CheckpointStart()                { vfsutil.WrapCheckpointStart(f.File) }
func (f *file) CheckpointDone()                 { vfsutil.WrapCheckpointDone(f.File) }
func (f *file) BusyHandler(handler func() bool) { vfsutil.WrapBusyHandler(f.File, handler) }
func (f *file) SizeHint(size int64) error       { return vfsutil.WrapSizeHint(f.File, size) }
