// Package i18n is what followup says to people, in each language it
// speaks: a catalog of messages (golang.org/x/text/message/catalog) keyed
// by their English text, as the code writes it, with their Russian and the
// plural forms of counts, and the Printer that renders them in one
// language.
//
// Code writes the English it always wrote, through a Printer:
//
//	p := i18n.New(i18n.ParseLocale(user.Locale))
//	p.Sprintf("%d VIP follow-up(s) running", n)
//
// The English text is the key: a text the catalog lacks prints as written
// (English), so adding a text never breaks an answer, and the tests list
// every key the code uses that the catalog lacks. Errors carry their
// format too (followup.Errorf), so a Printer renders them in its language
// (Printer.Error).
package i18n

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"golang.org/x/text/language"

	"github.com/followup-dev/followup"
)

// Lang is a language followup speaks.
type Lang int

// The languages, English first: it is the language of the keys and what
// every other language falls back on.
const (
	English Lang = iota
	Russian
)

// Langs lists every language followup speaks.
func Langs() []Lang { return []Lang{English, Russian} }

// Tag is the language's BCP 47 tag.
func (l Lang) Tag() language.Tag {
	if l == Russian {
		return language.Russian
	}
	return language.English
}

// String is the language's code: en, ru.
func (l Lang) String() string { return l.Tag().String() }

// ParseLocale reads a locale as Slack writes it (ru-RU, en-US) or as a
// POSIX environment does (ru_RU.UTF-8, C): Russian for ru and ru_*,
// English for anything else, unset included.
func ParseLocale(s string) Lang {
	s = strings.ToLower(strings.TrimSpace(s))
	if rest, ok := strings.CutPrefix(s, "ru"); ok && (rest == "" || strings.ContainsRune("-_.@", rune(rest[0]))) {
		return Russian
	}
	return English
}

// FromEnv is the language of the command line, from the environment as
// POSIX orders it: LC_ALL, else LC_MESSAGES, else LANG (the first one
// set and not empty).
func FromEnv(getenv func(string) string) Lang {
	for _, name := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if v := getenv(name); v != "" {
			return ParseLocale(v)
		}
	}
	return English
}

// Printer renders the catalog's messages in one language. Its zero value
// prints English.
type Printer struct{ lang Lang }

// New returns a Printer for l.
func New(l Lang) Printer { return Printer{lang: l} }

// Lang is the Printer's language.
func (p Printer) Lang() Lang { return p.lang }

// Sprintf formats the catalog's text for key (an fmt format: the English
// text) with args, as fmt.Sprintf does; a key the catalog lacks formats
// as written. A count selects the text's plural form. An argument that is
// a Message or a *followup.Error is rendered in the Printer's language
// too. Numbers print as fmt prints them (no digit grouping), so contact
// ids and counts read the same in every language.
func (p Printer) Sprintf(key string, args ...any) string {
	args = p.localize(args)
	return fmt.Sprintf(p.lookup(key, args), args...)
}

// Fprintf writes Sprintf's text to w.
func (p Printer) Fprintf(w io.Writer, key string, args ...any) (int, error) {
	return io.WriteString(w, p.Sprintf(key, args...))
}

// Text is the catalog's text for s when s is a key without arguments (a
// window's refusal, a label), else s as it is; unlike Sprintf it never
// reads s as a format, so it may be given any text.
func (p Printer) Text(s string) string {
	return p.lookup(s, nil)
}

// Word is the catalog's word s of a kind, such as a status: one English
// word may need several in another language ("cancelled" is отменён for
// a follow-up, отменено for a message); s when the catalog lacks it. The
// catalog's key is kind, a byte 4 and s (gettext's msgctxt).
func (p Printer) Word(kind, s string) string {
	if w := p.lookup(kind+wordSep+s, nil); w != kind+wordSep+s {
		return w
	}
	return s
}

// wordSep parts a Word's kind from the word in a key.
const wordSep = "\x04"

// Error is err's message for a person (followup.ErrorMessage) in the
// Printer's language.
func (p Printer) Error(err error) string {
	var e *followup.Error
	if !errors.As(err, &e) {
		return p.Text(followup.ErrorMessage(err))
	}
	return p.errorText(e)
}

func (p Printer) errorText(e *followup.Error) string {
	format, args := e.MessageFormat()
	if format == "" {
		return p.Text(e.Message)
	}
	return p.Sprintf(format, args...)
}

