package observe

import (
	"strings"
)

// Normalize folds an SQL text into the key under which the Profiler counts
// it, so that statements differing only in literal values or layout share
// one entry:
//
//   - comments are dropped and whitespace is rewritten canonically: one
//     space between tokens, none after "(" or before "," ")" ";", none
//     around ".", none between a name and the "(" of a call or column
//     list, one between a keyword and "("; trailing ";" are dropped;
//   - numbers (integers, decimals, exponents, hex, with "_" separators),
//     strings ('...') and blobs (x'...') become ?, and so do bind
//     parameters (?, ?NNN, :name, @name, $name) and a sign before a number
//     where it cannot be a subtraction ("= -1", "(-1", "LIMIT -1");
//   - IN lists of literals and parameters of any length become IN (...);
//   - a VALUES list of two or more rows of literals and parameters, all of
//     one width, becomes its first row followed by ", ..." (one row is left
//     as it is).
//
// Identifiers (quoted or not), keywords and their case are left as
// written: SQLite's case-insensitive names are not folded. Normalize never
// fails; text it cannot tokenize (an unterminated string, say) is kept as
// far as it goes.
func Normalize(sql string) string {
	toks := tokenize(sql)
	toks = foldSigns(toks)
	toks = foldLists(toks)
	for len(toks) > 0 && toks[len(toks)-1].text == ";" {
		toks = toks[:len(toks)-1]
	}
	return render(toks)
}

type tokKind uint8

const (
	tWord    tokKind = iota // unquoted identifier or keyword
	tQuoted                 // "identifier", `identifier`, [identifier]
	tLiteral                // number, string, blob, parameter: rendered "?"
	tPunct                  // ( ) , ; .
	tOp                     // any other operator
	tElided                 // "..." standing for folded list items
)

type token struct {
	kind tokKind
	text string
}

func isIdentStart(c byte) bool {
	return c == '_' || c >= 0x80 || (c|0x20) >= 'a' && (c|0x20) <= 'z'
}

func isIdentChar(c byte) bool { return isIdentStart(c) || c == '$' || isDigit(c) }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isHex(c byte) bool { return isDigit(c) || (c|0x20) >= 'a' && (c|0x20) <= 'f' }

// tokenize splits sql into tokens, dropping whitespace and comments.
func tokenize(s string) []token {
	var toks []token
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			i++
		case c == '-' && i+1 < len(s) && s[i+1] == '-':
			for i < len(s) && s[i] != '\n' {
				i++
			}
		case c == '/' && i+1 < len(s) && s[i+1] == '*':
			if end := strings.Index(s[i+2:], "*/"); end >= 0 {
				i += end + 4
			} else {
				i = len(s)
			}
		case c == '\'':
			i = skipQuoted(s, i, '\'')
			toks = append(toks, token{tLiteral, "?"})
		case (c == 'x' || c == 'X') && i+1 < len(s) && s[i+1] == '\'':
			i = skipQuoted(s, i+1, '\'')
			toks = append(toks, token{tLiteral, "?"})
		case c == '"' || c == '`':
			j := skipQuoted(s, i, c)
			toks = append(toks, token{tQuoted, s[i:j]})
			i = j
		case c == '[':
			j := strings.IndexByte(s[i:], ']')
			if j < 0 {
				j = len(s) - i - 1
			}
			toks = append(toks, token{tQuoted, s[i : i+j+1]})
			i += j + 1
		case isDigit(c) || c == '.' && i+1 < len(s) && isDigit(s[i+1]):
			i = skipNumber(s, i)
			toks = append(toks, token{tLiteral, "?"})
		case isIdentStart(c):
			j := i + 1
			for j < len(s) && isIdentChar(s[j]) {
				j++
			}
			toks = append(toks, token{tWord, s[i:j]})
			i = j
		case c == '?':
			i++
			for i < len(s) && isDigit(s[i]) {
				i++
			}
			toks = append(toks, token{tLiteral, "?"})
		case (c == ':' || c == '@' || c == '$') && i+1 < len(s) && isIdentChar(s[i+1]):
			i++
			for i < len(s) && isIdentChar(s[i]) {
				i++
			}
			toks = append(toks, token{tLiteral, "?"})
		case strings.HasPrefix(s[i:], "..."): // a list Normalize folded: idempotence
			toks = append(toks, token{tElided, "..."})
			i += 3
		case c == '(' || c == ')' || c == ',' || c == ';' || c == '.':
			toks = append(toks, token{tPunct, s[i : i+1]})
			i++
		default:
			n := 1
			for _, op := range [...]string{"->>", "->", "||", "<<", ">>", "<=", ">=", "==", "!=", "<>"} {
				if strings.HasPrefix(s[i:], op) {
					n = len(op)
					break
				}
			}
			toks = append(toks, token{tOp, s[i : i+n]})
			i += n
		}
	}
	return toks
}

