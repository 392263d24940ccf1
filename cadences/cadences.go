// Package cadences holds cadences: named sequences of touches a supervisor
// defines ("2d text "…" else template renewal", "5d template renewal") and
// an agent starts on a contact. It parses and prints their steps; it does
// no I/O.
package cadences

import (
	"time"

	"github.com/followup-dev/followup"
)

// Cadence is a named sequence of steps.
type Cadence struct {
	Name      string    `json:"name"`
	Steps     []Step    `json:"steps"`
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
