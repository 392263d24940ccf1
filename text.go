package followup

import "unicode/utf8"

// Clip cuts s to at most n bytes at a character boundary, ending it with
// "…" when it cut: for texts echoed in answers and errors.
func Clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
