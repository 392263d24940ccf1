package followup

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Phrase is a sentence written for a person before anyone knows who will
// read it: what a follow-up tells its agent, composed once inside the
// workflow (and kept in its history) and read later by agents in several
// languages and time zones. It keeps the English format and its arguments
// rather than the text, so that package i18n can render it in the reader's
// language (Printer.Phrase); String is the English.
//
// Arguments keep their kind: a name or a provider's words print as they
// are, a count selects a plural form, a time shows in the reader's zone, a
// Term is looked up in the catalog, and a Phrase nests.
type Phrase struct {
	Format string      `json:"format"`
	Args   []PhraseArg `json:"args,omitempty"`
}

// PhraseArg is one argument of a Phrase; exactly one field is set.
type PhraseArg struct {
	Str    *string        `json:"s,omitempty"` // printed as it is
	Int    *int64         `json:"n,omitempty"` // a count or an id
	Time   *time.Time     `json:"t,omitempty"` // a moment
	Dur    *time.Duration `json:"d,omitempty"` // a length of time
	Term   *string        `json:"x,omitempty"` // a text of the catalog
	Phrase *Phrase        `json:"p,omitempty"` // a phrase of its own
}

// Term is a text the catalog knows without arguments: a label, a
// channel's title, a window's refusal. As a Phrase's argument it is
// rendered in the reader's language.
type Term string

// Say returns the Phrase of format (an fmt format, the English text) with
// args: strings, integers, times, durations, Terms and Phrases; anything
// else is kept as the text fmt prints for it.
func Say(format string, args ...any) Phrase {
	p := Phrase{Format: format}
	for _, a := range args {
		p.Args = append(p.Args, phraseArg(a))
	}
	return p
}

func phraseArg(a any) PhraseArg {
	switch v := a.(type) {
	case string:
		return PhraseArg{Str: &v}
	case int:
		n := int64(v)
		return PhraseArg{Int: &n}
	case int64:
		return PhraseArg{Int: &v}
	case time.Time:
		return PhraseArg{Time: &v}
	case time.Duration:
		return PhraseArg{Dur: &v}
	case Term:
		s := string(v)
		return PhraseArg{Term: &s}
	case Phrase:
		return PhraseArg{Phrase: &v}
	case *Phrase:
		if v != nil {
			return PhraseArg{Phrase: v}
		}
	}
	s := fmt.Sprint(a)
	return PhraseArg{Str: &s}
}

// Then is p followed by a space and q: a sentence added to another.
func (p Phrase) Then(q Phrase) Phrase {
	if p.Format == "" {
		return q
	}
	return Say("%s %s", p, q)
}

// IsZero reports whether p says nothing.
func (p Phrase) IsZero() bool { return p.Format == "" }

// String is the phrase in English, times in UTC.
func (p Phrase) String() string {
	return p.Render(func(PhraseArg) any { return nil })
}

// Render formats p with each argument as arg gives it; where arg returns
// nil, the argument's English: strings and numbers as they are, times as
// StampUTC, durations as ShortDuration, nested phrases rendered the same
// way.
func (p Phrase) Render(arg func(PhraseArg) any) string {
	args := make([]any, len(p.Args))
	for i, a := range p.Args {
		if v := arg(a); v != nil {
			args[i] = v
			continue
		}
		args[i] = a.english(arg)
	}
	return fmt.Sprintf(p.Format, args...)
}

func (a PhraseArg) english(arg func(PhraseArg) any) any {
	switch {
	case a.Str != nil:
		return *a.Str
	case a.Int != nil:
		return int(*a.Int)
	case a.Time != nil:
		return a.Time.UTC().Format(StampUTC)
	case a.Dur != nil:
		return ShortDuration(*a.Dur)
	case a.Term != nil:
		return *a.Term
	case a.Phrase != nil:
		return a.Phrase.Render(arg)
	}
	return ""
}

// StampUTC is how a Phrase's times read in English: the layout the
// follow-ups' texts always used, which the bot turns into Slack dates.
const StampUTC = "Jan 2 15:04 UTC"

// ShortDuration writes d in hours and minutes, the way people do: 2h,
// 1h30m, 45m (seconds only under a minute).
func ShortDuration(d time.Duration) string {
	if d < time.Minute {
		return strconv.Itoa(int(d.Round(time.Second)/time.Second)) + "s"
	}
	d = d.Round(time.Minute)
	h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
	var sb strings.Builder
	if h > 0 {
		sb.WriteString(strconv.Itoa(h) + "h")
	}
	if m > 0 {
		sb.WriteString(strconv.Itoa(m) + "m")
	}
	return sb.String()
}

// Value stores p as JSON (a jsonb column).
func (p Phrase) Value() (driver.Value, error) {
	b, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("phrase: %w", err)
	}
	return string(b), nil
}

// Scan reads p from JSON (a jsonb column).
func (p *Phrase) Scan(src any) error {
	var b []byte
	switch v := src.(type) {
	case []byte:
		b = v
	case string:
		b = []byte(v)
	default:
		return fmt.Errorf("phrase: cannot read %T", src)
	}
	*p = Phrase{}
	if err := json.Unmarshal(b, p); err != nil {
		return fmt.Errorf("phrase: %w", err)
	}
	return nil
}
