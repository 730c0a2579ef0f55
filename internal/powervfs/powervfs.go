// Package powervfs is an SQLite VFS for tests that simulates a power cut.
// It wraps ncruces' OS VFS (every file is really written to disk) and
// keeps, for every file opened through it, what a disk with a volatile
// write cache is only sure to hold: the content as of the file's last
// successful Sync, plus the writes and truncates issued since. Cut stops
// the disk: from then on every write, truncate, sync, delete and file
// creation fails with an I/O error, as if the machine had lost power while
// the process kept running. Once the connections are closed, WriteImage
// rewrites the files on disk as the power cut leaves them, for a plain
// SQLite (any VFS) to open and check.
//
// What it simulates:
//   - Unsynced writes are lost: WriteImage keeps none of them (DropAll),
//     all of them (KeepAll: the OS survived, only the process died), or a
//     seeded random subset (Random), each write torn into 512-byte sectors
//     that survive or not independently, in any order (a write cache that
//     reorders), each truncate surviving or not as a whole. A successful
//     Sync is a barrier: everything written to the file before it survives.
//   - Directory entries: a file created through the VFS, or deleted through
//     it, is a directory change that survives only once the directory is
//     synced: by a Delete with syncDir, or by the first successful Sync of
//     a rollback journal or WAL file opened with OPEN_CREATE (ncruces' OS
//     VFS then fsyncs the directory, as SQLite's unix VFS does). Pending
//     directory changes follow the loss mode like writes.
//   - The -shm file (the WAL index, shared memory) is removed by
//     WriteImage: its content is not durable and SQLite rebuilds it.
//
// What it does not simulate:
//   - A file that existed before its first open through the VFS is assumed
//     durable as it was then, content and directory entry (the engine
//     creates its files just before SQLite opens them, so the window between
//     that creation and the first directory sync is not modelled).
//   - A path deleted and created again between two directory syncs is
//     approximated: the model keeps one content per path, so if the image
//     keeps the old entry, it gets the new file's content. (A deleted file
//     whose deletion does not survive comes back with its own content.)
//   - Corruption of synced data (bit rot, lying fsync, misdirected writes),
//     renames, and memory-mapped writes (SQLite's mmap is read-only; the VFS
//     does not offer it).
//
// Each VFS registers itself under a unique name (New) and must be
// unregistered with Close; open databases through it with URI(path).
package powervfs

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"sync"

	"github.com/ncruces/go-sqlite3"
	"github.com/ncruces/go-sqlite3/util/vfsutil"
	"github.com/ncruces/go-sqlite3/vfs"
)

// TornSector is the unit a torn write is cut into: a disk writes a 512-byte
// sector entirely or not at all.
const TornSector = 512

// ErrPowerCut is the error every mutating operation fails with after Cut
// (SQLite sees an I/O error).
var ErrPowerCut = errors.New("powervfs: power cut")

// ErrNotCut is returned by WriteImage before Cut.
var ErrNotCut = errors.New("powervfs: WriteImage before Cut")

// VFS is a power-loss simulating VFS. Its methods are safe for concurrent
// use with the connections using it.
type VFS struct {
	base vfs.VFS
	name string

	mu    sync.Mutex
	seq   uint64
	cut   bool
	files map[string]*fileState // by full path
}

// New wraps ncruces' OS VFS and registers it under a fresh name that starts
// with prefix. Call Close when done.
func New(prefix string) *VFS {
	var b [6]byte
	rand.Read(b[:])
	v := &VFS{base: vfs.Find(""), name: prefix + "-" + hex.EncodeToString(b[:]), files: map[string]*fileState{}}
	vfs.Register(v.name, v)
	return v
}

// Name is the name the VFS is registered under.
func (v *VFS) Name() string { return v.name }

// URI is the SQLite URI that opens path through the VFS (path must not
// contain '?', '#' or '%').
func (v *VFS) URI(path string) string { return "file:" + path + "?vfs=" + v.name }

// Close unregisters the VFS; connections already open keep working.
func (v *VFS) Close() { vfs.Unregister(v.name) }

// Cut cuts the power: every later write, truncate, sync, delete or file
// creation through the VFS fails, and WriteImage may be called once the
// connections are closed. Reads keep working (they see what the OS had).
func (v *VFS) Cut() {
	v.mu.Lock()
	v.cut = true
	v.mu.Unlock()
}

// Stats counts what the VFS holds for the files it tracks.
type Stats struct {
	Files         int // files tracked
	Syncs         int // successful syncs
	PendingWrites int // writes and truncates not yet synced
	PendingBytes  int64
	PendingDirOps int // creations and deletions not yet directory-synced
}

// Stats reports the pending (unsynced) state.
func (v *VFS) Stats() Stats {
	v.mu.Lock()
	defer v.mu.Unlock()
	s := Stats{Files: len(v.files)}
	for _, f := range v.files {
		s.Syncs += f.syncs
		s.PendingWrites += len(f.dataOps)
		for _, o := range f.dataOps {
			s.PendingBytes += int64(len(o.data))
		}
		s.PendingDirOps += len(f.entryOps)
	}
	return s
}

// fileState is what the model knows of one path.
type fileState struct {
	path   string
	mainDB bool
	syncs  int

	// entry: whether the path exists as of the last directory sync, and the
	// creations/deletions since.
	entry    bool
	entryOps []entryOp

	// data: the file's content as of its last sync, and the writes and
	// truncates since, oldest first.
	data    []byte
	dataOps []dataOp
}

