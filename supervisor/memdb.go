package supervisor

import (
	"crypto/rand"
	"encoding/hex"

	"github.com/ncruces/go-sqlite3/vfs/memdb"
)

// memoryDB is a private in-memory database for one engine (Open's
// ":memory:"), shared by its writer and every reader, alive until release.
type memoryDB struct{ name string }

// newMemoryDB registers a fresh database under a random name. memdb shares a
// database among connections whose name starts with "/", and registers it
// without the slash: Create must use that name, or the database lives only
// while some connection is open and vanishes when a restart closes them all.
func newMemoryDB() *memoryDB {
	m := &memoryDB{name: "liteactor-" + randomName()}
	memdb.Create(m.name, nil)
	return m
}

// uri is what the engine's connections open.
func (m *memoryDB) uri() string { return "file:/" + m.name + "?vfs=memdb" }

// release forgets the database: its memory is freed once the last
// connection to it closes. Safe on nil.
func (m *memoryDB) release() {
	if m != nil {
		memdb.Delete(m.name)
	}
}

func randomName() string {
	var b [6]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
