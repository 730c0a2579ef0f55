package sqlstmt

import "strings"

// SkipSpace returns the offset of the first byte of sql that is neither
// white space as SQLite's tokenizer sees it (space, \t, \n, \f, \r) nor
// part of a comment (-- to the end of the line, /* to */ or to the end of
// the text). An unterminated comment runs to the end, as in SQLite.
func SkipSpace(sql string) int {
	i := 0
	for i < len(sql) {
		switch {
		case isSpace(sql[i]):
			i++
		case strings.HasPrefix(sql[i:], "--"):
			j := strings.IndexByte(sql[i:], '\n')
			if j < 0 {
				return len(sql)
			}
			i += j + 1
		case strings.HasPrefix(sql[i:], "/*"):
			j := strings.Index(sql[i+2:], "*/")
			if j < 0 {
				return len(sql)
			}
			i += 2 + j + 2
		default:
			return i
		}
	}
	return i
}

// Blank reports whether tail (what follows a prepared statement) holds no
// further statement: nothing but white space, comments and semicolons.
func Blank(tail string) bool {
	for {
		tail = tail[SkipSpace(tail):]
		if tail == "" {
			return true
		}
		if tail[0] != ';' {
			return false
		}
		tail = tail[1:]
	}
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'
}
