// Package csstext writes tokens from github.com/tdewolff/parse/v2/css back as CSS text.
package csstext

import (
	"strings"

	"github.com/tdewolff/parse/v2/css"
)

// Join writes the tokens back as text, each whitespace token (a run of white space) as one
// space.
func Join(ts []css.Token) string {
	var b strings.Builder
	for _, t := range ts {
		if t.TokenType == css.WhitespaceToken {
			b.WriteByte(' ')
			continue
		}
		b.Write(t.Data)
	}
	return b.String()
}
