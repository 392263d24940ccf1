package i18n

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"
)

// sameInEveryLanguage are the keys whose Russian is the English: names
// and formats.
var sameInEveryLanguage = map[string]bool{
	"WhatsApp": true, "Messenger": true, "Instagram": true, "Viber": true, "WeChat": true,
	"Telegram": true, "LINE": true, "SMS": true,
	"FOLLOWUP_DATA_DIR %s: %v": true,
}

var verb = regexp.MustCompile(`%(\[\d+\])?[-+# 0]*\d*(\.\d+)?[a-zA-Z%]`)

// verbs are the fmt verbs of format, in order, without their argument
// indexes (a translation may put the arguments in another order).
func verbs(format string) []string {
	vs := verb.FindAllString(format, -1)
	for i, v := range vs {
		if j := strings.IndexByte(v, ']'); j > 0 {
			vs[i] = "%" + v[j+1:]
		}
	}
	return vs
}

// sample makes arguments for format's verbs: a number for %d, a word
// for the others.
func sample(format string, n int) []any {
	var args []any
	for _, v := range verbs(format) {
		switch v[len(v)-1] {
		case '%':
		case 'd':
			args = append(args, n)
		default:
			args = append(args, "x")
		}
	}
	return args
}

func cyrillic(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.Is(unicode.Cyrillic, r) }) >= 0
}

// TestEveryMessageRendersInEveryLanguage: each message renders in English
// and in Russian with its arguments (no %!d(MISSING), no %!(EXTRA …)),
// the Russian has the same verbs as the English, and it is Russian: in
// Cyrillic and not the English, but for names and formats.
func TestEveryMessageRendersInEveryLanguage(t *testing.T) {
	t.Parallel()
	en, ru := New(English), New(Russian)
	seen := map[string]bool{}
	check := func(key, ruFormat string) {
		if seen[key] {
			t.Errorf("%q is in the catalog twice", key)
		}
		seen[key] = true
		if strings.Contains(fmt.Sprintf(key, sample(key, 1)...), "%!") {
			// A text with a literal % (ILIKE '%q%'), given to Text.
			if r := ru.Text(key); !cyrillic(r) || r != ruFormat {
				t.Errorf("%q in Russian is %q", key, r)
			}
			return
		}
		want := verbs(key)
		got := verbs(ruFormat)
		slices.Sort(want)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%q: the Russian %q has verbs %v, want %v", key, ruFormat, got, want)
		}
		for _, n := range []int{1, 2, 5, 21} {
			args := sample(key, n)
			e, r := en.Sprintf(key, args...), ru.Sprintf(key, args...)
			for _, s := range []string{e, r} {
				if strings.Contains(s, "%!") {
					t.Errorf("%q renders as %q", key, s)
				}
			}
			if sameInEveryLanguage[key] || onlyFormat(key) {
				continue
			}
			if !cyrillic(r) || r == e {
				t.Errorf("%q in Russian is %q: not Russian", key, r)
			}
		}
	}
	for _, table := range tables {
		for _, m := range table {
			check(m.en, m.ru)
		}
	}
	for _, table := range counts {
		for _, c := range table {
			for _, f := range c.en {
				if f != "" && !slices.Equal(verbs(f), verbs(c.key)) {
					t.Errorf("%q: the English form %q has other verbs", c.key, f)
				}
			}
			for _, f := range c.ru {
				check(c.key, f)
				delete(seen, c.key)
			}
		}
	}
}

// TestEnglishIsTheKey: a key prints as written in English, and a text the
// catalog lacks prints as written in every language.
func TestEnglishIsTheKey(t *testing.T) {
	t.Parallel()
	for _, table := range tables {
		for _, m := range table {
			args := sample(m.en, 3)
			if got, want := New(English).Sprintf(m.en, args...), fmt.Sprintf(m.en, args...); got != want {
				t.Errorf("English %q, want %q", got, want)
			}
		}
	}
	for _, l := range Langs() {
		if got := New(l).Sprintf("Not in the catalog: %d%%", 7); got != "Not in the catalog: 7%" {
			t.Errorf("%s: %q", l, got)
		}
		if got := New(l).Text("100% not a key"); got != "100% not a key" {
			t.Errorf("%s: Text %q", l, got)
		}
	}
}

// TestRussianPlurals: counts take the Russian form their number calls
// for, and English its own.
func TestRussianPlurals(t *testing.T) {
	t.Parallel()
	key := "%d VIP follow-up(s) running"
	for n, want := range map[int]string{
		0: "0 VIP-фоллоу-апов в работе", 1: "1 VIP-фоллоу-ап в работе", 2: "2 VIP-фоллоу-апа в работе",
		4: "4 VIP-фоллоу-апа в работе", 5: "5 VIP-фоллоу-апов в работе", 11: "11 VIP-фоллоу-апов в работе",
		12: "12 VIP-фоллоу-апов в работе", 21: "21 VIP-фоллоу-ап в работе", 22: "22 VIP-фоллоу-апа в работе",
		25: "25 VIP-фоллоу-апов в работе", 101: "101 VIP-фоллоу-ап в работе", 111: "111 VIP-фоллоу-апов в работе",
	} {
		if got := New(Russian).Sprintf(key, n); got != want {
			t.Errorf("%d: %q, want %q", n, got, want)
		}
	}
	for n, want := range map[int]string{0: "0 VIP follow-ups running", 1: "1 VIP follow-up running", 2: "2 VIP follow-ups running"} {
		if got := New(English).Sprintf(key, n); got != want {
			t.Errorf("English %d: %q, want %q", n, got, want)
		}
	}
	// Numbers print as fmt prints them: no grouping in ids.
	if got := New(Russian).Sprintf("contact #%d", 1234567); got != "контакт #1234567" {
		t.Errorf("%q", got)
	}
}

// onlyFormat reports whether key has nothing to translate: verbs,
// punctuation and markup only ("%s: %s").
func onlyFormat(key string) bool {
	for _, v := range verbs(key) {
		key = strings.Replace(key, v, "", 1)
	}
	return strings.IndexFunc(key, func(r rune) bool { return r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' }) < 0
}
