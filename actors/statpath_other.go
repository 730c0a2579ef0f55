//go:build !(linux && (amd64 || arm64 || loong64 || mips64 || mips64le || ppc64 || ppc64le || riscv64 || s390x))

package actors

import "io/fs"

// pathStat has no allocation-free stat on this platform: moved uses os.Stat.
type pathStat struct{}

func (*pathStat) init(string, fs.FileInfo) {}

func (o *openFile) moved() bool { return o.movedPortable() }
