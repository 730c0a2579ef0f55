package powervfs

import (
	"path/filepath"

	"github.com/ncruces/go-sqlite3"
	"github.com/ncruces/go-sqlite3/util/vfsutil"
	"github.com/ncruces/go-sqlite3/vfs"
)

// file wraps a file of the OS VFS: writes, truncates and size hints are
// recorded as pending, a successful Sync makes them durable; reads, locks
// and shared memory are forwarded.
type file struct {
	vfs.File
	vfs     *VFS
	st      *fileState
	syncDir bool // the first successful Sync also syncs the directory
}

func (f *file) WriteAt(p []byte, off int64) (int, error) {
	v := f.vfs
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.cut {
		return 0, dead(sqlite3.IOERR_WRITE)
	}
	n, err := f.File.WriteAt(p, off)
	if n > 0 {
		f.st.dataOps = append(f.st.dataOps, dataOp{seq: v.next(), off: off, data: append([]byte(nil), p[:n]...)})
	}
	return n, err
}

func (f *file) Truncate(size int64) error {
	v := f.vfs
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.cut {
		return dead(sqlite3.IOERR_TRUNCATE)
	}
	if err := f.File.Truncate(size); err != nil {
		return err
	}
	f.st.dataOps = append(f.st.dataOps, dataOp{seq: v.next(), truncate: true, size: size})
	return nil
}

// SizeHint forwards the hint (ncruces allocates the space, growing the
// file); a growth is recorded like a truncate to the new size.
func (f *file) SizeHint(size int64) error {
	v := f.vfs
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.cut {
		return dead(sqlite3.IOERR_TRUNCATE)
	}
	before, err := f.File.Size()
	if err != nil {
		return err
	}
	if err := vfsutil.WrapSizeHint(f.File, size); err != nil {
		return err
	}
	if after, err := f.File.Size(); err == nil && after > before {
		f.st.dataOps = append(f.st.dataOps, dataOp{seq: v.next(), truncate: true, size: after})
	}
	return nil
}

// Sync syncs the file; once the OS confirms, every write and truncate
// issued before the call is durable. A Sync that the power cut overtakes
// fails: SQLite then acknowledges nothing that depended on it.
func (f *file) Sync(flags vfs.SyncFlag) error {
	v := f.vfs
	v.mu.Lock()
	if v.cut {
		v.mu.Unlock()
		return dead(sqlite3.IOERR_FSYNC)
	}
	upTo := v.seq
	v.mu.Unlock()

	if err := f.File.Sync(flags); err != nil {
		return err
	}

	v.mu.Lock()
	defer v.mu.Unlock()
	if v.cut {
		return dead(sqlite3.IOERR_FSYNC)
	}
	st := f.st
	n := 0
	for _, o := range st.dataOps {
		if o.seq > upTo {
			break
		}
		st.data = o.apply(st.data)
		n++
	}
	st.dataOps = append(st.dataOps[:0], st.dataOps[n:]...)
	st.syncs++
	if f.syncDir {
		f.syncDir = false
		v.dirSync(filepath.Dir(st.path))
	}
	return nil
}

// DeviceCharacteristics is the OS file's, without batch atomic writes
// (the model has no atomic multi-write unit).
func (f *file) DeviceCharacteristics() vfs.DeviceCharacteristic {
	return f.File.DeviceCharacteristics() &^ vfs.IOCAP_BATCH_ATOMIC
}

// Optional interfaces, forwarded to the OS file.

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
