// Package shellword quotes the words of the replay commands that the
// runners print, so that a command pastes into a POSIX shell as it is.
package shellword

import (
	"strings"
	"unicode"
)

// Quote returns s as one shell word: as it is when it holds only letters,
// digits and -_.,:@#/=+, in single quotes otherwise (a connection's faults
// name it a->b).
func Quote(s string) string {
	if strings.IndexFunc(s, func(r rune) bool {
		return !strings.ContainsRune("-_.,:@#/=+", r) && !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
