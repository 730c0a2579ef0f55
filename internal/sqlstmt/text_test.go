package sqlstmt

import (
	"errors"
	"testing"
)

func TestBlank(t *testing.T) {
	cases := map[string]bool{
		"":                       true,
		" \t\r\n\f;;":            true,
		"-- comment":             true,
		"; -- c\n /* d */ ;":     true,
		"/* unterminated":        true,
		"/*/ still a comment */": true,
		"/**/":                   true,
		"SELECT 2":               false,
		"; SELECT 2":             false,
		"-- c\nSELECT 2":         false,
		"/* c */ x":              false,
		"\v":                     false, // not white space to SQLite's tokenizer
		"- 1":                    false,
		"/":                      false,
	}
	for in, want := range cases {
		if got := Blank(in); got != want {
			t.Errorf("Blank(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestSkipSpace(t *testing.T) {
	cases := map[string]int{
		"":                0,
		"x":               0,
		"  x":             2,
		"-- c\n/* d */ x": 13,
		"/* d":            4,
		"-- only":         7,
		";x":              0, // a semicolon is not white space
	}
	for in, want := range cases {
		if got := SkipSpace(in); got != want {
			t.Errorf("SkipSpace(%q) = %d, want %d", in, got, want)
		}
	}
}

func TestPrepareOneRefusesEmptyAndSeveralStatements(t *testing.T) {
	conn := open(t)
	for _, sql := range []string{"", "  -- nothing\n", ";"} {
		if _, err := PrepareOne(conn, sql); !errors.Is(err, ErrEmptyStatement) || !errors.Is(err, ErrInvalidArg) {
			t.Errorf("PrepareOne(%q): %v, want ErrEmptyStatement", sql, err)
		}
	}
	for _, sql := range []string{"SELECT 1; SELECT 2", "SELECT 1;\n-- c\nSELECT 2", "SELECT 1; garbage"} {
		if _, err := PrepareOne(conn, sql); !errors.Is(err, ErrMultiStatement) || !errors.Is(err, ErrInvalidArg) {
			t.Errorf("PrepareOne(%q): %v, want ErrMultiStatement", sql, err)
		}
	}
	s, err := PrepareOne(conn, "SELECT 1; -- done\n;")
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := PrepareOne(conn, "SELEKT 1"); err == nil || errors.Is(err, ErrInvalidArg) {
		t.Errorf("syntax error: %v, want SQLite's error", err)
	}
	// Nothing is left unfinalized: Close (in the cleanup) would fail.
}
