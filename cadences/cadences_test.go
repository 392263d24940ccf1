package cadences_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/cadences"
)

const day = 24 * time.Hour

func tmpl(name string, params ...string) *cadences.Template {
	return &cadences.Template{Name: name, Params: params}
}

func TestParseStep(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in    string
		want  cadences.Step
		canon string // String(); "" when it is in
	}{
		{in: `2d text "Your plan renews on Friday" else template renewal`,
			want: cadences.Step{After: 2 * day, Text: "Your plan renews on Friday", Else: &cadences.Else{Template: tmpl("renewal")}}},
		{in: `5d template renewal`,
			want: cadences.Step{After: 5 * day, Template: tmpl("renewal")}},
		{in: `10d tag ACCOUNT_UPDATE "Your card expires soon"`,
			want: cadences.Step{After: 10 * day, Tag: followup.TagAccountUpdate, Text: "Your card expires soon"}},
		// Offsets: combinable, any case, printed largest unit first.
		{in: `36h text "x"`, want: cadences.Step{After: 36 * time.Hour, Text: "x"}, canon: `1d12h text "x"`},
		{in: `1d12h text "x"`, want: cadences.Step{After: 36 * time.Hour, Text: "x"}},
		{in: `90m text "x"`, want: cadences.Step{After: 90 * time.Minute, Text: "x"}, canon: `1h30m text "x"`},
		{in: `1D2H3M text "x"`, want: cadences.Step{After: day + 2*time.Hour + 3*time.Minute, Text: "x"}, canon: `1d2h3m text "x"`},
		{in: `1m text "x"`, want: cadences.Step{After: time.Minute, Text: "x"}},
		{in: `90d text "x"`, want: cadences.Step{After: 90 * day, Text: "x"}},
		{in: `2160h text "x"`, want: cadences.Step{After: 90 * day, Text: "x"}, canon: `90d text "x"`},
		// Keywords and tags in any case; extra white space.
		{in: "  2d\tTEXT  \"hi\"   ELSE  Tag  post_purchase_update ",
			want:  cadences.Step{After: 2 * day, Text: "hi", Else: &cadences.Else{Tag: followup.TagPostPurchaseUpdate}},
			canon: `2d text "hi" else tag POST_PURCHASE_UPDATE`},
		{in: `3d tag confirmed_event_update "See you Saturday" else template event_reminder 1=Sat`,
			want: cadences.Step{After: 3 * day, Tag: followup.TagConfirmedEventUpdate, Text: "See you Saturday",
				Else: &cadences.Else{Template: tmpl("event_reminder", "Sat")}},
			canon: `3d tag CONFIRMED_EVENT_UPDATE "See you Saturday" else template event_reminder 1=Sat`},
		// Escapes, curly quotes, quotes inside text.
		{in: `2d text "Your \"premium\" plan, C:\\ and \n"`,
			want: cadences.Step{After: 2 * day, Text: `Your "premium" plan, C:\ and \n`}, canon: `2d text "Your \"premium\" plan, C:\\ and \\n"`},
		{in: `2d text “Your plan renews” else template renewal 1=“Jane Doe”`,
			want:  cadences.Step{After: 2 * day, Text: "Your plan renews", Else: &cadences.Else{Template: tmpl("renewal", "Jane Doe")}},
			canon: `2d text "Your plan renews" else template renewal 1="Jane Doe"`},
		{in: `2d text “mismatched“`, want: cadences.Step{After: 2 * day, Text: "mismatched"}, canon: `2d text "mismatched"`},
		{in: `2d text “He said "hi" \” twice”`, want: cadences.Step{After: 2 * day, Text: `He said "hi" ” twice`},
			canon: `2d text "He said \"hi\" ” twice"`},
		{in: "2d text \"line one\nline two\"", want: cadences.Step{After: 2 * day, Text: "line one\nline two"}},
		{in: `2d text "don't"`, want: cadences.Step{After: 2 * day, Text: "don't"}},
		// Template parameters: in any order, quoted values, = in values.
		{in: `5d template order_update 2=A-17 1="Jane Doe"`,
			want: cadences.Step{After: 5 * day, Template: tmpl("order_update", "Jane Doe", "A-17")}, canon: `5d template order_update 1="Jane Doe" 2=A-17`},
		{in: `5d template t 1=a=b 2=x"y 3="back\\slash"`,
			want: cadences.Step{After: 5 * day, Template: tmpl("t", "a=b", `x"y`, `back\slash`)}, canon: `5d template t 1=a=b 2="x\"y" 3="back\\slash"`},
		{in: `5d template t 01=else`, want: cadences.Step{After: 5 * day, Template: tmpl("t", "else")}, canon: `5d template t 1=else`},
		{in: `5d template text`, want: cadences.Step{After: 5 * day, Template: tmpl("text")}},
	}
	for _, tc := range cases {
		got, err := cadences.ParseStep(tc.in)
		if err != nil {
			t.Errorf("ParseStep(%s): %v", tc.in, err)
			continue
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("ParseStep(%s)\n got %#v\nwant %#v", tc.in, got, tc.want)
		}
		canon := tc.canon
		if canon == "" {
			canon = tc.in
		}
		if got.String() != canon {
			t.Errorf("ParseStep(%s).String() = %s, want %s", tc.in, got, canon)
		}
		again, err := cadences.ParseStep(got.String())
		if err != nil || !reflect.DeepEqual(again, got) {
			t.Errorf("%s does not read back: %#v %v", got, again, err)
		}
	}
}