// skipQuoted returns the index after the quoted text starting at s[i] ==
// q, where a doubled quote is an escaped one.
func skipQuoted(s string, i int, q byte) int {
	for i++; i < len(s); i++ {
		if s[i] == q {
			if i+1 < len(s) && s[i+1] == q {
				i++
				continue
			}
			return i + 1
		}
	}
	return len(s)
}

// skipNumber returns the index after the numeric literal at s[i].
func skipNumber(s string, i int) int {
	if s[i] == '0' && i+2 < len(s) && (s[i+1]|0x20) == 'x' && isHex(s[i+2]) {
		i += 2
		for i < len(s) && (isHex(s[i]) || s[i] == '_') {
			i++
		}
		return i
	}
	digits := func() {
		for i < len(s) && (isDigit(s[i]) || s[i] == '_') {
			i++
		}
	}
	digits()
	if i < len(s) && s[i] == '.' {
		i++
		digits()
	}
	if i < len(s) && (s[i]|0x20) == 'e' {
		j := i + 1
		if j < len(s) && (s[j] == '+' || s[j] == '-') {
			j++
		}
		if j < len(s) && isDigit(s[j]) {
			i = j
			digits()
		}
	}
	return i
}

// foldSigns folds a + or - into the literal after it when it cannot be a
// binary operator: at the start, after an operator, "(", "," or a keyword.
func foldSigns(toks []token) []token {
	out := toks[:0:0]
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if t.kind == tOp && (t.text == "-" || t.text == "+") && i+1 < len(toks) && toks[i+1].kind == tLiteral {
			if len(out) == 0 || unaryContext(out[len(out)-1]) {
				continue // the literal that follows stands for both
			}
		}
		out = append(out, t)
	}
	return out
}

func unaryContext(prev token) bool {
	switch prev.kind {
	case tOp:
		return true
	case tPunct:
		return prev.text == "(" || prev.text == ","
	case tWord:
		return isKeyword(prev.text)
	}
	return false
}

// foldLists folds IN lists and multi-row VALUES lists of literals.
func foldLists(toks []token) []token {
	out := toks[:0:0]
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		out = append(out, t)
		if t.kind != tWord {
			continue
		}
		switch {
		case strings.EqualFold(t.text, "IN"):
			if n, ok := literalRow(toks[i+1:]); ok {
				out = append(out, token{tPunct, "("}, token{tElided, "..."}, token{tPunct, ")"})
				i += n
			}
		case strings.EqualFold(t.text, "VALUES"):
			first, ok := literalRow(toks[i+1:])
			if !ok || first < 3 { // "()" is not a VALUES row
				continue
			}
			end, rows := i+1+first, 1
			for end+1 < len(toks) && toks[end].text == "," {
				n, ok := literalRow(toks[end+1:])
				if !ok || n != first {
					break
				}
				end += 1 + n
				rows++
			}
			if rows < 2 {
				continue
			}
			out = append(out, toks[i+1:i+1+first]...)
			out = append(out, token{tPunct, ","}, token{tElided, "..."})
			i = end - 1
		}
	}
	return out
}

