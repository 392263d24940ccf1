package store

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/followup-dev/followup"
)

// foldSpecial maps letters that Unicode does not decompose into a base letter
// plus a mark, so "Łukasz" is found by "lukasz" and "Søren" by "soren".
var foldSpecial = map[rune]string{
	'ł': "l", 'ø': "o", 'đ': "d", 'ð': "d", 'ß': "ss", 'æ': "ae", 'œ': "oe",
	'þ': "th", 'ı': "i", 'ħ': "h", 'ŀ': "l",
}

// NameKey normalises a name for search: Unicode compatibility-decomposed,
// combining marks removed, lower-cased, whitespace collapsed to single
// spaces. "  Zoë  ÅSTRÖM" becomes "zoe astrom"; "Ёлка" becomes "елка".
// Scripts without case or accents (CJK) pass through unchanged.
func NameKey(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range norm.NFKD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case unicode.IsSpace(r) || r == '\u00a0':
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		r = unicode.ToLower(r)
		if f, ok := foldSpecial[r]; ok {
			b.WriteString(f)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// FullKey is the search key of "first last".
func FullKey(first, last string) string {
	f, l := NameKey(first), NameKey(last)
	switch {
	case f == "":
		return l
	case l == "":
		return f
	}
	return f + " " + l
}

// EmailKey is the case-folded email address.
func EmailKey(email string) string {
	return strings.ToLower(strings.TrimSpace(email))
}

// Digits keeps the ASCII digits of s.
func Digits(s string) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			b = append(b, s[i])
		}
	}
	return string(b)
}

// PhoneRev is the phone number's digits reversed, so that "ends with" is a
// prefix match an index can serve.
func PhoneRev(phone string) string {
	d := []byte(Digits(phone))
	for i, j := 0, len(d)-1; i < j; i, j = i+1, j-1 {
		d[i], d[j] = d[j], d[i]
	}
	return string(d)
}

// NormalizePhone turns a phone number written by a person ("+1 (415)
// 555-0142", "00 44 20 7946 0958") into E.164 ("+14155550142"). Numbers
// without a country code are refused: guessing one would message a stranger.
func NormalizePhone(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	for _, r := range s {
		if !(r >= '0' && r <= '9') && !strings.ContainsRune("+-(). /", r) {
			return "", followup.Errorf(followup.EInvalid, "phone %q has a character that is not a digit, space, +, -, ( or )", s)
		}
	}
	d := Digits(s)
	switch {
	case strings.HasPrefix(s, "+"):
	case strings.HasPrefix(d, "00"):
		d = d[2:]
	default:
		return "", followup.Errorf(followup.EInvalid, "phone %q needs a country code: write it as +<country><number>, e.g. +14155550142", s)
	}
	if len(d) < 7 || len(d) > 15 || d[0] == '0' {
		return "", followup.Errorf(followup.EInvalid, "phone %q is not a valid international number (7 to 15 digits after the +, not starting with 0)", s)
	}
	return "+" + d, nil
}
