package liteactor_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/liteactor/liteactor"
	"github.com/ncruces/go-sqlite3"
)

// The WAL monitor is on by default; WALConfig tunes it. Engine.Checkpoint
// runs a checkpoint by hand, between write batches.
func ExampleWALConfig() {
	dir, _ := os.MkdirTemp("", "liteactor-example")
	defer os.RemoveAll(dir)
	ctx := context.Background()

	cfg := liteactor.DefaultConfig()
	cfg.WAL.CheckpointPages = 2000           // PASSIVE once 2000 frames wait to be copied back
	cfg.WAL.IdleTruncate = 30 * time.Second  // TRUNCATE after 30s without a commit
	cfg.WAL.ReadTxnMaxAge = 5 * time.Minute  // interrupt reads that pin a snapshot longer
	cfg.WAL.TruncateBytes = liteactor.WALOff // no size-based TRUNCATE
	eng, err := liteactor.Open(ctx, filepath.Join(dir, "app.db"), cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer eng.Close(ctx)

	eng.Exec(ctx, "CREATE TABLE t(v)")
	eng.Exec(ctx, "INSERT INTO t VALUES (1), (2), (3)")

	res, err := eng.Checkpoint(ctx, sqlite3.CHECKPOINT_PASSIVE)
	fmt.Println("PASSIVE copied every frame back:", err == nil && res.Checkpointed == res.LogFrames)

	res, err = eng.Checkpoint(ctx, sqlite3.CHECKPOINT_TRUNCATE)
	fmt.Println("TRUNCATE left frames:", res.LogFrames, err)

	st := eng.Stats().WAL
	fmt.Println("checkpoints:", st.Checkpoints["PASSIVE"], "PASSIVE,", st.Checkpoints["TRUNCATE"], "TRUNCATE; WAL bytes:", st.Bytes)

	_, err = eng.Checkpoint(ctx, sqlite3.CHECKPOINT_RESTART)
	fmt.Println("RESTART refused:", errors.Is(err, liteactor.ErrInvalidArg))
	// Output:
	// PASSIVE copied every frame back: true
	// TRUNCATE left frames: 0 <nil>
	// checkpoints: 1 PASSIVE, 1 TRUNCATE; WAL bytes: 0
	// RESTART refused: true
}
