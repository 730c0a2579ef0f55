package domain_test

import (
	"errors"
	"fmt"

	"github.com/liteactor/liteactor/examples/pipeline/domain"
)

// Building a pipeline validates it; a broken rule comes back as a ValidationError naming the
// field, and matches ErrInvalid.
func ExampleNewPipeline() {
	zstd, _ := domain.NewStage("compress", domain.StageCompression, "zstd", map[string]string{"level": "19"})
	aes, _ := domain.NewStage("encrypt", domain.StageEncryption, "aes256gcm", nil)
	p, err := domain.NewPipeline("secure-backup", zstd, aes)
	fmt.Println(p.Name, len(p.Stages), err)

	_, err = domain.NewStage("compress", domain.StageCompression, "rar", nil)
	var ve *domain.ValidationError
	fmt.Println(errors.Is(err, domain.ErrInvalid), errors.As(err, &ve), ve.Field)
	// Output:
	// secure-backup 2 <nil>
	// true true stage.algorithm
}
