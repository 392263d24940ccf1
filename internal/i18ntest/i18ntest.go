// Package i18ntest helps tests check that a text rendered in Russian has
// no English left in it.
package i18ntest

import "regexp"

// latinWord is a word in Latin letters: English, unless it is a name.
var latinWord = regexp.MustCompile(`[A-Za-z][A-Za-z'_-]*[A-Za-z]`)

// EnglishLeft lists the words of s in Latin letters (two or more) that
// are not among the words of names: what a Russian reader would meet
// untranslated. names are what stays as written in every language:
// people's and channels' names, commands, setting names and values, and
// what the reader typed.
func EnglishLeft(s string, names ...string) []string {
	ok := map[string]bool{}
	for _, n := range names {
		for _, w := range latinWord.FindAllString(n, -1) {
			ok[w] = true
		}
	}
	var left []string
	for _, w := range latinWord.FindAllString(s, -1) {
		if !ok[w] {
			left = append(left, w)
		}
	}
	return left
}

// Channels are the channels' titles that are names in every language.
var Channels = []string{"WhatsApp", "Messenger", "Instagram", "Viber", "WeChat", "Telegram", "LINE", "SMS"}
