module github.com/liteactor/liteactor

go 1.26.0

require (
	github.com/ncruces/go-sqlite3 v0.37.0
	github.com/rs/zerolog v1.35.1
	golang.org/x/mod v0.42.0
)

require (
	github.com/mattn/go-colorable v0.1.14 // indirect
	github.com/mattn/go-isatty v0.0.20 // indirect
	github.com/ncruces/go-sqlite3-wasm/v6 v6.5.35401 // indirect
	github.com/ncruces/julianday v1.0.0 // indirect
	golang.org/x/sys v0.49.0 // indirect
)