// literalRow reports whether toks starts with "(" literal {"," literal} ")"
// (or "()"), and how many tokens that is.
func literalRow(toks []token) (int, bool) {
	if len(toks) < 2 || toks[0].text != "(" || toks[0].kind != tPunct {
		return 0, false
	}
	if toks[1].kind == tPunct && toks[1].text == ")" {
		return 2, true
	}
	for i := 1; i+1 < len(toks); i += 2 {
		if toks[i].kind != tLiteral || toks[i+1].kind != tPunct {
			return 0, false
		}
		switch toks[i+1].text {
		case ")":
			return i + 2, true
		case ",":
		default:
			return 0, false
		}
	}
	return 0, false
}

// render joins tokens with canonical spacing.
func render(toks []token) string {
	var b strings.Builder
	for i, t := range toks {
		if i > 0 && spaceBetween(toks[i-1], t) {
			b.WriteByte(' ')
		}
		b.WriteString(t.text)
	}
	return b.String()
}

func spaceBetween(prev, cur token) bool {
	if prev.kind == tPunct && (prev.text == "(" || prev.text == ".") {
		return false
	}
	if cur.kind == tPunct {
		switch cur.text {
		case ",", ")", ";", ".":
			return false
		case "(":
			switch prev.kind {
			case tWord:
				return isKeyword(prev.text)
			case tQuoted:
				return false
			}
		}
	}
	return true
}

// isKeyword reports whether w is one of SQLite's keywords (case
// insensitive).
func isKeyword(w string) bool {
	if len(w) < 2 || len(w) > 17 {
		return false
	}
	var buf [17]byte
	for i := 0; i < len(w); i++ {
		buf[i] = w[i] &^ 0x20 // ASCII upper case; non-letters never match below
	}
	switch string(buf[:len(w)]) {
	case "ABORT", "ACTION", "ADD", "AFTER", "ALL", "ALTER", "ALWAYS", "ANALYZE", "AND", "AS", "ASC",
		"ATTACH", "AUTOINCREMENT", "BEFORE", "BEGIN", "BETWEEN", "BY", "CASCADE", "CASE", "CAST",
		"CHECK", "COLLATE", "COLUMN", "COMMIT", "CONFLICT", "CONSTRAINT", "CREATE", "CROSS",
		"CURRENT", "CURRENT_DATE", "CURRENT_TIME", "CURRENT_TIMESTAMP", "DATABASE", "DEFAULT",
		"DEFERRABLE", "DEFERRED", "DELETE", "DESC", "DETACH", "DISTINCT", "DO", "DROP", "EACH",
		"ELSE", "END", "ESCAPE", "EXCEPT", "EXCLUDE", "EXCLUSIVE", "EXISTS", "EXPLAIN", "FAIL",
		"FILTER", "FIRST", "FOLLOWING", "FOR", "FOREIGN", "FROM", "FULL", "GENERATED", "GLOB",
		"GROUP", "GROUPS", "HAVING", "IF", "IGNORE", "IMMEDIATE", "IN", "INDEX", "INDEXED",
		"INITIALLY", "INNER", "INSERT", "INSTEAD", "INTERSECT", "INTO", "IS", "ISNULL", "JOIN",
		"KEY", "LAST", "LEFT", "LIKE", "LIMIT", "MATCH", "MATERIALIZED", "NATURAL", "NO", "NOT",
		"NOTHING", "NOTNULL", "NULL", "NULLS", "OF", "OFFSET", "ON", "OR", "ORDER", "OTHERS",
		"OUTER", "OVER", "PARTITION", "PLAN", "PRAGMA", "PRECEDING", "PRIMARY", "QUERY", "RAISE",
		"RANGE", "RECURSIVE", "REFERENCES", "REGEXP", "REINDEX", "RELEASE", "RENAME", "REPLACE",
		"RESTRICT", "RETURNING", "RIGHT", "ROLLBACK", "ROW", "ROWS", "SAVEPOINT", "SELECT", "SET",
		"TABLE", "TEMP", "TEMPORARY", "THEN", "TIES", "TO", "TRANSACTION", "TRIGGER", "UNBOUNDED",
		"UNION", "UNIQUE", "UPDATE", "USING", "VACUUM", "VALUES", "VIEW", "VIRTUAL", "WHEN",
		"WHERE", "WINDOW", "WITH", "WITHOUT":
		return true
	}
	return false
}