type entryOp struct {
	seq    uint64
	exists bool
}

type dataOp struct {
	seq      uint64
	off      int64
	data     []byte // nil for a truncate
	truncate bool
	size     int64 // truncate's size
}

func (o dataOp) apply(b []byte) []byte {
	if o.truncate {
		return resize(b, o.size)
	}
	end := o.off + int64(len(o.data))
	if int64(len(b)) < end {
		b = resize(b, end)
	}
	copy(b[o.off:], o.data)
	return b
}

func resize(b []byte, n int64) []byte {
	if int64(len(b)) >= n {
		return b[:n]
	}
	if int64(cap(b)) >= n {
		old := len(b)
		b = b[:n]
		clear(b[old:])
		return b
	}
	nb := make([]byte, n, max(n, 2*int64(cap(b))))
	copy(nb, b)
	return nb
}

func dead[T ~uint8 | ~uint16](code T) error { return vfs.SystemError(ErrPowerCut, code) }

// state returns the model of path, creating it on first sight: a file that
// exists is taken as durable as it is.
func (v *VFS) state(path string) (*fileState, error) {
	if f := v.files[path]; f != nil {
		return f, nil
	}
	f := &fileState{path: path}
	b, err := os.ReadFile(path)
	switch {
	case err == nil:
		f.entry, f.data = true, b
	case !errors.Is(err, fs.ErrNotExist):
		return nil, err
	}
	v.files[path] = f
	return f, nil
}

// dirSync makes every pending creation and deletion in dir durable.
func (v *VFS) dirSync(dir string) {
	for _, f := range v.files {
		if filepath.Dir(f.path) != dir || len(f.entryOps) == 0 {
			continue
		}
		f.entry = f.entryOps[len(f.entryOps)-1].exists
		f.entryOps = nil
	}
}

func (v *VFS) next() uint64 { v.seq++; return v.seq }

// Open opens a file the way the OS VFS does.
func (v *VFS) Open(name string, flags vfs.OpenFlag) (vfs.File, vfs.OpenFlag, error) {
	if name == "" {
		return v.OpenFilename(nil, flags)
	}
	return v.open(name, flags, func() (vfs.File, vfs.OpenFlag, error) { return vfsutil.WrapOpen(v.base, name, flags) })
}

// OpenFilename opens a file the way the OS VFS does.
func (v *VFS) OpenFilename(name *vfs.Filename, flags vfs.OpenFlag) (vfs.File, vfs.OpenFlag, error) {
	if name == nil || name.String() == "" {
		// A temporary file: deleted on close, never part of the image.
		return vfsutil.WrapOpenFilename(v.base, name, flags)
	}
	return v.open(name.String(), flags, func() (vfs.File, vfs.OpenFlag, error) {
		return vfsutil.WrapOpenFilename(v.base, name, flags)
	})
}

func (v *VFS) open(path string, flags vfs.OpenFlag, open func() (vfs.File, vfs.OpenFlag, error)) (vfs.File, vfs.OpenFlag, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	st, err := v.state(path)
	if err != nil {
		return nil, flags, vfs.SystemError(err, sqlite3.CANTOPEN)
	}
	_, statErr := os.Stat(path)
	existed := statErr == nil
	if v.cut && !existed && flags&vfs.OPEN_CREATE != 0 {
		return nil, flags, dead(sqlite3.CANTOPEN)
	}
	f, outFlags, err := open()
	if err != nil {
		return f, outFlags, err
	}
	if !existed && flags&vfs.OPEN_CREATE != 0 {
		st.entryOps = append(st.entryOps, entryOp{seq: v.next(), exists: true})
		st.data, st.dataOps = nil, nil
	}
	if flags&vfs.OPEN_MAIN_DB != 0 {
		st.mainDB = true
	}
	syncDir := flags&vfs.OPEN_CREATE != 0 && flags&(vfs.OPEN_MAIN_JOURNAL|vfs.OPEN_SUPER_JOURNAL|vfs.OPEN_WAL) != 0
	return &file{File: f, vfs: v, st: st, syncDir: syncDir}, outFlags, nil
}

// Delete deletes a file; the deletion is durable only with syncDir (or
// once the directory is synced later).
func (v *VFS) Delete(name string, syncDir bool) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.cut {
		return dead(sqlite3.IOERR_DELETE)
	}
	st, err := v.state(name)
	if err != nil {
		return vfs.SystemError(err, sqlite3.IOERR_DELETE)
	}
	if err := v.base.Delete(name, syncDir); err != nil {
		return err
	}
	// The content stays: if the deletion does not survive, the file comes
	// back as the disk last held it (a hot journal, say).
	st.entryOps = append(st.entryOps, entryOp{seq: v.next(), exists: false})
	if syncDir {
		v.dirSync(filepath.Dir(name))
	}
	return nil
}

// Access is the OS VFS's.
func (v *VFS) Access(name string, flags vfs.AccessFlag) (bool, error) {
	return v.base.Access(name, flags)
}

// FullPathname is the OS VFS's.
func (v *VFS) FullPathname(name string) (string, error) { return v.base.FullPathname(name) }

// paths returns the tracked paths, sorted, so that the image is built in
// the same order for the same seed.
func (v *VFS) paths() []string {
	ps := make([]string, 0, len(v.files))
	for p := range v.files {
		ps = append(ps, p)
	}
	sort.Strings(ps)
	return ps
}
