package sqlstmt_test

import (
	"errors"
	"testing"

	"github.com/liteactor/liteactor"
	"github.com/liteactor/liteactor/actors"
	"github.com/liteactor/liteactor/internal/sqlstmt"
)

// The layer's sentinel is the engine's: one value, re-exported.
func TestErrInvalidArgIsOneValue(t *testing.T) {
	if actors.ErrInvalidArg != sqlstmt.ErrInvalidArg || liteactor.ErrInvalidArg != sqlstmt.ErrInvalidArg {
		t.Fatal("ErrInvalidArg differs between sqlstmt, actors and liteactor")
	}
	if !errors.Is(sqlstmt.ErrMultiStatement, liteactor.ErrInvalidArg) || !errors.Is(sqlstmt.ErrEmptyStatement, liteactor.ErrInvalidArg) {
		t.Fatal("the shape errors do not wrap ErrInvalidArg")
	}
}