// badSteps are steps ParseStep refuses, each with (part of) why.
var badSteps = []struct{ in, want string }{
	{``, `the step is empty; write one like 2d text "…" else template renewal`},
	{`5x template renewal`, `"5x template renewal": "5x" is not an offset like 2d, 36h or 1d12h`},
	{`1h1d text "x"`, `"1h1d" is not an offset like 2d, 36h or 1d12h`},
	{`1d1d text "x"`, `"1d1d" is not an offset`},
	{`2 text "x"`, `"2" is not an offset`},
	{`d text "x"`, `"d" is not an offset`},
	{`1.5d text "x"`, `"1.5d" is not an offset`},
	{`-1d text "x"`, `"-1d" is not an offset`},
	{`"2d" text "x"`, `“"2d"” is not an offset`},
	{`0m text "x"`, `a step comes at least 1m after the cadence starts`},
	{`0d text "x"`, `a step comes at least 1m after the cadence starts`},
	{`90d1m text "x"`, `90d1m is more than 90 days after the start; a cadence spans at most 90 days`},
	{`91d text "x"`, `91d is more than 90 days`},
	{`99999999999999999999d text "x"`, `is more than 90 days`},
	{`2d`, `say what to send 2d after the start: text "…", template NAME [1=value …] or tag TAG "…"`},
	{`2d send "x"`, `"send" is not a touch; write text "…", template NAME [1=value …] or tag TAG "…"`},
	{`2d else template renewal`, `"else" is not a touch`},
	{`2d text`, `the message is missing; write it in double quotes: text "Your plan renews soon"`},
	{`2d text Your plan renews`, `the message must be in double quotes: text "Your plan renews soon" (write \" for a quote inside it)`},
	{`2d text "Your plan`, `the quote in “"Your plan” is never closed; end the text with "`},
	{`2d text “Your plan`, `the quote in "“Your plan" is never closed; end the text with ”`},
	{`2d text "Your "premium" plan"`, `“premium"” comes right after the closing quote of “"Your "”; put a space between them, or write \" for a quote inside the text`},
	{`2d text "  "`, `the message is empty`},
	{`2d text "` + strings.Repeat("x", 4097) + `"`, `the message is 4097 bytes; the limit is 4096`},
	{"2d text \"a\x00b\"", `the message contains the control character U+0000`},
	{"2d text \"\xff\"", `the step is not valid UTF-8 text`},
	{`2d text "x" "y"`, `unexpected “"y"” after the message; only else template NAME [1=value …] or else tag TAG may follow`},
	{`2d text "x" template renewal`, `unexpected "template" after the message`},
	{`2d text "x" else`, `else needs a fallback: else template NAME [1=value …] or else tag TAG`},
	{`2d text "x" else text "y"`, `"text" after else is not a fallback; write else template NAME [1=value …] or else tag TAG`},
	{`2d text "x" else template a else template b`, `unexpected "else" at the end of the step; a step has one fallback at most`},
	{`2d text "x" else tag ACCOUNT_UPDATE POST_PURCHASE_UPDATE`, `unexpected "POST_PURCHASE_UPDATE" at the end of the step`},
	{`2d text "x" else tag`, `name the message tag: else tag ACCOUNT_UPDATE (one of ACCOUNT_UPDATE, CONFIRMED_EVENT_UPDATE, POST_PURCHASE_UPDATE)`},
	{`2d text "x" else tag HUMAN_AGENT`, `"HUMAN_AGENT" is not a message tag (one of ACCOUNT_UPDATE, CONFIRMED_EVENT_UPDATE, POST_PURCHASE_UPDATE)`},
	{`5d template renewal else template other`, `a template step takes no else`},
	{`5d template`, `name the template: template renewal [1=value …]`},
	{`5d template else`, `name the template before else`},
	{`5d template "renewal plan"`, `“"renewal plan"” is not a template name`},
	{`5d template renewal/2`, `"renewal/2" is not a template name`},
	{`5d template renewal Jane`, `"Jane" is not a template parameter; write parameters as 1=value 2=value (quote a value with spaces: 1="Jane Doe")`},
	{`5d template renewal "1=Jane Doe"`, `is not a template parameter`},
	{`5d template renewal name=Jane`, `"name=Jane": template parameters are numbered from 1`},
	{`5d template renewal 0=Jane`, `"0=Jane": template parameters are numbered from 1`},
	{`5d template renewal +1=Jane`, `"+1=Jane": template parameters are numbered from 1`},
	{`5d template renewal 1=a 3=c`, `template parameters are numbered 1, 2, 3 … without gaps; 2 is missing`},
	{`5d template renewal 1=a 1=b`, `template parameter 1 is given twice`},
	{`5d template renewal 1=`, `template parameter 1 has no value; write 1=value`},
	{`5d template renewal 1=" "`, `template parameter 1 has no value`},
	{"5d template renewal 1=\"a\nb\"", `template parameter 1 contains the character U+000A; a parameter is one line`},
	{`5d template renewal 1="Jane`, `is never closed`},
	{`10d tag "x"`, `“"x"” is not a message tag`},
	{`10d tag`, `name the message tag: tag ACCOUNT_UPDATE "Your plan renews soon"`},
	{`10d tag SHIPPING_UPDATE "x"`, `"SHIPPING_UPDATE" is not a message tag`},
	{`10d tag ACCOUNT_UPDATE`, `the message is missing; write it in double quotes: tag ACCOUNT_UPDATE "Your plan renews soon"`},
	{`10d tag ACCOUNT_UPDATE x`, `the message must be in double quotes: tag ACCOUNT_UPDATE "Your plan renews soon"`},
	{`10d tag ACCOUNT_UPDATE "x" else tag POST_PURCHASE_UPDATE`, `a tag step already carries a tag; its fallback can only be else template NAME [1=value …]`},
}

func TestParseStepErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range badSteps {
		_, err := cadences.ParseStep(tc.in)
		if err == nil {
			t.Errorf("ParseStep(%.60s) took it; want %s", tc.in, tc.want)
			continue
		}
		if followup.ErrorCodeOf(err) != followup.EInvalid || !strings.Contains(followup.ErrorMessage(err), tc.want) {
			t.Errorf("ParseStep(%.60s):\n got %v\nwant …%s…", tc.in, err, tc.want)
		}
	}
}

func TestWhen(t *testing.T) {
	t.Parallel()
	for d, want := range map[time.Duration]string{
		2 * day:                            "day 2",
		36 * time.Hour:                     "day 1 +12h",
		90 * time.Minute:                   "day 0 +1h30m",
		10*day + 2*time.Hour + time.Minute: "day 10 +2h1m",
	} {
		if got := (cadences.Step{After: d}).When(); got != want {
			t.Errorf("When(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestParse(t *testing.T) {
	t.Parallel()
	c, err := cadences.Parse(" Renewal ", []string{
		`2d text "Your plan renews on Friday" else template renewal`,
		`5d template renewal`,
		`10d tag ACCOUNT_UPDATE "Your card on file expires this month"`,
	})
	if err != nil {
		t.Fatal(err)
	}
	if c.Name != "renewal" || len(c.Steps) != 3 || c.Steps[1].After != 5*day || c.Steps[2].Tag != followup.TagAccountUpdate {
		t.Fatalf("Parse: %+v", c)
	}

	ten := make([]string, 11)
	for i := range ten {
		ten[i] = cadences.Offset(time.Duration(i+1)*day) + ` text "x"`
	}
	cases := []struct {
		name  string
		steps []string
		want  string
	}{
		{"renewal", nil, `a cadence needs at least one step, like 2d text "Your plan renews soon" else template renewal`},
		{"renewal", ten, "a cadence has at most 10 steps; this one has 11"},
		{"", []string{`2d text "x"`}, `"" is not a cadence name: use 1 to 40 of a-z, 0-9, _ and -`},
		{"renewal plan", []string{`2d text "x"`}, `"renewal plan" is not a cadence name`},
		{"café", []string{`2d text "x"`}, `"café" is not a cadence name`},
		{strings.Repeat("a", 41), []string{`2d text "x"`}, "is not a cadence name"},
		{"renewal", []string{`2d text "x"`, `5x template renewal`}, `step 2: "5x template renewal": "5x" is not an offset like 2d, 36h or 1d12h`},
		{"renewal", []string{`2d text "x"`, `5d text "y"`, `3d template renewal`},
			"step 3 (3d) must come after step 2 (5d): offsets count from the start of the cadence, not from the previous step"},
		{"renewal", []string{`2d text "x"`, `48h text "y"`}, "step 2 (2d) must come after step 1 (2d)"},
	}
	for _, tc := range cases {
		_, err := cadences.Parse(tc.name, tc.steps)
		if followup.ErrorCodeOf(err) != followup.EInvalid || !strings.Contains(followup.ErrorMessage(err), tc.want) {
			t.Errorf("Parse(%.40q, %d steps):\n got %v\nwant …%s…", tc.name, len(tc.steps), err, tc.want)
		}
	}
	if _, err := cadences.Parse(strings.Repeat("a", 40), ten[:10]); err != nil {
		t.Errorf("40 characters and 10 steps: %v", err)
	}
	if _, err := cadences.Parse("trial_ending-2", []string{`2d text "x"`}); err != nil {
		t.Errorf("a text step on its own: %v", err)
	}
}

// TestValidate checks cadences built other than by Parse, as the store reads them.
func TestValidate(t *testing.T) {
	t.Parallel()
	ok := cadences.Step{After: day, Text: "x"}
	cases := []struct {
		step cadences.Step
		want string
	}{
		{cadences.Step{After: 90 * time.Second, Text: "x"}, "1m30s is not a whole number of minutes"},
		{cadences.Step{After: 91 * day, Text: "x"}, "91d is more than 90 days"},
		{cadences.Step{After: day}, "nothing to send"},
		{cadences.Step{After: day, Tag: followup.TagAccountUpdate}, "the tag needs its message"},
		{cadences.Step{After: day, Text: "x", Template: tmpl("t")}, "a step sends one thing"},
		{cadences.Step{After: day, Text: "x", Tag: "HUMAN_AGENT"}, `"HUMAN_AGENT" is not a message tag`},
		{cadences.Step{After: day, Template: tmpl("")}, `"" is not a template name`},
		{cadences.Step{After: day, Template: tmpl("t", "")}, "template parameter 1 is empty"},
		{cadences.Step{After: day, Template: tmpl("t"), Else: &cadences.Else{Tag: followup.TagAccountUpdate}}, "a template step takes no else"},
		{cadences.Step{After: day, Text: "x", Else: &cadences.Else{}}, "a fallback is one of"},
		{cadences.Step{After: day, Text: "x", Else: &cadences.Else{Tag: followup.TagAccountUpdate, Template: tmpl("t")}}, "a fallback is one of"},
		{cadences.Step{After: day, Text: "x", Tag: followup.TagAccountUpdate, Else: &cadences.Else{Tag: followup.TagAccountUpdate}}, "its fallback can only be else template"},
		{cadences.Step{After: day, Text: "x", Else: &cadences.Else{Tag: "account_update"}}, `"account_update" is not a message tag`},
	}
	for _, tc := range cases {
		err := cadences.Validate(cadences.Cadence{Name: "c", Steps: []cadences.Step{ok, tc.step}})
		if followup.ErrorCodeOf(err) != followup.EInvalid || !strings.Contains(followup.ErrorMessage(err), "step 2: ") || !strings.Contains(followup.ErrorMessage(err), tc.want) {
			t.Errorf("Validate(%#v):\n got %v\nwant step 2: …%s…", tc.step, err, tc.want)
		}
	}
	if err := cadences.Validate(cadences.Cadence{Name: "Renewal", Steps: []cadences.Step{ok}}); err == nil {
		t.Error("Validate took an upper-case name; Parse lower-cases it, Validate checks")
	}
}

// FuzzParseStep: whatever ParseStep takes prints to a step that it reads
// back to the same Step, and prints the same again.
func FuzzParseStep(f *testing.F) {
	for _, s := range []string{
		`2d text "Your plan renews on Friday" else template renewal`,
		`5d template renewal`,
		`10d tag ACCOUNT_UPDATE "Your card expires"`,
		`1d12h text “curly \” quotes” else tag post_purchase_update`,
		`90m template order_update 2=A-17 1="Jane Doe"`,
		`3d tag confirmed_event_update "a \"b\" \\c" else template t 1=x=y 2=“q r”`,
		`36h text "x\ny"`,
		`2d text "x"y`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		st, err := cadences.ParseStep(s)
		if err != nil {
			if followup.ErrorCodeOf(err) != followup.EInvalid {
				t.Fatalf("ParseStep(%q): %v is not an invalid-input error", s, err)
			}
			return
		}
		printed := st.String()
		again, err := cadences.ParseStep(printed)
		if err != nil {
			t.Fatalf("ParseStep(%q) = %#v prints %q, which does not parse: %v", s, st, printed, err)
		}
		if !reflect.DeepEqual(again, st) {
			t.Fatalf("ParseStep(%q) = %#v prints %q, which parses to %#v", s, st, printed, again)
		}
		if again.String() != printed {
			t.Fatalf("%q prints as %q", printed, again.String())
		}
		if err := cadences.Validate(cadences.Cadence{Name: "c", Steps: []cadences.Step{st}}); err != nil {
			t.Fatalf("ParseStep(%q) took a step Validate refuses: %v", s, err)
		}
	})
}
