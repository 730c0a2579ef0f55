package powervfs

import (
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
)

// Loss says which of the pending (unsynced) operations a power cut keeps.
type Loss uint8

const (
	// DropAll keeps none: the disk holds exactly what was synced.
	DropAll Loss = iota + 1
	// KeepAll keeps every one: what a process crash leaves (the OS
	// survives and writes its cache back).
	KeepAll
	// Random keeps each pending write sector (TornSector bytes of a
	// write), truncate and directory change with probability 1/2, drawn from
	// the rng given to WriteImage.
	Random
)

func (l Loss) String() string {
	switch l {
	case DropAll:
		return "drop-all"
	case KeepAll:
		return "keep-all"
	case Random:
		return "random"
	}
	return fmt.Sprintf("Loss(%d)", uint8(l))
}

// Image says what WriteImage did.
type Image struct {
	Files      int   // paths tracked
	Removed    int   // paths absent from the image (creations lost, or deleted)
	KeptOps    int   // pending operations (sectors of writes, truncates, directory changes) kept
	DroppedOps int   // pending operations dropped
	Torn       int   // writes of which some sectors were kept and others dropped
	Bytes      int64 // bytes written to build the image
}

// WriteImage rewrites the files the VFS tracked as the power cut leaves
// them: the synced state plus the pending operations loss keeps, in the
// order they were issued. Call it after Cut, once every connection through
// the VFS is closed. rng is used by Random only. -shm files of databases
// are removed.
func (v *VFS) WriteImage(loss Loss, rng *rand.Rand) (Image, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if !v.cut {
		return Image{}, ErrNotCut
	}
	if loss == Random && rng == nil {
		return Image{}, errors.New("powervfs: Random needs an rng")
	}
	var im Image
	keep := func() bool {
		switch loss {
		case KeepAll:
			return true
		case Random:
			return rng.IntN(2) == 0
		}
		return false
	}
	for _, p := range v.paths() {
		st := v.files[p]
		im.Files++
		exists := st.entry
		for _, o := range st.entryOps {
			if keep() {
				exists = o.exists
				im.KeptOps++
			} else {
				im.DroppedOps++
			}
		}
		data := append([]byte(nil), st.data...)
		for _, o := range st.dataOps {
			if o.truncate {
				if keep() {
					data = o.apply(data)
					im.KeptOps++
				} else {
					im.DroppedOps++
				}
				continue
			}
			kept, dropped := 0, 0
			for off := o.off; off < o.off+int64(len(o.data)); {
				end := min((off/TornSector+1)*TornSector, o.off+int64(len(o.data)))
				if keep() {
					data = dataOp{off: off, data: o.data[off-o.off : end-o.off]}.apply(data)
					kept++
				} else {
					dropped++
				}
				off = end
			}
			im.KeptOps += kept
			im.DroppedOps += dropped
			if kept > 0 && dropped > 0 {
				im.Torn++
			}
		}
		if st.mainDB {
			if err := os.Remove(p + "-shm"); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return im, err
			}
		}
		if !exists {
			im.Removed++
			if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return im, err
			}
			continue
		}
		if err := os.WriteFile(p, data, 0o600); err != nil {
			return im, err
		}
		im.Bytes += int64(len(data))
	}
	return im, nil
}
