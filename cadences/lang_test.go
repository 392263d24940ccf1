package cadences_test

import (
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/cadences"
	"github.com/followup-dev/followup/i18n"
	"github.com/followup-dev/followup/internal/i18ntest"
)

// grammar is what a cadence's errors show as written in every language:
// the step's keywords, placeholders, tags and example names.
var grammar = []string{"text", "template", "tag", "else", "NAME", "TAG", "ACCOUNT_UPDATE", "CONFIRMED_EVENT_UPDATE",
	"POST_PURCHASE_UPDATE", "renewal", "trial-ending", "UTF", "a-z"}

// inRussian checks that err reads in Russian with nothing in English but
// the grammar and what the supervisor wrote.
func inRussian(t *testing.T, what string, err error, wrote ...string) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: no error", what)
		return
	}
	got := i18n.New(i18n.Russian).Error(err)
	var left []string
	for _, w := range i18ntest.EnglishLeft(got, append(wrote, grammar...)...) {
		if !strings.Contains(strings.Join(wrote, " "), w) { // what was written, clipped
			left = append(left, w)
		}
	}
	if len(left) > 0 || strings.Contains(got, "%!") || !strings.ContainsFunc(got, func(r rune) bool { return unicode.Is(unicode.Cyrillic, r) }) {
		t.Errorf("%.80s in Russian: %q (English: %v)", what, got, left)
	}
}

// TestStepErrorsInRussian: every step ParseStep refuses, and every
// cadence Parse and Validate refuse, is refused in Russian too.
func TestStepErrorsInRussian(t *testing.T) {
	t.Parallel()
	for _, tc := range badSteps {
		_, err := cadences.ParseStep(tc.in)
		inRussian(t, tc.in, err, tc.in)
	}
	ten := make([]string, 11)
	for i := range ten {
		ten[i] = cadences.Offset(time.Duration(i+1)*day) + ` text "x"`
	}
	for _, tc := range []struct {
		name  string
		steps []string
	}{
		{"renewal", nil}, {"renewal", ten}, {"", []string{`2d text "x"`}}, {"renewal plan", []string{`2d text "x"`}},
		{"renewal", []string{`2d text "x"`, `5x template renewal`}},
		{"renewal", []string{`2d text "x"`, `5d text "y"`, `3d template renewal`}},
	} {
		_, err := cadences.Parse(tc.name, tc.steps)
		inRussian(t, tc.name+" "+strings.Join(tc.steps, " | "), err, append(tc.steps, tc.name)...)
	}
	x := "x"
	for what, s := range map[string]cadences.Step{
		"30s":              {After: 30 * time.Second, Text: x},
		"91d":              {After: 91 * day, Text: x},
		"not whole":        {After: time.Hour + time.Second, Text: x},
		"two things":       {After: day, Text: x, Template: tmpl("renewal")},
		"a tag, no text":   {After: day, Tag: followup.TagAccountUpdate},
		"nothing":          {After: day},
		"an empty else":    {After: day, Text: x, Else: &cadences.Else{}},
		"a tag else a tag": {After: day, Text: x, Tag: followup.TagAccountUpdate, Else: &cadences.Else{Tag: followup.TagPostPurchaseUpdate}},
		"a template else":  {After: day, Template: tmpl("renewal"), Else: &cadences.Else{Tag: followup.TagPostPurchaseUpdate}},
		"a bad tag":        {After: day, Text: x, Else: &cadences.Else{Tag: "SHIPPING"}},
		"a bad name":       {After: day, Template: tmpl("a b")},
		"an empty param":   {After: day, Template: tmpl("renewal", " ")},
		"a bad param":      {After: day, Template: tmpl("renewal", "\xff")},
		"a control char":   {After: day, Template: tmpl("renewal", "a\tb")},
		"a long message":   {After: day, Text: strings.Repeat("x", cadences.MaxTextBytes+1)},
	} {
		err := cadences.Validate(cadences.Cadence{Name: "renewal", Steps: []cadences.Step{s}})
		inRussian(t, what, err, s.String(), "SHIPPING")
	}
	// Counts take their plural forms.
	_, err := cadences.ParseStep(`91d text "x"`)
	if got, want := i18n.New(i18n.Russian).Error(err), `“91d text "x"”: 91d наступает позже, чем через 90 дней после начала, а серия длится не больше 90 дней`; got != want {
		t.Errorf("91d: %q, want %q", got, want)
	}
	if got := i18n.New(i18n.Russian).Phrase((cadences.Step{After: 36 * time.Hour}).WhenPhrase(), nil); got != "день 1 +12h" {
		t.Errorf("When in Russian: %q", got)
	}
}
