// Package osvfs is the VFS the engine opens database file paths with:
// ncruces' default OS VFS, with one difference: a write that fails because
// the disk (or the user's quota) is full reports SQLITE_FULL, so the caller
// sees errors.Is(err, sqlite3.FULL) and knows that freeing space is the
// fix, instead of SQLITE_IOERR_WRITE ("disk I/O error").
//
// Why: in ncruces v0.37 (the newest release), vfs/os_unix.go osWriteAt
// type-asserts the error of os.File.WriteAt to unix.Errno, but WriteAt
// returns an *fs.PathError wrapping it, so ENOSPC is never recognised. This
// package can go once ncruces maps it itself.
//
// Only WriteAt is wrapped; every other method, including the optional
// interfaces the OS file implements (shared memory for the WAL index, locks,
// memory mapping, size hints, batch atomic writes), is forwarded untouched.
//
// The VFS is stateless and registered in ncruces' process-wide VFS registry
// under Name the first time URI is called; registering it again is a no-op
// in effect, and it is never unregistered, so connections of any engine can
// be reopened through it at any time.
package osvfs

import (
	"errors"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/ncruces/go-sqlite3/util/vfsutil"
	"github.com/ncruces/go-sqlite3/vfs"
)

// Name is the name the VFS is registered under.
const Name = "liteactor-os"

// URI registers the VFS (if it is not yet) and returns the SQLite URI that
// opens the file at path through it. path is a file system path, relative
// or absolute; '%', '?' and '#' in it are escaped. Open the URI with
// sqlite3.OPEN_URI.
func URI(path string) string {
	vfs.Register(Name, osVFS{})
	esc := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
	if filepath.IsAbs(path) {
		// An empty authority, so that a path starting with "//" is not
		// read as one.
		return "file://" + esc + "?vfs=" + Name
	}
	return "file:" + esc + "?vfs=" + Name
}

// osVFS wraps ncruces' OS VFS.
type osVFS struct{}

func base() vfs.VFS { return vfs.Find("") }

func (osVFS) Delete(name string, syncDir bool) error { return base().Delete(name, syncDir) }
func (osVFS) Access(name string, flags vfs.AccessFlag) (bool, error) {
	return base().Access(name, flags)
}
func (osVFS) FullPathname(name string) (string, error) { return base().FullPathname(name) }

func (v osVFS) Open(name string, flags vfs.OpenFlag) (vfs.File, vfs.OpenFlag, error) {
	if name == "" {
		return v.OpenFilename(nil, flags)
	}
	return wrap(vfsutil.WrapOpen(base(), name, flags))
}

func (osVFS) OpenFilename(name *vfs.Filename, flags vfs.OpenFlag) (vfs.File, vfs.OpenFlag, error) {
	return wrap(vfsutil.WrapOpenFilename(base(), name, flags))
}

func wrap(f vfs.File, flags vfs.OpenFlag, err error) (vfs.File, vfs.OpenFlag, error) {
	if err != nil {
		return f, flags, err
	}
	return &file{File: f}, flags, nil
}

// isFull reports whether err is the OS saying that the disk or the quota is
// full.
func isFull(err error) bool {
	return errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT)
}
