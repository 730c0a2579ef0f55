package backup

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

// sidecars are the files SQLite keeps next to a database; they belong to
// that file's content and must not survive a swap.
var sidecars = []string{"-wal", "-shm", "-journal"}

// tempPath returns an unused name next to dst for a copy in progress.
func tempPath(dst string) string {
	var b [6]byte
	rand.Read(b[:])
	return dst + ".tmp-" + hex.EncodeToString(b[:])
}

// defaultMode is the permission of a copy whose source's cannot be read:
// owner-only, like the engine's own database files.
const defaultMode os.FileMode = 0o600

// fileMode is the permission a copy of the database at path gets: the
// database file's own (a backup holds the same data), or defaultMode when
// path is not a file that can be read (":memory:", a URI, "").
func fileMode(path string) os.FileMode {
	if path == "" || path == ":memory:" || strings.HasPrefix(path, "file:") {
		return defaultMode
	}
	fi, err := os.Stat(path)
	if err != nil || !fi.Mode().IsRegular() {
		return defaultMode
	}
	return fi.Mode().Perm()
}

// createTemp creates the empty file path with mode before SQLite writes the
// copy into it (an empty file is an empty database): SQLite would create it
// under the umask, usually readable by every local user. mode 0 means
// defaultMode.
func createTemp(path string, mode os.FileMode) error {
	if mode == 0 {
		mode = defaultMode
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	err = f.Chmod(mode) // the umask may have cleared bits of mode
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	return nil
}

// checkDestination refuses an existing dst unless overwrite.
func checkDestination(dst string, overwrite bool) error {
	if dst == "" {
		return fmt.Errorf("backup: empty destination path")
	}
	if _, err := os.Stat(dst); err == nil && !overwrite {
		return fmt.Errorf("%w: %s", ErrExists, dst)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("backup: %w", err)
	}
	return nil
}

// removeFiles removes path and its sidecars, ignoring those that do not
// exist.
func removeFiles(path string, withMain bool) error {
	names := []string{}
	if withMain {
		names = append(names, path)
	}
	for _, s := range sidecars {
		names = append(names, path+s)
	}
	var errs []error
	for _, n := range names {
		if err := os.Remove(n); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// syncFile fsyncs a file's content.
func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	err = f.Sync()
	return errors.Join(err, f.Close())
}

// syncDir fsyncs a directory so a rename in it is durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if errors.Is(err, fs.ErrInvalid) { // some platforms cannot sync a directory
		err = nil
	}
	return errors.Join(err, d.Close())
}

// place moves the finished copy tmp to dst durably: without overwrite it
// links (which fails if dst appeared meanwhile) and removes tmp; with it, it
// removes dst's stale sidecars and renames over dst.
func place(tmp, dst string, overwrite bool) error {
	if err := syncFile(tmp); err != nil {
		return fmt.Errorf("backup: sync copy: %w", err)
	}
	if overwrite {
		if err := removeFiles(dst, false); err != nil {
			return fmt.Errorf("backup: remove stale files of %s: %w", dst, err)
		}
		if err := os.Rename(tmp, dst); err != nil {
			return fmt.Errorf("backup: %w", err)
		}
	} else {
		if err := os.Link(tmp, dst); err != nil {
			if errors.Is(err, fs.ErrExist) {
				return fmt.Errorf("%w: %s", ErrExists, dst)
			}
			return fmt.Errorf("backup: %w", err)
		}
		if err := os.Remove(tmp); err != nil {
			return fmt.Errorf("backup: %w", err)
		}
	}
	if err := syncDir(filepath.Dir(dst)); err != nil {
		return fmt.Errorf("backup: sync directory: %w", err)
	}
	return nil
}

// readOnlyURI returns a URI that opens path read-only. A file with no -wal
// is opened immutable (no locks, no -shm created, nothing left behind);
// one with a -wal is opened read-only so its WAL content is seen.
func readOnlyURI(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	u := url.URL{Scheme: "file", OmitHost: true, Path: filepath.ToSlash(abs)}
	q := "mode=ro"
	if _, err := os.Stat(path + "-wal"); errors.Is(err, fs.ErrNotExist) {
		q += "&immutable=1"
	}
	s := u.String()
	if !strings.HasPrefix(s, "file:") {
		return "", fmt.Errorf("backup: cannot make a URI of %q", path)
	}
	return s + "?" + q, nil
}

// fileSize returns the size of path, 0 if it cannot be read.
func fileSize(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Size()
}
