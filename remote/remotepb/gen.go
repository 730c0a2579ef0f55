// Package remotepb holds the protobuf messages of liteactor's remote gateway
// (liteactor_remote.proto): requests, replies and the Value oneof. Actors on other
// hosts send these to the gateway's PID directly; package remote wraps them
// in a Go client.
//
// liteactor_remote.pb.go is generated and committed. To regenerate it after editing
// liteactor_remote.proto, install protoc (Debian: apt-get install protobuf-compiler)
// and protoc-gen-go at the version of google.golang.org/protobuf in
// remote/go.mod:
//
//	go install google.golang.org/protobuf/cmd/protoc-gen-go@v1.36.12
//	go generate ./remotepb
//
// The file is named liteactor_remote.proto, not remote.proto: protoactor's
// remote registers "remote.proto" in protobuf's global registry, and a second
// file registered under the same path panics at program start.
package remotepb

//go:generate protoc --go_out=. --go_opt=paths=source_relative liteactor_remote.proto
