package actors

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sync/atomic"

	"github.com/ncruces/go-sqlite3"
	"github.com/ncruces/go-sqlite3/vfs"
)

// ErrFileReplaced: the database file (or its -wal file) the engine has open
// is no longer the one at its path: it was renamed over, moved or deleted
// while the engine ran. Whatever the engine would write now would go into
// a file no one will open again, so every write fails with this error until
// the engine is closed and reopened on the file now at the path.
var ErrFileReplaced = errors.New("liteactor: database file replaced or removed under the engine")

// FileWatch latches the discovery that the database file was replaced. It
// is set once and never cleared: the engine must be reopened.
type FileWatch struct {
	err atomic.Pointer[error]
}

// Err returns the error wrapping ErrFileReplaced once the replacement has
// been detected, nil before.
func (f *FileWatch) Err() error {
	if p := f.err.Load(); p != nil {
		return *p
	}
	return nil
}

func (f *FileWatch) set(err error) bool { return f.err.CompareAndSwap(nil, &err) }

// CheckFile asks the writer to compare the files it has open with the ones
// at their paths, between batches (the WAL monitor sends it every interval,
// so an idle engine notices too).
type CheckFile struct{}

// openFile is the identity of one file the writer's connection has open:
// its path and the fstat of its descriptor, taken once (a descriptor's
// identity never changes), so a check costs one stat of the path. moved
// (one implementation per platform: statpath_*.go) reports whether the path
// no longer names the open file (unlinked, renamed away, or another file
// renamed over it); a stat that fails for another reason than the path
// being gone is not taken as a move.
type openFile struct {
	name string
	fi   fs.FileInfo
	path pathStat // the platform's allocation-free stat of name, if any
}

// movedPortable is moved through package os (two allocations per call).
func (o *openFile) movedPortable() bool {
	pi, err := os.Stat(o.name)
	if errors.Is(err, fs.ErrNotExist) {
		return true
	}
	return err == nil && !os.SameFile(o.fi, pi)
}

// fileIdent resolves the identity of the file behind op (the main database,
// or the journal pointer) by unwrapping the VFS layers (ncruces' checksum
// layer, ours) down to the OS file; nil when no layer exposes one (a VFS of
// another kind: then nothing is checked).
func fileIdent(c *sqlite3.Conn, op sqlite3.FcntlOpcode) *openFile {
	h, err := c.FileControl("main", op)
	if err != nil {
		return nil
	}
	f, _ := h.(vfs.File)
	for f != nil {
		if osf, ok := f.(interface {
			Name() string
			Stat() (fs.FileInfo, error)
		}); ok {
			fi, err := osf.Stat()
			if err != nil {
				return nil
			}
			o := &openFile{name: osf.Name(), fi: fi}
			o.path.init(o.name, fi)
			return o
		}
		u, ok := f.(vfs.FileUnwrap)
		if !ok {
			return nil
		}
		f = u.Unwrap()
	}
	return nil
}

// fileWatcher is the writer instance's view of its open files.
type fileWatcher struct {
	db, wal *openFile // resolved lazily; wal only inside a write transaction in WAL mode
}

// checkFile reports ErrFileReplaced, latching it, when the database file
// the writer has open is no longer the file at its path, or the -wal file
// is not. inTxn says a write transaction is open (before COMMIT), the only
// time the -wal file's identity is taken: in WAL mode SQLite's journal
// pointer is then surely the -wal file. Before each COMMIT the database
// file is checked (one stat); the -wal file on the monitor's ticks.
func (w *writer) checkFile(inTxn bool) error {
	env := w.env
	if err := env.Replaced.Err(); err != nil {
		return err
	}
	if w.conn == nil || env.Conn.Memory {
		return nil
	}
	fw := &w.files
	if fw.db == nil {
		fw.db = fileIdent(w.conn.Conn, sqlite3.FCNTL_FILE_POINTER)
	}
	if fw.wal == nil && inTxn && w.wal {
		fw.wal = fileIdent(w.conn.Conn, sqlite3.FCNTL_JOURNAL_POINTER)
	}
	which := ""
	switch {
	case fw.db != nil && fw.db.moved():
		which = "database file"
	case !inTxn && fw.wal != nil && fw.wal.moved():
		which = "-wal file"
	default:
		return nil
	}
	err := fmt.Errorf("%w: the %s open is no longer the one at its path", ErrFileReplaced, which)
	if env.Replaced.set(err) {
		w.log.Error().Str("op", "file_check").Str("file", which).
			Msg("the database was replaced, moved or removed under the engine: every write now fails with ErrFileReplaced; reopen the engine")
	}
	return env.Replaced.Err()
}
