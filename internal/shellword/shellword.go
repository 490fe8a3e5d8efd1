// Package shellword quotes words for a POSIX shell: commands Cargoman
// hands to a shell (GIT_SSH_COMMAND) or shows people to paste
// (composer config) must keep each word whole whatever it holds.
package shellword

import "strings"

// Quote is s as one shell word: as is when it holds only characters no
// shell treats specially, else in single quotes.
func Quote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:/@%+=,") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
