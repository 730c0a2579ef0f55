package maintenance_test

import (
	"context"
	"fmt"
	"time"

	"github.com/liteactor/liteactor"
	"github.com/liteactor/liteactor/maintenance"
)

func ExampleCheck() {
	ctx := context.Background()
	eng, err := liteactor.Open(ctx, ":memory:", liteactor.MinimalConfig())
	if err != nil {
		panic(err)
	}
	h := maintenance.Check(ctx, eng, maintenance.HealthOptions{})
	fmt.Println(h.Status, h.Reasons)
	eng.Close(ctx)
	h = maintenance.Check(ctx, eng, maintenance.HealthOptions{})
	fmt.Println(h.Status, len(h.Reasons))
	// Output:
	// healthy []
	// unhealthy 2
}

func ExampleStartOptimizer() {
	ctx := context.Background()
	eng, err := liteactor.Open(ctx, ":memory:", liteactor.MinimalConfig())
	if err != nil {
		panic(err)
	}
	defer eng.Close(ctx)
	ran := make(chan error, 1)
	opt, err := maintenance.StartOptimizer(ctx, eng, maintenance.OptimizerOptions{
		Interval: 10 * time.Millisecond, // hours in production
		Timeout:  time.Minute,
		OnRun: func(err error) {
			select {
			case ran <- err:
			default:
			}
		},
	})
	if err != nil {
		panic(err)
	}
	fmt.Println("first run:", <-ran)
	opt.Stop() // before closing the engine
	// Output: first run: <nil>
}
