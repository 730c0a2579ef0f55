package supervisor

import (
	"errors"
	"io/fs"
	"os"
)

// defaultFileMode is the permission of the files of a database the engine
// creates: owner-only, since a database usually holds a service's data.
const defaultFileMode os.FileMode = 0o600

// createFiles creates a database that does not exist yet, with its -wal and
// -shm files, with mode, before SQLite opens it: SQLite would create them
// with 0644 under the usual umask, readable by every local user, if only
// for a moment. It reports whether it created the database. Errors are left
// for SQLite to report when it opens the path (a missing directory is
// sqlite3.CANTOPEN), except a failure after the database was created.
func createFiles(path string, mode os.FileMode) (bool, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return false, nil
	}
	err = f.Chmod(mode) // the umask may have cleared bits of mode
	if cErr := f.Close(); err == nil {
		err = cErr
	}
	for _, p := range []string{path + "-wal", path + "-shm"} {
		if err != nil {
			break
		}
		var g *os.File
		g, err = os.OpenFile(p, os.O_RDWR|os.O_CREATE|os.O_EXCL, mode)
		if errors.Is(err, fs.ErrExist) {
			err = nil
			continue
		}
		if err == nil {
			err = g.Chmod(mode)
			g.Close()
		}
	}
	return true, err
}

// matchCompanionModes gives the -wal and -shm files of an existing database
// the database file's permissions, as SQLite's own unix VFS does for its
// journals (ncruces' VFS creates them under the umask instead).
func matchCompanionModes(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	for _, p := range []string{path + "-wal", path + "-shm"} {
		if err := os.Chmod(p, fi.Mode().Perm()); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return nil
}
