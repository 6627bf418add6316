package csvdata

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ParseError is an error at a position of a CSV file. Line and Column are
// 1-based; Column counts bytes from the start of the line, and is 0 when the
// error concerns the whole line; Line is 0 when it concerns the whole file.
type ParseError struct {
	File   string
	Line   int
	Column int
	Err    error
}

func (e *ParseError) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("%s: %v", e.File, e.Err)
	}
	if e.Column > 0 {
		return fmt.Sprintf("%s:%d:%d: %v", e.File, e.Line, e.Column, e.Err)
	}
	return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err)
}

func (e *ParseError) Unwrap() error { return e.Err }

// before reports whether e comes before o in the file.
func (e *ParseError) before(o *ParseError) bool {
	return o == nil || e.Line < o.Line || (e.Line == o.Line && e.Column < o.Column)
}

// MaxQuoted is the longest value or column name that Quote echoes whole.
const MaxQuoted = 40

// Quote returns s quoted as %q writes it, or, when s is longer than
// MaxQuoted bytes (a pasted value, a line of a file that is not CSV), its
// first bytes quoted, an ellipsis and its length: "abcdefgh"… (1048576
// bytes). Every message that echoes a value or a column name goes through
// it, so that it stays a short line whatever the input.
func Quote(s string) string { return QuoteN(s, MaxQuoted) }

// QuoteN is Quote with a limit of n bytes: a longer s keeps its first
// 2n/3 bytes, cut back to a whole UTF-8 character.
func QuoteN(s string, n int) string { return quoteN(s, n) }

// Short is Quote for a value held as bytes.
func Short(b []byte) string { return quoteN(b, MaxQuoted) }

func quoteN[S ~string | ~[]byte](s S, n int) string {
	if len(s) <= n {
		return strconv.Quote(string(s))
	}
	k := 2 * n / 3
	for k > 0 && !utf8.RuneStart(s[k]) {
		k--
	}
	return fmt.Sprintf("%q… (%d bytes)", string(s[:k]), len(s))
}

// flagName is how a message names file column j in a flag's value: by its
// name, or by its index when the name is too long to echo; quoted as
// flagValue does.
func (r *reader[T]) flagName(j int) string {
	if len(r.header[j]) > MaxQuoted {
		return strconv.Itoa(j)
	}
	return flagValue(r.header[j])
}

// flagValue quotes an item of a list flag (a column name, a missing-value
// token) for a command line that a user can paste into bash:
// quoted as a CSV field when it holds a comma, a quote or a line break
// ("id,code"), then for the shell when it holds
// characters the shell would interpret: in double quotes when that is
// enough ("?"), in single quotes otherwise ('"id,code"'), and as $'…'
// with escapes when it holds control characters, so that it stays on one
// line. A plain name stays plain: id.
func flagValue(s string) string {
	if s == "" || strings.ContainsAny(s, ",\"\r\n") {
		s = `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
	}
	return shellQuote(s)
}

// shellQuote quotes s for a POSIX shell, as flagValue describes.
func shellQuote(s string) string {
	if !utf8.ValidString(s) {
		return ansiQuote(s)
	}
	plain, double := true, true
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c < 0x20 || c == 0x7f:
			return ansiQuote(s)
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', strings.IndexByte("_-.,/:@%+=", c) >= 0:
		case strings.IndexByte("$`\\\"!", c) >= 0:
			plain, double = false, false
		default:
			plain = false
		}
	}
	switch {
	case plain && s != "":
		return s
	case double:
		return `"` + s + `"`
	}
	return `'` + strings.ReplaceAll(s, `'`, `'\''`) + `'`
}

// ansiQuote quotes s as bash's $'…', escaping control characters and bytes
// that are not UTF-8.
func ansiQuote(s string) string {
	var b strings.Builder
	b.WriteString("$'")
	for len(s) > 0 {
		r, n := utf8.DecodeRuneInString(s)
		switch {
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\'' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f || r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[0])
		default:
			b.WriteString(s[:n])
		}
		s = s[n:]
	}
	b.WriteByte('\'')
	return b.String()
}

// naHint suggests declaring v a missing value, unless v is too long to
// echo (no one means a missing value by that).
func naHint(v string) string {
	if len(v) > MaxQuoted {
		return ""
	}
	return fmt.Sprintf("if %q means a missing value, declare it with --na %s; ", v, flagValue(v))
}

// maxListed is the most column names a message lists.
const maxListed = 20

// headerList lists the file's column names for a message: the first
// maxListed of them, each cut short if long.
func (r *reader[T]) headerList() string {
	var b strings.Builder
	for i, h := range r.header[:min(len(r.header), maxListed)] {
		if i > 0 {
			b.WriteString(", ")
		}
		if len(h) > MaxQuoted || h != strings.TrimSpace(h) || strings.ContainsFunc(h, func(c rune) bool {
			return c == ',' || c == '"' || c == utf8.RuneError || unicode.IsControl(c)
		}) {
			h = Quote(h) // on one line, and told apart from its neighbours
		}
		b.WriteString(h)
	}
	if len(r.header) > maxListed {
		fmt.Fprintf(&b, " … (%d columns)", len(r.header))
	}
	return b.String()
}