// localize renders the arguments that are texts themselves.
func (p Printer) localize(args []any) []any {
	var out []any
	for i, a := range args {
		var s string
		switch v := a.(type) {
		case Message:
			s = p.message(v)
		case *followup.Error:
			s = p.errorText(v)
		case followup.Phrase:
			s = p.Phrase(v, nil)
		default:
			continue
		}
		if out == nil {
			out = append([]any(nil), args...)
		}
		out[i] = s
	}
	if out == nil {
		return args
	}
	return out
}

// lookup is the catalog's format for key in the Printer's language, with
// its plural form chosen by args; key itself when the catalog lacks it.
func (p Printer) lookup(key string, args []any) string {
	r := &renderer{args: args}
	if err := cat.Context(p.lang.Tag(), r).Execute(key); err != nil {
		return key
	}
	return r.sb.String()
}

// renderer receives a catalog message's text, its plural form chosen by
// the arguments (the catalog's Renderer).
type renderer struct {
	args []any
	sb   strings.Builder
}

func (r *renderer) Render(s string) { r.sb.WriteString(s) }

func (r *renderer) Arg(i int) any {
	if i--; i >= 0 && i < len(r.args) {
		return r.args[i]
	}
	return nil
}

// Message is a text to be rendered later, in the language of whoever
// reads it: a part of an error made before anyone knows who will read
// it, such as a usage line. It prints in English with %s and %v.
type Message struct {
	key    string
	args   []any
	text   bool   // key is a text, not a format (Text)
	kind   string // key is a word of this kind (Word)
	render func(Printer) string
}

// Msg returns the Message of key (an fmt format) with args.
func Msg(key string, args ...any) Message { return Message{key: key, args: args} }

// Text returns the Message of s, a text that may be a key without
// arguments (Printer.Text): a follow-up's words, which are one of the
// catalog's when they are a window's refusal.
func Text(s string) Message { return Message{key: s, text: true} }

// Word returns the Message of the word s of a kind (Printer.Word).
func Word(kind, s string) Message { return Message{key: s, kind: kind} }

// Func returns the Message render writes in a Printer's language: a text
// made of several messages, such as the help.
func Func(render func(Printer) string) Message { return Message{render: render} }

// String is the message in English.
func (m Message) String() string { return New(English).message(m) }

func (p Printer) message(m Message) string {
	switch {
	case m.render != nil:
		return m.render(p)
	case m.text:
		return p.Text(m.key)
	case m.kind != "":
		return p.Word(m.kind, m.key)
	}
	return p.Sprintf(m.key, m.args...)
}

// Phrase renders ph in the Printer's language: its format through the
// catalog, its Terms and nested phrases in the language too, durations in
// the language's units, and times as at writes them (nil: in UTC, as
// followup.StampUTC, which the bot turns into Slack dates).
func (p Printer) Phrase(ph followup.Phrase, at func(time.Time) string) string {
	args := make([]any, len(ph.Args))
	for i, a := range ph.Args {
		switch {
		case a.Str != nil:
			args[i] = *a.Str
		case a.Int != nil:
			args[i] = int(*a.Int)
		case a.Time != nil && at != nil:
			args[i] = at(*a.Time)
		case a.Time != nil:
			args[i] = a.Time.UTC().Format(followup.StampUTC)
		case a.Dur != nil:
			args[i] = p.Duration(*a.Dur)
		case a.Term != nil:
			args[i] = p.Text(*a.Term)
		case a.Phrase != nil:
			args[i] = p.Phrase(*a.Phrase, at)
		default:
			args[i] = ""
		}
	}
	return fmt.Sprintf(p.lookup(ph.Format, args), args...)
}

// Duration writes d in hours and minutes as the language abbreviates
// them: 1h30m, 1 ч 30 мин.
func (p Printer) Duration(d time.Duration) string {
	if p.lang != Russian {
		return followup.ShortDuration(d)
	}
	if d < time.Minute {
		return fmt.Sprintf("%d с", int(d.Round(time.Second)/time.Second))
	}
	d = d.Round(time.Minute)
	h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
	switch {
	case h > 0 && m > 0:
		return fmt.Sprintf("%d ч %d мин", h, m)
	case h > 0:
		return fmt.Sprintf("%d ч", h)
	}
	return fmt.Sprintf("%d мин", m)
}
