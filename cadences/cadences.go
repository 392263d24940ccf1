// Package cadences holds cadences: named sequences of touches a supervisor
// defines ("2d text "…" else template renewal", "5d template renewal") and
// an agent starts on a contact. It parses and prints their steps; it does
// no I/O.
package cadences

import (
	"strings"
	"time"

	"github.com/followup-dev/followup"
)

// Limits of a cadence.
const (
	// MaxSteps bounds the touches of one cadence.
	MaxSteps = 10
	// MaxNameLen bounds a cadence's name, in characters.
	MaxNameLen = 40
	// MaxAfter is the latest a step may come after the cadence starts: the
	// follow-up workflow schedules every touch when the cadence starts, and
	// schedules at most workflows.MaxScheduleAhead ahead (a test keeps the
	// two equal).
	MaxAfter = 90 * 24 * time.Hour
	// MaxTextBytes bounds a step's message, as the Slack command bounds
	// the text of a send.
	MaxTextBytes = 4096
)

// Cadence is a named sequence of steps.
type Cadence struct {
	Name  string `json:"name"`
	Steps []Step `json:"steps"`
	// CreatedBy is the Slack user id of the supervisor who defined it, or
	// "cli" for an operator at the command line.
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

// Step is one touch: when, counted from the cadence's start, what to send,
// and what instead when the channel no longer takes that.
type Step struct {
	After    time.Duration `json:"after"`
	Text     string        `json:"text,omitempty"`
	Template *Template     `json:"template,omitempty"`
	Tag      followup.Tag  `json:"tag,omitempty"`
	Else     *Else         `json:"else,omitempty"`
}

// Template names a WhatsApp template and its fixed parameters.
type Template struct {
	Name   string   `json:"name"`
	Params []string `json:"params,omitempty"`
}

// Else is a step's fallback: a template or a message tag (with the step's text).
type Else struct {
	Template *Template    `json:"template,omitempty"`
	Tag      followup.Tag `json:"tag,omitempty"`
}

// Parse reads a cadence as a supervisor writes it: a name (lower-cased) and
// one string per step (see ParseStep). Errors name the step they are about.
func Parse(name string, steps []string) (Cadence, error) {
	c := Cadence{Name: NormalizeName(name)}
	if err := checkName(c.Name); err != nil {
		return Cadence{}, err
	}
	if err := checkCount(len(steps)); err != nil {
		return Cadence{}, err
	}
	for i, s := range steps {
		st, err := ParseStep(s)
		if err != nil {
			return Cadence{}, followup.Errorf(followup.EInvalid, "step %d: %s", i+1, err)
		}
		c.Steps = append(c.Steps, st)
	}
	return c, Validate(c)
}

// NormalizeName is a cadence name as it is stored and looked up: trimmed
// and lower-cased.
func NormalizeName(name string) string {
	return strings.ToLower(strings.TrimSpace(name))
}

// Validate checks a cadence as a whole: its name, how many steps it has,
// that each step is one the workflow can send, and that the offsets, which
// count from the start, increase.
func Validate(c Cadence) error {
	if err := checkName(c.Name); err != nil {
		return err
	}
	if err := checkCount(len(c.Steps)); err != nil {
		return err
	}
	for i, s := range c.Steps {
		if err := s.check(); err != nil {
			return followup.Errorf(followup.EInvalid, "step %d: %s: %v", i+1, echo(s.String(), 60), err)
		}
		if i > 0 && s.After <= c.Steps[i-1].After {
			return followup.Errorf(followup.EInvalid,
				"step %d (%s) must come after step %d (%s): offsets count from the start of the cadence, not from the previous step",
				i+1, Offset(s.After), i, Offset(c.Steps[i-1].After))
		}
	}
	return nil
}

func checkName(name string) error {
	ok := name != "" && len(name) <= MaxNameLen
	for i := 0; ok && i < len(name); i++ {
		ch := name[i]
		ok = ch >= 'a' && ch <= 'z' || ch >= '0' && ch <= '9' || ch == '_' || ch == '-'
	}
	if !ok {
		return followup.Errorf(followup.EInvalid, "%s is not a cadence name: use 1 to %d of a-z, 0-9, _ and -, like renewal or trial-ending", echo(name, 60), MaxNameLen)
	}
	return nil
}

func checkCount(n int) error {
	switch {
	case n == 0:
		return followup.Errorf(followup.EInvalid, `a cadence needs at least one step, like 2d text "Your plan renews soon" else template renewal`)
	case n > MaxSteps:
		return followup.Errorf(followup.EInvalid, "a cadence has at most %d steps; this one has %d", MaxSteps, n)
	}
	return nil
}

// When is a step's offset as a person reads it: "day 2", or "day 1 +12h"
// when it does not fall on a whole day after the start.
func (s Step) When() string { return s.WhenPhrase().String() }

// WhenPhrase is When as a Phrase, for the reader's language.
func (s Step) WhenPhrase() followup.Phrase {
	const day = 24 * time.Hour
	days, rest := s.After/day, s.After%day
	if rest == 0 {
		return followup.Say("day %d", int(days))
	}
	return followup.Say("day %d +%s", int(days), Offset(rest))
}
