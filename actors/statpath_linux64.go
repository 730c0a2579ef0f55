//go:build linux && (amd64 || arm64 || loong64 || mips64 || mips64le || ppc64 || ppc64le || riscv64 || s390x)

package actors

import (
	"io/fs"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// pathStat stats one path with newfstatat on a NUL-terminated copy made
// once, comparing device and inode with the open file's: the writer runs it
// before every COMMIT, and os.Stat would allocate twice per call.
type pathStat struct {
	cpath    []byte // name, NUL-terminated; nil: fall back to os.Stat
	dev, ino uint64
	st       unix.Stat_t
}

func (p *pathStat) init(name string, fi fs.FileInfo) {
	sys, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return
	}
	cpath, err := unix.ByteSliceFromString(name)
	if err != nil {
		return
	}
	p.cpath, p.dev, p.ino = cpath, uint64(sys.Dev), uint64(sys.Ino)
}

func (o *openFile) moved() bool {
	p := &o.path
	if p.cpath == nil {
		return o.movedPortable()
	}
	cwd := unix.AT_FDCWD // negative: a variable converts to uintptr as the kernel expects, a constant does not compile
	for {
		_, _, errno := unix.Syscall6(unix.SYS_NEWFSTATAT, uintptr(cwd),
			uintptr(unsafe.Pointer(&p.cpath[0])), uintptr(unsafe.Pointer(&p.st)), 0, 0, 0)
		switch errno {
		case 0:
			return uint64(p.st.Dev) != p.dev || uint64(p.st.Ino) != p.ino
		case unix.EINTR:
			continue
		case unix.ENOENT, unix.ENOTDIR:
			return true
		}
		return false
	}
}
