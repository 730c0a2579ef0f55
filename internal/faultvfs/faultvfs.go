// Package faultvfs is an SQLite VFS for tests that wraps another VFS
// (ncruces' default OS VFS unless told otherwise) and makes chosen file
// operations fail on demand: a write, an fsync or a truncate, or a write
// that reports a full disk, after N operations that succeed, once, a few
// times, or until cleared. Faults are armed and cleared at run time while
// connections are open.
//
// Open a database through it with a URI naming the VFS:
//
//	v := faultvfs.Register("faulty")
//	defer v.Unregister()
//	eng, err := liteactor.Open(ctx, "file:"+path+"?vfs=faulty", cfg)
//	v.Inject(faultvfs.Fault{Op: faultvfs.OpSync, Files: faultvfs.WAL})
//
// Everything else (reads, locks, shared memory for the WAL index) is passed
// to the wrapped VFS untouched, so WAL mode works as on the plain VFS.
package faultvfs

import (
	"fmt"
	"sync"
	"syscall"

	"github.com/ncruces/go-sqlite3"
	"github.com/ncruces/go-sqlite3/util/vfsutil"
	"github.com/ncruces/go-sqlite3/vfs"
)

// Op is a set of file operations a fault applies to.
type Op uint8

// File operations that can be made to fail.
const (
	OpWrite    Op = 1 << iota // File.WriteAt
	OpSync                    // File.Sync (fsync / fdatasync)
	OpTruncate                // File.Truncate
)

func (o Op) String() string {
	s := ""
	for _, n := range []struct {
		op   Op
		name string
	}{{OpWrite, "write"}, {OpSync, "sync"}, {OpTruncate, "truncate"}} {
		if o&n.op != 0 {
			if s != "" {
				s += "|"
			}
			s += n.name
		}
	}
	if s == "" {
		return "none"
	}
	return s
}

// FileKind is a set of the kinds of file SQLite opens.
type FileKind uint8

// Kinds of file, from the flags SQLite opens them with.
const (
	MainDB  FileKind = 1 << iota // the database file
	WAL                          // its write-ahead log
	Journal                      // its rollback journal
	Other                        // temporary files, super-journals, sub-journals
	AnyFile FileKind = MainDB | WAL | Journal | Other
)

func kindOf(flags vfs.OpenFlag) FileKind {
	switch {
	case flags&vfs.OPEN_MAIN_DB != 0:
		return MainDB
	case flags&vfs.OPEN_WAL != 0:
		return WAL
	case flags&vfs.OPEN_MAIN_JOURNAL != 0:
		return Journal
	}
	return Other
}

// Fault says which operations fail and how.
type Fault struct {
	// Op is the set of operations that fail.
	Op Op
	// Files limits the fault to these kinds of file; 0 means AnyFile.
	Files FileKind
	// After lets this many matching operations succeed before the first
	// failure.
	After int
	// Count is how many matching operations fail; 0 fails every one until
	// Clear (a device that stays broken).
	Count int
	// Full makes a failing write report a full disk (SQLITE_FULL, ENOSPC)
	// instead of an I/O error.
	Full bool
}

// VFS is a fault-injecting VFS. Its methods are safe for concurrent use
// with the connections using it.
type VFS struct {
	vfs.VFS
	name string

	mu       sync.Mutex
	fault    Fault
	armed    bool
	seen     int // matching operations since Inject
	failed   int // operations failed since Inject
	total    int // operations failed since Register
	ops      map[Op]int
	lastFail string
}

// Register wraps ncruces' default VFS and registers it under name, a name
// no other VFS uses. Call Unregister when done.
func Register(name string) *VFS { return RegisterWrapping(name, vfs.Find("")) }

// RegisterWrapping wraps base and registers it under name.
func RegisterWrapping(name string, base vfs.VFS) *VFS {
	v := &VFS{VFS: base, name: name, ops: make(map[Op]int)}
	vfs.Register(name, v)
	return v
}

// Name is the name the VFS is registered under: use it as the vfs URI
// parameter.
func (v *VFS) Name() string { return v.name }

// Unregister removes the VFS from ncruces' registry; connections already
// open through it keep working.
func (v *VFS) Unregister() { vfs.Unregister(v.name) }

// Inject arms f, replacing any fault armed before, and resets the counts
// Failed reports.
func (v *VFS) Inject(f Fault) {
	if f.Files == 0 {
		f.Files = AnyFile
	}
	v.mu.Lock()
	v.fault, v.armed, v.seen, v.failed = f, true, 0, 0
	v.mu.Unlock()
}

// Clear disarms the fault: every operation succeeds again.
func (v *VFS) Clear() {
	v.mu.Lock()
	v.armed = false
	v.mu.Unlock()
}

// Failed is how many operations failed since the last Inject.
func (v *VFS) Failed() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.failed
}

// TotalFailed is how many operations failed since Register.
func (v *VFS) TotalFailed() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.total
}

// Ops is how many operations of kind op the VFS has seen.
func (v *VFS) Ops(op Op) int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.ops[op]
}

// LastFailure describes the last operation made to fail.
func (v *VFS) LastFailure() string {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.lastFail
}

// check counts op on a file of kind k and returns the error it must fail
// with, or nil.
func (v *VFS) check(op Op, k FileKind, name string) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.ops[op]++
	f := v.fault
	if !v.armed || f.Op&op == 0 || f.Files&k == 0 {
		return nil
	}
	v.seen++
	if v.seen <= f.After {
		return nil
	}
	if f.Count > 0 && v.failed >= f.Count {
		return nil
	}
	v.failed++
	v.total++
	v.lastFail = fmt.Sprintf("%s %s", op, name)
	switch {
	case op == OpWrite && f.Full:
		return vfs.SystemError(syscall.ENOSPC, sqlite3.FULL)
	case op == OpWrite:
		return vfs.SystemError(syscall.EIO, sqlite3.IOERR_WRITE)
	case op == OpSync:
		return vfs.SystemError(syscall.EIO, sqlite3.IOERR_FSYNC)
	default:
		return vfs.SystemError(syscall.EIO, sqlite3.IOERR_TRUNCATE)
	}
}

// Open opens a file the way the wrapped VFS does.
func (v *VFS) Open(name string, flags vfs.OpenFlag) (vfs.File, vfs.OpenFlag, error) {
	if name == "" {
		return v.OpenFilename(nil, flags)
	}
	f, flags, err := vfsutil.WrapOpen(v.VFS, name, flags)
	return v.wrap(f, name, flags, err)
}

// OpenFilename opens a file the way the wrapped VFS does and wraps it.
func (v *VFS) OpenFilename(name *vfs.Filename, flags vfs.OpenFlag) (vfs.File, vfs.OpenFlag, error) {
	f, flags, err := vfsutil.WrapOpenFilename(v.VFS, name, flags)
	n := "temp"
	if name != nil {
		n = name.String()
	}
	return v.wrap(f, n, flags, err)
}

func (v *VFS) wrap(f vfs.File, name string, flags vfs.OpenFlag, err error) (vfs.File, vfs.OpenFlag, error) {
	if err != nil {
		return f, flags, err
	}
	return &file{File: f, vfs: v, kind: kindOf(flags), name: name}, flags, nil
}
