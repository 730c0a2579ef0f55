package main

import (
	"testing"

	"github.com/liteactor/liteactor/bench/internal/hotpath"
)

// Hot-path benchmarks of liteactor's public API, comparable with benchstat:
//
//	go test -run='^$' -bench=. -benchmem -count=6 ./bench/ > new.txt

func BenchmarkExec2Args(b *testing.B)          { hotpath.Exec2Args(b) }
func BenchmarkQueryPoint(b *testing.B)         { hotpath.QueryPoint(b) }
func BenchmarkQueryRowScan(b *testing.B)       { hotpath.QueryRowScan(b) }
func BenchmarkWrite(b *testing.B)              { hotpath.Write(b) }
func BenchmarkRead(b *testing.B)               { hotpath.Read(b) }
func BenchmarkExec2ArgsParallel(b *testing.B)  { hotpath.Exec2ArgsParallel(b) }
func BenchmarkQueryPointParallel(b *testing.B) { hotpath.QueryPointParallel(b) }
